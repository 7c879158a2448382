"""Writing one group commit: every auction's new snapshot (guarded by its version), its new bids and
the side effects of its state changes, in one transaction.

``write_group`` is synchronous SQLAlchemy Core on purpose: on SQLite it runs in the writer's own
thread on a synchronous engine, so a whole group costs one hop from the event loop instead of one per
statement (``docs/performance-budget.md``: every aiosqlite call is a thread hop); on PostgreSQL the
same function runs on the asyncpg connection through ``AsyncConnection.run_sync``. The guard and the
order of statements are the same on both; on SQLite the three statements every group runs go to the
driver as precompiled SQL (``_write_group_sqlite``), since SQLAlchemy's per-row cost dominated there.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.sql import Executable

from ..metrics import measure
from . import action_rows
from .auction_rows import AUCTIONS, BID_COLUMNS, BIDS, REGISTRATIONS, STATE_COLUMNS
from .connection import Database
from .writes import AuctionWrite, BidRow, Effect, RecordAction, ReleaseDeposits


def _update_of(columns: tuple[str, ...]):
    """One UPDATE for every auction of a group, executed as an executemany: built once per column set,
    so no statement is constructed or compiled per auction per group."""
    return (
        update(AUCTIONS)
        .where(AUCTIONS.c.id == bindparam("w_id"), AUCTIONS.c.version == bindparam("w_expected"))
        .values({c: bindparam(f"v_{c}", type_=AUCTIONS.c[c].type) for c in columns})
    )


_FULL_UPDATE = _update_of(STATE_COLUMNS)
_BID_UPDATE = _update_of(BID_COLUMNS)


def _update_params(w: AuctionWrite, columns: tuple[str, ...]) -> dict[str, Any]:
    state = w.state
    params = {f"v_{c}": getattr(state, c) for c in columns}
    params["w_id"] = w.auction_id
    params["w_expected"] = w.expected_version
    return params


def sqlite_time(moment: datetime | None) -> str | None:
    """A UTC datetime as SQLAlchemy stores ``UTCDateTime`` on SQLite (``tests/db/test_group_writer_encoding.py``
    pins the equality)."""
    if moment is None:
        return None
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


_BID_ROW_COLUMNS = BidRow._fields
_SQLITE_BID_UPDATE = f"UPDATE auctions SET {', '.join(f'{c} = ?' for c in BID_COLUMNS)} WHERE id = ? AND version = ?"
_SQLITE_BID_INSERT = (
    f"INSERT INTO bids ({', '.join(_BID_ROW_COLUMNS)}) VALUES ({', '.join('?' for _ in _BID_ROW_COLUMNS)})"
)
_TIME_COLUMNS = frozenset(
    {"start_at", "end_at", "scheduled_end_at", "last_bid_at", "suspended_at", "closed_at", "placed_at"}
)


def _sqlite_value(column: str, value: Any) -> Any:
    if column in _TIME_COLUMNS:
        return sqlite_time(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _write_group_sqlite(conn: Connection, writes: list[AuctionWrite]) -> set[int]:
    """``write_group`` on SQLite: the three statements every group runs go straight to the sqlite3
    connection of the open transaction, as precompiled SQL (SQLAlchemy's per-statement and per-row
    Python cost was most of the writer thread's time); the rare full snapshots and side effects still go
    through SQLAlchemy, in the same transaction."""
    raw = conn.connection.driver_connection
    ids = [w.auction_id for w in writes]
    current = dict(raw.execute(f"SELECT id, version FROM auctions WHERE id IN ({', '.join('?' for _ in ids)})", ids))
    fresh = [w for w in writes if current.get(w.auction_id) == w.expected_version]
    conflicts = {w.auction_id for w in writes} - {w.auction_id for w in fresh}
    bid_only = [w for w in fresh if w.bids_only]
    other = [w for w in fresh if not w.bids_only]
    if bid_only:
        raw.executemany(
            _SQLITE_BID_UPDATE,
            [
                (*(_sqlite_value(c, getattr(w.state, c)) for c in BID_COLUMNS), w.auction_id, w.expected_version)
                for w in bid_only
            ],
        )
    if other:
        conn.execute(_FULL_UPDATE, [_update_params(w, STATE_COLUMNS) for w in other])
    for w in fresh:
        for effect in w.effects:
            _apply(conn, effect)
    rows = [tuple(map(_sqlite_value, _BID_ROW_COLUMNS, row)) for w in fresh for row in w.bids]
    if rows:
        raw.executemany(_SQLITE_BID_INSERT, rows)
    return conflicts


def _statement_of(effect: Effect) -> Executable:
    """The SQL of a side effect the book described."""
    if isinstance(effect, ReleaseDeposits):
        stmt = (
            update(REGISTRATIONS)
            .where(REGISTRATIONS.c.auction_id == effect.auction_id, REGISTRATIONS.c.deposit_status == "frozen")
            .values(deposit_status="released", deposit_updated_at=effect.at)
        )
        if effect.keep_registration_id is not None:
            stmt = stmt.where(REGISTRATIONS.c.id != effect.keep_registration_id)
        return stmt
    raise TypeError(f"unknown side effect {effect!r}")


def _apply(conn: Connection, effect: Effect) -> None:
    """Carry out one side effect in the group's transaction."""
    if isinstance(effect, RecordAction):
        action_rows.append(conn, effect.entry)
    else:
        conn.execute(_statement_of(effect))


def write_group(conn: Connection, writes: list[AuctionWrite]) -> set[int]:
    """Apply the writes in the open transaction; return the auctions whose guard failed (another
    process changed them since this one read them): nothing of theirs is written.

    The guard: read the versions of every auction of the group with the rows locked (SQLite's
    ``BEGIN IMMEDIATE`` already holds the database; PostgreSQL takes ``FOR UPDATE`` in id order, so two
    processes never deadlock), keep the writes whose version is still the expected one, update those in
    one executemany (still guarded by version), insert every bid in one more."""
    if conn.dialect.name == "sqlite":
        return _write_group_sqlite(conn, writes)
    ids = sorted(w.auction_id for w in writes)
    query = select(AUCTIONS.c.id, AUCTIONS.c.version).where(AUCTIONS.c.id.in_(ids)).order_by(AUCTIONS.c.id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    current = dict(conn.execute(query).all())
    fresh = [w for w in writes if current.get(w.auction_id) == w.expected_version]
    conflicts = {w.auction_id for w in writes} - {w.auction_id for w in fresh}
    bid_only = [w for w in fresh if w.bids_only]
    other = [w for w in fresh if not w.bids_only]
    if bid_only:
        conn.execute(_BID_UPDATE, [_update_params(w, BID_COLUMNS) for w in bid_only])
    if other:
        conn.execute(_FULL_UPDATE, [_update_params(w, STATE_COLUMNS) for w in other])
    bid_rows = [row._asdict() for w in fresh for row in w.bids]
    for w in fresh:
        for effect in w.effects:
            _apply(conn, effect)
    if bid_rows:
        conn.execute(insert(BIDS), bid_rows)
    return conflicts


class GroupWriter:
    """Commits groups on the configured database; one group at a time (the caller serialises)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer") if db.sync_write is not None else None

    async def commit(self, writes: list[AuctionWrite]) -> set[int]:
        """Commit the group; return the auctions left out by their guard. Measured per group (never per
        bid): its duration, its bids, its conflicts and failures (``metrics``)."""
        started = time.perf_counter()
        try:
            conflicts = await self._commit(writes)
        except Exception:
            measure.group_failures.inc()
            raise
        measure.group_seconds.observe(time.perf_counter() - started)
        measure.group_bids.observe(sum(len(w.bids) for w in writes))
        if conflicts:
            measure.group_conflicts.inc(len(conflicts))
        return conflicts

    async def _commit(self, writes: list[AuctionWrite]) -> set[int]:
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
