"""Claims on an auction's due opening or close, so that one service process at a time acts on it.

A claim is a row of ``transition_leases`` (auction id, owner, until): taken when there is none, when
the one there ran out, or when the claimer already holds it; released once the work is done. Each step
is its own short transaction: nothing is held while the close itself commits through the group writer
(a row lock held across it would make the process wait for itself). Times are real wall-clock
milliseconds, not the server's clock: a lease measures how long a process may be silent, which a
fast simulated clock must not shorten.
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from .auction_rows import AUCTIONS
from .connection import Database
from .models import TransitionLease, table_of

LEASES = table_of(TransitionLease)


def _now_ms() -> int:
    return int(time.time() * 1000)


async def claim(db: Database, auction_id: int, owner: str, seconds: float) -> bool:
    """Take the auction's lease for ``seconds`` (True), or find it held by another live claimer (False)."""
    now = _now_ms()
    until = now + int(seconds * 1000)
    async with db.write.begin() as conn:
        taken = await conn.execute(
            update(LEASES)
            .where(LEASES.c.auction_id == auction_id, or_(LEASES.c.until_ms < now, LEASES.c.owner == owner))
            .values(owner=owner, until_ms=until)
        )
        if taken.rowcount == 1:
            return True
        held = (await conn.execute(select(LEASES.c.owner).where(LEASES.c.auction_id == auction_id))).first()
        if held is not None:
            return False
    try:
        async with db.write.begin() as conn:
            await conn.execute(insert(LEASES).values(auction_id=auction_id, owner=owner, until_ms=until))
    except IntegrityError:
        return False  # another process inserted its claim first
    return True


async def release(db: Database, auction_id: int, owner: str) -> None:
    """Give the lease back (only one's own: a lease taken over after it ran out is the taker's)."""
    async with db.write.begin() as conn:
        await conn.execute(delete(LEASES).where(LEASES.c.auction_id == auction_id, LEASES.c.owner == owner))


async def due_transitions(db: Database, until: datetime) -> list[tuple[int, datetime]]:
    """Every auction with an opening or a close due at or before ``until``: (id, the due moment)."""
    due_open = (AUCTIONS.c.status == "announced") & (AUCTIONS.c.start_at <= until)
    due_close = (AUCTIONS.c.status == "live") & (AUCTIONS.c.end_at <= until)
    async with db.read.connect() as conn:
        rows = (
            await conn.execute(
                select(AUCTIONS.c.id, AUCTIONS.c.status, AUCTIONS.c.start_at, AUCTIONS.c.end_at).where(
                    or_(due_open, due_close)
                )
            )
        ).all()
    return [(row.id, row.start_at if row.status == "announced" else row.end_at) for row in rows]
