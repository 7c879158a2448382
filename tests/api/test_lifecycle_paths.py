"""A lot through every path of its lifecycle (docs/domain.md, "Lifecycle"; rules 15-20), by the public
API, on both databases, with the deposits ledger balanced after each step.

Lot: residential, appraisal 10,000,000 yuan; round 1 at 7,000,000 yuan; round 2 at 80% of it; the
fixed-price sale (变卖) at round 2's price with the full price as deposit.
"""

from __future__ import annotations

from datetime import timedelta

from tests.support.scenes import (
    INCREMENT,
    START_PRICE,
    assert_error,
    end_unsold,
    go_to,
    scene,
    settlement_body,
    t,
)

ROUND2_PRICE = START_PRICE * 4 // 5
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


async def ledger(service, staff, auction_id: int) -> dict:
    """The deposits ledger; its totals per status must add up to the total of every deposit."""
    r = await service.client.get(f"/api/v1/auctions/{auction_id}/deposits", headers=staff)
    assert r.status_code == 200, r.text
    book = r.json()
    assert book["balanced"] is True
    items = book["items"]
    assert book["total"] == {"count": len(items), "amount": sum(i["deposit"] for i in items)}
    assert sum(v["amount"] for v in book["totals"].values()) == book["total"]["amount"]
    assert sum(v["count"] for v in book["totals"].values()) == book["total"]["count"]
    for status, total in book["totals"].items():
        mine = [i for i in items if i["deposit_status"] == status]
        assert total == {"count": len(mine), "amount": sum(i["deposit"] for i in mine)}, status
    return book


def statuses(book: dict) -> dict[str, str]:
    return {i["bidder_code"]: i["deposit_status"] for i in book["items"]}


async def bid_ok(service, bidder, auction_id: int, amount: int) -> dict:
    r = await service.api.bid(bidder, auction_id, amount)
    assert r.status_code == 201, r.text
    return r.json()


async def settle_sale(service, staff, auction_id: int, outcome: str) -> None:
    r = await service.client.post(
        f"/api/v1/auctions/{auction_id}/settlement", json=settlement_body(outcome), headers=staff
    )
    assert r.status_code == 200, r.text


async def propose(service, staff, lot_id: int, **body) -> dict:
    r = await service.client.post(f"/api/v1/lots/{lot_id}/auctions", json=body, headers=staff)
    return r


def sale_body(service, *, price: int = ROUND2_PRICE, deposit: int = ROUND2_PRICE, window=timedelta(days=60)):
    from auction_service.clock import isoformat

    start = service.clock.now() + DAY
    return {
        "starting_price": price,
        "increment": INCREMENT,
        "deposit": deposit,
        "start_at": isoformat(start),
        "end_at": isoformat(start + window),
    }


async def fail_rounds_1_and_2(service, staff, lot_id: int) -> None:
    await end_unsold(service, staff, lot_id)
    await end_unsold(service, staff, lot_id, starting_price=ROUND2_PRICE, start_in=timedelta(days=15))


# --------------------------------------------------------------------------------- sold in round 1


