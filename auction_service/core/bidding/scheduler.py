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
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
import time
from datetime import datetime

from sqlalchemy import select

from auction_rules import bidding
from auction_rules.errors import RuleViolation

from ...clock import Clock
from ...db.auction_rows import AUCTIONS
from ...db.connection import Database
from ...metrics import measure
from ..health import storage_outage
from .lifecycle import Lifecycle

log = logging.getLogger(__name__)

# Backoff of a failed opening or close, in real seconds: the first retry after about RETRY_FIRST,
# doubling up to RETRY_CAP, each delay drawn in [delay / 2, delay] so that many auctions due at once (or
# several processes) do not knock on a recovering database in step.
RETRY_FIRST = 0.2
RETRY_CAP = 5.0


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """The delay before retry number ``attempt`` (1, 2, ...): capped exponential, jittered."""
    ceiling = min(RETRY_CAP, RETRY_FIRST * 2 ** min(attempt - 1, 32))
    return (rng or random).uniform(ceiling / 2, ceiling)


class Scheduler:
    def __init__(self, db: Database, clock: Clock, lifecycle: Lifecycle) -> None:
        self.db = db
        self.clock = clock
        self.lifecycle = lifecycle
        self._heap: list[tuple[datetime, int]] = []
        self._changed = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._working = False
        self._retry_at: dict[int, float] = {}  # auction id -> monotonic time of its next attempt
        self._attempts: dict[int, int] = {}  # auction id -> failed attempts in a row
        on_change = getattr(clock, "on_change", None)
        if on_change is not None:
            on_change(self._changed.set)

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

    def retrying(self) -> dict[int, int]:
        """Auctions whose opening or close failed and will be tried again: id -> failed attempts."""
        return dict(self._attempts)

    def schedule(self, auction_id: int, moment: datetime) -> None:
        heapq.heappush(self._heap, (moment, auction_id))
        self._changed.set()

    async def _run(self) -> None:
        while True:
            self._changed.clear()
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
            if state.status == "announced":
                await self.lifecycle.open(auction_id)
            self.schedule(auction_id, state.end_at)
            return
        try:
            await self.lifecycle.close(auction_id)
        except RuleViolation as refusal:
            if refusal.retryable:
                raise  # storage failed (or the service is stopping): nothing was decided, retry
            if refusal.code == bidding.NOT_ENDED:
                self.schedule(auction_id, book.state.end_at)
            return
        # A finished auction's book is no longer needed in memory (it reloads on demand).
        self.lifecycle.engine.forget(auction_id)
