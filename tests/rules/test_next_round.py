"""``auction_rules.listing.next_round``: what a court may schedule next, with the bounds ``check_listing``
will hold the request to. The bounds are checked against ``check_listing`` itself (the lowest price and
least deposit pass, a fen less fails; the earliest start passes, a moment earlier fails), so the answer a
client reads (``GET /api/v1/lots/{id}/next-round``) and the judgement of the request cannot drift."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from auction_rules.errors import RuleViolation
from auction_rules.listing import (
    SALE,
    ListingRequest,
    PastAuction,
    check_listing,
    deposit_bounds,
    lawful_plan,
    next_round,
    plan_next_round,
)
from auction_rules.profiles import CATEGORIES, JUDICIAL_2016, SANDBOX

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)
BOTH = pytest.mark.parametrize("profile", [JUDICIAL_2016, SANDBOX], ids=lambda p: p.name)


def past(round_, status, price, ended_days_ago=1, settlement=None, auction_id=None) -> PastAuction:
    return PastAuction(round_, status, price, NOW - ended_days_ago * DAY, settlement, auction_id)


HISTORIES = {
    "fresh": [],
    "after round 1": [past(1, "unsold", 70_000_001, auction_id=1)],
    "after round 2": [past(1, "unsold", 70_000_001), past(2, "unsold", 56_000_001, auction_id=2)],
    "after a default in round 2": [
        past(1, "unsold", 70_000_001, 40, auction_id=1),
        past(2, "sold", 56_000_001, 5, "defaulted", auction_id=2),
    ],
    "after a default in the sale": [
        past(1, "unsold", 70_000_001, 40),
        past(2, "unsold", 56_000_001, 20, auction_id=2),
        past(SALE, "sold", 56_000_001, 5, "defaulted", auction_id=3),
    ],
    "late after round 1": [past(1, "unsold", 70_000_001, 31, auction_id=1)],
}


def _request(category, appraisal, price, deposit, start_at, period=DAY) -> ListingRequest:
    return ListingRequest(category, appraisal, price, 1, deposit, start_at, start_at + period)


@BOTH
@pytest.mark.parametrize("history", HISTORIES, ids=str)
@pytest.mark.parametrize("category", CATEGORIES)
def test_the_bounds_are_exactly_what_check_listing_accepts(profile, history, category) -> None:
    appraisal = 100_000_003
    nxt = next_round(profile, HISTORIES[history], category, appraisal, NOW)
    assert nxt.plan is not None and nxt.blocked is None
    assert nxt.plan == lawful_plan(profile, plan_next_round(HISTORIES[history]), NOW)
    assert nxt.announcement == profile.announcement_period(nxt.plan.round, category)
    price, least, most = nxt.lowest_starting_price, nxt.deposit_min, nxt.deposit_max
    assert price is not None and least is not None and most is not None
    start = nxt.earliest_start_at if nxt.announcement is not None else NOW + timedelta(microseconds=1)
    # a day of bidding; a fixed-price sale lasts its whole window (rule 19)
    period = profile.sale_window if nxt.plan.round == SALE and profile.sale_window is not None else DAY
    check_listing(profile, nxt.plan, _request(category, appraisal, price, least, start, period), NOW)
    check_listing(profile, nxt.plan, _request(category, appraisal, price, most, start, period), NOW)
    with pytest.raises(RuleViolation):
        check_listing(profile, nxt.plan, _request(category, appraisal, price - 1, least, start, period), NOW)
    if nxt.plan.round != SALE:
        with pytest.raises(RuleViolation):
            check_listing(profile, nxt.plan, _request(category, appraisal, price, least - 1, start), NOW)
        with pytest.raises(RuleViolation):
            check_listing(profile, nxt.plan, _request(category, appraisal, price, most + 1, start), NOW)
    if nxt.announcement is not None:
        with pytest.raises(RuleViolation, match="announced"):
            early = start - timedelta(microseconds=1)
            check_listing(profile, nxt.plan, _request(category, appraisal, price, least, early), NOW)


def test_the_cases_of_the_plan() -> None:
    assert next_round(JUDICIAL_2016, HISTORIES["fresh"], "vehicle", 100, NOW).plan.round == 1
    after1 = next_round(JUDICIAL_2016, HISTORIES["after round 1"], "vehicle", 100, NOW)
    assert (after1.plan.round, after1.plan.previous.auction_id, after1.relist_by) == (2, 1, NOW + 29 * DAY)
    assert next_round(JUDICIAL_2016, HISTORIES["after round 2"], "vehicle", 100, NOW).plan.round == SALE
    default2 = next_round(JUDICIAL_2016, HISTORIES["after a default in round 2"], "vehicle", 100, NOW)
    assert (default2.plan.round, default2.plan.previous.auction_id, default2.relist_by) == (2, 1, None)
    late = next_round(JUDICIAL_2016, HISTORIES["late after round 1"], "vehicle", 100, NOW)
    assert (late.plan.round, late.plan.restarted, late.plan.previous, late.relist_by) == (1, True, None, None)
    assert next_round(SANDBOX, HISTORIES["late after round 1"], "vehicle", 100, NOW).plan.round == 2


@pytest.mark.parametrize(
    ("history", "code"),
    [
        ([past(1, "live", 1)], "auction_open"),
        ([past(1, "sold", 1)], "lot_already_sold"),
        ([past(1, "sold", 1, settlement="paid")], "lot_already_sold"),
        ([past(1, "unsold", 1), past(2, "unsold", 1), past(SALE, "unsold", 1)], "lot_concluded"),
    ],
)
def test_a_blocked_lot_names_the_refusal(history, code) -> None:
    nxt = next_round(JUDICIAL_2016, history, "residential", 100, NOW)
    assert nxt.plan is None and nxt.blocked is not None and nxt.blocked.code == code
    with pytest.raises(RuleViolation) as refused:
        plan_next_round(history)
    assert refused.value.code == code


def test_deposit_bounds_hold_for_any_price() -> None:
    rng = random.Random(5)
    for _ in range(2_000):
        price = rng.randint(1, 10**12)
        least, most = deposit_bounds(JUDICIAL_2016, 1, price)
        assert least * 20 >= price > (least - 1) * 20
        assert most * 5 <= price < (most + 1) * 5
    assert deposit_bounds(JUDICIAL_2016, SALE, 123) == (123, 123)
