"""Conventions: the error envelope, 401/403/404/422, strict money and RFC 3339 UTC times."""

import re

import pytest

from tests.support.scenes import (
    APPRAISAL,
    BAD_MONEY,
    BAD_MONEY_IDS,
    MAX_MONEY,
    START_PRICE,
    assert_error,
    assert_utc,
    listing_body,
    scene,
    settlement_body,
)

# ----------------------------------------------------------------------------- 401


async def test_calls_without_a_token_are_401(service):
    s = await scene(service, bidders=0, live=False)
    client = service.client
    for r in (
        await client.post("/api/v1/lots", json={"title": "x", "category": "other", "appraisal": 100}),
        await client.post(f"/api/v1/lots/{s.lot['id']}/auctions", json=listing_body(service.clock.now())),
        await client.post(f"/api/v1/auctions/{s.id}/registrations"),
        await client.post(f"/api/v1/auctions/{s.id}/bids", json={"amount": START_PRICE}),
        await client.post(f"/api/v1/auctions/{s.id}/suspend", json={"reason": "x"}),
        await client.post(f"/api/v1/auctions/{s.id}/settlement", json={"outcome": "paid"}),
    ):
        assert_error(r, 401)


async def test_calls_with_a_bad_token_are_401(service):
    s = await scene(service, bidders=0, live=True)
    for authorization in ("Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "bearer eyJhbGciOiJIUzI1NiJ9.e30.x"):
        headers = {"Authorization": authorization}
        r = await service.client.post(f"/api/v1/auctions/{s.id}/bids", json={"amount": START_PRICE}, headers=headers)
        assert_error(r, 401)
        r = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=headers)
        assert_error(r, 401)
        r = await service.client.post(
            "/api/v1/lots", json={"title": "x", "category": "other", "appraisal": 100}, headers=headers
        )
        assert_error(r, 401)
    assert (await service.api.auction(s.id))["bid_count"] == 0
    assert (await service.api.auction(s.id))["registrations"] == 0


async def test_a_token_signed_with_another_key_is_401(service):
    import jwt

    forged = jwt.encode({"sub": "1", "role": "staff", "exp": 4_000_000_000}, "another-key-" * 4, algorithm="HS256")
    r = await service.client.post(
        "/api/v1/lots",
        json={"title": "x", "category": "other", "appraisal": 100},
        headers={"Authorization": f"Bearer {forged}"},
    )
    assert_error(r, 401)


# ----------------------------------------------------------------------------- 403


async def test_staff_cannot_register_or_bid(service):
    s = await scene(service, bidders=1, live=True)
    r = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=s.staff)
    assert_error(r, 403, "staff_cannot_bid")
    r = await service.api.bid(s.staff, s.id, START_PRICE)
    assert_error(r, 403, "staff_cannot_bid")
    assert (await service.api.auction(s.id))["bid_count"] == 0


async def test_an_unregistered_bidder_is_403_not_registered(service):
    s = await scene(service, bidders=1, live=True)
    stranger = await service.api.bidder()
    r = await service.api.bid(stranger, s.id, START_PRICE)
    assert_error(r, 403, "not_registered")
    state = await service.api.auction(s.id)
    assert state["bid_count"] == 0 and state["current_price"] is None


async def test_staff_of_another_court_may_not_act_on_the_lot(service):
    s = await scene(service, bidders=1, live=False)
    other = await service.api.staff(service.services, court="北京市第一中级人民法院")
    client = service.client
    r = await client.post(f"/api/v1/lots/{s.lot['id']}/auctions", json=listing_body(service.clock.now()), headers=other)
    assert_error(r, 403)
    stranger = await service.api.bidder(username="prio_stranger")
    r = await client.post(
        f"/api/v1/auctions/{s.id}/priority-holders", json={"username": "prio_stranger", "rank": 1}, headers=other
    )
    assert_error(r, 403)
    r = await client.post(f"/api/v1/auctions/{s.id}/suspend", json={"reason": "不是本院"}, headers=other)
    assert_error(r, 403)
    r = await client.post(f"/api/v1/auctions/{s.id}/withdraw", json={"reason": "不是本院"}, headers=other)
    assert_error(r, 403)
    assert (await service.api.auction(s.id))["status"] == "announced"
    # the settlement too, once sold
    await service.api.register(stranger, s.id)
    service.clock.set(s.start_at)
    await service.settle()
    assert (await service.api.bid(s.bidders[0], s.id, START_PRICE)).status_code == 201
    service.clock.set(s.end_at)
    await service.settle()
    r = await client.post(f"/api/v1/auctions/{s.id}/settlement", json=settlement_body("defaulted"), headers=other)
    assert_error(r, 403)
    assert (await service.api.auction(s.id))["settlement"] is None
    # and the lot's auctions list has still only the one auction
    lot = (await client.get(f"/api/v1/lots/{s.lot['id']}")).json()
    assert len(lot["auctions"]) == 1


