"""Writing one group commit: every auction's new snapshot (guarded by its version), its new bids and
the side effects of its state changes, in one transaction.

``write_group`` is synchronous SQLAlchemy Core on purpose: on SQLite it runs in the writer's own
thread on a synchronous engine, so a whole group costs one hop from the event loop instead of one per
statement (``shared/performance-budget.md``: every aiosqlite call is a thread hop); on PostgreSQL the
same function runs on the asyncpg connection through ``AsyncConnection.run_sync``. One implementation,
two transports.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, update
from sqlalchemy.sql import Executable

from ..db.auction_rows import AUCTIONS, BIDS
from ..db.engine import Database


@dataclass
class AuctionWrite:
    auction_id: int
    values: dict[str, Any]  # the snapshot's columns, including the new version
    expected_version: int
    bids: list[dict[str, Any]] = field(default_factory=list)
    side_effects: list[Executable] = field(default_factory=list)


def write_group(conn: Connection, writes: list[AuctionWrite]) -> set[int]:
    """Apply the writes in the open transaction; return the auctions whose guard failed (another
    process changed them): nothing of theirs is written."""
    conflicts: set[int] = set()
    bid_rows: list[dict[str, Any]] = []
    for w in writes:
        result = conn.execute(
            update(AUCTIONS)
            .where(AUCTIONS.c.id == w.auction_id, AUCTIONS.c.version == w.expected_version)
            .values(**w.values)
        )
        if result.rowcount != 1:
            conflicts.add(w.auction_id)
            continue
        bid_rows.extend(w.bids)
        for stmt in w.side_effects:
            conn.execute(stmt)
    if bid_rows:
        conn.execute(insert(BIDS), bid_rows)
    return conflicts


class GroupWriter:
    """Commits groups on the configured database; one group at a time (the caller serialises)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer") if db.sync_write is not None else None

    async def commit(self, writes: list[AuctionWrite]) -> set[int]:
        if self._thread is not None:
            return await asyncio.get_running_loop().run_in_executor(self._thread, self._commit_sqlite, writes)
        async with self.db.write.begin() as conn:
            return await conn.run_sync(write_group, writes)

    def _commit_sqlite(self, writes: list[AuctionWrite]) -> set[int]:
        assert self.db.sync_write is not None
        with self.db.sync_write.begin() as conn:
            return write_group(conn, writes)

    def close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=True)
