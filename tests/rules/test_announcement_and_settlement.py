"""The rules behind the contract's new refusals, as plain functions: a complete announcement, 悔拍 before
the balance deadline, a priority holder declared late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from auction_rules.announcement import NONE_KNOWN, check_announcement, missing_fields
from auction_rules.bidding import AuctionState
from auction_rules.eligibility import compose_id_number, normalize_id_number
from auction_rules.errors import RuleViolation
from auction_rules.priority import check_priority_holder
from auction_rules.profiles import JUDICIAL_2016, SANDBOX
from auction_rules.settlement import SettlementRequest, check_settlement

NOW = datetime(2026, 5, 1, tzinfo=UTC)
FULL = {
    "location": "某路 1 号",
    "defects": NONE_KNOWN,
    "encumbrances": "NONE KNOWN",
    "taxes": "各自承担",
    "contact": "x",
}


def code_of(call) -> str:
    with pytest.raises(RuleViolation) as refused:
        call()
    return refused.value.code


def test_a_composed_identity_number_carries_its_check_character():
    assert compose_id_number("110105", "19491231", 2) == "11010519491231002X"
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"
    assert normalize_id_number("110105194912310021") is None


def test_every_required_field_must_be_stated_and_none_known_counts():
    assert missing_fields(FULL) == []
    assert missing_fields(FULL | {"taxes": " ", "contact": None}) == ["taxes", "contact"]
    assert code_of(lambda: check_announcement(JUDICIAL_2016, {"location": "x"})) == "announcement_incomplete"
    check_announcement(SANDBOX, {})  # the sandbox lists made-up lots


def test_a_default_before_the_deadline_needs_a_renunciation_with_a_reason():
    due = NOW + timedelta(days=10)
    check = lambda req, now=NOW: check_settlement(req, now=now, balance_due_at=due, balance_due=100)  # noqa: E731
    assert code_of(lambda: check(SettlementRequest("defaulted"))) == "balance_not_due"
    assert code_of(lambda: check(SettlementRequest("defaulted", renounced=True))) == "reason_required"
    check(SettlementRequest("defaulted", reason="书面放弃", renounced=True))
    check(SettlementRequest("defaulted"), now=due)  # at the deadline the balance is overdue... or due: allowed
    assert code_of(lambda: check(SettlementRequest("paid", amount=99))) == "payment_amount_mismatch"
    check(SettlementRequest("paid", amount=100))


def test_a_priority_holder_after_opening_needs_a_reason_and_none_after_the_end():
    state = AuctionState(1, "announced", NOW, NOW + timedelta(days=1), NOW + timedelta(days=1), 100, 10)
    assert check_priority_holder(state, NOW - timedelta(seconds=1), None) is False
    assert code_of(lambda: check_priority_holder(state, NOW, None)) == "reason_required"
    assert check_priority_holder(state, NOW, "补充确认") is True
    assert code_of(lambda: check_priority_holder(state, NOW + timedelta(days=2), "迟了")) == "auction_ended"
