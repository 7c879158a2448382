"""Bidding rules 8-15 and 20 of docs/domain.md, checked on the pure engine with an explicit clock."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from auction_rules.bidding import (
    AuctionState,
    Bidder,
    check_can_bid,
    check_registration_open,
    close,
    decide_bid,
    effective_status,
    minimum_bid,
    open_,
    resume,
    suspend,
    withdraw,
)
from auction_rules.errors import Kind, RuleViolation
from auction_rules.profiles import JUDICIAL_2016, SANDBOX

MS = timedelta(milliseconds=1)
FIVE_MINUTES = timedelta(minutes=5)
START = datetime(2026, 5, 25, 2, 0, tzinfo=UTC)  # 10:00 Beijing time
END = START + timedelta(hours=24)
MID = START + timedelta(hours=3)
STARTING_PRICE = 100_000_000  # 1,000,000.00 yuan
INCREMENT = 500_000  # 5,000.00 yuan

ALICE = Bidder(registration_id=1, code="A1001")
BOB = Bidder(registration_id=2, code="B2002")
CAROL = Bidder(registration_id=3, code="C3003")
HOLDER_RANK1 = Bidder(registration_id=11, code="P1101", priority_rank=1)
OTHER_HOLDER_RANK1 = Bidder(registration_id=12, code="P1202", priority_rank=1)
HOLDER_RANK2 = Bidder(registration_id=13, code="P1303", priority_rank=2)


def auction(**changes: object) -> AuctionState:
    state = AuctionState(
        id=1,
        status="announced",
        start_at=START,
        end_at=END,
        scheduled_end_at=END,
        starting_price=STARTING_PRICE,
        increment=INCREMENT,
    )
    return dataclasses.replace(state, **changes)


def bid(state: AuctionState, bidder: Bidder, amount: int, at: datetime) -> AuctionState:
    return decide_bid(state, bidder, amount, at, JUDICIAL_2016)[0]


def refusal(state: AuctionState, bidder: Bidder, amount: int, at: datetime) -> RuleViolation:
    with pytest.raises(RuleViolation) as excinfo:
        decide_bid(state, bidder, amount, at, JUDICIAL_2016)
    return excinfo.value


def with_bids(*bids: tuple[Bidder, int], at: datetime = MID) -> AuctionState:
    """An auction with these bids placed one millisecond apart from ``at`` on."""
    state = auction()
    for i, (bidder, amount) in enumerate(bids):
        state = bid(state, bidder, amount, at + i * MS)
    return state


# --- rule 9: the first bid is exactly the starting price ------------------------------------------------


def test_the_first_bid_at_the_starting_price_is_accepted_and_leads():
    state, placed = decide_bid(auction(), ALICE, STARTING_PRICE, MID, JUDICIAL_2016)
    assert state.current_price == STARTING_PRICE
    assert (state.leader_registration_id, state.leader_code, state.leader_rank) == (1, "A1001", None)
    assert state.status == "live"
    assert state.seq == 1
    assert state.last_bid_at == MID
    assert placed.seq == 1
    assert placed.amount == STARTING_PRICE
    assert (placed.registration_id, placed.bidder_code) == (1, "A1001")
    assert placed.placed_at == MID
    assert placed.end_at == END
    assert placed.priority is False
    assert placed.extended is False


@pytest.mark.parametrize("amount", [STARTING_PRICE - 1, STARTING_PRICE - INCREMENT, 0])
def test_a_first_bid_below_the_starting_price_is_refused_as_too_low(amount):
    error = refusal(auction(), ALICE, amount, MID)
    assert error.code == "bid_too_low"
    assert error.kind is Kind.CONFLICT
    assert error.extra["minimum"] == STARTING_PRICE


@pytest.mark.parametrize("amount", [STARTING_PRICE + 1, STARTING_PRICE + INCREMENT, 2 * STARTING_PRICE])
def test_a_first_bid_above_the_starting_price_is_refused_as_off_the_increment(amount):
    error = refusal(auction(), ALICE, amount, MID)
    assert error.code == "bid_not_on_increment"
    assert error.kind is Kind.CONFLICT


def test_a_priority_holders_first_bid_must_also_be_the_starting_price():
    assert refusal(auction(), HOLDER_RANK1, STARTING_PRICE + INCREMENT, MID).code == "bid_not_on_increment"
    assert bid(auction(), HOLDER_RANK1, STARTING_PRICE, MID).leader_rank == 1


def test_the_minimum_bid_is_the_starting_price_then_the_current_price_plus_one_increment():
    assert minimum_bid(auction()) == STARTING_PRICE
    assert minimum_bid(with_bids((ALICE, STARTING_PRICE))) == STARTING_PRICE + INCREMENT
    assert minimum_bid(with_bids((ALICE, STARTING_PRICE), (BOB, STARTING_PRICE + 3 * INCREMENT))) == (
        STARTING_PRICE + 4 * INCREMENT
    )


# --- rule 9: later bids are the current price plus a whole positive number of increments ----------------


@pytest.mark.parametrize("steps", [1, 2, 7, 100])
def test_a_later_bid_of_the_current_price_plus_whole_increments_is_accepted(steps):
    state = bid(with_bids((ALICE, STARTING_PRICE)), BOB, STARTING_PRICE + steps * INCREMENT, MID + MS)
    assert state.current_price == STARTING_PRICE + steps * INCREMENT
    assert state.leader_code == "B2002"


@pytest.mark.parametrize(
    "amount",
    [
        STARTING_PRICE + 1,
        STARTING_PRICE + INCREMENT - 1,
        STARTING_PRICE + INCREMENT + 1,
        STARTING_PRICE + INCREMENT + INCREMENT // 2,
    ],
)
def test_a_later_bid_off_the_increment_grid_is_refused(amount):
    error = refusal(with_bids((ALICE, STARTING_PRICE)), BOB, amount, MID + MS)
    assert error.code == "bid_not_on_increment"
    assert error.extra["minimum"] == STARTING_PRICE + INCREMENT


def test_the_increment_grid_is_anchored_on_the_current_price_not_on_zero():
    # a starting price with fen, as in the real records: 9,244,399.94 yuan, increment 46,000 yuan
    state = auction(starting_price=924_439_994, increment=4_600_000)
    state = bid(state, ALICE, 924_439_994, MID)
    state = bid(state, BOB, 924_439_994 + 4_600_000, MID + MS)
    assert state.current_price == 929_039_994
    assert refusal(state, ALICE, 929_000_000 + 4_600_000, MID + 2 * MS).code == "bid_not_on_increment"


@pytest.mark.parametrize(
    "amount", [STARTING_PRICE + INCREMENT, STARTING_PRICE + INCREMENT - 1, STARTING_PRICE, STARTING_PRICE - INCREMENT]
)
def test_a_non_holder_bidding_at_or_below_the_current_price_is_refused_as_too_low(amount):
    state = with_bids((ALICE, STARTING_PRICE), (BOB, STARTING_PRICE + INCREMENT))
    error = refusal(state, CAROL, amount, MID + timedelta(seconds=1))
    assert error.code == "bid_too_low"
    assert error.extra["minimum"] == STARTING_PRICE + 2 * INCREMENT


def test_the_leader_may_raise_their_own_bid():
    state = with_bids((ALICE, STARTING_PRICE))
    state = bid(state, ALICE, STARTING_PRICE + 2 * INCREMENT, MID + MS)
    assert state.current_price == STARTING_PRICE + 2 * INCREMENT
    assert state.leader_code == "A1001"
    assert state.seq == 2


def test_the_leader_cannot_bid_the_current_price_again():
    assert refusal(with_bids((ALICE, STARTING_PRICE)), ALICE, STARTING_PRICE, MID + MS).code == "bid_too_low"


# --- rules 10-11: bid time, the bidding window and the soft close -----------------------------------------


def test_a_bid_before_the_start_is_refused_as_not_live():
    error = refusal(auction(), ALICE, STARTING_PRICE, START - MS)
    assert error.code == "auction_not_live"
    assert error.kind is Kind.CONFLICT


def test_a_bid_exactly_at_the_start_is_accepted():
    assert bid(auction(), ALICE, STARTING_PRICE, START).current_price == STARTING_PRICE


def test_a_bid_exactly_at_the_end_time_is_refused():
    state = with_bids((ALICE, STARTING_PRICE))
    assert refusal(state, BOB, STARTING_PRICE + INCREMENT, END).code == "auction_not_live"


def test_a_bid_after_the_end_is_refused_even_if_the_auction_was_never_closed():
    state = with_bids((ALICE, STARTING_PRICE))
    assert state.status == "live"
    assert refusal(state, BOB, STARTING_PRICE + INCREMENT, END + timedelta(hours=1)).code == "auction_not_live"
    assert refusal(auction(), BOB, STARTING_PRICE, END + MS).code == "auction_not_live"


def test_a_bid_one_millisecond_before_the_end_is_accepted_and_extends_the_end():
    state = bid(with_bids((ALICE, STARTING_PRICE)), BOB, STARTING_PRICE + INCREMENT, END - MS)
    assert state.leader_code == "B2002"
    assert state.end_at == END - MS + FIVE_MINUTES


def test_a_bid_with_exactly_five_minutes_left_does_not_extend_the_end():
    state, placed = decide_bid(auction(), ALICE, STARTING_PRICE, END - FIVE_MINUTES, JUDICIAL_2016)
    assert state.end_at == END
    assert state.extension_count == 0
    assert placed.extended is False
    assert placed.end_at == END


def test_a_bid_with_four_minutes_59_999_seconds_left_extends_the_end_to_its_time_plus_five_minutes():
    at = END - FIVE_MINUTES + MS
    state, placed = decide_bid(auction(), ALICE, STARTING_PRICE, at, JUDICIAL_2016)
    assert state.end_at == at + FIVE_MINUTES == END + MS
    assert state.extension_count == 1
    assert placed.extended is True
    assert placed.end_at == state.end_at


def test_the_new_end_is_the_bids_time_plus_five_minutes_not_the_old_end_plus_five_minutes():
    at = END - timedelta(minutes=4)
    state = bid(auction(), ALICE, STARTING_PRICE, at)
    assert state.end_at == END + timedelta(minutes=1)


def test_a_bid_long_before_the_end_leaves_the_end_unchanged():
    state = with_bids((ALICE, STARTING_PRICE), (BOB, STARTING_PRICE + INCREMENT))
    assert state.end_at == END
    assert state.extension_count == 0


def test_extensions_have_no_cap_and_each_is_counted():
    state = auction()
    at = END - timedelta(minutes=1)
    amount = STARTING_PRICE
    bidders = [ALICE, BOB]
    for i in range(60):
        state, placed = decide_bid(state, bidders[i % 2], amount, at, JUDICIAL_2016)
        assert placed.extended
        assert state.end_at == at + FIVE_MINUTES
        amount += INCREMENT
        at += timedelta(minutes=4, seconds=59, milliseconds=999)
    assert state.extension_count == 60
    assert state.seq == 60
    assert state.end_at > END + timedelta(hours=4)
    assert state.scheduled_end_at == END
    assert effective_status(state, state.end_at - MS) == "live"
    assert effective_status(state, state.end_at) == "sold"


def test_the_sandbox_profile_keeps_the_five_minute_soft_close():
    state, placed = decide_bid(auction(), ALICE, STARTING_PRICE, END - MS, SANDBOX)
    assert placed.extended
    assert state.end_at == END - MS + FIVE_MINUTES


def test_seq_increases_by_one_for_each_accepted_bid_and_not_for_refusals():
    state = auction()
    amount = STARTING_PRICE
    for expected_seq in range(1, 11):
        with pytest.raises(RuleViolation):
            decide_bid(state, BOB, amount + 1, MID, JUDICIAL_2016)
        state, placed = decide_bid(state, ALICE if expected_seq % 2 else BOB, amount, MID, JUDICIAL_2016)
        assert placed.seq == state.seq == expected_seq
        amount += INCREMENT


def test_a_refused_bid_leaves_the_state_as_it_was():
    state = with_bids((ALICE, STARTING_PRICE))
    before = dataclasses.replace(state)
    for bidder, amount, at in [
        (BOB, STARTING_PRICE + 1, MID + MS),
        (BOB, STARTING_PRICE, MID + MS),
        (BOB, STARTING_PRICE + INCREMENT, END),
        (BOB, STARTING_PRICE + INCREMENT, START - MS),
    ]:
        with pytest.raises(RuleViolation):
            decide_bid(state, bidder, amount, at, JUDICIAL_2016)
        assert state == before
    assert bid(state, BOB, STARTING_PRICE + INCREMENT, MID + MS).seq == 2


def test_an_accepted_bid_returns_a_new_state_and_leaves_the_input_untouched():
    state = auction()
    after = bid(state, ALICE, STARTING_PRICE, MID)
    assert after is not state
    assert state.current_price is None
    assert state.seq == 0
    assert state.status == "announced"
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.current_price = 1  # type: ignore[misc]


# --- rule 12: priority holders ------------------------------------------------------------------------


def test_a_priority_holder_may_match_a_non_holders_price_and_takes_the_lead():
    state = with_bids((ALICE, STARTING_PRICE), (BOB, STARTING_PRICE + INCREMENT))
    state, placed = decide_bid(state, HOLDER_RANK2, STARTING_PRICE + INCREMENT, MID + MS * 5, JUDICIAL_2016)
    assert state.current_price == STARTING_PRICE + INCREMENT
    assert (state.leader_registration_id, state.leader_code, state.leader_rank) == (13, "P1303", 2)
    assert state.seq == 3
    assert placed.priority is True
    assert placed.amount == STARTING_PRICE + INCREMENT


def test_a_better_ranked_holder_may_match_a_worse_ranked_holder():
    state = with_bids((ALICE, STARTING_PRICE), (HOLDER_RANK2, STARTING_PRICE))
    state = bid(state, HOLDER_RANK1, STARTING_PRICE, MID + timedelta(seconds=1))
    assert state.leader_code == "P1101"
    assert state.leader_rank == 1
    assert state.current_price == STARTING_PRICE


def test_a_worse_ranked_holder_cannot_match_a_better_ranked_holder():
    state = with_bids((ALICE, STARTING_PRICE), (HOLDER_RANK1, STARTING_PRICE))
    error = refusal(state, HOLDER_RANK2, STARTING_PRICE, MID + timedelta(seconds=1))
    assert error.code == "bid_too_low"
    assert error.extra["minimum"] == STARTING_PRICE + INCREMENT


def test_at_equal_rank_the_earlier_bid_keeps_the_lead():
    state = with_bids((ALICE, STARTING_PRICE), (HOLDER_RANK1, STARTING_PRICE))
    assert refusal(state, OTHER_HOLDER_RANK1, STARTING_PRICE, MID + timedelta(seconds=1)).code == "bid_too_low"
    # the same when the earlier holder raised instead of matching
    state = with_bids((ALICE, STARTING_PRICE), (HOLDER_RANK1, STARTING_PRICE + INCREMENT))
    assert refusal(state, OTHER_HOLDER_RANK1, STARTING_PRICE + INCREMENT, MID + timedelta(seconds=1)).code == (
        "bid_too_low"
    )


def test_a_non_holder_may_never_match_the_current_price():
    for state in (
        with_bids((ALICE, STARTING_PRICE)),
        with_bids((ALICE, STARTING_PRICE), (HOLDER_RANK2, STARTING_PRICE)),
        with_bids((HOLDER_RANK1, STARTING_PRICE)),
    ):
        assert refusal(state, BOB, STARTING_PRICE, MID + timedelta(seconds=1)).code == "bid_too_low"


def test_a_holder_cannot_match_their_own_lead():
    state = with_bids((HOLDER_RANK2, STARTING_PRICE))
    assert refusal(state, HOLDER_RANK2, STARTING_PRICE, MID + MS).code == "bid_too_low"
    state = with_bids((ALICE, STARTING_PRICE), (HOLDER_RANK2, STARTING_PRICE))
    assert refusal(state, HOLDER_RANK2, STARTING_PRICE, MID + timedelta(seconds=1)).code == "bid_too_low"


def test_a_holder_cannot_match_below_the_current_price():
    state = with_bids((ALICE, STARTING_PRICE), (BOB, STARTING_PRICE + INCREMENT))
    assert refusal(state, HOLDER_RANK1, STARTING_PRICE, MID + timedelta(seconds=1)).code == "bid_too_low"


def test_after_a_match_non_holders_must_bid_strictly_higher():
    state = with_bids((ALICE, STARTING_PRICE), (HOLDER_RANK1, STARTING_PRICE))
    at = MID + timedelta(seconds=1)
    assert refusal(state, ALICE, STARTING_PRICE, at).code == "bid_too_low"
    assert refusal(state, BOB, STARTING_PRICE, at).code == "bid_too_low"
    state = bid(state, ALICE, STARTING_PRICE + INCREMENT, at)
    assert state.leader_code == "A1001"
    assert state.leader_rank is None


def test_the_outbid_holder_may_match_again_after_a_non_holder_raises():
    state = with_bids((ALICE, STARTING_PRICE), (HOLDER_RANK1, STARTING_PRICE), (ALICE, STARTING_PRICE + INCREMENT))
    state = bid(state, HOLDER_RANK1, STARTING_PRICE + INCREMENT, MID + timedelta(seconds=1))
    assert state.leader_code == "P1101"
    assert state.seq == 4


def test_a_holder_may_also_raise_by_increments_and_such_bids_are_marked_priority():
    state = with_bids((ALICE, STARTING_PRICE))
    state, placed = decide_bid(state, HOLDER_RANK2, STARTING_PRICE + 2 * INCREMENT, MID + MS, JUDICIAL_2016)
    assert placed.priority is True
    assert state.leader_rank == 2
    assert refusal(state, HOLDER_RANK2, STARTING_PRICE + 2 * INCREMENT + 1, MID + 2 * MS).code == (
        "bid_not_on_increment"
    )


def test_bids_of_bidders_without_a_priority_right_are_not_marked_priority():
    _, placed = decide_bid(with_bids((ALICE, STARTING_PRICE)), BOB, STARTING_PRICE + INCREMENT, MID + MS, SANDBOX)
    assert placed.priority is False


def test_a_priority_match_in_the_last_five_minutes_extends_the_end():
    at = END - timedelta(minutes=2)
    state = bid(auction(), ALICE, STARTING_PRICE, at)
    state, placed = decide_bid(state, HOLDER_RANK1, STARTING_PRICE, at + timedelta(minutes=1), JUDICIAL_2016)
    assert placed.extended
    assert state.end_at == at + timedelta(minutes=6)
    assert state.extension_count == 2


# --- effective status, opening and closing (rule 15) -----------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (START - timedelta(days=10), "announced"),
        (START - MS, "announced"),
        (START, "live"),
        (END - MS, "live"),
        (END, "unsold"),
        (END + timedelta(days=3), "unsold"),
    ],
)
def test_time_alone_moves_an_auction_without_bids_through_its_statuses(at, expected):
    assert effective_status(auction(), at) == expected


def test_an_auction_with_a_bid_is_sold_from_its_end_on():
    state = with_bids((ALICE, STARTING_PRICE))
    assert effective_status(state, END - MS) == "live"
    assert effective_status(state, END) == "sold"


def test_an_extended_auction_is_still_live_after_its_scheduled_end():
    state = bid(auction(), ALICE, STARTING_PRICE, END - timedelta(minutes=1))
    assert effective_status(state, END) == "live"
    assert effective_status(state, END + timedelta(minutes=4) - MS) == "live"
    assert effective_status(state, END + timedelta(minutes=4)) == "sold"


@pytest.mark.parametrize("stored", ["suspended", "withdrawn", "sold", "unsold"])
def test_a_stored_side_or_final_status_does_not_change_with_time(stored):
    state = auction(status=stored)
    for at in (START - MS, MID, END + timedelta(days=1)):
        assert effective_status(state, at) == stored


def test_open_makes_the_stored_status_live_only_within_the_bidding_period():
    state = auction()
    assert open_(state, START - MS) is state
    assert open_(state, START).status == "live"
    assert open_(state, END) is state
    assert open_(auction(status="suspended"), MID).status == "suspended"


def test_closing_before_the_end_is_refused():
    state = with_bids((ALICE, STARTING_PRICE))
    with pytest.raises(RuleViolation) as excinfo:
        close(state, END - MS)
    assert excinfo.value.code == "auction_not_ended"
    assert excinfo.value.kind is Kind.CONFLICT


def test_closing_with_a_bid_sells_to_the_leader_at_the_true_end():
    state = with_bids((ALICE, STARTING_PRICE), (BOB, STARTING_PRICE + INCREMENT))
    closed = close(state, END)
    assert closed.status == "sold"
    assert closed.closed_at == END
    assert closed.leader_code == "B2002"
    assert closed.current_price == STARTING_PRICE + INCREMENT


def test_a_late_close_records_the_true_end_not_the_time_it_ran():
    state = bid(auction(), ALICE, STARTING_PRICE, END - timedelta(minutes=2))
    closed = close(state, END + timedelta(hours=6))
    assert closed.status == "sold"
    assert closed.closed_at == END + timedelta(minutes=3)


def test_closing_without_any_bid_is_unsold():
    closed = close(auction(), END + timedelta(minutes=1))
    assert closed.status == "unsold"
    assert closed.closed_at == END
    assert closed.current_price is None


@pytest.mark.parametrize("stored", ["sold", "unsold", "suspended", "withdrawn"])
def test_only_an_announced_or_live_auction_can_be_closed(stored):
    with pytest.raises(RuleViolation) as excinfo:
        close(auction(status=stored), END + timedelta(days=1))
    assert excinfo.value.code == "auction_not_live"


def test_no_bid_is_accepted_once_the_auction_is_closed():
    closed = close(with_bids((ALICE, STARTING_PRICE)), END)
    # even at a time that would be inside the bidding period
    assert refusal(closed, BOB, STARTING_PRICE + INCREMENT, MID + timedelta(hours=1)).code == "auction_not_live"


# --- rule 20: suspension, resumption and withdrawal ------------------------------------------------------


def test_a_live_auction_can_be_suspended_with_a_reason_and_refuses_bids_meanwhile():
    state = with_bids((ALICE, STARTING_PRICE))
    suspended = suspend(state, MID + timedelta(hours=1), "objection filed")
    assert suspended.status == "suspended"
    assert suspended.status_reason == "objection filed"
    assert suspended.suspended_at == MID + timedelta(hours=1)
    assert refusal(suspended, BOB, STARTING_PRICE + INCREMENT, MID + timedelta(hours=2)).code == "auction_not_live"
    assert effective_status(suspended, END + timedelta(days=2)) == "suspended"


def test_resuming_moves_the_end_by_the_length_of_the_pause():
    state = with_bids((ALICE, STARTING_PRICE))
    suspended = suspend(state, MID + timedelta(hours=1), "objection filed")
    resumed = resume(suspended, MID + timedelta(hours=1, minutes=30, milliseconds=250))
    assert resumed.status == "live"
    assert resumed.end_at == END + timedelta(minutes=30, milliseconds=250)
    assert resumed.scheduled_end_at == END
    assert resumed.suspended_at is None
    assert resumed.status_reason is None
    assert resumed.current_price == STARTING_PRICE
    assert resumed.leader_code == "A1001"


def test_the_time_left_when_suspended_is_given_back_on_resumption():
    state = with_bids((ALICE, STARTING_PRICE))
    suspended = suspend(state, END - timedelta(minutes=1), "system fault")
    resumed = resume(suspended, END + timedelta(days=2))
    assert resumed.end_at - (END + timedelta(days=2)) == timedelta(minutes=1)


def test_a_pause_entirely_before_the_start_does_not_move_the_end():
    suspended = suspend(auction(), START - timedelta(days=3), "postponed")
    resumed = resume(suspended, START - timedelta(days=1))
    assert resumed.status == "announced"
    assert resumed.end_at == END


def test_only_the_part_of_a_pause_that_overlaps_the_bidding_period_moves_the_end():
    suspended = suspend(auction(), START - timedelta(days=3), "postponed")
    resumed = resume(suspended, START + timedelta(hours=2))
    assert resumed.status == "live"
    assert resumed.end_at == END + timedelta(hours=2)


@pytest.mark.parametrize("stored", ["announced", "live", "sold", "unsold", "withdrawn"])
def test_only_a_suspended_auction_can_be_resumed(stored):
    with pytest.raises(RuleViolation) as excinfo:
        resume(auction(status=stored), MID)
    assert excinfo.value.code == "auction_not_suspended"


def test_an_ended_auction_cannot_be_suspended():
    for state in (with_bids((ALICE, STARTING_PRICE)), auction(), auction(status="withdrawn")):
        with pytest.raises(RuleViolation) as excinfo:
            suspend(state, END, "too late")
        assert excinfo.value.code == "auction_not_suspendable"
    with pytest.raises(RuleViolation):
        suspend(auction(status="suspended"), MID, "twice")


def test_an_announced_auction_can_be_withdrawn_before_bidding_starts():
    withdrawn = withdraw(auction(), START - MS, "debt settled")
    assert withdrawn.status == "withdrawn"
    assert withdrawn.status_reason == "debt settled"


def test_an_auction_suspended_before_the_start_can_be_withdrawn_before_the_start():
    suspended = suspend(auction(), START - timedelta(days=2), "postponed")
    withdrawn = withdraw(suspended, START - timedelta(days=1), "debt settled")
    assert withdrawn.status == "withdrawn"
    assert withdrawn.suspended_at is None


@pytest.mark.parametrize("at", [START, MID, END, END + timedelta(days=1)])
def test_an_auction_cannot_be_withdrawn_once_bidding_has_started(at):
    with pytest.raises(RuleViolation) as excinfo:
        withdraw(auction(), at, "too late")
    assert excinfo.value.code == "auction_not_withdrawable"


def test_an_auction_suspended_during_bidding_cannot_be_withdrawn():
    suspended = suspend(with_bids((ALICE, STARTING_PRICE)), MID + timedelta(hours=1), "objection")
    with pytest.raises(RuleViolation) as excinfo:
        withdraw(suspended, MID + timedelta(hours=2), "withdrawn")
    assert excinfo.value.code == "auction_not_withdrawable"


# --- rules 7 and 8: who may register and bid ------------------------------------------------------------


@pytest.mark.parametrize("at", [START - timedelta(days=20), START, END - MS])
def test_registration_is_open_until_bidding_ends(at):
    check_registration_open(auction(), at)  # does not raise


def test_registration_stays_open_while_an_extended_auction_is_live():
    state = bid(auction(), ALICE, STARTING_PRICE, END - timedelta(minutes=1))
    check_registration_open(state, END + timedelta(minutes=3))


@pytest.mark.parametrize(
    ("state", "at"),
    [
        (auction(), END),
        (auction(), END + timedelta(days=1)),
        (auction(status="sold"), MID),
        (auction(status="unsold"), MID),
        (auction(status="withdrawn"), START - timedelta(days=1)),
    ],
)
def test_registration_is_refused_once_bidding_has_ended(state, at):
    with pytest.raises(RuleViolation) as excinfo:
        check_registration_open(state, at)
    assert excinfo.value.code == "registration_closed"
    assert excinfo.value.kind is Kind.CONFLICT


def test_bidders_may_bid():
    check_can_bid("bidder")


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_court_and_platform_staff_may_never_bid(role):
    with pytest.raises(RuleViolation) as excinfo:
        check_can_bid(role)
    assert excinfo.value.code == "staff_cannot_bid"
    assert excinfo.value.kind is Kind.NOT_ALLOWED


def test_an_auction_suspended_before_its_start_can_still_be_withdrawn_after_the_start_time_passed():
    from datetime import UTC, datetime, timedelta

    from auction_rules import bidding
    from auction_rules.bidding import AuctionState

    start = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    state = AuctionState(
        id=1,
        status="announced",
        start_at=start,
        end_at=start + timedelta(hours=24),
        scheduled_end_at=start + timedelta(hours=24),
        starting_price=100_00,
        increment=10_00,
    )
    suspended = bidding.suspend(state, start - timedelta(days=1), "异议审查")
    withdrawn = bidding.withdraw(suspended, start + timedelta(hours=1), "撤回拍卖")
    assert withdrawn.status == "withdrawn"


def test_a_bid_changes_only_the_columns_the_writer_writes_for_bids():
    """The group writer writes only BID_COLUMNS for groups made of bids: a bid must never change any
    other part of the auction's state."""
    from dataclasses import fields
    from datetime import UTC, datetime, timedelta

    from auction_rules import bidding
    from auction_rules.bidding import AuctionState, Bidder
    from auction_rules.profiles import JUDICIAL_2016
    from auction_service.db.auction_rows import BID_COLUMNS

    start = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    for round_ in ("1", "sale"):
        state = AuctionState(
            id=1,
            status="announced",
            start_at=start,
            end_at=start + timedelta(hours=24),
            scheduled_end_at=start + timedelta(hours=24),
            starting_price=100_00,
            increment=10_00,
            round=round_,
        )
        moment = start + timedelta(hours=23, minutes=58)
        after, _ = bidding.decide_bid(state, Bidder(1, "A0001", 1), 100_00, moment, JUDICIAL_2016)
        after, _ = bidding.decide_bid(after, Bidder(2, "B0002"), 110_00, moment, JUDICIAL_2016)
        changed = {f.name for f in fields(AuctionState) if getattr(state, f.name) != getattr(after, f.name)}
        assert changed <= set(BID_COLUMNS), changed - set(BID_COLUMNS)
