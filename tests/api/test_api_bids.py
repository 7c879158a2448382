"""Bidding rules 8-15 through the API: first bid, increments, live window, soft close, the bid record,
idempotency, priority holders, the result and the settlement."""

from datetime import timedelta

import pytest

from tests.support.scenes import (
    APPRAISAL,
    INCREMENT,
    START_PRICE,
    assert_error,
    assert_utc,
    go_to,
    scene,
    settlement_body,
    t,
)

P = START_PRICE
INC = INCREMENT
EXT = timedelta(minutes=5)


async def _placed(service, bidder, auction_id, amount, **headers):
    r = await service.api.bid(bidder, auction_id, amount, **headers)
    assert r.status_code == 201, r.text
    return r.json()


# ----------------------------------------------------------------------------- amounts


async def test_the_first_bid_is_exactly_the_starting_price(service):
    s = await scene(service, bidders=2, live=True)
    a, b = s.bidders
    assert_error(await service.api.bid(a, s.id, P - 1), 409, "bid_too_low")
    assert_error(await service.api.bid(a, s.id, P - INC), 409, "bid_too_low")
    r = await service.api.bid(a, s.id, P + INC)
    assert_error(r, 409)
    assert r.json()["error"]["code"] in ("bid_not_on_increment", "bid_too_low")
    assert (await service.api.auction(s.id))["bid_count"] == 0
    first = await _placed(service, b, s.id, P)
    assert (first["seq"], first["amount"], first["bidder_code"], first["priority"]) == (1, P, s.codes[1], False)
    assert assert_utc(first["placed_at"]) == service.clock.now()


