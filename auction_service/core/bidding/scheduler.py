"""Opens and closes auctions on the server clock.

A heap of (moment, auction id) and one task that sleeps until the earliest moment (converted to real
seconds through the clock's speed), woken early when an entry is added or a manual clock moves: no
polling loop. At a due moment the auction's book decides: if the end has moved (a late bid extended
it) the entry is pushed to the new end; otherwise the close is committed in order with the bids. On
start every auction that is not finished is scheduled, so auctions whose end passed while the service
was down close at once, at their true end.

Self-healing: an opening or a close that fails (the database is down, the group commit failed) is
never dropped: it is tried again, with capped, jittered exponential backoff in *real* seconds (a retry
must happen under a manual or a fast clock too), until it is done. Retrying is safe because every
change is decided again by the auction's book on what the database holds: a close that did commit is
found closed and not repeated (the auction row's version guards the write, and the deposits are
released in the same transaction as the close), so each close, its releases and its events happen once,
at the auction's true end (``rules.bidding.close``).

Several processes on one database: each scheduler also sweeps the database every ``sweep_seconds``
(real) for openings and closes due before its next sweep, so an auction created or resumed through a
process that died is still opened and closed on time by the others. Before acting, a process claims
the auction (``db/transition_leases.py``; on PostgreSQL only, SQLite serves one process) for
``lease_seconds``: the others leave it alone meanwhile and look again later, and take it over if the
claimer went silent. Two processes acting at once would still be safe (the version guard lets one
close commit; the other's book is rebased and refused), the lease only spares the duplicate work.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import os
import random
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from auction_rules import bidding
from auction_rules.errors import RuleViolation

from ...clock import Clock
from ...db import transition_leases
from ...db.auction_rows import AUCTIONS
from ...db.connection import Database, is_sqlite
from ...metrics import measure
from ..health import storage_outage
from .lifecycle import Lifecycle

log = logging.getLogger(__name__)

# Backoff of a failed opening or close, in real seconds: the first retry after about RETRY_FIRST,
# doubling up to RETRY_CAP, each delay drawn in [delay / 2, delay] so that many auctions due at once (or
# several processes) do not knock on a recovering database in step.
RETRY_FIRST = 0.2
RETRY_CAP = 5.0
# Defaults of the multi-process sweep and lease, in real seconds (settings ``scheduler_*``).
SWEEP_SECONDS = 2.0
LEASE_SECONDS = 10.0


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """The delay before retry number ``attempt`` (1, 2, ...): capped exponential, jittered."""
    ceiling = min(RETRY_CAP, RETRY_FIRST * 2 ** min(attempt - 1, 32))
    return (rng or random).uniform(ceiling / 2, ceiling)


def process_name() -> str:
    """Who holds a lease: the host, the process id and a random tag (a restarted process with a reused
    pid is not the dead one)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


