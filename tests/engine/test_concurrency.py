"""Real concurrency: the service on a real uvicorn (real sockets), many bidders at once (rules 9, 10, 13, 14).

Bids are totally ordered by the server: whatever the interleaving, the accepted bids form one gapless,
strictly increasing record, and every acknowledged bid is in it exactly as acknowledged.
"""

import asyncio
import itertools
import random
from datetime import timedelta

from tests.support.identity import id_number
from tests.support.scenes import BIDDER_CODE, INCREMENT, START_PRICE, assert_error, go_to, quick_bidders, t

P, INC = START_PRICE, INCREMENT


async def _crowd_auction(server, n):
    api = server.api
    staff = await api.staff(server.services)
    lot = await api.lot(staff)
    auction = await api.schedule(staff, lot["id"])
    bidders = await quick_bidders(server, n)
    # everyone registers at once: each gets a distinct code
    answers = await asyncio.gather(
        *(server.client.post(f"/api/v1/auctions/{auction['id']}/registrations", headers=b) for b in bidders)
    )
    assert [r.status_code for r in answers] == [201] * n, [r.text for r in answers if r.status_code != 201][:3]
    codes = [r.json()["bidder_code"] for r in answers]
    assert len(set(codes)) == n and all(BIDDER_CODE.match(c) for c in codes)
    await go_to(server, t(auction["start_at"]))
    return auction, bidders, dict(zip(codes, bidders, strict=True))


def _check_record(items, accepted):
    """The stored record against the acknowledgements."""
    seqs = [x["seq"] for x in items]
    assert seqs == list(range(1, len(items) + 1)), "seq must start at 1 with no gaps"
    amounts = [x["amount"] for x in items]
    assert all(b > a for a, b in itertools.pairwise(amounts)), "amounts must strictly increase"
    by_seq = {x["seq"]: x for x in items}
    acked_seqs = [a["seq"] for a in accepted]
    assert len(acked_seqs) == len(set(acked_seqs)), "two acknowledged bids share a seq"
    acked_amounts = [a["amount"] for a in accepted]
    assert len(acked_amounts) == len(set(acked_amounts)), "two acknowledged bids share an amount"
    for ack in accepted:
        stored = by_seq.get(ack["seq"])
        assert stored is not None, f"acknowledged bid {ack} is not in the record"
        assert (stored["amount"], stored["bidder_code"], stored["placed_at"], stored["priority"]) == (
            ack["amount"],
            ack["bidder_code"],
            ack["placed_at"],
            ack["priority"],
        )


async def test_fifty_bidders_at_the_same_starting_price_exactly_one_wins(live_server):
    auction, bidders, _ = await _crowd_auction(live_server, 50)
    answers = await asyncio.gather(*(live_server.api.bid(b, auction["id"], P) for b in bidders))
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(201) == 1, statuses
    for r in answers:
        if r.status_code != 201:
            assert_error(r, 409, "bid_too_low")
    items = await live_server.api.bids(auction["id"])
    assert len(items) == 1
    winner = next(r.json() for r in answers if r.status_code == 201)
    _check_record(items, [winner])
    state = await live_server.api.auction(auction["id"])
    assert (state["bid_count"], state["current_price"], state["leading_code"]) == (1, P, winner["bidder_code"])


async def test_a_storm_of_bids_forms_one_gapless_increasing_record(live_server):
    auction, bidders, _ = await _crowd_auction(live_server, 40)
    api, aid = live_server.api, auction["id"]
    first = await api.bid(bidders[0], aid, P)
    assert first.status_code == 201, first.text
    accepted = [first.json()]
    rng = random.Random(2016)
    for _round in range(5):
        live_server.clock.advance(seconds=3)
        current = (await api.auction(aid))["current_price"]
        steps = list(range(1, len(bidders) + 1))
        rng.shuffle(steps)
        amounts = [current + k * INC for k in steps]
        answers = await asyncio.gather(*(api.bid(b, aid, amt) for b, amt in zip(bidders, amounts, strict=True)))
        for r in answers:
            if r.status_code == 201:
                accepted.append(r.json())
            else:
                assert_error(r, 409, "bid_too_low")
        assert any(r.status_code == 201 for r in answers)
    items = await api.bids(aid)
    assert len(items) == len(accepted)
    _check_record(items, accepted)
    state = await api.auction(aid)
    assert state["bid_count"] == len(items)
    assert state["current_price"] == items[-1]["amount"] == max(a["amount"] for a in accepted)
    assert state["leading_code"] == items[-1]["bidder_code"]
    # after_seq pages through the same record
    middle = len(items) // 2
    assert await api.bids(aid, after_seq=middle) == items[middle:]


