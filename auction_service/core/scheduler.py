"""Opens and closes auctions on the server clock.

A heap of (moment, auction id) and one task that sleeps until the earliest moment (converted to real
seconds through the clock's speed), woken early when an entry is added or a manual clock moves: no
polling loop. At a due moment the auction's book decides: if the end has moved (a late bid extended
it) the entry is pushed to the new end; otherwise the close is committed in order with the bids. On
start every auction that is not finished is scheduled, so auctions whose end passed while the service
was down close at once, at their true end.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from datetime import datetime

from sqlalchemy import select

from ..clock import Clock
from ..db.auction_rows import AUCTIONS
from ..db.engine import Database
from ..rules import bidding
from ..rules.errors import RuleViolation
from .lifecycle import Lifecycle

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, db: Database, clock: Clock, lifecycle: Lifecycle) -> None:
        self.db = db
        self.clock = clock
        self.lifecycle = lifecycle
        self._heap: list[tuple[datetime, int]] = []
        self._changed = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._working = False
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
        """Nothing due on the clock and nothing being opened or closed (tests wait for this)."""
        return not self._working and not (self._heap and self._heap[0][0] <= self.clock.now())

    def schedule(self, auction_id: int, moment: datetime) -> None:
        heapq.heappush(self._heap, (moment, auction_id))
        self._changed.set()

    async def _run(self) -> None:
        while True:
            self._changed.clear()
            now = self.clock.now()
            due: list[int] = []
            while self._heap and self._heap[0][0] <= now:
                due.append(heapq.heappop(self._heap)[1])
            self._working = bool(due)
            for auction_id in dict.fromkeys(due):
                try:
                    await self._due(auction_id)
                except Exception:
                    log.exception("scheduler: auction %s", auction_id)
                    self.schedule(auction_id, self.clock.now())
                    await asyncio.sleep(1)
            self._working = False
            if due:
                continue
            delay = self.clock.real_seconds_until(self._heap[0][0]) if self._heap else 3600.0
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=max(delay, 0.0005))
            except TimeoutError:
                pass

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
            if refusal.code == bidding.NOT_ENDED:
                self.schedule(auction_id, book.state.end_at)
            return
        # A finished auction's book is no longer needed in memory (it reloads on demand).
        self.lifecycle.engine.forget(auction_id)
