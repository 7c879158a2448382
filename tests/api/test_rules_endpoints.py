"""``GET /api/v1/rules`` and ``GET /api/v1/lots/{id}/next-round`` on both rule profiles: the numbers are
the profile's (``auction_rules/profiles.py``), and the next round is what scheduling would accept
(``auction_rules/listing.py``), case by case: a fresh lot, an open auction, round 1 -> 2 -> sale, a
failed sale, a sale pending and paid, a 悔拍 (the same round again), a missed relisting window (a fresh
round 1), a disposed-of lot, an unknown lot."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.scenes import (
    APPRAISAL,
    START_PRICE,
    assert_error,
    end_unsold,
    go_to,
    listing_body,
    settlement_body,
    t,
)

DAY = 86_400
ROUND2_PRICE = START_PRICE * 4 // 5

JUDICIAL_RULES = {
    "profile": "judicial-2016",
    "categories": [
        "residential",
        "commercial",
        "land",
        "vehicle",
        "equity",
        "machinery",
        "other",
        "vessel",
        "property_right",
    ],
    "real_estate_categories": ["residential", "commercial", "land"],
    "long_announcement_categories": ["residential", "commercial", "land", "equity", "property_right"],
    "vessel_categories": ["vessel"],
    "first_round_floor": {"numerator": 7, "denominator": 10},
    "later_round_floor": {"numerator": 4, "denominator": 5},
    "deposit_min": {"numerator": 1, "denominator": 20},
    "deposit_max": {"numerator": 1, "denominator": 5},
    "base": None,
    "overrides": {},
    "extension_seconds": 300,
    "extension_cap": None,
    "increment_min": None,
    "increment_max": None,
    "auction_rounds": 2,
    "sale_offered": True,
    "min_bidding_period_seconds": DAY,
    "announcement_seconds": {
        **{
            c: {"1": 30 * DAY, "2": 15 * DAY, "sale": None}
            for c in ("residential", "commercial", "land", "equity", "property_right")
        },
        **{c: {"1": 15 * DAY, "2": 7 * DAY, "sale": None} for c in ("vehicle", "machinery", "other")},
        "vessel": {"1": 30 * DAY, "2": 30 * DAY, "sale": None},
    },
    "reauction_within_seconds": 30 * DAY,
    "sale_window_seconds": 60 * DAY,
    "sale_countdown_seconds": DAY,
    "balance_deadline_seconds": 10 * DAY,
    "pause_limit_seconds": 5 * DAY,
    "announcement_required_fields": ["location", "defects", "encumbrances", "taxes", "contact"],
    "none_known": "none known",
}
SANDBOX_RULES = JUDICIAL_RULES | {
    "announcement_required_fields": [],
    "profile": "sandbox",
    "min_bidding_period_seconds": None,
    "announcement_seconds": {c: {"1": None, "2": None, "sale": None} for c in JUDICIAL_RULES["categories"]},
    "reauction_within_seconds": None,
    "sale_window_seconds": None,
}


@pytest.fixture(params=["judicial-2016", "sandbox"])
def rules(request):
    return request.param


def judicial(service) -> bool:
    return service.services.profile.name == "judicial-2016"


async def next_round(service, lot_id) -> dict:
    r = await service.client.get(f"/api/v1/lots/{lot_id}/next-round")
    assert r.status_code == 200, r.text
    return r.json()


def blocked(answer: dict, lot_id: int, code: str) -> None:
    assert answer["schedulable"] is False
    assert answer["blocked"]["code"] == code and answer["blocked"]["message"]
    assert answer | {"blocked": None} == {
        "lot_id": lot_id, "schedulable": False, "round": None, "previous_auction_id": None, "restarted": False,
        "blocked": None, "announcement_seconds": None, "earliest_start_at": None, "min_start_price_fen": None,
        "deposit_min_fen": None, "deposit_max_fen": None, "relist_by": None,
    }  # fmt: skip


async def test_rules_are_the_profile_in_force(service):
    r = await service.client.get("/api/v1/rules")
    assert r.status_code == 200
    assert r.json() == (JUDICIAL_RULES if judicial(service) else SANDBOX_RULES)


async def test_a_fresh_lot_is_round_1_at_the_appraisal_floor(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff, appraisal=APPRAISAL)
    now = service.clock.now()
    answer = await next_round(service, lot["id"])
    period = 30 * DAY if judicial(service) else None
    assert t(answer.pop("earliest_start_at")) == now + timedelta(seconds=period or 0)
    assert answer == {
        "lot_id": lot["id"], "schedulable": True, "round": 1, "previous_auction_id": None, "restarted": False,
        "blocked": None, "announcement_seconds": period, "min_start_price_fen": APPRAISAL * 7 // 10,
        "deposit_min_fen": APPRAISAL * 7 // 10 // 20, "deposit_max_fen": APPRAISAL * 7 // 10 // 5, "relist_by": None,
    }  # fmt: skip


async def test_the_bounds_are_what_scheduling_accepts(service):
    """At the earliest start, the lowest price and the least deposit the request is accepted; a fen or a
    second less is refused."""
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff, appraisal=APPRAISAL + 3, category="vehicle")
    answer = await next_round(service, lot["id"])
    now, earliest = service.clock.now(), t(answer["earliest_start_at"])
    lowest, least = answer["min_start_price_fen"], answer["deposit_min_fen"]
    start_in = earliest - now + (timedelta(0) if judicial(service) else timedelta(seconds=1))
    post = f"/api/v1/lots/{lot['id']}/auctions"

    def body(**kw):
        merged = {"starting_price": lowest, "deposit": least, "start_in": start_in} | kw
        return listing_body(now, increment=100, **merged)

    assert_error(await service.client.post(post, json=body(starting_price=lowest - 1), headers=staff), 422)
    assert_error(await service.client.post(post, json=body(deposit=least - 1), headers=staff), 422)
    assert_error(await service.client.post(post, json=body(deposit=answer["deposit_max_fen"] + 1), headers=staff), 422)
    if judicial(service):
        early = body(start_in=start_in - timedelta(seconds=1))
        assert_error(await service.client.post(post, json=early, headers=staff), 422, "announcement_too_short")
    r = await service.client.post(post, json=body(), headers=staff)
    assert r.status_code == 201, r.text


async def test_an_open_auction_blocks_the_next_round(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    await service.api.schedule(staff, lot["id"])
    blocked(await next_round(service, lot["id"]), lot["id"], "auction_open")


async def test_round_1_then_2_then_sale_then_nothing(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    first = await end_unsold(service, staff, lot["id"])
    answer = await next_round(service, lot["id"])
    assert (answer["round"], answer["previous_auction_id"], answer["restarted"]) == (2, first["id"], False)
    assert answer["min_start_price_fen"] == ROUND2_PRICE
    assert answer["announcement_seconds"] == (15 * DAY if judicial(service) else None)
    if judicial(service):
        assert t(answer["relist_by"]) == t((await service.api.auction(first["id"]))["end_at"]) + timedelta(days=30)
    else:
        assert answer["relist_by"] is None
    second = await end_unsold(service, staff, lot["id"], starting_price=ROUND2_PRICE, start_in=timedelta(days=16))
    answer = await next_round(service, lot["id"])
    assert (answer["round"], answer["previous_auction_id"]) == ("sale", second["id"])
    assert answer["announcement_seconds"] is None
    assert answer["min_start_price_fen"] == answer["deposit_min_fen"] == answer["deposit_max_fen"] == ROUND2_PRICE
    sale = {"starting_price": ROUND2_PRICE, "deposit": ROUND2_PRICE, "duration": timedelta(days=60)}  # rule 19
    await end_unsold(service, staff, lot["id"], **sale)
    blocked(await next_round(service, lot["id"]), lot["id"], "lot_concluded")


async def _sold(service, staff, lot_id) -> int:
    auction = await service.api.schedule(staff, lot_id)
    bidder = await service.api.bidder()
    await service.api.register(bidder, auction["id"])
    await go_to(service, t(auction["start_at"]))
    assert (await service.api.bid(bidder, auction["id"], START_PRICE)).status_code == 201
    await go_to(service, t((await service.api.auction(auction["id"]))["end_at"]))
    assert (await service.api.auction(auction["id"]))["status"] == "sold"
    return auction["id"]


async def test_a_sale_blocks_until_a_default_puts_the_lot_back_in_the_same_round(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    sold = await _sold(service, staff, lot["id"])
    blocked(await next_round(service, lot["id"]), lot["id"], "lot_already_sold")
    r = await service.client.post(
        f"/api/v1/auctions/{sold}/settlement", json=settlement_body("defaulted"), headers=staff
    )
    assert r.status_code == 200, r.text
    answer = await next_round(service, lot["id"])
    assert (answer["round"], answer["previous_auction_id"], answer["restarted"]) == (1, None, False)
    assert answer["min_start_price_fen"] == APPRAISAL * 7 // 10


async def test_a_paid_sale_blocks_for_good(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    sold = await _sold(service, staff, lot["id"])
    r = await service.client.post(f"/api/v1/auctions/{sold}/settlement", json={"outcome": "paid"}, headers=staff)
    assert r.status_code == 200, r.text
    blocked(await next_round(service, lot["id"]), lot["id"], "lot_already_sold")


async def test_a_missed_relisting_window_restarts_at_round_1_under_judicial_rules(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    first = await end_unsold(service, staff, lot["id"])
    ended = t((await service.api.auction(first["id"]))["end_at"])
    await go_to(service, ended + timedelta(days=31))
    answer = await next_round(service, lot["id"])
    if judicial(service):
        assert (answer["round"], answer["previous_auction_id"], answer["restarted"]) == (1, None, True)
        assert answer["min_start_price_fen"] == APPRAISAL * 7 // 10
        assert answer["announcement_seconds"] == 30 * DAY and answer["relist_by"] is None
    else:
        assert (answer["round"], answer["previous_auction_id"], answer["restarted"]) == (2, first["id"], False)


async def test_a_vessel_is_announced_30_days_in_every_auction_round(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff, category="vessel")
    await end_unsold(service, staff, lot["id"])
    answer = await next_round(service, lot["id"])
    assert answer["round"] == 2
    assert answer["announcement_seconds"] == (30 * DAY if judicial(service) else None)


async def test_a_disposed_of_lot_is_concluded(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    await end_unsold(service, staff, lot["id"])
    await end_unsold(service, staff, lot["id"], starting_price=ROUND2_PRICE, start_in=timedelta(days=16))
    returned = {"outcome": "returned", "note": "退回"}
    r = await service.client.post(f"/api/v1/lots/{lot['id']}/disposition", json=returned, headers=staff)
    assert r.is_success, r.text
    blocked(await next_round(service, lot["id"]), lot["id"], "lot_concluded")


async def test_an_unknown_lot_is_404_and_a_bad_id_422(service):
    assert_error(await service.client.get("/api/v1/lots/999999/next-round"), 404, "lot_not_found")
    for bad in ("abc", "0", "１", "99999999999"):
        assert_error(await service.client.get(f"/api/v1/lots/{bad}/next-round"), 422, "validation_error")