async def test_bidders_cannot_do_staff_work(service):
    s = await scene(service, bidders=1, live=False)
    bidder = s.bidders[0]
    client = service.client
    r = await client.post("/api/v1/lots", json={"title": "x", "category": "other", "appraisal": 100_00}, headers=bidder)
    assert_error(r, 403)
    r = await client.post(
        f"/api/v1/lots/{s.lot['id']}/auctions", json=listing_body(service.clock.now()), headers=bidder
    )
    assert_error(r, 403)
    for path, body in (("suspend", {"reason": "x"}), ("withdraw", {"reason": "x"}), ("resume", None)):
        r = await client.post(f"/api/v1/auctions/{s.id}/{path}", json=body, headers=bidder)
        assert_error(r, 403)
    assert (await service.api.auction(s.id))["status"] == "announced"


# ----------------------------------------------------------------------------- 404


async def test_unknown_ids_are_404(service):
    s = await scene(service, bidders=1, live=True)
    client, bidder, staff = service.client, s.bidders[0], s.staff
    missing = 987_654
    for r in (
        await client.get(f"/api/v1/auctions/{missing}"),
        await client.get(f"/api/v1/auctions/{missing}/bids"),
        await client.get(f"/api/v1/auctions/{missing}/result"),
        await client.get(f"/api/v1/lots/{missing}"),
        await client.post(f"/api/v1/lots/{missing}/auctions", json=listing_body(service.clock.now()), headers=staff),
        await client.post(f"/api/v1/auctions/{missing}/registrations", headers=bidder),
        await client.post(f"/api/v1/auctions/{missing}/bids", json={"amount": START_PRICE}, headers=bidder),
        await client.post(f"/api/v1/auctions/{missing}/suspend", json={"reason": "x"}, headers=staff),
        await client.post(f"/api/v1/auctions/{missing}/settlement", json={"outcome": "paid"}, headers=staff),
        await client.post(
            f"/api/v1/auctions/{missing}/priority-holders", json={"username": "nobody", "rank": 1}, headers=staff
        ),
    ):
        assert_error(r, 404)


# ----------------------------------------------------------------------------- 422


async def test_malformed_bid_bodies_are_422_and_place_nothing(service):
    s = await scene(service, bidders=1, live=True)
    for raw in (b"not json", b"[]", b"{}", b'{"amount": 700000000, "extra": 1}', b'{"amt": 700000000}', b'"700000000"'):
        r = await service.client.post(
            f"/api/v1/auctions/{s.id}/bids", content=raw, headers=s.bidders[0] | {"Content-Type": "application/json"}
        )
        assert r.status_code == 422, (raw, r.text)
        assert_error(r, 422)
    assert (await service.api.auction(s.id))["bid_count"] == 0


async def test_bid_amount_must_be_integer_fen_from_1_to_1e15(service):
    s = await scene(service, bidders=1, live=True)
    for amount, label in zip(BAD_MONEY, BAD_MONEY_IDS, strict=True):
        r = await service.api.bid(s.bidders[0], s.id, amount)
        assert r.status_code == 422, (label, r.text)
        assert_error(r, 422)
    state = await service.api.auction(s.id)
    assert state["bid_count"] == 0 and state["current_price"] is None
    assert await service.api.bids(s.id) == []
    # and the same bidder can still place the valid first bid
    assert (await service.api.bid(s.bidders[0], s.id, START_PRICE)).status_code == 201


async def test_lot_appraisal_must_be_integer_fen_from_1_to_1e15(service):
    staff = await service.api.staff(service.services)
    for amount in BAD_MONEY:
        r = await service.client.post(
            "/api/v1/lots", json={"title": "某车辆", "category": "vehicle", "appraisal": amount}, headers=staff
        )
        assert_error(r, 422)
    assert (await service.client.get("/api/v1/lots")).json()["items"] == []


@pytest.mark.parametrize("field", ["starting_price", "increment", "deposit"])
async def test_listing_money_must_be_integer_fen_from_1_to_1e15(service, field):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    for amount in BAD_MONEY:
        body = listing_body(service.clock.now()) | {field: amount}
        r = await service.client.post(f"/api/v1/lots/{lot['id']}/auctions", json=body, headers=staff)
        assert_error(r, 422)
    assert (await service.client.get(f"/api/v1/lots/{lot['id']}")).json()["auctions"] == []
    assert (await service.client.get("/api/v1/auctions")).json()["total"] == 0