async def test_later_bids_add_whole_increments_to_the_current_price(service):
    s = await scene(service, bidders=2, live=True)
    a, b = s.bidders
    await _placed(service, a, s.id, P)
    assert_error(await service.api.bid(b, s.id, P), 409, "bid_too_low")
    assert_error(await service.api.bid(b, s.id, P - INC), 409, "bid_too_low")
    assert_error(await service.api.bid(b, s.id, P + INC - 1), 409, "bid_not_on_increment")
    assert_error(await service.api.bid(b, s.id, P + INC + 1), 409, "bid_not_on_increment")
    assert_error(await service.api.bid(b, s.id, P + INC // 2), 409, "bid_not_on_increment")
    state = await service.api.auction(s.id)
    assert (state["current_price"], state["leading_code"], state["bid_count"]) == (P, s.codes[0], 1)
    await _placed(service, b, s.id, P + INC)
    await _placed(service, a, s.id, P + 7 * INC)  # a jump bid of six increments
    assert_error(await service.api.bid(b, s.id, P + 7 * INC), 409, "bid_too_low")
    await _placed(service, b, s.id, P + 8 * INC)
    state = await service.api.auction(s.id)
    assert (state["current_price"], state["leading_code"], state["bid_count"]) == (P + 8 * INC, s.codes[1], 4)
    assert [x["amount"] for x in await service.api.bids(s.id)] == [P, P + INC, P + 7 * INC, P + 8 * INC]


# ----------------------------------------------------------------------------- the live window


async def test_no_bid_before_bidding_starts(service):
    s = await scene(service, bidders=1, live=False)
    assert_error(await service.api.bid(s.bidders[0], s.id, P), 409, "auction_not_live")
    service.clock.set(s.start_at - timedelta(milliseconds=1))
    assert_error(await service.api.bid(s.bidders[0], s.id, P), 409, "auction_not_live")
    service.clock.set(s.start_at)  # the opening job need not have run: time alone opens bidding
    await _placed(service, s.bidders[0], s.id, P)


async def test_no_bid_at_the_end_even_before_the_close_job_runs(service):
    s = await scene(service, bidders=2, live=True)
    await _placed(service, s.bidders[0], s.id, P)
    service.clock.set(s.end_at - timedelta(minutes=10))
    await _placed(service, s.bidders[1], s.id, P + INC)
    service.clock.set(s.end_at)  # exactly the end; no settle, the scheduler has not closed it
    assert_error(await service.api.bid(s.bidders[0], s.id, P + 2 * INC), 409, "auction_not_live")
    service.clock.set(s.end_at + timedelta(seconds=30))
    assert_error(await service.api.bid(s.bidders[0], s.id, P + 2 * INC), 409, "auction_not_live")
    await service.settle()
    assert_error(await service.api.bid(s.bidders[0], s.id, P + 2 * INC), 409, "auction_not_live")
    state = await service.api.auction(s.id)
    assert (state["status"], state["current_price"], state["bid_count"]) == ("sold", P + INC, 2)
    assert t(state["end_at"]) == s.end_at


async def test_one_millisecond_before_the_end_a_bid_is_accepted(service):
    s = await scene(service, bidders=1, live=True)
    service.clock.set(s.end_at - timedelta(milliseconds=1))
    bid = await _placed(service, s.bidders[0], s.id, P)
    assert t(bid["end_at"]) == s.end_at - timedelta(milliseconds=1) + EXT


# ----------------------------------------------------------------------------- soft close (rule 11)


async def test_a_bid_with_less_than_five_minutes_left_moves_the_end_to_its_time_plus_five_minutes(service):
    s = await scene(service, bidders=2, live=True)
    a, b = s.bidders
    await _placed(service, a, s.id, P)
    bid_time = s.end_at - EXT + timedelta(milliseconds=1)  # 4:59.999 left
    service.clock.set(bid_time)
    bid = await _placed(service, b, s.id, P + INC)
    assert t(bid["end_at"]) == bid_time + EXT
    state = await service.api.auction(s.id)
    assert t(state["end_at"]) == bid_time + EXT
    assert t(state["scheduled_end_at"]) == s.end_at
    assert state["extension_count"] == 1
    assert (await service.api.bids(s.id))[-1]["placed_at"] == bid["placed_at"]


async def test_a_bid_with_exactly_five_minutes_left_does_not_extend(service):
    s = await scene(service, bidders=2, live=True)
    a, b = s.bidders
    await _placed(service, a, s.id, P)
    service.clock.set(s.end_at - EXT)  # exactly 5:00.000 left
    bid = await _placed(service, b, s.id, P + INC)
    assert t(bid["end_at"]) == s.end_at
    state = await service.api.auction(s.id)
    assert t(state["end_at"]) == s.end_at and state["extension_count"] == 0


async def test_extensions_chain_and_the_auction_ends_five_minutes_after_the_last_bid(service):
    s = await scene(service, bidders=2, live=True)
    a, b = s.bidders
    await _placed(service, a, s.id, P)
    moments = [
        s.end_at - timedelta(seconds=31),
        s.end_at + timedelta(minutes=2),
        s.end_at + timedelta(minutes=6, milliseconds=500),
    ]
    price = P
    for i, moment in enumerate(moments):
        service.clock.set(moment)
        price += INC
        bid = await _placed(service, b if i % 2 == 0 else a, s.id, price)
        assert t(bid["end_at"]) == moment + EXT
    last_end = moments[-1] + EXT
    state = await service.api.auction(s.id)
    assert (t(state["end_at"]), state["extension_count"]) == (last_end, 3)
    # still live one millisecond before the extended end
    await go_to(service, last_end - timedelta(milliseconds=1))
    assert (await service.api.auction(s.id))["status"] == "live"
    await go_to(service, last_end)
    assert_error(await service.api.bid(a, s.id, price + INC), 409, "auction_not_live")
    state = await service.api.auction(s.id)
    assert (state["status"], t(state["end_at"]), state["current_price"]) == ("sold", last_end, price)
    result = (await service.client.get(f"/api/v1/auctions/{s.id}/result")).json()
    assert result["price"] == price and result["winner_code"] == s.codes[1]  # b placed the last bid


# ----------------------------------------------------------------------------- the bid record (rule 13)


async def test_seq_starts_at_one_without_gaps_and_refusals_take_no_seq(service):
    s = await scene(service, bidders=3, live=True)
    a, b, c = s.bidders
    expected = []
    price = P
    for i in range(9):
        bidder = s.bidders[i % 3]
        if i:
            assert_error(await service.api.bid(bidder, s.id, price), 409, "bid_too_low")  # refused: no seq
            price += INC * (1 + i % 2)
        service.clock.advance(seconds=17)
        bid = await _placed(service, bidder, s.id, price)
        assert bid["seq"] == i + 1
        expected.append((i + 1, price, s.codes[i % 3], bid["placed_at"]))
    items = await service.api.bids(s.id)
    assert [(x["seq"], x["amount"], x["bidder_code"], x["placed_at"]) for x in items] == expected
    assert all(x["priority"] is False for x in items)
    later = await service.api.bids(s.id, after_seq=6)
    assert [x["seq"] for x in later] == [7, 8, 9]
    assert await service.api.bids(s.id, after_seq=9) == []
    assert (await service.api.auction(s.id))["bid_count"] == 9
    del a, b, c


# ----------------------------------------------------------------------------- idempotency


async def test_a_repeated_idempotency_key_returns_the_original_bid_and_places_nothing(service):
    s = await scene(service, bidders=2, live=True)
    a, b = s.bidders
    first = await service.api.bid(a, s.id, P, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.text
    service.clock.advance(seconds=5)
    again = await service.api.bid(a, s.id, P, **{"Idempotency-Key": "k-1"})
    assert again.status_code == first.status_code
    assert again.json() == first.json()
    assert (await service.api.auction(s.id))["bid_count"] == 1
    # still the original after others have bid
    await _placed(service, b, s.id, P + INC)
    again = await service.api.bid(a, s.id, P, **{"Idempotency-Key": "k-1"})
    assert (again.status_code, again.json()) == (201, first.json())
    assert (await service.api.auction(s.id))["bid_count"] == 2
    assert [x["seq"] for x in await service.api.bids(s.id)] == [1, 2]


async def test_the_same_idempotency_key_with_another_amount_is_422(service):
    s = await scene(service, bidders=1, live=True)
    a = s.bidders[0]
    assert (await service.api.bid(a, s.id, P, **{"Idempotency-Key": "k-2"})).status_code == 201
    r = await service.api.bid(a, s.id, P + INC, **{"Idempotency-Key": "k-2"})
    assert_error(r, 422)
    state = await service.api.auction(s.id)
    assert (state["bid_count"], state["current_price"]) == (1, P)


async def test_a_repeated_key_of_a_refused_bid_repeats_the_refusal_and_places_nothing(service):
    s = await scene(service, bidders=2, live=True)
    a, b = s.bidders
    r = await service.api.bid(a, s.id, P + INC, **{"Idempotency-Key": "early"})  # refused: not the starting price
    assert_error(r, 409)
    await _placed(service, b, s.id, P)  # now P + INC would be a valid bid
    again = await service.api.bid(a, s.id, P + INC, **{"Idempotency-Key": "early"})
    assert (again.status_code, again.json()) == (r.status_code, r.json())
    state = await service.api.auction(s.id)
    assert (state["bid_count"], state["current_price"]) == (1, P)


async def test_idempotency_keys_belong_to_one_bidder(service):
    s = await scene(service, bidders=2, live=True)
    a, b = s.bidders
    assert (await service.api.bid(a, s.id, P, **{"Idempotency-Key": "shared"})).status_code == 201
    r = await service.api.bid(b, s.id, P + INC, **{"Idempotency-Key": "shared"})
    assert r.status_code == 201, r.text
    assert r.json()["bidder_code"] == s.codes[1]
    assert (await service.api.auction(s.id))["bid_count"] == 2


# ----------------------------------------------------------------------------- priority holders (rule 12)


async def _declare(service, s, username, rank):
    body = {
        "username": username,
        "rank": rank,
        "reason": "法院确认的优先购买权",
    }  # a reason: needed once bidding opened
    r = await service.client.post(f"/api/v1/auctions/{s.id}/priority-holders", json=body, headers=s.staff)
    assert r.status_code == 201, r.text


async def test_a_priority_holder_may_match_the_current_price_and_wins_the_tie(service):
    s = await scene(service, bidders=1, live=False, real_names=["普通竞买人"])
    api = service.api
    tenant = await api.bidder(username="tenant_zhang", real_name="承租人张")
    await _declare(service, s, "tenant_zhang", 1)
    tenant_code = (await api.register(tenant, s.id))["bidder_code"]
    await go_to(service, s.start_at)
    ordinary = s.bidders[0]
    await _placed(service, ordinary, s.id, P)
    bid = await _placed(service, tenant, s.id, P)  # the same price
    assert (bid["seq"], bid["amount"], bid["priority"], bid["bidder_code"]) == (2, P, True, tenant_code)
    state = await api.auction(s.id)
    assert (state["current_price"], state["leading_code"]) == (P, tenant_code)
    # an ordinary bidder must go strictly higher; the holder may match again
    assert_error(await api.bid(ordinary, s.id, P), 409, "bid_too_low")
    await _placed(service, ordinary, s.id, P + INC)
    await _placed(service, tenant, s.id, P + INC)
    assert_error(await api.bid(tenant, s.id, P + INC), 409, "bid_too_low")  # already holds it
    assert [x["priority"] for x in await api.bids(s.id)] == [False, True, False, True]
    await go_to(service, s.end_at)
    result = (await service.client.get(f"/api/v1/auctions/{s.id}/result")).json()
    assert (result["outcome"], result["price"], result["winner_code"], result["winner_name"]) == (
        "sold",
        P + INC,
        tenant_code,
        "承租人张",
    )


async def test_a_priority_right_declared_during_bidding_takes_effect_at_once(service):
    s = await scene(service, bidders=1, live=True)
    api = service.api
    late_holder = await api.bidder(username="late_holder")
    code = (await api.register(late_holder, s.id))["bidder_code"]
    await _placed(service, s.bidders[0], s.id, P)
    assert_error(await api.bid(late_holder, s.id, P), 409, "bid_too_low")  # no right yet
    await _declare(service, s, "late_holder", 1)
    bid = await _placed(service, late_holder, s.id, P)
    assert (bid["priority"], bid["bidder_code"]) == (True, code)
    assert (await api.auction(s.id))["leading_code"] == code


async def test_between_priority_holders_the_better_rank_wins_a_tie(service):
    s = await scene(service, bidders=1, live=False)
    api = service.api
    second = await api.bidder(username="holder_rank2", real_name="二顺位")
    first = await api.bidder(username="holder_rank1", real_name="一顺位")
    other2 = await api.bidder(username="holder_rank2b", real_name="另一二顺位")
    await _declare(service, s, "holder_rank2", 2)
    await _declare(service, s, "holder_rank1", 1)
    await _declare(service, s, "holder_rank2b", 2)
    code2 = (await api.register(second, s.id))["bidder_code"]
    code1 = (await api.register(first, s.id))["bidder_code"]
    await api.register(other2, s.id)
    await go_to(service, s.start_at)
    await _placed(service, s.bidders[0], s.id, P)
    await _placed(service, second, s.id, P)  # rank 2 takes the tie from an ordinary bidder
    assert_error(await api.bid(other2, s.id, P), 409, "bid_too_low")  # equal rank: the earlier bid keeps it
    await _placed(service, first, s.id, P)  # rank 1 takes it from rank 2
    assert (await api.auction(s.id))["leading_code"] == code1
    assert_error(await api.bid(second, s.id, P), 409, "bid_too_low")  # rank 2 cannot take it back at P
    await _placed(service, second, s.id, P + INC)  # but may go higher
    assert (await api.auction(s.id))["leading_code"] == code2
    await go_to(service, s.end_at)
    result = (await service.client.get(f"/api/v1/auctions/{s.id}/result")).json()
    assert (result["winner_code"], result["winner_name"], result["price"]) == (code2, "二顺位", P + INC)


# ----------------------------------------------------------------------------- anonymity (Art. 18)


async def test_real_names_stay_secret_until_bidding_ends(service):
    s = await scene(service, bidders=2, live=True, real_names=["欧阳秘密", "司马保密"])
    await _placed(service, s.bidders[0], s.id, P)
    await _placed(service, s.bidders[1], s.id, P + INC)
    for path in (
        f"/api/v1/auctions/{s.id}",
        f"/api/v1/auctions/{s.id}/bids",
        f"/api/v1/lots/{s.lot['id']}",
        "/api/v1/auctions",
    ):
        text = (await service.client.get(path)).text
        assert "欧阳秘密" not in text and "司马保密" not in text, path
    assert_error(await service.client.get(f"/api/v1/auctions/{s.id}/result"), 409, "auction_not_ended")


# ----------------------------------------------------------------------------- result (rules 15-16)


async def test_the_result_is_409_until_the_auction_ends(service):
    s = await scene(service, bidders=1, live=False)
    assert_error(await service.client.get(f"/api/v1/auctions/{s.id}/result"), 409, "auction_not_ended")
    await go_to(service, s.start_at)
    await _placed(service, s.bidders[0], s.id, P)
    assert_error(await service.client.get(f"/api/v1/auctions/{s.id}/result"), 409, "auction_not_ended")
    service.clock.set(s.end_at - timedelta(milliseconds=1))
    assert_error(await service.client.get(f"/api/v1/auctions/{s.id}/result"), 409, "auction_not_ended")


async def test_a_sold_auction_publishes_price_winner_and_both_premium_rates(service):
    s = await scene(service, bidders=2, live=True, real_names=["王大锤", "李小花"])
    a, b = s.bidders
    await _placed(service, a, s.id, P)
    await _placed(service, b, s.id, P + 10 * INC)
    final = P + 20 * INC  # 710,000,000 fen
    await _placed(service, a, s.id, final)
    await go_to(service, s.end_at)
    r = await service.client.get(f"/api/v1/auctions/{s.id}/result")
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["outcome"] == "sold"
    assert result["price"] == final == 710_000_000
    assert result["winner_code"] == s.codes[0]
    assert result["winner_name"] == "王大锤"
    assert result["premium_rate_over_start"] == pytest.approx((710_000_000 - 700_000_000) / 700_000_000)
    assert result["premium_rate_over_appraisal"] == pytest.approx(-0.29)
    assert APPRAISAL == 1_000_000_000
    state = await service.api.auction(s.id)
    assert (state["status"], state["current_price"], state["leading_code"]) == ("sold", final, s.codes[0])


async def test_no_bid_is_a_failed_auction(service):
    s = await scene(service, bidders=2, live=True)
    await go_to(service, s.end_at)
    result = (await service.client.get(f"/api/v1/auctions/{s.id}/result")).json()
    assert result["outcome"] == "unsold"
    assert result["price"] is None and result["winner_code"] is None and result["winner_name"] is None
    state = await service.api.auction(s.id)
    assert (state["status"], state["current_price"], state["leading_code"]) == ("unsold", None, None)
    assert t(state["end_at"]) == s.end_at
    # every deposit is released on 流拍 (rule 16)
    for bidder in s.bidders:
        r = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=bidder)
        assert r.status_code == 200, r.text
        assert r.json()["deposit_status"] == "released"


# ----------------------------------------------------------------------------- settlement (rule 17)


async def _settle(service, s, outcome):
    return await service.client.post(
        f"/api/v1/auctions/{s.id}/settlement", json=settlement_body(outcome), headers=s.staff
    )


async def test_paid_settles_the_sale_once(service):
    s = await scene(service, bidders=2, live=True)
    await _placed(service, s.bidders[1], s.id, P)
    assert_error(await _settle(service, s, "paid"), 409)  # not ended yet
    await go_to(service, s.end_at)
    assert_error(
        await service.client.post(
            f"/api/v1/auctions/{s.id}/settlement", json={"outcome": "paid"}, headers=s.bidders[1]
        ),
        403,
    )
    assert_error(await _settle(service, s, "refunded"), 422)
    r = await _settle(service, s, "paid")
    assert r.status_code == 200, r.text
    assert_error(await _settle(service, s, "defaulted"), 409)
    # the loser's deposit was released at the close; the winner's counts toward the price
    loser = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=s.bidders[0])
    assert loser.json()["deposit_status"] == "released"
    winner = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=s.bidders[1])
    assert winner.json()["deposit_status"] != "frozen"


