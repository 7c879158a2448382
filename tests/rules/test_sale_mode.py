"""Rule 19 (变卖, the fixed-price sale after two failed rounds) and the disposition of rule 18, on the
pure engine with an explicit clock."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from auction_rules.bidding import AuctionState, Bidder, close, decide_bid, effective_status, is_sale
from auction_rules.errors import Kind, RuleViolation
from auction_rules.listing import (
    SALE,
    ListingRequest,
    PastAuction,
    check_disposition,
    check_listing,
    plan_next_round,
)
from auction_rules.profiles import JUDICIAL_2016, SANDBOX

MS = timedelta(milliseconds=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
COUNTDOWN = timedelta(hours=24)
FIVE_MINUTES = timedelta(minutes=5)
WINDOW_START = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)  # 10:00 Beijing time
WINDOW_END = WINDOW_START + timedelta(days=60)
PRICE = 64_000_000  # round 2's starting price: 640,000.00 yuan
INCREMENT = 300_000

ALICE = Bidder(registration_id=1, code="A1001")
BOB = Bidder(registration_id=2, code="B2002")


def sale(**changes: object) -> AuctionState:
    state = AuctionState(
        id=7,
        status="live",
        start_at=WINDOW_START,
        end_at=WINDOW_END,
        scheduled_end_at=WINDOW_END,
        starting_price=PRICE,
        increment=INCREMENT,
        round="sale",
    )
    return dataclasses.replace(state, **changes)


def offer(state: AuctionState, bidder: Bidder, amount: int, at: datetime) -> AuctionState:
    return decide_bid(state, bidder, amount, at, JUDICIAL_2016)[0]


def refusal(state: AuctionState, bidder: Bidder, amount: int, at: datetime) -> str:
    with pytest.raises(RuleViolation) as excinfo:
        decide_bid(state, bidder, amount, at, JUDICIAL_2016)
    return excinfo.value.code


# --- the price and the first offer ---------------------------------------------------------------------


def test_a_sale_is_recognised_by_its_round():
    assert is_sale(sale())
    assert not is_sale(sale(round="2"))


def test_the_first_offer_is_exactly_the_price():
    at = WINDOW_START + 3 * DAY
    assert refusal(sale(), ALICE, PRICE - 1, at) == "bid_too_low"
    assert refusal(sale(), ALICE, PRICE + INCREMENT, at) == "bid_not_on_increment"
    assert offer(sale(), ALICE, PRICE, at).current_price == PRICE


def test_the_first_offer_starts_a_24_hour_countdown_ending_the_sale_before_the_window_does():
    at = WINDOW_START + 3 * DAY + 17 * MS
    after, placed = decide_bid(sale(), ALICE, PRICE, at, JUDICIAL_2016)
    assert after.end_at == placed.end_at == at + COUNTDOWN
    assert after.scheduled_end_at == WINDOW_END  # the window stays on record
    assert not placed.extended and after.extension_count == 0
    # with no raise, the first offer wins when the countdown runs out
    assert effective_status(after, at + COUNTDOWN - MS) == "live"
    assert effective_status(after, at + COUNTDOWN) == "sold"
    closed = close(after, at + COUNTDOWN)
    assert (closed.status, closed.leader_code, closed.current_price) == ("sold", "A1001", PRICE)


def test_a_first_offer_late_in_the_window_runs_its_countdown_past_the_window_end():
    at = WINDOW_END - HOUR
    after = offer(sale(), ALICE, PRICE, at)
    assert after.end_at == at + COUNTDOWN > WINDOW_END
    assert effective_status(after, WINDOW_END + HOUR) == "live"


def test_no_offer_in_the_window_leaves_the_lot_unsold():
    assert effective_status(sale(), WINDOW_END) == "unsold"
    assert close(sale(), WINDOW_END).status == "unsold"
    assert refusal(sale(), ALICE, PRICE, WINDOW_END) == "auction_not_live"


def test_no_offer_before_the_window_opens():
    assert refusal(sale(status="announced"), ALICE, PRICE, WINDOW_START - MS) == "auction_not_live"


# --- raises during the countdown -----------------------------------------------------------------------


def test_other_buyers_raise_by_the_increment_during_the_countdown():
    first = WINDOW_START + DAY
    state = offer(sale(), ALICE, PRICE, first)
    assert refusal(state, BOB, PRICE, first + HOUR) == "bid_too_low"
    assert refusal(state, BOB, PRICE + INCREMENT - 1, first + HOUR) == "bid_not_on_increment"
    state = offer(state, BOB, PRICE + INCREMENT, first + HOUR)
    # a raise with more than five minutes left keeps the countdown's end
    assert state.end_at == first + COUNTDOWN
    assert (state.leader_code, state.current_price, state.seq) == ("B2002", PRICE + INCREMENT, 2)


def test_a_raise_in_the_last_five_minutes_of_the_countdown_extends_it_by_five_minutes():
    first = WINDOW_START + DAY
    state = offer(sale(), ALICE, PRICE, first)
    late = first + COUNTDOWN - timedelta(minutes=2)
    after, placed = decide_bid(state, BOB, PRICE + INCREMENT, late, JUDICIAL_2016)
    assert after.end_at == placed.end_at == late + FIVE_MINUTES
    assert placed.extended and after.extension_count == 1
    assert refusal(after, ALICE, PRICE + 2 * INCREMENT, late + FIVE_MINUTES) == "auction_not_live"
    assert close(after, late + FIVE_MINUTES).leader_code == "B2002"


def test_the_countdown_ignores_the_window_end_for_later_raises_too():
    at = WINDOW_END - HOUR
    state = offer(sale(), ALICE, PRICE, at)
    raised = offer(state, BOB, PRICE + INCREMENT, WINDOW_END + 2 * HOUR)
    assert raised.end_at == at + COUNTDOWN


def test_an_ordinary_round_keeps_its_end_on_the_first_bid():
    state = sale(round="2")
    assert offer(state, ALICE, PRICE, WINDOW_START + DAY).end_at == WINDOW_END


def test_the_sandbox_countdown_is_also_24_hours():
    at = WINDOW_START + DAY
    assert decide_bid(sale(), ALICE, PRICE, at, SANDBOX)[0].end_at == at + COUNTDOWN


# --- listing the sale ----------------------------------------------------------------------------------

ROUND1_PRICE = 80_000_000
NOW = WINDOW_START - DAY
ROUND1_FAILED = PastAuction(1, "unsold", ROUND1_PRICE, NOW - 20 * DAY, None)
ROUND2_FAILED = PastAuction(2, "unsold", PRICE, NOW - HOUR, None)


def sale_request(*, deposit: int = PRICE, window: timedelta = timedelta(days=60)) -> ListingRequest:
    return ListingRequest(
        category="residential",
        appraisal=100_000_000,
        starting_price=PRICE,
        increment=INCREMENT,
        deposit=deposit,
        start_at=WINDOW_START,
        end_at=WINDOW_START + window,
    )


def listing_code(profile, req: ListingRequest) -> str:
    with pytest.raises(RuleViolation) as excinfo:
        check_listing(profile, plan_next_round([ROUND1_FAILED, ROUND2_FAILED]), req, NOW)
    assert excinfo.value.kind is Kind.INVALID
    return excinfo.value.code


def test_a_buyer_qualifies_by_prepaying_the_full_price():
    plan = plan_next_round([ROUND1_FAILED, ROUND2_FAILED])
    assert plan.round == SALE
    check_listing(JUDICIAL_2016, plan, sale_request(), NOW)
    for deposit in (PRICE // 10, PRICE // 5, PRICE - 1):
        assert listing_code(JUDICIAL_2016, sale_request(deposit=deposit)) == "sale_deposit_must_be_full_price"
    assert listing_code(SANDBOX, sale_request(deposit=PRICE // 10)) == "sale_deposit_must_be_full_price"


def test_the_sale_window_lasts_exactly_60_days_under_the_judicial_rules():
    """Rule 19 gives the fixed-price sale "a 60-day window" and no announcement period of its own (rule 4
    names rounds 1 and 2 only): the window is the time buyers have to learn of the sale and prepay, so a
    shorter window is refused as firmly as a longer one (a 24-hour 变卖 was accepted before)."""
    plan = plan_next_round([ROUND1_FAILED, ROUND2_FAILED])
    check_listing(JUDICIAL_2016, plan, sale_request(window=timedelta(days=60)), NOW)
    assert listing_code(JUDICIAL_2016, sale_request(window=timedelta(days=60) + MS)) == "sale_window_too_long"
    assert listing_code(JUDICIAL_2016, sale_request(window=timedelta(days=60) - MS)) == "sale_window_too_short"
    assert listing_code(JUDICIAL_2016, sale_request(window=timedelta(hours=24))) == "sale_window_too_short"
    # the sandbox takes any positive window
    check_listing(SANDBOX, plan, sale_request(window=timedelta(days=90)), NOW)
    check_listing(SANDBOX, plan, sale_request(window=timedelta(minutes=1)), NOW)


# --- rule 18: 以物抵债 or return, only after round 2 or the sale failed -------------------------------------


def test_a_disposition_follows_a_failed_round_2_or_a_failed_sale():
    assert check_disposition([ROUND1_FAILED, ROUND2_FAILED]) == ROUND2_FAILED
    failed_sale = PastAuction(SALE, "unsold", PRICE, NOW, None)
    assert check_disposition([ROUND1_FAILED, ROUND2_FAILED, failed_sale]) == failed_sale


@pytest.mark.parametrize(
    "history",
    [
        [],
        [ROUND1_FAILED],
        [ROUND1_FAILED, PastAuction(2, "sold", PRICE, NOW, None)],
        [ROUND1_FAILED, ROUND2_FAILED, PastAuction(SALE, "live", PRICE, None, None)],
        [ROUND1_FAILED, ROUND2_FAILED, PastAuction(SALE, "sold", PRICE, NOW, "paid")],
    ],
    ids=["no-auction", "after-round-1", "round-2-sold", "sale-open", "sale-sold"],
)
def test_no_disposition_in_any_other_state(history):
    with pytest.raises(RuleViolation) as excinfo:
        check_disposition(history)
    assert excinfo.value.kind is Kind.CONFLICT
