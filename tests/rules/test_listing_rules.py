"""Listing rules 1-5 and the round sequence of rules 15-18 (docs/domain.md), under both rule profiles."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from auction_rules.errors import Kind, RuleViolation
from auction_rules.listing import SALE, ListingRequest, PastAuction, RoundPlan, check_listing, plan_next_round
from auction_rules.profiles import JUDICIAL_2016, PROFILES, SANDBOX, RuleProfile, get_profile
from auction_rules.research import research_profile

MS = timedelta(milliseconds=1)
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)
APPRAISAL = 100_000_000  # 1,000,000.00 yuan
ROUND1_PRICE = 80_000_000
ROUND2_PRICE = 64_000_000  # exactly 80% of round 1

BOTH_PROFILES = pytest.mark.parametrize("profile", [JUDICIAL_2016, SANDBOX], ids=lambda p: p.name)
LONG_CATEGORIES = ["residential", "commercial", "land", "equity"]
SHORT_CATEGORIES = ["vehicle", "machinery", "other"]


def past(round_, status, starting_price=ROUND1_PRICE, ended_at=NOW - DAY, settlement=None) -> PastAuction:
    return PastAuction(
        round=round_, status=status, starting_price=starting_price, ended_at=ended_at, settlement=settlement
    )


ROUND1_FAILED = past(1, "unsold", ROUND1_PRICE)
ROUND2_FAILED = past(2, "unsold", ROUND2_PRICE)


def request(starting_price=ROUND1_PRICE, *, deposit=None, start_in=timedelta(days=31), **changes) -> ListingRequest:
    start_at = NOW + start_in
    req = ListingRequest(
        category="residential",
        appraisal=APPRAISAL,
        starting_price=starting_price,
        increment=starting_price // 200,
        deposit=starting_price // 10 if deposit is None else deposit,
        start_at=start_at,
        end_at=start_at + timedelta(hours=24),
    )
    return dataclasses.replace(req, **changes)


def round1() -> RoundPlan:
    return plan_next_round([])


def round2() -> RoundPlan:
    return plan_next_round([ROUND1_FAILED])


def sale() -> RoundPlan:
    return plan_next_round([ROUND1_FAILED, ROUND2_FAILED])


def listing_refusal(profile: RuleProfile, plan: RoundPlan, req: ListingRequest) -> str:
    with pytest.raises(RuleViolation) as excinfo:
        check_listing(profile, plan, req, NOW)
    assert excinfo.value.kind is Kind.INVALID
    return excinfo.value.code


def test_a_typical_round_1_listing_is_accepted_under_both_profiles():
    for profile in (JUDICIAL_2016, SANDBOX):
        assert check_listing(profile, round1(), request(), NOW) is None


# --- rule 1: round 1 floor, 70% of the appraisal ------------------------------------------------------


@BOTH_PROFILES
def test_a_round_1_starting_price_of_exactly_70_percent_of_the_appraisal_is_accepted(profile):
    check_listing(profile, round1(), request(70_000_000), NOW)


@BOTH_PROFILES
def test_a_round_1_starting_price_one_fen_below_70_percent_is_refused(profile):
    assert listing_refusal(profile, round1(), request(69_999_999)) == "starting_price_below_floor"


@BOTH_PROFILES
def test_the_70_percent_floor_is_computed_exactly_without_rounding_down(profile):
    # 70% of 1,000,000.01 yuan is 70,000,000.7 fen: 70,000,000 fen is below it, 70,000,001 is not
    assert listing_refusal(profile, round1(), request(70_000_000, appraisal=100_000_001)) == (
        "starting_price_below_floor"
    )
    check_listing(profile, round1(), request(70_000_001, appraisal=100_000_001), NOW)


def test_a_relisting_after_a_round_1_default_is_held_to_the_round_1_floor_again():
    plan = plan_next_round([past(1, "sold", settlement="defaulted")])
    assert listing_refusal(JUDICIAL_2016, plan, request(69_999_999)) == "starting_price_below_floor"
    check_listing(JUDICIAL_2016, plan, request(70_000_000), NOW)


# --- rule 2: a later round cuts the price by at most 20% ----------------------------------------------


@BOTH_PROFILES
def test_a_round_2_price_of_exactly_80_percent_of_round_1_is_accepted(profile):
    check_listing(profile, round2(), request(ROUND2_PRICE, start_in=16 * DAY), NOW)


@BOTH_PROFILES
def test_a_round_2_price_one_fen_below_80_percent_of_round_1_is_refused(profile):
    assert listing_refusal(profile, round2(), request(ROUND2_PRICE - 1, start_in=16 * DAY)) == "price_cut_too_deep"


def test_round_2_is_measured_against_round_1_not_against_the_appraisal():
    # 64% of the appraisal, below round 1's floor, but only a 20% cut from round 1: allowed
    assert ROUND2_PRICE * 100 < 70 * APPRAISAL
    check_listing(JUDICIAL_2016, round2(), request(ROUND2_PRICE, start_in=16 * DAY), NOW)


def test_a_round_2_with_no_failed_round_1_to_refer_to_is_refused():
    assert listing_refusal(JUDICIAL_2016, RoundPlan(2, None), request(ROUND2_PRICE, start_in=16 * DAY)) == (
        "price_cut_too_deep"
    )


def test_a_relisting_after_a_round_2_default_still_refers_to_the_failed_round_1():
    plan = plan_next_round([ROUND1_FAILED, past(2, "sold", ROUND2_PRICE, settlement="defaulted")])
    assert listing_refusal(JUDICIAL_2016, plan, request(ROUND2_PRICE - 1, start_in=16 * DAY)) == "price_cut_too_deep"
    check_listing(JUDICIAL_2016, plan, request(ROUND2_PRICE, start_in=16 * DAY), NOW)


def test_the_fixed_price_sale_is_at_the_round_2_starting_price():
    """The sale may open a minute after it is announced (rule 19 gives it no announcement period), and it
    is open for its whole 60-day window (once it was accepted with a 24-hour window)."""
    soon = request(ROUND2_PRICE, deposit=ROUND2_PRICE, start_in=timedelta(minutes=1))
    check_listing(JUDICIAL_2016, sale(), dataclasses.replace(soon, end_at=soon.start_at + timedelta(days=60)), NOW)
    assert listing_refusal(JUDICIAL_2016, sale(), soon) == "sale_window_too_short"
    for price in (ROUND2_PRICE - 1, ROUND2_PRICE + 1):
        assert listing_refusal(JUDICIAL_2016, sale(), request(price, start_in=DAY)) == "sale_price_mismatch"
    with pytest.raises(RuleViolation, match="round 2's starting price"):
        check_listing(JUDICIAL_2016, sale(), request(ROUND2_PRICE + 1, start_in=DAY), NOW)


def test_a_research_profiles_fixed_price_sale_names_the_last_auction_round_it_follows():
    """Three auction rounds: the 变卖 takes round 3's starting price, and the refusal says so."""
    three = research_profile("judicial-2016", {"auction_rounds": 3}, "three")
    round3 = ROUND2_PRICE * 4 // 5
    plan = plan_next_round([ROUND1_FAILED, ROUND2_FAILED, past(3, "unsold", round3)], three)
    assert plan.round == "sale"
    with pytest.raises(RuleViolation, match=f"round 3's starting price \\({round3} fen\\)"):
        check_listing(three, plan, request(ROUND2_PRICE, start_in=DAY), NOW)


