"""The bid path: one in-memory book per auction, decisions in memory, group commit to the database.

Why this shape (see ``shared/performance-budget.md``): committing each bid in its own ORM transaction
caps a hot auction at a few hundred bids per second. Instead:

* every change to an auction (a bid, a close, a suspension...) is decided synchronously against the
  book's state by the pure rules, so decisions on one auction are totally ordered by the event loop;
* accepted changes wait in the book; one writer task commits everything pending, across all auctions,
  in one transaction (group commit), and only then resolves each caller's future: an acknowledged
  bid is a committed bid;
* the auction row is written as a snapshot guarded by its ``version``: if another service process
  changed it, the update matches nothing, the book reloads from the database and decides its pending
  changes again (some may now be refused). The in-memory state never runs ahead of the database for
  longer than one commit, and a failed commit rolls it back to what the database holds.

HTTP and websocket bids both call ``BookManager.place_bid``: one code path.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql import Executable

from ..clock import Clock, isoformat
from ..db.auction_rows import AUCTIONS, BIDS, load_bidders, load_state, state_values
from ..db.engine import Database
from ..live.bus import Event, EventBus
from ..rules import audit, bidding
from ..rules.bidding import AuctionState, Bidder, PlacedBid, evolve
from ..rules.errors import RuleViolation, forbidden, invalid, not_found
from ..rules.profiles import RuleProfile
from .group_writer import AuctionWrite, GroupWriter
from .security import Principal

log = logging.getLogger(__name__)
# How stale a refusal other than "too low" may be when several processes share the database.
REFRESH_INTERVAL = 0.05

Transition = Callable[[AuctionState, datetime], AuctionState]
SideEffects = Callable[[AuctionState, AuctionState, datetime], list[Executable]]
EventsOf = Callable[[AuctionState, AuctionState], list[Event]]


def storage_failed() -> RuleViolation:
    return RuleViolation(
        "storage_unavailable", "the database did not accept the change; nothing was recorded, retry", 503
    )


@dataclass(eq=False)
class Op:
    """One decided change waiting for its commit."""

    future: asyncio.Future
    received_at: datetime
    # a bid
    bidder_id: int | None = None
    bidder: Bidder | None = None
    amount: int | None = None
    key: str | None = None
    placed: PlacedBid | None = None
    # a transition
    transition: Transition | None = None
    side_effects: SideEffects | None = None
    events_of: EventsOf | None = None
    # the state after this op, and before it (for side effects and events)
    before: AuctionState | None = None
    after: AuctionState | None = None
    chain_hash: str | None = None  # set when its group is written


@dataclass(eq=False)
class Book:
    committed: AuctionState
    lot_id: int
    state: AuctionState = field(init=False)
    pending: list[Op] = field(default_factory=list)
    in_flight: list[Op] = field(default_factory=list)
    bidders: dict[int, Bidder] = field(default_factory=dict)  # account id -> registration
    codes: set[str] = field(default_factory=set)
    # idempotency: (bidder account id, key) -> (amount, op or a settled result)
    keys: dict[tuple[int, str], tuple[int, Any]] = field(default_factory=dict)

    refreshed_at: float = 0.0  # monotonic time of the last check against the database
    head_hash: str = ""  # chain hash of the last committed bid (rules/audit.py)

    def __post_init__(self) -> None:
        self.state = self.committed

    @property
    def id(self) -> int:
        return self.committed.id

    @property
    def busy(self) -> bool:
        return bool(self.pending or self.in_flight)

    def add_bidder(self, bidder_id: int, bidder: Bidder) -> None:
        self.bidders[bidder_id] = bidder
        self.codes.add(bidder.code)


class BookManager:
    def __init__(self, db: Database, clock: Clock, profile: RuleProfile, bus: EventBus) -> None:
        self.db = db
        self.clock = clock
        self.profile = profile
        self.bus = bus
        self._books: dict[int, Book] = {}
        self._loading: dict[int, asyncio.Future] = {}
        self._dirty: dict[int, Book] = {}
        self._wake = asyncio.Event()
        self._writer: asyncio.Task | None = None
        self.writer = GroupWriter(db)
        self._closing = False
        self.commit_linger = 0.0
        self.on_committed: list[Callable[[Book], None]] = []
        self.stats = {"commits": 0, "ops": 0, "conflicts": 0, "failures": 0}

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_loop(), name="bid-writer")

    async def stop(self) -> None:
        """Commit what is pending, then stop the writer."""
        self._closing = True
        self._wake.set()
        if self._writer is not None:
            try:
                await asyncio.wait_for(self._writer, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                self._writer.cancel()
            self._writer = None
        self.writer.close()

    # ----------------------------------------------------------------- books
    async def book(self, auction_id: int) -> Book:
        book = self._books.get(auction_id)
        if book is not None:
            return book
        loading = self._loading.get(auction_id)
        if loading is not None:
            return await asyncio.shield(loading)
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        self._loading[auction_id] = fut
        try:
            book = await self._load(auction_id)
            self._books[auction_id] = book
            fut.set_result(book)
            return book
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # mark retrieved
            raise
        finally:
            del self._loading[auction_id]

    async def _load(self, auction_id: int) -> Book:
        async with self.db.read.connect() as conn:
            state = await load_state(conn, auction_id)
            if state is None:
                raise not_found("auction_not_found", f"no auction {auction_id}")
            lot_id = (await conn.execute(select(AUCTIONS.c.lot_id).where(AUCTIONS.c.id == auction_id))).scalar_one()
            bidders = await load_bidders(conn, auction_id)
            keyed = (
                await conn.execute(
                    select(BIDS).where(BIDS.c.auction_id == auction_id, BIDS.c.idempotency_key.is_not(None))
                )
            ).all()
        book = Book(committed=state, lot_id=lot_id)
        book.head_hash = await self._head_hash(auction_id, state.seq)
        for bidder_id, bidder in bidders.items():
            book.add_bidder(bidder_id, bidder)
        for row in keyed:
            book.keys[(row.bidder_id, row.idempotency_key)] = (row.amount, placed_from_row(row))
        return book

    async def _head_hash(self, auction_id: int, seq: int) -> str:
        if seq == 0:
            return audit.genesis(auction_id)
        async with self.db.read.connect() as conn:
            stored = (
                await conn.execute(select(BIDS.c.chain_hash).where(BIDS.c.auction_id == auction_id, BIDS.c.seq == seq))
            ).scalar_one_or_none()
        return stored or audit.genesis(auction_id)

    def cached(self, auction_id: int) -> Book | None:
        return self._books.get(auction_id)

    def forget(self, auction_id: int) -> None:
        """Drop an idle book (ended auctions), so memory stays bounded."""
        book = self._books.get(auction_id)
        if book is not None and not book.busy:
            del self._books[auction_id]

    async def bidder_of(self, book: Book, bidder_id: int) -> Bidder | None:
        bidder = book.bidders.get(bidder_id)
        if bidder is None:
            # Registered through another service process, or just now: ask the database once.
            async with self.db.read.connect() as conn:
                found = await load_bidders(conn, book.id, bidder_id)
            if bidder_id in found:
                bidder = found[bidder_id]
                book.add_bidder(bidder_id, bidder)
        return bidder

    # ----------------------------------------------------------------- bids
    async def place_bid(
        self, principal: Principal, auction_id: int, amount: int, idempotency_key: str | None = None
    ) -> PlacedBid:
        """The one code path that places a bid (HTTP, websocket, bots)."""
        if principal.role != "bidder":
            raise forbidden("staff_cannot_bid", "court and platform staff may not bid")
        if type(amount) is not int or not 1 <= amount <= 10**15:
            raise invalid("invalid_amount", "amount must be an integer number of fen from 1 to 10^15")
        book = await self.book(auction_id)
        bidder = await self.bidder_of(book, principal.account_id)
        if bidder is None:
            raise forbidden("not_registered", "register for this auction (pay the deposit) before bidding")
        if idempotency_key is not None:
            seen = book.keys.get((principal.account_id, idempotency_key))
            if seen is not None:
                return await self._replay(seen, amount)
        try:
            return await self._decide_bid(book, principal.account_id, bidder, amount, idempotency_key)
        except RuleViolation as refusal:
            if idempotency_key is not None and refusal.status != 503:
                book.keys.setdefault((principal.account_id, idempotency_key), (amount, refusal))
            raise

    async def _replay(self, seen: tuple[int, Any], amount: int) -> PlacedBid:
        original_amount, outcome = seen
        if original_amount != amount:
            raise invalid(
                "idempotency_key_reused", "this Idempotency-Key was used for a different amount; use a new key"
            )
        if isinstance(outcome, Op):
            return await asyncio.shield(outcome.future)
        if isinstance(outcome, RuleViolation):
            raise outcome
        return outcome

    async def _decide_bid(self, book: Book, bidder_id: int, bidder: Bidder, amount: int, key: str | None) -> PlacedBid:
        now = self.clock.now()
        try:
            after, placed = bidding.decide_bid(book.state, bidder, amount, now, self.profile)
        except RuleViolation as refusal:
            # A refusal other than "too low" may come from a state another process has moved on
            # (a later end, another price): check the database once before refusing.
            if refusal.code == "bid_too_low" or book.busy or not await self._refresh(book):
                raise
            now = self.clock.now()
            after, placed = bidding.decide_bid(book.state, bidder, amount, now, self.profile)
        op = Op(
            future=asyncio.get_running_loop().create_future(),
            received_at=now,
            bidder_id=bidder_id,
            bidder=bidder,
            amount=amount,
            key=key,
            placed=placed,
            before=book.state,
            after=after,
        )
        self._enqueue(book, op)
        if key is not None:
            book.keys[(bidder_id, key)] = (amount, op)
        return await asyncio.shield(op.future)

    async def _refresh(self, book: Book) -> bool:
        """Reload the book's state if another process changed it; True if it changed.

        At most one check per ``REFRESH_INTERVAL`` per auction, and none once the auction is finished
        in the database: a flood of malformed bids must not become a flood of database reads."""
        if book.committed.status in bidding.TERMINAL:
            return False
        moment = time.monotonic()
        if moment - book.refreshed_at < REFRESH_INTERVAL:
            return False
        book.refreshed_at = moment
        async with self.db.read.connect() as conn:
            fresh = await load_state(conn, book.id)
        if fresh is None or fresh.version == book.committed.version or book.busy:
            return False
        book.committed = book.state = fresh
        return True

    # ----------------------------------------------------------------- transitions
    async def apply(
        self,
        auction_id: int,
        transition: Transition,
        side_effects: SideEffects | None = None,
        events_of: EventsOf | None = None,
    ) -> AuctionState:
        """Decide and commit a change of the auction's state (open, close, suspend, ...) in order with
        its bids. Raises the rules' refusal if it is not allowed now."""
        book = await self.book(auction_id)
        now = self.clock.now()
        after = transition(book.state, now)
        op = Op(
            future=asyncio.get_running_loop().create_future(),
            received_at=now,
            transition=transition,
            side_effects=side_effects,
            events_of=events_of,
            before=book.state,
            after=after,
        )
        self._enqueue(book, op)
        await asyncio.shield(op.future)
        return op.after  # type: ignore[return-value]

    def _enqueue(self, book: Book, op: Op) -> None:
        if self._closing:
            raise RuleViolation("shutting_down", "the service is shutting down; retry shortly", 503)
        book.state = op.after  # type: ignore[assignment]
        book.pending.append(op)
        self._dirty[book.id] = book
        self._wake.set()

    # ----------------------------------------------------------------- the writer
    async def _write_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self.commit_linger:
                await asyncio.sleep(self.commit_linger)
            books = sorted(self._dirty.values(), key=lambda b: b.id)  # one lock order: no deadlocks
            self._dirty.clear()
            books = [b for b in books if b.pending]
            if not books:
                if self._closing:
                    return
                continue
            for book in books:
                book.in_flight, book.pending = book.pending, []
            try:
                conflicts = await self._commit(books)
            except Exception:
                log.exception("group commit failed; rolling the books back to the database")
                self.stats["failures"] += 1
                for book in books:
                    await self._rebase(book, failed=book.in_flight)
                continue
            for book in books:
                if book.id in conflicts:
                    self.stats["conflicts"] += 1
                    await self._rebase(book)
                else:
                    self._settle(book)
            if self._closing and not self._dirty:
                return

    async def _commit(self, books: list[Book]) -> set[int]:
        """Build the group (snapshots, bid rows with their chain hashes, side effects) here on the
        loop, and write it in one transaction through the group writer."""
        writes: list[AuctionWrite] = []
        for book in books:
            target = book.in_flight[-1].after
            assert target is not None
            write = AuctionWrite(
                auction_id=book.id,
                values=state_values(_with_version(target, book.committed.version + 1)),
                expected_version=book.committed.version,
                bids_only=all(op.placed is not None for op in book.in_flight),
            )
            head = book.head_hash
            for op in book.in_flight:
                if op.placed is not None:
                    row = _bid_row(book.id, op)
                    p = op.placed
                    head = op.chain_hash = row["chain_hash"] = audit.bid_hash(
                        head, book.id, p.seq, p.bidder_code, p.amount, p.placed_at, p.priority
                    )
                    write.bids.append(row)
                elif op.side_effects is not None:
                    write.side_effects.extend(op.side_effects(op.before, op.after, op.received_at))  # type: ignore[arg-type]
            writes.append(write)
        conflicts = await self.writer.commit(writes)
        self.stats["commits"] += 1
        return conflicts

    def _settle(self, book: Book) -> None:
        """The group committed: the book's committed state moves on; callers and watchers hear of it."""
        ops, book.in_flight = book.in_flight, []
        for op in reversed(ops):
            if op.chain_hash is not None:
                book.head_hash = op.chain_hash
                break
        book.committed = _with_version(ops[-1].after, book.committed.version + 1)  # type: ignore[arg-type]
        if not book.pending and not book.in_flight:
            book.state = book.committed
        else:
            # keep the pending ops' states in step with the new version (only the version differs)
            for op in book.pending:
                op.after = _with_version(op.after, book.committed.version)  # type: ignore[arg-type]
            book.state = book.pending[-1].after  # type: ignore[assignment]
        events: list[Event] = []
        for op in ops:
            if op.placed is not None:
                events.append(bid_event(book.id, op.placed))
                result: Any = op.placed
            else:
                if op.events_of is not None:
                    events.extend(op.events_of(op.before, op.after))  # type: ignore[arg-type]
                result = op.after
            if not op.future.done():
                op.future.set_result(result)
        self.stats["ops"] += len(ops)
        if events:
            self.bus.publish(book.id, events)
        for hook in self.on_committed:
            hook(book)

    async def _rebase(self, book: Book, failed: list[Op] | None = None) -> None:
        """Reload the committed state and decide the waiting ops again, in their order, on top of it.

        ``failed`` ops (their commit failed outright) are refused with 503: the database holds nothing
        of them. Ops that lost a race with another process are decided again; some may now be refused.
        """
        failed_set = set(failed or ())
        for op in failed_set:
            if not op.future.done():
                op.future.set_exception(storage_failed())
            _forget_key(book, op)
        try:
            async with self.db.read.connect() as conn:
                fresh = await load_state(conn, book.id)
                bidders = await load_bidders(conn, book.id)
                keyed = [op for op in book.in_flight + book.pending if op.key is not None]
                stored: dict[tuple[int, str], Any] = {}
                if keyed:
                    rows = (
                        await conn.execute(
                            select(BIDS).where(
                                BIDS.c.auction_id == book.id,
                                BIDS.c.idempotency_key.in_([op.key for op in keyed]),
                            )
                        )
                    ).all()
                    stored = {(r.bidder_id, r.idempotency_key): r for r in rows}
        except Exception:
            log.exception("could not reload auction %s; failing its waiting changes", book.id)
            for op in book.in_flight + book.pending:
                if not op.future.done():
                    op.future.set_exception(storage_failed())
                _forget_key(book, op)
            book.in_flight, book.pending = [], []
            self._books.pop(book.id, None)
            return
        assert fresh is not None
        book.head_hash = await self._head_hash(book.id, fresh.seq)
        for bidder_id, bidder in bidders.items():
            book.add_bidder(bidder_id, bidder)
        state = fresh
        survivors: list[Op] = []
        for op in book.in_flight + book.pending:
            if op.key is not None and (op.bidder_id, op.key) in stored:
                # Already in the database (placed by another process, or by a commit whose answer was
                # lost): a retry with this key must get that bid back, never place a second one.
                placed = placed_from_row(stored[(op.bidder_id, op.key)])
                book.keys[(op.bidder_id, op.key)] = (op.amount, placed)  # type: ignore[index]
                if not op.future.done():
                    op.future.set_result(placed)
                continue
            if op in failed_set:
                continue
            try:
                if op.placed is not None:
                    now = max(op.received_at, state.last_bid_at or op.received_at)
                    if op.bidder_id is not None:
                        op.bidder = book.bidders.get(op.bidder_id, op.bidder)
                    after, placed = bidding.decide_bid(state, op.bidder, op.amount, now, self.profile)  # type: ignore[arg-type]
                    op.placed = placed
                else:
                    after = op.transition(state, self.clock.now())  # type: ignore[misc]
            except RuleViolation as refusal:
                if not op.future.done():
                    op.future.set_exception(refusal)
                if op.key is not None:
                    book.keys[(op.bidder_id, op.key)] = (op.amount, refusal)  # type: ignore[index]
                continue
            op.before, op.after = state, after
            state = after
            survivors.append(op)
        book.committed = fresh
        book.state = state
        book.in_flight, book.pending = [], survivors
        if survivors:
            self._dirty[book.id] = book
            self._wake.set()


