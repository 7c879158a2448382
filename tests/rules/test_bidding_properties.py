"""Properties of the bidding engine: random bid sequences, clock ticks and close attempts checked against an
independent model of rules 9-12 and 15 (docs/domain.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from auction_rules.bidding import ENDED, AuctionState, Bidder, close, decide_bid, effective_status, open_
from auction_rules.errors import RuleViolation
from auction_rules.profiles import JUDICIAL_2016

MS = timedelta(milliseconds=1)
FIVE_MINUTES = timedelta(minutes=5)
START = datetime(2026, 5, 25, 2, 0, tzinfo=UTC)
END = START + timedelta(minutes=8)  # short, so that random ticks reach the soft close and the end
STARTING_PRICE = 1_000_000
INCREMENT = 10_000

BIDDERS = [
    Bidder(1, "A0001"),
    Bidder(2, "B0002"),
    Bidder(3, "C0003"),
    Bidder(4, "P0004", priority_rank=1),
    Bidder(5, "P0005", priority_rank=1),
    Bidder(6, "P0006", priority_rank=2),
    Bidder(7, "P0007", priority_rank=3),
]

# How a bid's amount is chosen relative to the price at the time: a mix of valid and invalid amounts.
AMOUNTS = st.one_of(
    st.tuples(st.just("steps"), st.integers(min_value=-2, max_value=4)),  # current + k increments (k=0: match)
    st.tuples(st.just("near"), st.integers(min_value=-INCREMENT - 2, max_value=INCREMENT)),  # around the minimum
    st.tuples(st.just("raw"), st.integers(min_value=0, max_value=3 * STARTING_PRICE)),
)
TICKS = st.one_of(
    st.integers(min_value=0, max_value=2_000),
    st.integers(min_value=0, max_value=30_000),
    st.integers(min_value=0, max_value=4 * 60_000),
)


def auction() -> AuctionState:
    return AuctionState(
        id=1,
        status="announced",
        start_at=START,
        end_at=END,
        scheduled_end_at=END,
        starting_price=STARTING_PRICE,
        increment=INCREMENT,
    )


@dataclass(frozen=True)
class ModelBid:
    seq: int
    bidder: Bidder
    amount: int


def tie_key(b: ModelBid) -> tuple[int, int, int]:
    """Rule 12 at one price: a priority holder beats a non-holder, a smaller rank beats a larger one, and
    otherwise the earlier bid wins. The smallest key leads."""
    rank = b.bidder.priority_rank
    return (0, rank, b.seq) if rank is not None else (1, 0, b.seq)


class BiddingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.state = auction()
        # the model
        self.bids: list[ModelBid] = []
        self.end = END
        self.extensions = 0
        self.closed = False
        # for the monotonicity invariants
        self.seen_price: int | None = None
        self.seen_end = END

    # --- the model of the rules --------------------------------------------------------------------------

    def model_current(self) -> int | None:
        return max((b.amount for b in self.bids), default=None)

    def model_leader(self) -> ModelBid | None:
        current = self.model_current()
        if current is None:
            return None
        return min((b for b in self.bids if b.amount == current), key=tie_key)

    def expected_refusal(self, bidder: Bidder, amount: int) -> str | None:
        if self.closed or self.now < START or self.now >= self.end:
            return "auction_not_live"
        current = self.model_current()
        if current is None:
            if amount < STARTING_PRICE:
                return "bid_too_low"
            return None if amount == STARTING_PRICE else "bid_not_on_increment"
        if amount < current:
            return "bid_too_low"
        if amount == current:
            leader = self.model_leader()
            assert leader is not None
            challenger = ModelBid(len(self.bids) + 1, bidder, amount)
            return None if tie_key(challenger) < tie_key(leader) and leader.bidder != bidder else "bid_too_low"
        return None if (amount - current) % INCREMENT == 0 else "bid_not_on_increment"

    def amount_for(self, how: tuple[str, int]) -> int:
        kind, n = how
        current = self.model_current()
        if kind == "raw":
            return n
        if kind == "steps":
            return (STARTING_PRICE if current is None else current) + n * INCREMENT
        minimum = STARTING_PRICE if current is None else current + INCREMENT
        return minimum + n

    # --- rules -------------------------------------------------------------------------------------------

    @initialize(ms_before_start=st.sampled_from([0, 0, 0, 1, 2_000]))
    def the_clock_starts(self, ms_before_start: int) -> None:
        self.now = START - ms_before_start * MS

    @rule(bidder=st.sampled_from(BIDDERS), how=AMOUNTS)
    def place_any_bid(self, bidder: Bidder, how: tuple[str, int]) -> None:
        self.check_bid(bidder, self.amount_for(how))

    @rule(bidder=st.sampled_from(BIDDERS), steps=st.integers(min_value=0, max_value=3), match=st.booleans())
    def place_a_plausible_bid(self, bidder: Bidder, steps: int, match: bool) -> None:
        """A bid a real bidder would make: the starting price, a match, or a raise by whole increments."""
        current = self.model_current()
        if current is None:
            amount = STARTING_PRICE if match else STARTING_PRICE + steps * INCREMENT
        else:
            amount = current if match else current + (steps + 1) * INCREMENT
        self.check_bid(bidder, amount)

    def check_bid(self, bidder: Bidder, amount: int) -> None:
        expected = self.expected_refusal(bidder, amount)
        before = self.state
        try:
            after, placed = decide_bid(before, bidder, amount, self.now, JUDICIAL_2016)
        except RuleViolation as refusal:
            assert refusal.code == expected, f"refused {amount} as {refusal.code}, the model says {expected}"
            event(f"bid refused: {refusal.code}")
            return
        assert expected is None, f"accepted {amount} at {self.now}, the model refuses it as {expected}"
        # no bid is accepted at or after the end, nor once closed
        assert self.now < before.end_at
        assert before.status not in ENDED
        self.bids.append(ModelBid(len(self.bids) + 1, bidder, amount))
        event("priority match accepted" if amount == before.current_price else "bid accepted")
        if self.end - self.now < FIVE_MINUTES:
            self.end = self.now + FIVE_MINUTES
            self.extensions += 1
            assert placed.extended
        else:
            assert not placed.extended
        assert placed.seq == len(self.bids)
        assert (placed.amount, placed.registration_id, placed.placed_at) == (amount, bidder.registration_id, self.now)
        assert placed.end_at == after.end_at == self.end
        assert placed.priority == (bidder.priority_rank is not None)
        self.state = after

    @rule(ms=TICKS)
    def the_clock_ticks(self, ms: int) -> None:
        self.now += ms * MS

    @rule(where=st.sampled_from(["start", "end", "1 ms before the end", "5 min before the end", "4:59.999 left"]))
    def the_clock_reaches_a_boundary(self, where: str) -> None:
        target = {
            "start": START,
            "end": self.end,
            "1 ms before the end": self.end - MS,
            "5 min before the end": self.end - FIVE_MINUTES,
            "4:59.999 left": self.end - FIVE_MINUTES + MS,
        }[where]
        self.now = max(self.now, target)  # time never goes back

    @rule()
    def the_scheduler_opens_the_auction(self) -> None:
        self.state = open_(self.state, self.now)

    @rule()
    def try_to_close(self) -> None:
        try:
            closed = close(self.state, self.now)
        except RuleViolation as refusal:
            expected = "auction_not_live" if self.closed else "auction_not_ended"
            assert refusal.code == expected
            assert self.closed or self.now < self.end
            return
        assert not self.closed
        assert self.now >= self.end
        assert closed.closed_at == self.end
        assert closed.status == ("sold" if self.bids else "unsold")
        self.closed = True
        self.state = closed
        event(f"closed {closed.status} after {min(self.extensions, 5)}{'+' if self.extensions >= 5 else ''} extensions")

    # --- invariants --------------------------------------------------------------------------------------

    @invariant()
    def the_price_never_falls(self) -> None:
        price = self.state.current_price
        if self.seen_price is not None:
            assert price is not None and price >= self.seen_price
        self.seen_price = price
        assert price == self.model_current()

    @invariant()
    def the_leader_holds_the_highest_valid_bid(self) -> None:
        leader = self.model_leader()
        if leader is None:
            assert self.state.leader_registration_id is None
        else:
            assert self.state.leader_registration_id == leader.bidder.registration_id
            assert self.state.leader_code == leader.bidder.code
            assert self.state.leader_rank == leader.bidder.priority_rank

    @invariant()
    def the_end_only_moves_forward(self) -> None:
        assert self.state.end_at >= self.seen_end
        self.seen_end = self.state.end_at
        assert self.state.end_at == self.end
        assert self.state.scheduled_end_at == END

    @invariant()
    def seq_counts_the_accepted_bids(self) -> None:
        assert self.state.seq == len(self.bids)
        assert self.state.extension_count == self.extensions

    @invariant()
    def the_status_follows_the_clock(self) -> None:
        status = effective_status(self.state, self.now)
        if self.closed:
            assert self.state.status == status == ("sold" if self.bids else "unsold")
        elif self.now < START:
            assert status == "announced"
        elif self.now < self.end:
            assert status == "live"
        else:
            assert status == ("sold" if self.bids else "unsold")


BiddingMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestBiddingMachine = BiddingMachine.TestCase


# --- single-bid properties ------------------------------------------------------------------------------

LIVE_OFFSETS = st.integers(min_value=0, max_value=(END - START) // MS - 1)


@settings(max_examples=200, database=None)
@given(amount=st.integers(min_value=0, max_value=3 * STARTING_PRICE), offset_ms=LIVE_OFFSETS)
def test_a_first_bid_is_accepted_if_and_only_if_it_is_the_starting_price(amount, offset_ms):
    try:
        state, _ = decide_bid(auction(), BIDDERS[0], amount, START + offset_ms * MS, JUDICIAL_2016)
    except RuleViolation as refusal:
        assert amount != STARTING_PRICE
        assert refusal.code == ("bid_too_low" if amount < STARTING_PRICE else "bid_not_on_increment")
    else:
        assert amount == STARTING_PRICE
        assert state.current_price == amount


@settings(max_examples=200, database=None)
@given(raise_by=st.integers(min_value=-3 * INCREMENT, max_value=20 * INCREMENT), offset_ms=LIVE_OFFSETS)
def test_a_later_bid_is_accepted_if_and_only_if_it_is_whole_increments_above_the_price(raise_by, offset_ms):
    at = START + offset_ms * MS
    state, _ = decide_bid(auction(), BIDDERS[0], STARTING_PRICE, START, JUDICIAL_2016)
    try:
        after, _ = decide_bid(state, BIDDERS[1], STARTING_PRICE + raise_by, at, JUDICIAL_2016)
    except RuleViolation as refusal:
        assert raise_by <= 0 or raise_by % INCREMENT
        assert refusal.code == ("bid_too_low" if raise_by <= 0 else "bid_not_on_increment")
    else:
        assert raise_by > 0 and raise_by % INCREMENT == 0
        assert after.leader_code == BIDDERS[1].code


@settings(max_examples=200, database=None)
@given(ms_left=st.integers(min_value=-60_000, max_value=(END - START) // MS))
def test_the_end_after_a_bid_is_the_later_of_the_old_end_and_the_bid_time_plus_five_minutes(ms_left):
    at = END - ms_left * MS
    try:
        state, placed = decide_bid(auction(), BIDDERS[0], STARTING_PRICE, at, JUDICIAL_2016)
    except RuleViolation as refusal:
        assert ms_left <= 0
        assert refusal.code == "auction_not_live"
    else:
        assert ms_left > 0
        assert state.end_at == max(END, at + FIVE_MINUTES)
        assert placed.extended == (ms_left < 5 * 60_000)
