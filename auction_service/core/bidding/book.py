"""The book of one auction: the bid's ordering and commit logic, pure (no asyncio, no SQL, no clock).

Changes come in as ops (a bid, or a state change such as a close) with the moment they were received;
out come the rows a group commit must write, and, once the engine reports how that commit went, the
answers for the callers and the events for the watchers. The engine (``engine.py``) does the I/O around
it, the way the websockets library wraps its Sans-I/O protocol.

The book keeps three things apart:

* ``committed``: the state the database holds (as far as this process knows);
* ``in_flight``: ops whose group is being written now;
* ``pending``: ops decided since, waiting for the next group.

``state`` is the state after every op decided so far: new ops are decided against it, so decisions on
one auction are totally ordered. It runs ahead of the database by at most the ops in flight and
pending; if their commit fails or loses a race with another process, ``rebase`` decides the survivors
again on top of what the database holds, and the rest are answered with a refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from auction_rules import audit, bidding
from auction_rules.bidding import AuctionState, Bidder, PlacedBid, evolve
from auction_rules.errors import RuleViolation, unavailable
from auction_rules.profiles import RuleProfile

from ...db.writes import AuctionWrite, BidRow, Effect
from .events import BidPlaced, DomainEvent

Transition = Callable[[AuctionState, datetime], AuctionState]
EffectsOf = Callable[[AuctionState, AuctionState, datetime], list[Effect]]
EventsOf = Callable[[AuctionState, AuctionState], list[DomainEvent]]
Outcome = PlacedBid | AuctionState | RuleViolation  # what a caller is answered
Answer = tuple["Op", Outcome]


def storage_failed() -> RuleViolation:
    return unavailable("storage_unavailable", "the database did not accept the change; nothing was recorded, retry")


@dataclass(eq=False, slots=True)
class BidOp:
    """A bid decided by the rules, waiting for its commit."""

    bidder_id: int  # the account: idempotency keys are per account
    bidder: Bidder
    amount: int
    key: str | None  # Idempotency-Key
    received_at: datetime
    before: AuctionState
    after: AuctionState
    placed: PlacedBid
    chain_hash: str = ""  # set when its group is built

    def redecide(
        self, state: AuctionState, bidders: Mapping[int, Bidder], profile: RuleProfile, ineligible: Mapping[int, str]
    ) -> None:
        """Decide again on top of ``state`` (after a lost race): the bid keeps its moment of receipt,
        but never goes before a bid already stored."""
        now = max(self.received_at, state.last_bid_at or self.received_at)
        self.bidder = bidders.get(self.bidder_id, self.bidder)
        self.after, self.placed = bidding.decide_bid(state, self.bidder, self.amount, now, profile, ineligible)
        self.before = state

    def outcome(self) -> Outcome:
        return self.placed

    def events(self, auction_id: int) -> list[DomainEvent]:
        return [BidPlaced(auction_id, self.placed)]


@dataclass(eq=False, slots=True)
class ChangeOp:
    """A change of the auction's state other than a bid (open, close, suspend...), ordered with the bids."""

    transition: Transition
    received_at: datetime
    before: AuctionState
    after: AuctionState
    effects_of: EffectsOf | None = None
    events_of: EventsOf | None = None

    def redecide(self, state: AuctionState, now: datetime) -> None:
        self.after = self.transition(state, now)
        self.before = state

    def outcome(self) -> Outcome:
        return self.after

    def events(self, auction_id: int) -> list[DomainEvent]:
        return self.events_of(self.before, self.after) if self.events_of is not None else []


Op = BidOp | ChangeOp


@dataclass(slots=True)
class Settled:
    """A group committed: every caller's answer, and the events to publish, in order."""

    answers: list[Answer]
    events: list[DomainEvent]