async def test_an_unsold_auction_cannot_be_settled(service):
    s = await scene(service, bidders=1, live=True)
    await go_to(service, s.end_at)
    assert_error(await _settle(service, s, "paid"), 409)
    assert_error(await _settle(service, s, "defaulted"), 409)


async def test_a_defaulting_winner_loses_the_deposit_and_is_barred_from_the_lots_next_auction(service):
    s = await scene(service, bidders=2, live=True)
    defaulter, other = s.bidders
    await _placed(service, other, s.id, P)
    await _placed(service, defaulter, s.id, P + INC)
    await go_to(service, s.end_at)
    r = await _settle(service, s, "defaulted")
    assert r.status_code == 200, r.text
    reg = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=defaulter)
    assert reg.json()["deposit_status"] == "forfeited"
    # the lot goes back to auction
    again = await service.api.schedule(s.staff, s.lot["id"])
    r = await service.client.post(f"/api/v1/auctions/{again['id']}/registrations", headers=defaulter)
    assert_error(r, 403, "excluded_bidder")
    assert (await service.api.auction(again["id"]))["registrations"] == 0
    r = await service.client.post(f"/api/v1/auctions/{again['id']}/registrations", headers=other)
    assert r.status_code == 201, r.text
    # and cannot bid there either
    await go_to(service, t(again["start_at"]))
    assert_error(await service.api.bid(defaulter, again["id"], again["starting_price"]), 403)
    await _placed(service, other, again["id"], again["starting_price"])