async def test_sold_in_round_1_the_winner_deposit_is_held_then_applied_and_the_losers_released(service):
    s = await scene(service, bidders=3, real_names=["王五", "赵六", "钱七"])
    book = await ledger(service, s.staff, s.id)
    assert book["totals"]["frozen"] == {"count": 3, "amount": 3 * (START_PRICE // 10)}
    await bid_ok(service, s.bidders[0], s.id, START_PRICE)
    await bid_ok(service, s.bidders[1], s.id, START_PRICE + INCREMENT)
    await go_to(service, s.end_at)
    assert (await service.api.auction(s.id))["status"] == "sold"

    book = await ledger(service, s.staff, s.id)
    assert statuses(book) == {s.codes[0]: "released", s.codes[1]: "frozen", s.codes[2]: "released"}
    await settle_sale(service, s.staff, s.id, "paid")
    book = await ledger(service, s.staff, s.id)
    assert book["totals"]["applied"] == {"count": 1, "amount": START_PRICE // 10}
    assert book["totals"]["released"]["count"] == 2 and book["totals"]["frozen"]["count"] == 0

    # rule 16: the confirmation names the buyer and the code, the price and the balance due
    page = await service.client.get(f"/api/v1/auctions/{s.id}/confirmation")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "赵六" in page.text and s.codes[1] in page.text
    assert "¥7,005,000.00" in page.text  # the price
    assert "¥6,305,000.00" in page.text  # the balance: price minus the 700,000 yuan deposit
    # the lot is done: no further round, no disposition
    assert_error(await propose(service, s.staff, s.lot["id"], **sale_body(service)), 409, "lot_already_sold")
    r = await service.client.post(
        f"/api/v1/lots/{s.lot['id']}/disposition", json={"outcome": "returned"}, headers=s.staff
    )
    assert_error(r, 409, "disposition_not_allowed")


# --------------------------------------------------------------------------------- 流拍, then round 2


async def test_unsold_round_1_then_round_2_sells_at_the_reduced_price(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    first = await api.schedule(staff, lot["id"])
    idle = await api.bidder()
    await api.register(idle, first["id"])
    await go_to(service, t(first["end_at"]))
    assert (await api.auction(first["id"]))["status"] == "unsold"
    book = await ledger(service, staff, first["id"])
    assert book["totals"]["released"]["count"] == 1  # rule 16: every deposit released on 流拍

    second = await api.schedule(staff, lot["id"], starting_price=ROUND2_PRICE, start_in=timedelta(days=15))
    assert second["round"] == 2
    buyer = await api.bidder(real_name="孙八")
    code = (await api.register(buyer, second["id"]))["bidder_code"]
    await go_to(service, t(second["start_at"]))
    await bid_ok(service, buyer, second["id"], ROUND2_PRICE)
    await go_to(service, t(second["end_at"]))
    result = (await service.client.get(f"/api/v1/auctions/{second['id']}/result")).json()
    assert (result["outcome"], result["price"], result["winner_code"]) == ("sold", ROUND2_PRICE, code)
    assert statuses(await ledger(service, staff, second["id"])) == {code: "frozen"}
    await settle_sale(service, staff, second["id"], "paid")
    assert statuses(await ledger(service, staff, second["id"])) == {code: "applied"}


# --------------------------------------------------------------------------------- 流拍 twice, then 变卖


async def test_after_two_failures_the_fixed_price_sale_needs_the_full_price_as_deposit_and_a_60_day_window(service):
    """Rule 19: the full price as deposit, round 2's price, and the 60-day window, neither longer nor shorter."""
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    await fail_rounds_1_and_2(service, staff, lot["id"])
    r = await propose(service, staff, lot["id"], **sale_body(service, deposit=ROUND2_PRICE // 10))
    assert_error(r, 422, "sale_deposit_must_be_full_price")
    r = await propose(service, staff, lot["id"], **sale_body(service, window=timedelta(days=60, seconds=1)))
    assert_error(r, 422, "sale_window_too_long")
    # rule 19's window is the sale's whole time: a 24-hour 变卖 (once accepted) is refused
    r = await propose(service, staff, lot["id"], **sale_body(service, window=timedelta(hours=24)))
    assert_error(r, 422, "sale_window_too_short")
    r = await propose(service, staff, lot["id"], **sale_body(service, price=ROUND2_PRICE + INCREMENT))
    assert_error(r, 422, "sale_price_mismatch")
    r = await propose(service, staff, lot["id"], **sale_body(service))
    assert r.status_code == 201, r.text
    assert (r.json()["round"], r.json()["deposit"]) == ("sale", ROUND2_PRICE)


async def test_in_the_sale_the_first_offer_starts_a_24_hour_countdown_and_others_may_raise(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    await fail_rounds_1_and_2(service, staff, lot["id"])
    r = await propose(service, staff, lot["id"], **sale_body(service))
    assert r.status_code == 201, r.text
    sale = r.json()
    window_end = t(sale["end_at"])
    first, second, idle = [await api.bidder(real_name=n) for n in ("周一", "吴二", "郑三")]
    codes = [(await api.register(b, sale["id"]))["bidder_code"] for b in (first, second, idle)]
    assert (await ledger(service, staff, sale["id"]))["totals"]["frozen"]["amount"] == 3 * ROUND2_PRICE

    offered_at = t(sale["start_at"]) + 2 * DAY
    await go_to(service, offered_at)
    placed = await bid_ok(service, first, sale["id"], ROUND2_PRICE)
    assert t(placed["end_at"]) == offered_at + 24 * HOUR < window_end
    # a raise is the price plus the increment, from another qualified buyer
    await go_to(service, offered_at + 23 * HOUR)
    assert_error(await api.bid(second, sale["id"], ROUND2_PRICE), 409, "bid_too_low")
    raised = await bid_ok(service, second, sale["id"], ROUND2_PRICE + INCREMENT)
    assert t(raised["end_at"]) == offered_at + 24 * HOUR
    # the five-minute soft close applies in the countdown's last minutes
    late = offered_at + 24 * HOUR - timedelta(minutes=1)
    await go_to(service, late)
    extended = await bid_ok(service, first, sale["id"], ROUND2_PRICE + 2 * INCREMENT)
    assert t(extended["end_at"]) == late + timedelta(minutes=5)

    # the countdown's end closes the sale, 58 days before the window would have ended
    await go_to(service, late + timedelta(minutes=5))
    state = await api.auction(sale["id"])
    assert (state["status"], state["current_price"], state["leading_code"]) == (
        "sold",
        ROUND2_PRICE + 2 * INCREMENT,
        codes[0],
    )
    book = await ledger(service, staff, sale["id"])  # the close ran: the other buyers' prepayments are back
    assert statuses(book) == {codes[0]: "frozen", codes[1]: "released", codes[2]: "released"}
    await settle_sale(service, staff, sale["id"], "paid")
    assert statuses(await ledger(service, staff, sale["id"]))[codes[0]] == "applied"
    page = await service.client.get(f"/api/v1/auctions/{sale['id']}/confirmation")
    assert "变卖成交确认书" in page.text and "周一" in page.text
    assert "¥10,000.00" in page.text  # balance: two increments above the prepaid price


async def test_a_sale_with_no_offer_in_its_window_fails_and_the_creditor_takes_the_lot(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    await fail_rounds_1_and_2(service, staff, lot["id"])
    # rule 18: the court could already take the lot off after round 2; here it tries the sale first
    r = await propose(service, staff, lot["id"], **sale_body(service))  # its whole 60-day window (rule 19)
    assert r.status_code == 201, r.text
    sale = r.json()
    r = await service.client.post(
        f"/api/v1/lots/{lot['id']}/disposition", json={"outcome": "creditor_taken"}, headers=staff
    )
    assert_error(r, 409, "auction_open")  # not while the sale runs
    buyer = await api.bidder()
    code = (await api.register(buyer, sale["id"]))["bidder_code"]
    await go_to(service, t(sale["end_at"]))
    assert (await api.auction(sale["id"]))["status"] == "unsold"
    assert statuses(await ledger(service, staff, sale["id"])) == {code: "released"}
    assert_error(await service.client.get(f"/api/v1/auctions/{sale['id']}/confirmation"), 409, "auction_not_sold")

    other_court = await api.staff(service.services, court="乙法院")
    body = {"outcome": "creditor_taken", "note": "申请执行人同意以变卖价抵债"}
    r = await service.client.post(f"/api/v1/lots/{lot['id']}/disposition", json=body, headers=other_court)
    assert_error(r, 403, "wrong_court")
    r = await service.client.post(f"/api/v1/lots/{lot['id']}/disposition", json=body, headers=staff)
    assert r.status_code == 200, r.text
    assert r.json()["disposition"] == "creditor_taken"
    assert r.json()["disposition_price"] == ROUND2_PRICE  # at that round's reserve (AUC Art. 16)
    shown = (await service.client.get(f"/api/v1/lots/{lot['id']}")).json()
    assert (shown["disposition"], shown["disposition_note"]) == ("creditor_taken", body["note"])
    # the lot is concluded: no further listing, no second disposition
    assert_error(await propose(service, staff, lot["id"], **sale_body(service)), 409, "lot_concluded")
    r = await service.client.post(f"/api/v1/lots/{lot['id']}/disposition", json=body, headers=staff)
    assert_error(r, 409, "lot_concluded")


async def test_after_round_2_fails_the_lot_may_be_returned_but_not_after_round_1(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    await end_unsold(service, staff, lot["id"])
    url = f"/api/v1/lots/{lot['id']}/disposition"
    assert_error(await service.client.post(url, json={"outcome": "returned"}, headers=staff), 409)
    await end_unsold(service, staff, lot["id"], starting_price=ROUND2_PRICE, start_in=timedelta(days=15))
    bidder = await api.bidder()
    assert_error(await service.client.post(url, json={"outcome": "returned"}, headers=bidder), 403)
    assert_error(await service.client.post(url, json={"outcome": "sold"}, headers=staff), 422)
    r = await service.client.post(url, json={"outcome": "returned"}, headers=staff)
    assert r.status_code == 200, r.text
    assert (r.json()["disposition"], r.json()["disposition_price"]) == ("returned", None)


# --------------------------------------------------------------------------------- 悔拍 and the re-auction


async def test_a_defaulted_sale_forfeits_the_deposit_and_the_re_auction_excludes_the_defaulter(service):
    s = await scene(service, bidders=2)
    defaulter, other = s.bidders
    await bid_ok(service, defaulter, s.id, START_PRICE)
    await go_to(service, s.end_at)
    await settle_sale(service, s.staff, s.id, "defaulted")
    book = await ledger(service, s.staff, s.id)
    assert statuses(book) == {s.codes[0]: "forfeited", s.codes[1]: "released"}
    assert book["totals"]["forfeited"] == {"count": 1, "amount": START_PRICE // 10}

    again = await service.api.schedule(s.staff, s.lot["id"])
    assert again["round"] == 1  # rule 17: the lot is re-auctioned (the same round)
    r = await service.client.post(f"/api/v1/auctions/{again['id']}/registrations", headers=defaulter)
    assert_error(r, 403, "excluded_bidder")
    code = (await service.api.register(other, again["id"]))["bidder_code"]
    await go_to(service, t(again["start_at"]))
    assert_error(await service.api.bid(defaulter, again["id"], START_PRICE), 403, "not_registered")
    await bid_ok(service, other, again["id"], START_PRICE)
    await go_to(service, t(again["end_at"]))
    assert (await service.api.auction(again["id"]))["leading_code"] == code
    assert statuses(await ledger(service, s.staff, again["id"])) == {code: "frozen"}


# --------------------------------------------------------------------------------- side paths


async def test_a_suspended_auction_resumes_with_its_lost_time_and_sells(service):
    s = await scene(service, bidders=2)
    await bid_ok(service, s.bidders[0], s.id, START_PRICE)
    await go_to(service, s.start_at + HOUR)
    r = await service.client.post(f"/api/v1/auctions/{s.id}/suspend", json={"reason": "案外人异议"}, headers=s.staff)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["status_reason"]) == ("suspended", "案外人异议")
    assert (await ledger(service, s.staff, s.id))["totals"]["frozen"]["count"] == 2  # nothing released
    await go_to(service, s.start_at + 3 * HOUR)
    assert_error(await service.api.bid(s.bidders[1], s.id, START_PRICE + INCREMENT), 409, "auction_not_live")
    r = await service.client.post(f"/api/v1/auctions/{s.id}/resume", headers=s.staff)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "live"
    assert t(r.json()["end_at"]) == s.end_at + 2 * HOUR  # the two suspended hours are given back
    await bid_ok(service, s.bidders[1], s.id, START_PRICE + INCREMENT)
    await go_to(service, s.end_at + 2 * HOUR)
    assert (await service.api.auction(s.id))["status"] == "sold"
    assert statuses(await ledger(service, s.staff, s.id)) == {s.codes[0]: "released", s.codes[1]: "frozen"}


async def test_a_withdrawn_auction_releases_every_deposit_and_counts_neither_sold_nor_unsold(service):
    s = await scene(service, bidders=2, live=False)
    r = await service.client.post(f"/api/v1/auctions/{s.id}/withdraw", json={"reason": "当事人和解"}, headers=s.staff)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "withdrawn"
    book = await ledger(service, s.staff, s.id)
    assert book["totals"]["released"] == {"count": 2, "amount": 2 * (START_PRICE // 10)}
    await go_to(service, s.end_at + DAY)
    stats = (await service.client.get("/api/v1/stats")).json()
    assert (stats["withdrawn"], stats["sold"], stats["unsold"], stats["transaction_rate"]) == (1, 0, 0, None)
    # the lot may be listed again, as round 1
    assert (await service.api.schedule(s.staff, s.lot["id"]))["round"] == 1


async def test_the_deposits_ledger_is_for_staff_of_the_court_only(service):
    s = await scene(service, bidders=1, live=False)
    url = f"/api/v1/auctions/{s.id}/deposits"
    assert_error(await service.client.get(url), 401)
    assert_error(await service.client.get(url, headers=s.bidders[0]), 403)
    other = await service.api.staff(service.services, court="乙法院")
    assert_error(await service.client.get(url, headers=other), 403, "wrong_court")
    assert_error(await service.client.get("/api/v1/auctions/999999/deposits", headers=s.staff), 404)
