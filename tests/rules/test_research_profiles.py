"""Research profiles (``auction_rules/research.py``): the rules as experiment parameters, never the law.

``judicial-2016`` takes no override; a research profile carries its own name and what it changes, and
each changed quantity is what the listing and bidding rules then apply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from auction_rules.bidding import AuctionState, Bidder, decide_bid
from auction_rules.errors import RuleViolation
from auction_rules.listing import SALE, ListingRequest, PastAuction, RoundPlan, check_listing, plan_next_round
from auction_rules.profiles import JUDICIAL_2016, SANDBOX
from auction_rules.research import OVERRIDES, describe_overrides, profile_with, research_profile

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def code(call) -> str:
    with pytest.raises(RuleViolation) as caught:
        call()
    return caught.value.code


def test_the_law_takes_no_override():
    assert code(lambda: profile_with("judicial-2016", {"extension_seconds": 120})) == "rules_are_the_law"
    assert code(lambda: profile_with("sandbox", {"extension_seconds": 120})) == "profile_is_fixed"
    assert profile_with("judicial-2016") is JUDICIAL_2016
    assert profile_with("sandbox", {}) is SANDBOX


def test_a_research_profile_is_named_as_one_and_says_what_it_changes():
    profile = profile_with("research:window-2m", {"extension_seconds": 120}, base="judicial-2016")
    assert profile.name == "research:window-2m"
    assert profile.base == "judicial-2016"
    assert profile.extension == timedelta(minutes=2)
    assert describe_overrides(profile) == {"extension_seconds": 120}
    # everything else is the base's
    assert profile.announce_round1_long == JUDICIAL_2016.announce_round1_long
    assert profile.deposit_max == JUDICIAL_2016.deposit_max


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"extension_minutes": 2}, "extension_minutes"),
        ({"extension_seconds": -1}, "extension_seconds"),
        ({"extension_seconds": 1.5}, "extension_seconds"),
        ({"extension_cap": True}, "extension_cap"),
        ({"deposit_min": [1, 0]}, "deposit_min"),
        ({"deposit_min": [3, 2]}, "deposit_min"),
        ({"deposit_min": [1, 4], "deposit_max": [1, 5]}, "deposit_min"),
        ({"increment_min": [1, 100], "increment_max": [1, 200]}, "increment_min"),
        ({"auction_rounds": 0}, "auction_rounds"),
        ({"sale_offered": "no"}, "sale_offered"),
        ({"balance_deadline_seconds": None}, "balance_deadline_seconds"),
    ],
)
def test_a_wrong_override_is_refused_naming_its_key(overrides, key):
    with pytest.raises(RuleViolation) as caught:
        research_profile("sandbox", overrides, "x")
    assert caught.value.extra["key"] == key
    assert caught.value.code in ("invalid_rule_override", "unknown_rule_override")


def test_a_research_profile_starts_from_a_fixed_profile_with_a_plain_label():
    assert code(lambda: research_profile("research:x", {}, "y")) == "invalid_rule_override"
    assert code(lambda: research_profile("sandbox", {}, "has space")) == "invalid_rule_override"


def test_every_override_key_sets_a_field_of_the_profile():
    fields = set(JUDICIAL_2016.__dataclass_fields__)
    assert {field for field, _ in OVERRIDES.values()} <= fields


def live(end_in: timedelta, **kw) -> AuctionState:
    state = dict(
        id=1, status="live", starting_price=100_00, increment=10_00, start_at=NOW - timedelta(hours=1),
        end_at=NOW + end_in, scheduled_end_at=NOW + end_in,
    ) | kw  # fmt: skip
    return AuctionState(**state)


BIDDER = Bidder(registration_id=7, code="A0001", priority_rank=None)


def test_a_zero_window_never_extends():
    profile = research_profile("sandbox", {"extension_seconds": 0}, "no-soft-close")
    state, bid = decide_bid(live(timedelta(seconds=1)), BIDDER, 100_00, NOW, profile)
    assert not bid.extended
    assert state.end_at == NOW + timedelta(seconds=1)


def test_a_two_minute_window_extends_only_within_two_minutes():
    profile = research_profile("sandbox", {"extension_seconds": 120}, "window-2m")
    _, outside = decide_bid(live(timedelta(minutes=3)), BIDDER, 100_00, NOW, profile)
    assert not outside.extended
    state, inside = decide_bid(live(timedelta(seconds=90)), BIDDER, 100_00, NOW, profile)
    assert inside.extended and state.end_at == NOW + timedelta(minutes=2)


def test_a_cap_stops_extending_after_that_many_extensions():
    profile = research_profile("sandbox", {"extension_cap": 2}, "cap-2")
    state, bid = decide_bid(live(timedelta(seconds=10), extension_count=1), BIDDER, 100_00, NOW, profile)
    assert bid.extended and state.extension_count == 2
    state, bid = decide_bid(live(timedelta(seconds=10), extension_count=2), BIDDER, 100_00, NOW, profile)
    assert not bid.extended and state.end_at == NOW + timedelta(seconds=10)
    # the law has no cap
    _, bid = decide_bid(live(timedelta(seconds=10), extension_count=500), BIDDER, 100_00, NOW, JUDICIAL_2016)
    assert bid.extended


def failed(round_, price=1_000_00):
    return PastAuction(round_, "unsold", price, NOW - timedelta(days=1), None)


def test_more_rounds_before_the_sale_and_a_sale_not_offered():
    three = research_profile("sandbox", {"auction_rounds": 3}, "three-rounds")
    assert plan_next_round([failed(1), failed(2)], three).round == 3
    assert plan_next_round([failed(1), failed(2), failed(3)], three).round == SALE
    assert plan_next_round([failed(1), failed(2)]).round == SALE  # the law: two rounds
    no_sale = research_profile("sandbox", {"sale_offered": False}, "no-sale")
    with pytest.raises(RuleViolation) as caught:
        plan_next_round([failed(1), failed(2)], no_sale)
    assert caught.value.code == "lot_concluded"
    assert no_sale.rounds == (1, 2)
    assert three.rounds == (1, 2, 3, "sale")


def test_a_third_round_keeps_the_later_round_floor_of_the_second():
    three = research_profile("sandbox", {"auction_rounds": 3, "later_round_floor": [9, 10]}, "r3")
    plan = RoundPlan(3, failed(2, price=800_00), after_failure=True)
    request = dict(category="vehicle", appraisal=1_000_00, increment=1_00, start_at=NOW + timedelta(hours=1),
                   end_at=NOW + timedelta(hours=25))  # fmt: skip
    check_listing(three, plan, ListingRequest(starting_price=720_00, deposit=72_00, **request), NOW)
    with pytest.raises(RuleViolation) as caught:
        check_listing(three, plan, ListingRequest(starting_price=719_99, deposit=72_00, **request), NOW)
    assert caught.value.code == "price_cut_too_deep"


def test_increment_bounds_apply_only_when_a_profile_sets_them():
    bounded = research_profile("sandbox", {"increment_min": [4, 1000], "increment_max": [9, 1000]}, "inc")
    base = dict(category="vehicle", appraisal=1_000_000, starting_price=1_000_000, deposit=100_000,
                start_at=NOW + timedelta(hours=1), end_at=NOW + timedelta(hours=25))  # fmt: skip
    plan = RoundPlan(1, None)
    check_listing(bounded, plan, ListingRequest(increment=4_000, **base), NOW)
    check_listing(bounded, plan, ListingRequest(increment=9_000, **base), NOW)
    for wrong in (3_999, 9_001):
        with pytest.raises(RuleViolation) as caught:
            check_listing(bounded, plan, ListingRequest(increment=wrong, **base), NOW)
        assert caught.value.code == "increment_out_of_range"
    check_listing(SANDBOX, plan, ListingRequest(increment=1, **base), NOW)