# --- rule 3: deposit between 5% and 20% of the starting price, inclusive -------------------------------


@BOTH_PROFILES
@pytest.mark.parametrize("deposit", [ROUND1_PRICE // 20, ROUND1_PRICE // 10, ROUND1_PRICE // 5])
def test_a_deposit_from_5_to_20_percent_inclusive_is_accepted(profile, deposit):
    check_listing(profile, round1(), request(deposit=deposit), NOW)


@BOTH_PROFILES
@pytest.mark.parametrize("deposit", [ROUND1_PRICE // 20 - 1, ROUND1_PRICE // 5 + 1, 0, ROUND1_PRICE])
def test_a_deposit_outside_5_to_20_percent_is_refused(profile, deposit):
    assert listing_refusal(profile, round1(), request(deposit=deposit)) == "deposit_out_of_range"


@BOTH_PROFILES
def test_the_deposit_bounds_are_exact_for_prices_not_divisible_by_20(profile):
    price = 70_000_019  # 5% = 3,500,000.95 fen, 20% = 14,000,003.8 fen
    assert listing_refusal(profile, round1(), request(price, deposit=3_500_000)) == "deposit_out_of_range"
    check_listing(profile, round1(), request(price, deposit=3_500_001), NOW)
    check_listing(profile, round1(), request(price, deposit=14_000_003), NOW)
    assert listing_refusal(profile, round1(), request(price, deposit=14_000_004)) == "deposit_out_of_range"


@BOTH_PROFILES
def test_an_increment_larger_than_the_starting_price_is_refused(profile):
    assert listing_refusal(profile, round1(), request(increment=ROUND1_PRICE + 1)) == "increment_too_large"
    check_listing(profile, round1(), request(increment=ROUND1_PRICE), NOW)


# --- rule 4: announcement periods ---------------------------------------------------------------------


@pytest.mark.parametrize(("category", "days"), [(c, 30) for c in LONG_CATEGORIES] + [(c, 15) for c in SHORT_CATEGORIES])
def test_round_1_must_be_announced_30_days_ahead_for_property_and_15_for_movables(category, days):
    check_listing(JUDICIAL_2016, round1(), request(category=category, start_in=timedelta(days=days)), NOW)
    refused = request(category=category, start_in=timedelta(days=days) - MS)
    assert listing_refusal(JUDICIAL_2016, round1(), refused) == "announcement_too_short"


@pytest.mark.parametrize(("category", "days"), [(c, 15) for c in LONG_CATEGORIES] + [(c, 7) for c in SHORT_CATEGORIES])
def test_round_2_must_be_announced_15_days_ahead_for_property_and_7_for_movables(category, days):
    req = request(ROUND2_PRICE, category=category, start_in=timedelta(days=days))
    check_listing(JUDICIAL_2016, round2(), req, NOW)
    refused = request(ROUND2_PRICE, category=category, start_in=timedelta(days=days) - MS)
    assert listing_refusal(JUDICIAL_2016, round2(), refused) == "announcement_too_short"


@pytest.mark.parametrize("category", LONG_CATEGORIES + SHORT_CATEGORIES)
def test_the_sandbox_lifts_the_announcement_periods(category):
    check_listing(SANDBOX, round1(), request(category=category, start_in=MS), NOW)
    check_listing(SANDBOX, round2(), request(ROUND2_PRICE, category=category, start_in=MS), NOW)


@BOTH_PROFILES
@pytest.mark.parametrize("start_in", [timedelta(0), -MS, -DAY])
def test_bidding_must_start_in_the_future_under_both_profiles(profile, start_in):
    assert listing_refusal(profile, round1(), request(start_in=start_in)) == "start_in_past"


def test_a_reauction_must_be_announced_within_30_days_of_the_failure():
    start_in = 16 * DAY
    in_time = plan_next_round([past(1, "unsold", ended_at=NOW - 30 * DAY)])
    check_listing(JUDICIAL_2016, in_time, request(ROUND2_PRICE, start_in=start_in), NOW)
    too_late = plan_next_round([past(1, "unsold", ended_at=NOW - 30 * DAY - MS)])
    assert listing_refusal(JUDICIAL_2016, too_late, request(ROUND2_PRICE, start_in=start_in)) == (
        "reauction_announced_too_late"
    )
    check_listing(SANDBOX, too_late, request(ROUND2_PRICE, start_in=start_in), NOW)


# --- rule 5: bidding period ---------------------------------------------------------------------------


def test_a_bidding_period_of_exactly_24_hours_is_accepted():
    req = request()
    assert req.end_at - req.start_at == timedelta(hours=24)
    check_listing(JUDICIAL_2016, round1(), req, NOW)


def test_a_bidding_period_one_millisecond_short_of_24_hours_is_refused():
    req = request()
    req = dataclasses.replace(req, end_at=req.start_at + timedelta(hours=24) - MS)
    assert listing_refusal(JUDICIAL_2016, round1(), req) == "bidding_period_too_short"


def test_the_sandbox_accepts_any_positive_bidding_period():
    req = request(start_in=timedelta(seconds=10))
    check_listing(SANDBOX, round1(), dataclasses.replace(req, end_at=req.start_at + timedelta(minutes=1)), NOW)
    check_listing(SANDBOX, round1(), dataclasses.replace(req, end_at=req.start_at + MS), NOW)


@BOTH_PROFILES
@pytest.mark.parametrize("length", [timedelta(0), -timedelta(hours=1)])
def test_bidding_must_end_after_it_starts_under_both_profiles(profile, length):
    req = request()
    assert listing_refusal(profile, round1(), dataclasses.replace(req, end_at=req.start_at + length)) == (
        "bidding_period_too_short"
    )


# --- the profiles -------------------------------------------------------------------------------------


def test_the_sandbox_differs_from_the_2016_rules_only_in_the_waiting_periods_and_the_complete_announcement():
    differing = {
        f.name
        for f in dataclasses.fields(RuleProfile)
        if getattr(JUDICIAL_2016, f.name) != getattr(SANDBOX, f.name) and f.name != "name"
    }
    assert differing == {
        "announce_round1_long",
        "announce_round1_short",
        "announce_round2_long",
        "announce_round2_short",
        "announce_vessel",  # the maritime law's 30 days (rule 4's kind of waiting period)
        "reauction_within",
        "min_bidding_period",
        "sale_window",  # like rule 5's period: the sandbox takes any positive sale window (rule 19)
        "complete_announcement",  # the contract requires a complete announcement under judicial-2016
    }
    assert SANDBOX.extension == JUDICIAL_2016.extension == timedelta(minutes=5)


def test_profiles_are_found_by_name_and_an_unknown_name_is_an_error():
    assert get_profile("judicial-2016") is JUDICIAL_2016
    assert get_profile("sandbox") is SANDBOX
    assert set(PROFILES) == {"judicial-2016", "sandbox"}
    with pytest.raises(ValueError, match="unknown rule profile"):
        get_profile("lenient")


def test_the_fixed_price_sale_has_no_announcement_period():
    """Rule 4 sets announcement periods for round 1 and round 2 only, and rule 19 gives the fixed-price
    sale none: what it gives is the 60-day window, which the listing rules enforce instead
    (``tests/rules/test_sale_mode.py``). A sale may open soon after it is announced, and stays open
    for the whole window."""
    assert JUDICIAL_2016.announcement_period(SALE, "residential") is None
    assert JUDICIAL_2016.announcement_period(1, "equity") == timedelta(days=30)
    assert JUDICIAL_2016.announcement_period(2, "vehicle") == timedelta(days=7)


# --- rules 15-18: which round comes next --------------------------------------------------------------


def test_a_lot_with_no_history_starts_at_round_1():
    plan = plan_next_round([])
    assert plan == RoundPlan(1, None, after_failure=False)


def test_a_failed_round_1_leads_to_round_2():
    assert plan_next_round([ROUND1_FAILED]) == RoundPlan(2, ROUND1_FAILED, after_failure=True)


def test_a_failed_round_2_leads_to_the_fixed_price_sale():
    assert plan_next_round([ROUND1_FAILED, ROUND2_FAILED]) == RoundPlan(SALE, ROUND2_FAILED, after_failure=True)


def test_a_failed_fixed_price_sale_concludes_the_lot():
    with pytest.raises(RuleViolation) as excinfo:
        plan_next_round([ROUND1_FAILED, ROUND2_FAILED, past(SALE, "unsold", ROUND2_PRICE)])
    assert excinfo.value.code == "lot_concluded"


@pytest.mark.parametrize("settlement", ["paid", None])
def test_a_sold_lot_cannot_be_listed_again(settlement):
    for history in (
        [past(1, "sold", settlement=settlement)],
        [ROUND1_FAILED, past(2, "sold", ROUND2_PRICE, settlement=settlement)],
    ):
        with pytest.raises(RuleViolation) as excinfo:
            plan_next_round(history)
        assert excinfo.value.code == "lot_already_sold"
        assert excinfo.value.kind is Kind.CONFLICT


@pytest.mark.parametrize("status", ["announced", "live", "suspended"])
def test_a_lot_with_an_open_auction_cannot_be_listed_again(status):
    for history in ([past(1, status, ended_at=None)], [ROUND1_FAILED, past(2, status, ROUND2_PRICE, ended_at=None)]):
        with pytest.raises(RuleViolation) as excinfo:
            plan_next_round(history)
        assert excinfo.value.code == "auction_open"
        assert excinfo.value.kind is Kind.CONFLICT


def test_a_default_sends_the_lot_back_to_the_same_round():
    assert plan_next_round([past(1, "sold", settlement="defaulted")]) == RoundPlan(1, None)
    defaulted_round2 = past(2, "sold", ROUND2_PRICE, settlement="defaulted")
    assert plan_next_round([ROUND1_FAILED, defaulted_round2]) == RoundPlan(2, ROUND1_FAILED)
    defaulted_sale = past(SALE, "sold", ROUND2_PRICE, settlement="defaulted")
    assert plan_next_round([ROUND1_FAILED, ROUND2_FAILED, defaulted_sale]) == RoundPlan(SALE, ROUND2_FAILED)


def test_withdrawn_auctions_are_ignored():
    withdrawn1 = past(1, "withdrawn", ended_at=None)
    assert plan_next_round([withdrawn1]) == RoundPlan(1, None)
    assert plan_next_round([withdrawn1, ROUND1_FAILED]) == RoundPlan(2, ROUND1_FAILED, after_failure=True)
    withdrawn2 = past(2, "withdrawn", ROUND2_PRICE, ended_at=None)
    assert plan_next_round([ROUND1_FAILED, withdrawn2]) == RoundPlan(2, ROUND1_FAILED, after_failure=True)
    assert plan_next_round([ROUND1_FAILED, withdrawn2, ROUND2_FAILED]).round == SALE


def test_a_round_1_failed_again_after_a_default_leads_to_round_2_against_the_latest_price():
    relisted = past(1, "unsold", 75_000_000)
    history = [past(1, "sold", settlement="defaulted"), relisted]
    assert plan_next_round(history) == RoundPlan(2, relisted, after_failure=True)