class Scheduler:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        lifecycle: Lifecycle,
        *,
        sweep_seconds: float = SWEEP_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.db = db
        self.clock = clock
        self.lifecycle = lifecycle
        self.sweep_seconds = sweep_seconds
        self.lease_seconds = lease_seconds
        self.owner = process_name()
        # SQLite serves one process: nobody to share the work with, so no lease to take (two writes
        # fewer per opening and close, which a simulated market of thousands of auctions feels).
        self.uses_leases = not is_sqlite(db.url)
        self._next_sweep = 0.0  # monotonic time of the next sweep of the database
        self._heap: list[tuple[datetime, int]] = []
        self._queued: set[tuple[datetime, int]] = set()  # what the heap holds, so a sweep adds no twin
        self._changed = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._working = False
        self._retry_at: dict[int, float] = {}  # auction id -> monotonic time of its next attempt
        self._attempts: dict[int, int] = {}  # auction id -> failed attempts in a row
        on_change = getattr(clock, "on_change", None)
        if on_change is not None:
            on_change(self._clock_moved)

    async def start(self) -> None:
        async with self.db.read.connect() as conn:
            rows = (
                await conn.execute(
                    select(AUCTIONS.c.id, AUCTIONS.c.start_at, AUCTIONS.c.end_at, AUCTIONS.c.status).where(
                        AUCTIONS.c.status.in_(("announced", "live"))
                    )
                )
            ).all()
        for row in rows:
            self.schedule(row.id, row.start_at if row.status == "announced" else row.end_at)
        self._task = asyncio.create_task(self._run(), name="auction-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def idle(self) -> bool:
        """Nothing due on the clock, nothing being opened or closed, no retry waiting (tests wait for
        this)."""
        if self._working or self._retry_at:
            return False
        return not (self._heap and self._heap[0][0] <= self.clock.now())

    def _clock_moved(self) -> None:
        """A manual or virtual clock moved: wake the loop only if an opening or a close fell due. A move
        that reaches nothing would wake it just to wait again, and the simulator moves its clock to every
        event of a market (hundreds of thousands of moves a province-quarter). Retries and sweeps count
        real seconds and wake the loop by its own timeout; ``schedule`` wakes it for new work."""
        if self._heap and self._heap[0][0] <= self.clock.now():
            self._changed.set()

    def retrying(self) -> dict[int, int]:
        """Auctions whose opening or close failed and will be tried again: id -> failed attempts."""
        return dict(self._attempts)

    def schedule(self, auction_id: int, moment: datetime) -> None:
        entry = (moment, auction_id)
        if entry in self._queued:
            return
        self._queued.add(entry)
        heapq.heappush(self._heap, entry)
        self._changed.set()

    async def _sweep(self) -> None:
        """Schedule every opening and close the database holds as due before the next sweep, whichever
        process created the auction. A failed sweep (the database is down) is tried at the next one."""
        self._next_sweep = time.monotonic() + self.sweep_seconds
        horizon = self.clock.now() + timedelta(seconds=self.sweep_seconds * self.clock.speed)
        try:
            due = await transition_leases.due_transitions(self.db, horizon)
        except Exception as exc:
            log.warning("scheduler: sweep for due openings and closes failed: %s", exc)
            return
        for auction_id, moment in due:
            self.schedule(auction_id, moment)

    async def _run(self) -> None:
        while True:
            self._changed.clear()
            if time.monotonic() >= self._next_sweep:
                await self._sweep()
            due = self._take_due()
            self._working = bool(due)
            for auction_id in dict.fromkeys(due):
                try:
                    await self._due(auction_id)
                except Exception as exc:
                    self._retry_later(auction_id, exc)
                else:
                    attempts = self._attempts.pop(auction_id, 0)
                    if attempts:
                        log.warning("scheduler: auction %s done after %s failed attempts", auction_id, attempts)
            self._working = False
            if due:
                continue
            delay = self.clock.real_seconds_until(self._heap[0][0]) if self._heap else 3600.0
            if self._retry_at:
                delay = min(delay, min(self._retry_at.values()) - time.monotonic())
            delay = min(delay, self._next_sweep - time.monotonic())
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation that
            # arrives as the wait finishes (cpython#86296), and the stopping scheduler then naps an hour.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(delay, 0.0005)):
                    await self._changed.wait()

    def _take_due(self) -> list[int]:
        """Pop what is due: heap entries at or before the clock's now, retries whose backoff is over."""
        now = self.clock.now()
        due: list[int] = []
        while self._heap and self._heap[0][0] <= now:
            moment, auction_id = heapq.heappop(self._heap)
            self._queued.discard((moment, auction_id))
            measure.scheduler_lag.observe((now - moment).total_seconds())  # how late it is picked up
            due.append(auction_id)
        monotonic_now = time.monotonic()  # the retries' backoff counts real seconds, not the clock's
        for auction_id, at in list(self._retry_at.items()):
            if at <= monotonic_now:
                del self._retry_at[auction_id]
                due.append(auction_id)
        return due

    def _retry_later(self, auction_id: int, exc: Exception) -> None:
        """The work due for the auction failed: try again after a backoff, whatever the failure. An
        outage heals by itself; anything else is logged with its traceback and retried at the cap's pace
        (a fix of the data or a redeploy then still lets the auction close)."""
        attempt = self._attempts.get(auction_id, 0) + 1
        self._attempts[auction_id] = attempt
        delay = backoff(attempt)
        self._retry_at[auction_id] = time.monotonic() + delay
        if storage_outage(exc):
            log.warning(
                "scheduler: auction %s: storage unavailable (attempt %s), retry in %.2f s: %s",
                auction_id, attempt, delay, exc,
            )  # fmt: skip
        else:
            log.error(
                "scheduler: auction %s failed (attempt %s), retry in %.2f s", auction_id, attempt, delay, exc_info=exc
            )

    async def _due(self, auction_id: int) -> None:
        book = await self.lifecycle.engine.book(auction_id)
        state = book.state
        now = self.clock.now()
        status = bidding.effective_status(state, now)
        if state.status in bidding.TERMINAL or state.status == "suspended":
            return  # resume schedules it again
        if status == "announced":
            self.schedule(auction_id, state.start_at)
            return
        if status == "live":
            if state.status == "announced" and not await self._as_owner(auction_id, self.lifecycle.open):
                return
            self.schedule(auction_id, state.end_at)
            return
        try:
            if not await self._as_owner(auction_id, self.lifecycle.close):
                return
        except RuleViolation as refusal:
            if refusal.retryable:
                raise  # storage failed (or the service is stopping): nothing was decided, retry
            if refusal.code == bidding.NOT_ENDED:
                self.schedule(auction_id, book.state.end_at)
            return
        # A finished auction's book is no longer needed in memory (it reloads on demand).
        self.lifecycle.engine.forget(auction_id)

    async def _as_owner(self, auction_id: int, action: Callable[[int], Awaitable[object]]) -> bool:
        """Run the opening or close under the auction's lease. Held by another process: look again
        once it could have finished (then the book finds the work done) or died (then the lease has run
        out and this process takes over); False."""
        if not self.uses_leases:
            await action(auction_id)
            return True
        if not await transition_leases.claim(self.db, auction_id, self.owner, self.lease_seconds):
            self._retry_at[auction_id] = time.monotonic() + min(self.lease_seconds, 1.0) * random.uniform(1.0, 1.5)
            return False
        try:
            await action(auction_id)
        finally:
            try:
                await transition_leases.release(self.db, auction_id, self.owner)
            except Exception as exc:  # it runs out by itself
                log.warning("scheduler: could not release the lease of auction %s: %s", auction_id, exc)
        return True