async def test_a_burst_at_the_close_never_accepts_a_bid_at_or_after_its_end(live_server):
    auction, bidders, _ = await _crowd_auction(live_server, 30)
    api, aid, clock = live_server.api, auction["id"], live_server.clock
    opening = await api.bid(bidders[0], aid, P)
    assert opening.status_code == 201, opening.text
    end = t(auction["end_at"])
    clock.set(end - timedelta(milliseconds=1))
    half = len(bidders) // 2
    early = [asyncio.create_task(api.bid(b, aid, P + (i + 1) * INC)) for i, b in enumerate(bidders[1:half])]
    await asyncio.sleep(0.005)
    # the end passes while bids are in flight: past even the end an extension at end - 1 ms would give
    clock.set(end + timedelta(minutes=5, milliseconds=1))
    late = [asyncio.create_task(api.bid(b, aid, P + (half + i) * INC)) for i, b in enumerate(bidders[half:])]
    accepted = [opening.json()]
    for r in await asyncio.gather(*early):
        if r.status_code == 201:
            accepted.append(r.json())
        else:
            assert_error(r, 409)
            assert r.json()["error"]["code"] in ("bid_too_low", "auction_not_live"), r.text
    for r in await asyncio.gather(*late):
        assert_error(r, 409, "auction_not_live")
    await go_to(live_server, clock.now())
    items = await api.bids(aid)
    assert len(items) == len(accepted)
    _check_record(items, accepted)
    # each accepted bid was placed before the end it was judged against (the end after the bid before it)
    end_before = end
    for item in items:
        placed = t(item["placed_at"])
        assert placed < end_before, (item, end_before)
        end_before = max(end_before, placed + timedelta(minutes=5))
    state = await api.auction(aid)
    assert state["status"] == "sold"
    assert state["current_price"] == items[-1]["amount"]
    assert state["bid_count"] == len(items)
    result = (await live_server.client.get(f"/api/v1/auctions/{aid}/result")).json()
    assert (result["price"], result["winner_code"]) == (items[-1]["amount"], items[-1]["bidder_code"])


async def test_concurrent_retries_with_one_idempotency_key_place_one_bid(live_server):
    auction, bidders, _ = await _crowd_auction(live_server, 2)
    api, aid = live_server.api, auction["id"]
    answers = await asyncio.gather(*(api.bid(bidders[0], aid, P, **{"Idempotency-Key": "tap-tap"}) for _ in range(20)))
    assert {r.status_code for r in answers} == {201}, [r.text for r in answers if r.status_code != 201][:3]
    assert len({r.text for r in answers}) == 1, "every retry gets the original answer"
    assert len(await api.bids(aid)) == 1
    assert (await api.auction(aid))["bid_count"] == 1


async def test_a_double_clicked_registration_gives_one_code(live_server):
    api = live_server.api
    staff = await api.staff(live_server.services)
    lot = await api.lot(staff)
    auction = await api.schedule(staff, lot["id"])
    bidder = (await quick_bidders(live_server, 1))[0]
    answers = await asyncio.gather(
        *(live_server.client.post(f"/api/v1/auctions/{auction['id']}/registrations", headers=bidder) for _ in range(10))
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] * 9 + [201], [r.text for r in answers]
    assert len({r.json()["bidder_code"] for r in answers}) == 1
    assert (await api.auction(auction["id"]))["registrations"] == 1


async def test_concurrent_sign_ups_of_one_username_give_one_account(live_server):
    body = {"username": "same_name", "password": "password123", "real_name": "同名", "id_number": id_number()}
    answers = await asyncio.gather(*(live_server.client.post("/api/v1/bidders", json=body) for _ in range(8)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] + [409] * 7, [r.text for r in answers]
    for r in answers:
        if r.status_code == 409:
            assert_error(r, 409, "username_taken")