class Book:
    """One auction's decisions (see the module docstring)."""

    __slots__ = (
        "bidders",
        "codes",
        "committed",
        "head_hash",
        "in_flight",
        "ineligible",
        "lot_id",
        "pending",
        "state",
    )

    def __init__(
        self,
        committed: AuctionState,
        lot_id: int,
        head_hash: str,
        bidders: Mapping[int, Bidder],
        ineligible: Mapping[int, str] | None = None,
    ) -> None:
        self.committed = committed
        self.state = committed
        self.lot_id = lot_id
        self.head_hash = head_hash  # chain hash of the last committed bid (auction_rules/audit.py)
        self.pending: list[Op] = []
        self.in_flight: list[Op] = []
        self.bidders: dict[int, Bidder] = {}  # account id -> registration
        self.codes: set[str] = set()
        # registration id -> refusal code: bidders who became ineligible after registering (listed, or
        # named the lot's debtor). Kept here so that a bid is checked without a database read.
        self.ineligible: dict[int, str] = dict(ineligible or {})
        for bidder_id, bidder in bidders.items():
            self.add_bidder(bidder_id, bidder)

    @property
    def id(self) -> int:
        return self.committed.id

    @property
    def busy(self) -> bool:
        return bool(self.pending or self.in_flight)

    def add_bidder(self, bidder_id: int, bidder: Bidder) -> None:
        self.bidders[bidder_id] = bidder
        self.codes.add(bidder.code)

    def set_ineligible(self, ineligible: Mapping[int, str]) -> None:
        """Replace the ineligible registrations (after the list or the lot's debtor changed)."""
        self.ineligible = dict(ineligible)

    # ----------------------------------------------------------------- decisions
    def decide_bid(
        self, bidder_id: int, bidder: Bidder, amount: int, key: str | None, now: datetime, profile: RuleProfile
    ) -> BidOp:
        """Decide a bid against the current state; raises the rules' refusal."""
        after, placed = bidding.decide_bid(self.state, bidder, amount, now, profile, self.ineligible)
        op = BidOp(bidder_id, bidder, amount, key, now, self.state, after, placed)
        self._append(op)
        return op

    def decide_change(
        self, transition: Transition, now: datetime, effects_of: EffectsOf | None, events_of: EventsOf | None
    ) -> ChangeOp:
        """Decide a state change against the current state; raises the rules' refusal."""
        op = ChangeOp(transition, now, self.state, transition(self.state, now), effects_of, events_of)
        self._append(op)
        return op

    def _append(self, op: Op) -> None:
        self.state = op.after
        self.pending.append(op)

    def adopt(self, fresh: AuctionState) -> bool:
        """Take a newer committed state read from the database (another process moved the auction on).
        Only when idle: with ops waiting, a later commit's guard finds out and ``rebase`` follows."""
        if self.busy or fresh.version == self.committed.version:
            return False
        self.committed = self.state = fresh
        return True

    # ----------------------------------------------------------------- the commit
    def start_group(self) -> AuctionWrite:
        """Move the pending ops in flight and describe what their commit writes: the final snapshot
        (version bumped, guarded by the committed version), each bid's row with its chain hash, and the
        side effects of the state changes."""
        self.in_flight, self.pending = self.pending, []
        target = self.in_flight[-1].after
        version = self.committed.version
        write = AuctionWrite(_with_version(target, version + 1), version)
        head = self.head_hash
        bids_only = True
        auction_id = self.id
        for op in self.in_flight:
            if isinstance(op, BidOp):
                p = op.placed
                head = op.chain_hash = audit.bid_hash(
                    head, auction_id, p.seq, p.bidder_code, p.amount, p.placed_at, p.priority
                )
                write.bids.append(
                    BidRow(
                        auction_id, p.seq, p.registration_id, op.bidder_id, p.bidder_code, p.amount,
                        p.placed_at, p.end_at, p.priority, op.key, head,
                    )
                )  # fmt: skip
            else:
                bids_only = False
                if op.effects_of is not None:
                    write.effects.extend(op.effects_of(op.before, op.after, op.received_at))
        write.bids_only = bids_only
        return write

    def committed_group(self) -> Settled:
        """The group in flight committed: the committed state moves on; answers and events come out."""
        ops, self.in_flight = self.in_flight, []
        for op in reversed(ops):
            if isinstance(op, BidOp):
                self.head_hash = op.chain_hash
                break
        version = self.committed.version + 1
        self.committed = _with_version(ops[-1].after, version)
        if self.pending:
            # the waiting ops' states differ from the new committed one only in the version
            for op in self.pending:
                op.after = _with_version(op.after, version)
            self.state = self.pending[-1].after
        else:
            self.state = self.committed
        answers: list[Answer] = []
        events: list[DomainEvent] = []
        auction_id = self.id
        for op in ops:
            events.extend(op.events(auction_id))
            answers.append((op, op.outcome()))
        return Settled(answers, events)

    def rebase(
        self,
        fresh: AuctionState,
        head_hash: str,
        bidders: Mapping[int, Bidder],
        stored: Mapping[tuple[int, str], PlacedBid],
        now: datetime,
        profile: RuleProfile,
        *,
        failed: bool,
        ineligible: Mapping[int, str] | None = None,
    ) -> list[Answer]:
        """Start again from what the database holds (``fresh``) and decide every waiting op again, in
        order, on top of it.

        ``failed``: the commit of the ops in flight failed outright, so none of them is stored unless
        ``stored`` says so (a commit whose answer was lost): those are answered with the stored bid,
        the others with ``storage_unavailable``. Otherwise (a lost race with another process) they are
        decided again like the pending ones; some may now be refused. Returns the answers for the ops
        that leave the book; the survivors wait for the next group."""
        for bidder_id, bidder in bidders.items():
            self.add_bidder(bidder_id, bidder)
        if ineligible is not None:
            self.set_ineligible(ineligible)
        self.head_hash = head_hash
        in_flight = self.in_flight
        answers: list[Answer] = []
        survivors: list[Op] = []
        state = fresh
        for op in in_flight + self.pending:
            if isinstance(op, BidOp) and op.key is not None and (op.bidder_id, op.key) in stored:
                # Already in the database (placed by another process, or by a commit whose answer was
                # lost): a retry with this key gets that bid back, never a second one.
                answers.append((op, stored[(op.bidder_id, op.key)]))
                continue
            if failed and op in in_flight:
                answers.append((op, storage_failed()))
                continue
            try:
                if isinstance(op, BidOp):
                    op.redecide(state, self.bidders, profile, self.ineligible)
                else:
                    op.redecide(state, now)
            except RuleViolation as refusal:
                answers.append((op, refusal))
                continue
            state = op.after
            survivors.append(op)
        self.committed = fresh
        self.state = state
        self.in_flight, self.pending = [], survivors
        return answers

    def drop_all(self, error: RuleViolation) -> list[Answer]:
        """Nothing can be decided (the database cannot even be read): every waiting op is refused."""
        answers: list[Answer] = [(op, error) for op in self.in_flight + self.pending]
        self.in_flight, self.pending = [], []
        self.state = self.committed
        return answers


def _with_version(state: AuctionState, version: int) -> AuctionState:
    return state if state.version == version else evolve(state, version=version)