def _with_version(state: AuctionState, version: int) -> AuctionState:
    return state if state.version == version else evolve(state, version=version)


def _forget_key(book: Book, op: Op) -> None:
    if op.key is not None and op.bidder_id is not None:
        entry = book.keys.get((op.bidder_id, op.key))
        if entry is not None and entry[1] is op:
            del book.keys[(op.bidder_id, op.key)]


def _bid_row(auction_id: int, op: Op) -> dict[str, Any]:
    placed = op.placed
    assert placed is not None
    return {
        "auction_id": auction_id,
        "seq": placed.seq,
        "registration_id": placed.registration_id,
        "bidder_id": op.bidder_id,
        "bidder_code": placed.bidder_code,
        "amount": placed.amount,
        "placed_at": placed.placed_at,
        "end_at": placed.end_at,
        "priority": placed.priority,
        "idempotency_key": op.key,
    }


def placed_from_row(row: Any) -> PlacedBid:
    """A stored bid as its original acknowledgement."""
    return PlacedBid(
        seq=row.seq,
        amount=row.amount,
        registration_id=row.registration_id,
        bidder_code=row.bidder_code,
        placed_at=row.placed_at,
        end_at=row.end_at,
        priority=row.priority,
        extended=False,
    )


def bid_event(auction_id: int, placed: PlacedBid) -> Event:
    return {
        "type": "bid",
        "auction_id": auction_id,
        "seq": placed.seq,
        "amount": placed.amount,
        "bidder_code": placed.bidder_code,
        "placed_at": isoformat(placed.placed_at),
        "end_at": isoformat(placed.end_at),
        "priority": placed.priority,
    }


def new_bidder_code(taken: set[str]) -> str:
    """An anonymous per-auction code: a letter and four digits (e.g. ``H2515``)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    while True:
        code = f"{secrets.choice(alphabet)}{secrets.randbelow(10_000):04d}"
        if code not in taken:
            return code
