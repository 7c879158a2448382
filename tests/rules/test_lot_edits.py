"""Editing a lot (auction_rules/lot_edits.py) and the lawful step after a missed relisting window
(auction_rules/listing.py: ``lawful_plan``, ``check_disposition``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from auction_rules.errors import RuleViolation
from auction_rules.listing import PastAuction, check_disposition, lawful_plan, plan_next_round
from auction_rules.lot_edits import check_lot_edit
from auction_rules.profiles import JUDICIAL_2016, SANDBOX

NOW = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MS = timedelta(milliseconds=1)


def code(fn, *args) -> str:
    with pytest.raises(RuleViolation) as caught:
        fn(*args)
    return caught.value.code


def announced() -> PastAuction:
    return PastAuction(1, "announced", 700, None, None)


def test_a_lot_with_no_open_round_may_change_anything():
    check_lot_edit([], {"appraisal": 1, "category": "vessel"}, disposed=False)
    check_lot_edit([PastAuction(1, "withdrawn", 700, None, None)], {"appraisal": 1}, disposed=False)


def test_an_announced_round_fixes_appraisal_and_category_but_not_the_description():
    check_lot_edit([announced()], {"description": "更正"}, disposed=False)
    assert code(check_lot_edit, [announced()], {"appraisal": 1}, False) == "lot_terms_announced"
    assert code(check_lot_edit, [announced()], {"category": "land"}, False) == "lot_terms_announced"


def test_once_bidding_opened_or_the_lot_was_disposed_of_nothing_changes():
    for status in ("live", "suspended", "sold", "unsold"):
        assert code(check_lot_edit, [PastAuction(1, status, 700, None, None)], {"title": "x"}, False) == (
            "lot_auction_opened"
        )
    assert code(check_lot_edit, [], {"title": "x"}, True) == "lot_concluded"
    assert code(check_lot_edit, [], {}, False) == "nothing_to_change"


def test_a_missed_relisting_window_restarts_at_round_1():
    failed = [PastAuction(1, "unsold", 700, NOW - 30 * DAY, None)]
    assert lawful_plan(JUDICIAL_2016, plan_next_round(failed), NOW).round == 2
    late = lawful_plan(JUDICIAL_2016, plan_next_round(failed), NOW + MS)
    assert (late.round, late.previous, late.restarted) == (1, None, True)
    assert lawful_plan(SANDBOX, plan_next_round(failed), NOW + 100 * DAY).round == 2


def test_disposition_after_round_1_only_once_its_window_passed():
    failed = [PastAuction(1, "unsold", 700, NOW - 30 * DAY, None)]
    assert code(check_disposition, failed, JUDICIAL_2016, NOW) == "disposition_not_allowed"
    assert code(check_disposition, failed) == "disposition_not_allowed"
    assert check_disposition(failed, JUDICIAL_2016, NOW + MS) == failed[0]


def test_under_a_research_profile_the_last_auction_round_failing_allows_the_disposition():
    """A profile of three rounds and no 变卖 ends with round 3; one of a single round ends with round 1."""
    from auction_rules.research import profile_with

    three = profile_with("research:three", {"auction_rounds": 3, "sale_offered": False}, base="judicial-2016")
    failed = [PastAuction(n, "unsold", 700, NOW - DAY, None) for n in (1, 2, 3)]
    assert check_disposition(failed, three, NOW) == failed[-1]
    one = profile_with("research:one", {"auction_rounds": 1, "sale_offered": False}, base="judicial-2016")
    assert check_disposition(failed[:1], one, NOW) == failed[0]
    assert code(check_disposition, failed[:1], JUDICIAL_2016, NOW) == "disposition_not_allowed"
