"""Anchoring the simulated clock in the database, so that it never runs backwards across restarts.

A checkpoint of the simulated time is written every ``INTERVAL`` real seconds. On start the clock
resumes from the later of the real time and the last checkpoint plus one interval of simulated time:
every time the previous process could have reported is at most that, so none is reported twice.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import select, update

from ..clock import SimulatedClock, from_ms, to_ms
from ..db.engine import Database
from ..db.models import ClockAnchor

log = logging.getLogger(__name__)
ANCHORS = ClockAnchor.__table__
INTERVAL = 1.0


async def anchored_clock(db: Database, speed: float) -> SimulatedClock:
    async with db.write.begin() as conn:
        row = (await conn.execute(select(ANCHORS).where(ANCHORS.c.id == 1))).first()
        real_ms = int(time.time() * 1000)
        start_ms = real_ms
        if row is not None:
            margin = int(INTERVAL * 1000 * max(speed, row.speed)) + 1
            start_ms = max(real_ms, row.sim_ms + margin)
            await conn.execute(update(ANCHORS).where(ANCHORS.c.id == 1).values(sim_ms=start_ms, speed=speed))
        else:
            await conn.execute(ANCHORS.insert().values(id=1, sim_ms=start_ms, speed=speed))
    return SimulatedClock(speed=speed, anchor=from_ms(start_ms))


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