async def test_money_of_exactly_1e15_is_accepted_where_the_rules_allow(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff, appraisal=MAX_MONEY)
    assert lot["appraisal"] == MAX_MONEY
    auction = await api.schedule(
        staff, lot["id"], starting_price=MAX_MONEY, increment=MAX_MONEY // 1000, deposit=MAX_MONEY // 10
    )
    assert auction["starting_price"] == MAX_MONEY
    bidder = await api.bidder()
    await api.register(bidder, auction["id"])
    service.clock.set(assert_utc(auction["start_at"]))
    await service.settle()
    r = await api.bid(bidder, auction["id"], MAX_MONEY)
    assert r.status_code == 201, r.text
    assert r.json()["amount"] == MAX_MONEY
    assert (await api.bids(auction["id"]))[0]["amount"] == MAX_MONEY
    # the next bid would be beyond 10^15: malformed money
    other = await api.bidder()
    await api.register(other, auction["id"])
    assert_error(await api.bid(other, auction["id"], MAX_MONEY + MAX_MONEY // 1000), 422)
    assert (await api.auction(auction["id"]))["current_price"] == MAX_MONEY


async def test_a_whole_number_written_with_a_fraction_is_that_integer(service):
    """JSON has one number type and JSON Schema (the OpenAPI document's language) calls ``1.0`` an
    integer: money sent as ``1000000000.0`` or ``7.00000000e8`` is the integer it names, kept and answered
    as an integer; ``1.5`` fen stays 422 (``test_bid_amount_must_be_integer_fen_from_1_to_1e15``)."""
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff, appraisal=float(APPRAISAL), balance_deadline_days=30.0)  # sent as 1000000000.0
    assert type(lot["appraisal"]) is int and lot["appraisal"] == APPRAISAL  # answered as 1000000000
    body = listing_body(service.clock.now()) | {"starting_price": float(START_PRICE), "deposit": 700_000_00.0}
    r = await service.client.post(f"/api/v1/lots/{lot['id']}/auctions", json=body, headers=staff)
    assert r.status_code == 201, r.text
    auction = r.json()
    assert type(auction["starting_price"]) is int and auction["starting_price"] == START_PRICE
    bidder = await api.bidder()
    await api.register(bidder, auction["id"])
    service.clock.set(assert_utc(auction["start_at"]))
    await service.settle()
    r = await service.client.post(
        f"/api/v1/auctions/{auction['id']}/bids",
        content=b'{"amount": 7.00000000e8}',
        headers=bidder | {"Content-Type": "application/json"},
    )
    assert r.status_code == 201, r.text
    assert re.search(rb'"amount":\s*700000000[,}]', r.content), r.text
    stored = await api.bids(auction["id"])
    assert [(b["amount"], type(b["amount"])) for b in stored] == [(START_PRICE, int)]


async def test_a_lot_category_outside_the_list_is_422(service):
    staff = await service.api.staff(service.services)
    for category in ("house", "Residential", "", None, 1):
        r = await service.client.post(
            "/api/v1/lots", json={"title": "x", "category": category, "appraisal": APPRAISAL}, headers=staff
        )
        assert_error(r, 422)
    assert (await service.client.get("/api/v1/lots")).json()["items"] == []


async def test_naive_times_are_422(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    for which in ("start_at", "end_at"):
        body = listing_body(service.clock.now())
        body[which] = body[which].replace("Z", "")  # 2026-06-01T02:00:00.000, no offset
        r = await service.client.post(f"/api/v1/lots/{lot['id']}/auctions", json=body, headers=staff)
        assert_error(r, 422)
    assert (await service.client.get(f"/api/v1/lots/{lot['id']}")).json()["auctions"] == []


async def test_times_with_an_offset_are_reported_back_in_utc(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    body = listing_body(service.clock.now())  # start 2026-06-01T02:00Z
    body["start_at"] = "2026-06-01T10:00:00+08:00"
    body["end_at"] = "2026-06-02T10:00:00+08:00"
    r = await service.client.post(f"/api/v1/lots/{lot['id']}/auctions", json=body, headers=staff)
    assert r.status_code == 201, r.text
    assert r.json()["start_at"] in ("2026-06-01T02:00:00Z", "2026-06-01T02:00:00.000Z")
    assert r.json()["end_at"] in ("2026-06-02T02:00:00Z", "2026-06-02T02:00:00.000Z")


async def test_every_time_the_server_reports_is_rfc3339_utc(service):
    s = await scene(service, bidders=1, live=True)
    api = service.api
    service.clock.advance(minutes=1, milliseconds=7)
    r = await api.bid(s.bidders[0], s.id, START_PRICE)
    assert r.status_code == 201, r.text
    placed = assert_utc(r.json()["placed_at"])
    assert placed == service.clock.now()
    assert_utc(r.json()["end_at"])
    state = await api.auction(s.id)
    for key in ("start_at", "scheduled_end_at", "end_at", "server_time"):
        assert_utc(state[key])
    assert assert_utc(state["server_time"]) == service.clock.now()
    for item in await api.bids(s.id):
        assert_utc(item["placed_at"])
    clock = (await service.client.get("/api/v1/clock")).json()
    assert assert_utc(clock["now"]) == service.clock.now()
    lot = (await service.client.get(f"/api/v1/lots/{s.lot['id']}")).json()
    for key in ("start_at", "scheduled_end_at", "end_at"):
        assert_utc(lot["auctions"][0][key])
    service.clock.set(s.end_at)
    await service.settle()
    result = (await service.client.get(f"/api/v1/auctions/{s.id}/result")).json()
    if "ended_at" in result:
        assert_utc(result["ended_at"])


async def test_unknown_routes_and_methods_use_the_envelope(service):
    assert_error(await service.client.get("/api/v1/no-such-thing"), 404)
    assert_error(await service.client.delete("/api/v1/clock"), 405)
