"""The bid engine: the asyncio around the pure books. It caches one ``Book`` per auction, remembers
Idempotency-Keys, holds each caller's future, and runs the group-commit loop.

Why this shape (``docs/performance-budget.md``): committing each bid in its own ORM transaction caps a
hot auction at a few hundred bids per second. Instead:

* every change to an auction (a bid, a close, a suspension...) is decided synchronously by its book,
  so decisions on one auction are totally ordered by the event loop;
* accepted changes wait in the book; one writer task commits everything pending, across all auctions,
  in one transaction (group commit), and only then answers each caller: an acknowledged bid is a
  committed bid;
* the auction row is written as a snapshot guarded by its ``version``: if another service process
  changed it, the update matches nothing, and the book is rebased on what the database holds (its
  waiting changes decided again; some may now be refused). A failed commit rebases it the same way.

``place_bid`` is the one code path that places a bid, whichever transport it came by; its inputs were
validated by the contract (``contract/bids.py``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from auction_rules import bidding
from auction_rules.bidding import AuctionState, Bidder, PlacedBid
from auction_rules.errors import RuleViolation, invalid, not_found, unavailable
from auction_rules.profiles import RuleProfile

from ...clock import Clock
from ...db.auction_rows import (
    load_bidders,
    load_chain_head,
    load_ineligible,
    load_keyed_bids,
    load_state,
    load_state_and_lot,
)
from ...db.connection import Database
from ...db.group_writer import GroupWriter
from ...db.writes import AuctionWrite
from ...metrics import measure
from ..health import storage_errors, storage_outage
from ..security import Principal
from .book import BidOp, Book, EffectsOf, EventsOf, Op, Outcome, Transition, storage_failed
from .events import EventSink
from .idempotency import KeyTable

log = logging.getLogger(__name__)
# How stale a refusal other than "too low" may be when several processes share the database.
REFRESH_INTERVAL = 0.05


class BidEngine:
    def __init__(
        self, db: Database, clock: Clock, profile: RuleProfile, events: EventSink, commit_linger: float = 0.0
    ) -> None:
        self.db = db
        self.clock = clock
        self.profile = profile
        self.events = events
        self.commit_linger = commit_linger  # seconds the writer waits for more changes before a group
        self.on_committed: list[Callable[[Book], None]] = []
        self._books: dict[int, Book] = {}
        self._keys: dict[int, KeyTable] = {}
        self._refreshed_at: dict[int, float] = {}  # monotonic time of the last check against the database
        self._loading: dict[int, asyncio.Future] = {}
        self._waiting: dict[Op, asyncio.Future] = {}
        self._dirty: dict[int, Book] = {}
        self._writing: list[Book] = []  # the books of the group being committed
        self._wake = asyncio.Event()
        self._writer_task: asyncio.Task | None = None
        self._writer = GroupWriter(db)
        self._closing = False
        self._rechecks: set[asyncio.Task] = set()  # eligibility re-reads announced by other processes
        events.on_eligibility_changed(self.eligibility_changed_elsewhere)

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        if self._writer_task is None:
            self._writer_task = asyncio.create_task(self._write_loop(), name="bid-writer")

    async def stop(self) -> None:
        """Commit what is pending, then stop the writer."""
        self._closing = True
        self._wake.set()
        if self._writer_task is not None:
            try:
                await asyncio.wait_for(self._writer_task, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                self._writer_task.cancel()
            self._writer_task = None
        self._writer.close()

    @property
    def stopping(self) -> bool:
        """``stop`` began: nothing new is decided (readiness answers 503 so the process is drained)."""
        return self._closing

    def idle(self) -> bool:
        """Nothing decided is waiting for its commit (tests wait for this)."""
        # A busy book is dirty (its ops wait for the writer) or in the group being committed: looking at
        # those alone keeps this cheap with thousands of books (the simulator asks after every step).
        return not self._dirty and not any(book.busy for book in self._writing)

    # ----------------------------------------------------------------- books
    async def book(self, auction_id: int) -> Book:
        """The auction's book, loaded once (concurrent callers share the load)."""
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
        """Read the auction's book. During an outage this refuses with ``storage_unavailable`` and
        caches nothing: the next request loads it again, cleanly, once the database is back."""
        with storage_errors():
            return await self._read_book(auction_id)

    async def _read_book(self, auction_id: int) -> Book:
        async with self.db.read.connect() as conn:
            found = await load_state_and_lot(conn, auction_id)
            if found is None:
                raise not_found("auction_not_found", f"no auction {auction_id}")
            state, lot_id = found
            bidders = await load_bidders(conn, auction_id)
            # An auction without bids has no keyed bids, and one without registrations no ineligible
            # bidders: a new auction's book is two statements, not six (every auction is loaded once).
            keyed = await load_keyed_bids(conn, auction_id) if state.seq else {}
            head = await load_chain_head(conn, auction_id, state.seq)
            ineligible = await load_ineligible(conn, auction_id) if bidders else {}
        # Merge, never replace: a bid decided on a book dropped meanwhile may still be waiting with its key.
        table = self._keys.setdefault(auction_id, KeyTable())
        for key, placed in keyed.items():
            table.remember(key, placed.amount, placed, keep=True)
        return Book(state, lot_id, head, bidders, ineligible)

    def forget(self, auction_id: int) -> None:
        """Drop an idle book (ended auctions), so memory stays bounded; it reloads on demand."""
        book = self._books.get(auction_id)
        if book is not None and not book.busy:
            del self._books[auction_id]
            self._keys.pop(auction_id, None)
            self._refreshed_at.pop(auction_id, None)

    def remembered_keys(self, auction_id: int) -> int:
        """How many Idempotency-Keys of the auction are held in memory (bounded by ``KeyTable``)."""
        table = self._keys.get(auction_id)
        return 0 if table is None else len(table)

    def learn_bidder(self, auction_id: int, bidder_id: int, bidder: Bidder) -> None:
        """A registration committed: the cached book learns of it (no database read on the first bid)."""
        book = self._books.get(auction_id)
        if book is not None:
            book.add_bidder(bidder_id, bidder)

    async def recheck_eligibility(self, lot_id: int | None = None) -> None:
        """The restriction list or a lot's debtor changed (committed): every cached book of open bidding
        (of the lot, if given) reads its ineligible registrations again, one query per book, so that the
        next bid is checked against the change without a read of its own. A book not cached reads them
        when it is loaded."""
        books = [
            b
            for b in list(self._books.values())
            if b.committed.status not in bidding.TERMINAL and (lot_id is None or b.lot_id == lot_id)
        ]
        for book in books:
            try:
                async with self.db.read.connect() as conn:
                    ineligible = await load_ineligible(conn, book.id)
            except Exception:
                # The change is committed already; a book that cannot learn of it is dropped (if idle)
                # and reads it on its next load.
                log.warning("auction %s: could not re-read its ineligible bidders", book.id, exc_info=True)
                self.forget(book.id)
                continue
            book.set_ineligible(ineligible)

    def eligibility_changed_elsewhere(self, lot_id: int | None) -> None:
        """Another process committed a change to who may bid (``EventSink.on_eligibility_changed``): read
        the ineligible bidders again, in the background (the bus calls this synchronously)."""
        task = asyncio.create_task(self.recheck_eligibility(lot_id), name="eligibility-recheck")
        self._rechecks.add(task)
        task.add_done_callback(self._rechecks.discard)

    async def _bidder_of(self, book: Book, bidder_id: int) -> Bidder | None:
        bidder = book.bidders.get(bidder_id)
        if bidder is None:
            # Registered through another service process, or just now: ask the database once.
            with storage_errors():
                async with self.db.read.connect() as conn:
                    found = await load_bidders(conn, book.id, bidder_id)
            bidder = found.get(bidder_id)
            if bidder is not None:
                book.add_bidder(bidder_id, bidder)
        return bidder

    # ----------------------------------------------------------------- bids
    async def place_bid(
        self, principal: Principal, auction_id: int, amount: int, idempotency_key: str | None = None
    ) -> PlacedBid:
        """Place a bid: answered once it is committed, or refused by the rules. Every decision is
        counted by its outcome, and an accepted bid's time to its commit is observed (``metrics``)."""
        started = time.perf_counter()
        try:
            placed = await self._place_bid(principal, auction_id, amount, idempotency_key)
        except RuleViolation as refusal:
            measure.bid_refused(refusal.code)
            raise
        measure.bid_accepted.inc()
        measure.bid_seconds.observe(time.perf_counter() - started)
        return placed

    async def _place_bid(
        self, principal: Principal, auction_id: int, amount: int, idempotency_key: str | None
    ) -> PlacedBid:
        bidding.check_can_bid(principal.role)
        book = await self.book(auction_id)
        bidder_id = principal.account_id
        bidder = bidding.check_registered(await self._bidder_of(book, bidder_id))
        keys = self._keys.get(auction_id)
        if keys is None:
            keys = self._keys[auction_id] = KeyTable()
        if idempotency_key is not None:
            seen = keys.get((bidder_id, idempotency_key)) or await self._stored_key(
                book, keys, bidder_id, idempotency_key
            )
            if seen is not None:
                return await self._replay(seen, amount)
        try:
            try:
                self._check_accepting()
                op = book.decide_bid(bidder_id, bidder, amount, idempotency_key, self.clock.now(), self.profile)
            except RuleViolation as refusal:
                if not bidding.refusal_may_be_stale(refusal):
                    raise  # the common refusal (too low) needs no second look, nor a coroutine
                op = await self._decide_again(book, refusal, bidder_id, bidder, amount, idempotency_key)
        except RuleViolation as refusal:
            if idempotency_key is not None and not refusal.retryable:
                keys.remember((bidder_id, idempotency_key), amount, refusal, keep=True)
            raise
        if idempotency_key is not None:
            keys.remember((bidder_id, idempotency_key), amount, op)
        return await self._enqueue(book, op)

    async def _stored_key(self, book: Book, keys: KeyTable, bidder_id: int, key: str) -> tuple[int, Any] | None:
        """A key dropped from memory (``KeyTable``'s bounds) whose bid was accepted is in the database
        (looked for only for a bidder who lost an accepted key)."""
        if bidder_id not in keys.forgot:
            return None
        with storage_errors():
            async with self.db.read.connect() as conn:
                stored = await load_keyed_bids(conn, book.id, [key])
        placed = stored.get((bidder_id, key))
        if placed is None:
            return None
        keys.remember((bidder_id, key), placed.amount, placed, keep=True)
        return keys.get((bidder_id, key))

    async def _replay(self, seen: tuple[int, Any], amount: int) -> PlacedBid:
        original_amount, outcome = seen
        if original_amount != amount:
            raise invalid(
                "idempotency_key_reused", "this Idempotency-Key was used for a different amount; use a new key"
            )
        if isinstance(outcome, BidOp):
            return await asyncio.shield(self._waiting[outcome])
        if isinstance(outcome, RuleViolation):
            raise outcome
        return outcome

    async def _decide_again(
        self, book: Book, refusal: RuleViolation, bidder_id: int, bidder: Bidder, amount: int, key: str | None
    ) -> BidOp:
        """A refusal other than "too low" may come from a state another process has moved on (a later
        end, another price): check the database once, and decide again if it changed."""
        if not await self._refresh(book):
            raise refusal
        self._check_accepting()
        return book.decide_bid(bidder_id, bidder, amount, key, self.clock.now(), self.profile)

    async def _refresh(self, book: Book) -> bool:
        """Reload the book's state if another process changed it; True if it changed.

        At most one check per ``REFRESH_INTERVAL`` per auction, none while the book is busy and none
        once the auction is finished in the database: a flood of malformed bids must not become a
        flood of database reads."""
        if book.busy or book.committed.status in bidding.TERMINAL:
            return False
        moment = time.monotonic()
        if moment - self._refreshed_at.get(book.id, 0.0) < REFRESH_INTERVAL:
            return False
        self._refreshed_at[book.id] = moment
        with storage_errors():
            async with self.db.read.connect() as conn:
                fresh = await load_state(conn, book.id)
        return fresh is not None and book.adopt(fresh)

    # ----------------------------------------------------------------- other changes
    async def apply(
        self,
        auction_id: int,
        transition: Transition,
        effects_of: EffectsOf | None = None,
        events_of: EventsOf | None = None,
    ) -> AuctionState:
        """Decide and commit a change of the auction's state (open, close, suspend, ...) in order with
        its bids. Raises the rules' refusal if it is not allowed now."""
        book = await self.book(auction_id)
        self._check_accepting()
        op = book.decide_change(transition, self.clock.now(), effects_of, events_of)
        return await self._enqueue(book, op)

    def _check_accepting(self) -> None:
        """Called right before a decision (nothing awaits in between): once ``stop`` began, the writer
        may already have made its last group, so nothing new may enter a book."""
        if self._closing:
            raise unavailable("shutting_down", "the service is shutting down; retry shortly")

    def _enqueue(self, book: Book, op: Op) -> asyncio.Future:
        """The op was decided and appended to its book: wake the writer; the caller awaits the answer."""
        fut = asyncio.get_running_loop().create_future()
        self._waiting[op] = fut
        self._dirty[book.id] = book
        self._wake.set()
        return asyncio.shield(fut)

    def _answer(self, auction_id: int, op: Op, outcome: Outcome) -> None:
        """Resolve the caller's future and record the outcome for later retries with the same key."""
        if isinstance(op, BidOp) and op.key is not None:
            keys = self._keys.get(auction_id)
            if keys is not None:
                entry = keys.get((op.bidder_id, op.key))
                if isinstance(outcome, RuleViolation) and outcome.retryable:
                    if entry is not None and entry[1] is op:
                        keys.forget((op.bidder_id, op.key))  # nothing was decided: a retry decides anew
                else:
                    keys.remember((op.bidder_id, op.key), op.amount, outcome)
        fut = self._waiting.pop(op, None)
        if fut is not None and not fut.done():
            if isinstance(outcome, RuleViolation):
                fut.set_exception(outcome)
            else:
                fut.set_result(outcome)

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
            self._writing = books
            try:
                await self._commit_group(books)
            finally:
                self._writing = []
            if self._closing and not self._dirty:
                return

    async def _commit_group(self, books: list[Book]) -> None:
        """Commit the books' pending ops as one transaction, then answer them (or rebase them)."""
        writes: list[AuctionWrite] = [book.start_group() for book in books]
        try:
            conflicts = await self._writer.commit(writes)
        except Exception as exc:
            if len(books) > 1 and not storage_outage(exc):
                # Not an outage but something in one auction's rows: that auction alone must fail,
                # not every auction that shared its group. Commit each auction's write by itself.
                log.warning("group commit of %s auctions failed (%s); committing them one by one", len(books), exc)
                for book, write in zip(books, writes, strict=True):
                    await self._commit_alone(book, write)
            else:
                log.exception("group commit failed; rebasing the books on the database")
                for book in books:
                    await self._rebase(book, failed=True)
        else:
            for book in books:
                if book.id in conflicts:
                    await self._rebase(book, failed=False)
                else:
                    self._settle(book)

    async def _commit_alone(self, book: Book, write: AuctionWrite) -> None:
        """Commit one auction's write in its own transaction (after its group failed)."""
        try:
            conflicts = await self._writer.commit([write])
        except Exception:
            log.exception("commit of auction %s failed; rebasing its book on the database", book.id)
            await self._rebase(book, failed=True)
            return
        if book.id in conflicts:
            await self._rebase(book, failed=False)
        else:
            self._settle(book)

    def _settle(self, book: Book) -> None:
        """The group committed: callers are answered, then watchers hear of it."""
        settled = book.committed_group()
        for op, outcome in settled.answers:
            self._answer(book.id, op, outcome)
        if settled.events:
            self.events.publish(book.id, settled.events)
        for hook in self.on_committed:
            hook(book)

    async def _rebase(self, book: Book, *, failed: bool) -> None:
        """Reload what the database holds of the auction and decide the waiting ops again on top of it."""
        keyed = [op.key for op in book.in_flight + book.pending if isinstance(op, BidOp) and op.key is not None]
        try:
            async with self.db.read.connect() as conn:
                fresh = await load_state(conn, book.id)
                bidders = await load_bidders(conn, book.id)
                stored = await load_keyed_bids(conn, book.id, keyed) if keyed else {}
                ineligible = await load_ineligible(conn, book.id)
                assert fresh is not None
                head = await load_chain_head(conn, book.id, fresh.seq)
        except Exception:
            log.exception("could not reload auction %s; failing its waiting changes", book.id)
            for op, outcome in book.drop_all(storage_failed()):
                self._answer(book.id, op, outcome)
            self._books.pop(book.id, None)  # reloaded on the next request (its keys are kept)
            return
        if failed and _group_was_committed(book, fresh):
            # The commit went through and only its answer was lost (the connection died at COMMIT):
            # answer the callers and tell the watchers once, as if it had answered.
            log.warning("auction %s: the failed commit had gone through; settling it", book.id)
            self._settle(book)
            if book.pending:
                self._dirty[book.id] = book
                self._wake.set()
            return
        answers = book.rebase(
            fresh, head, bidders, stored, self.clock.now(), self.profile, failed=failed, ineligible=ineligible
        )
        for op, outcome in answers:
            self._answer(book.id, op, outcome)
        if book.pending:
            self._dirty[book.id] = book
            self._wake.set()


def _group_was_committed(book: Book, fresh: AuctionState) -> bool:
    """Whether the database holds exactly what the book's group in flight wrote (the snapshot it wrote,
    at the version it wrote): then that commit happened, whatever error came back."""
    if not book.in_flight:
        return False
    written = replace(book.in_flight[-1].after, version=book.committed.version + 1)
    return fresh == written
