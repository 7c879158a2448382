"""The server's clock, anchored in the database and shared by every service process on it.

The anchor row defines the clock as a function of real time, ``sim = anchor_sim + (real - anchor_real)
* speed``, so two processes (or a process and its restarted self) report the same time. A process that
starts with another speed re-anchors at the current simulated time, so time never runs backwards. A
checkpoint of the highest time reported is written every ``INTERVAL`` seconds: if the machine's wall
clock steps back across a restart, the clock resumes from that mark instead.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import select, update

from ..clock import SimulatedClock, from_ms, to_ms
from ..db.connection import Database
from ..db.models import ClockAnchor, table_of

log = logging.getLogger(__name__)
ANCHORS = table_of(ClockAnchor)
INTERVAL = 1.0


async def anchored_clock(db: Database, speed: float) -> SimulatedClock:
    async with db.write.begin() as conn:
        row = (await conn.execute(select(ANCHORS).where(ANCHORS.c.id == 1))).first()
        real_ms = int(time.time() * 1000)
        if row is None:
            await conn.execute(
                ANCHORS.insert().values(
                    id=1, sim_ms=real_ms, speed=speed, anchor_sim_ms=real_ms, anchor_real_ms=real_ms
                )
            )
            return SimulatedClock(speed=speed, anchor=from_ms(real_ms), anchor_real_ms=real_ms)
        if row.anchor_sim_ms is not None and row.anchor_real_ms is not None:
            current = row.anchor_sim_ms + int((real_ms - row.anchor_real_ms) * row.speed)
        else:
            current = real_ms
        if row.speed == speed and row.anchor_sim_ms is not None and current >= row.sim_ms:
            # The same clock as every other process on this database.
            return SimulatedClock(speed=speed, anchor=from_ms(row.anchor_sim_ms), anchor_real_ms=row.anchor_real_ms)
        # Another speed, no anchor yet, or the wall clock went back: re-anchor where time stands now.
        start_ms = max(current, row.sim_ms, real_ms if row.anchor_sim_ms is None else 0)
        await conn.execute(
            update(ANCHORS)
            .where(ANCHORS.c.id == 1)
            .values(sim_ms=start_ms, speed=speed, anchor_sim_ms=start_ms, anchor_real_ms=real_ms)
        )
    return SimulatedClock(speed=speed, anchor=from_ms(start_ms), anchor_real_ms=real_ms)


async def checkpoint(db: Database, clock: SimulatedClock) -> None:
    async with db.write.begin() as conn:
        await conn.execute(
            update(ANCHORS)
            .where(ANCHORS.c.id == 1, ANCHORS.c.sim_ms < to_ms(clock.now()))
            .values(sim_ms=to_ms(clock.now()))
        )


async def checkpoint_loop(db: Database, clock: SimulatedClock) -> None:
    while True:
        await asyncio.sleep(INTERVAL)
        try:
            await checkpoint(db, clock)
        except Exception:  # a busy database must not stop the clock; the next checkpoint catches up
            log.warning("clock checkpoint failed", exc_info=True)
