"""Writing one group commit: every auction's new snapshot (guarded by its version), its new bids and
the side effects of its state changes, in one transaction.

One description, two drivers. Each statement a group runs is described once, as SQLAlchemy Core over
the tables of ``db/models.py`` (``GroupStatement``); ``write_group`` runs the same steps in the same order
on both databases and only the last step, handing the rows to a driver, differs:

- PostgreSQL: the statement goes through SQLAlchemy, on the asyncpg connection
  (``AsyncConnection.run_sync``).
- SQLite: ``write_group`` runs in the writer's own thread on a synchronous engine, so a whole group costs
  one hop from the event loop instead of one per statement (``docs/performance-budget.md``: every
  aiosqlite call is a thread hop), and the statement, compiled for SQLite once at import, goes straight
  to the sqlite3 connection of the open transaction: SQLAlchemy's per-statement and per-row Python cost
  was most of the writer thread's time (``docs/benchmarks.md``). The values sqlite3 must be handed
  converted (UTC times, stored as SQLAlchemy's ``UTCDateTime`` stores them) are found from the columns'
  types in the models, never listed by hand.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any

from sqlalchemy import Boolean, Connection, bindparam, insert, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.types import TypeEngine

from auction_rules.lot_record import deposit_entry

from ..metrics import measure
from . import action_rows, record_rows
from .auction_rows import AUCTIONS, BID_COLUMNS, BIDS, REGISTRATIONS, STATE_COLUMNS
from .connection import Database
from .types import UTCDateTime
from .writes import AuctionWrite, BidRow, Effect, RecordAction, ReleaseDeposits

_SQLITE = sqlite.dialect()


def sqlite_time(moment: datetime | None) -> str | None:
    """A UTC datetime as SQLAlchemy stores ``UTCDateTime`` on SQLite (``tests/db/test_group_writer_encoding.py``
    pins the equality), without its generic per-value processing."""
    if moment is None:
        return None
    if moment.tzinfo is not UTC:
        if moment.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def sqlite_encoder(type_: TypeEngine[Any]) -> Callable[[Any], Any] | None:
    """How a value bound to a column of this type is handed to sqlite3 so that the row reads back as if
    SQLAlchemy had written it; None when sqlite3 takes the value as it is."""
    if isinstance(type_, UTCDateTime):
        return sqlite_time
    if isinstance(type_, Boolean):
        return None  # sqlite3 binds a bool as the integer 1 or 0, as SQLAlchemy's Boolean writes it
    return type_.dialect_impl(_SQLITE).bind_processor(_SQLITE)


class GroupStatement:
    """One statement of a group, described once: ``statement`` (Core, over the models' tables) with its
    parameters named in ``keys``; every row is a tuple of values in that order. PostgreSQL runs the
    statement through SQLAlchemy; SQLite runs its compiled text on the raw sqlite3 connection."""

    def __init__(self, statement: UpdateBase, keys: Sequence[str]) -> None:
        compiled = statement.compile(dialect=_SQLITE)
        if tuple(compiled.positiontup or ()) != tuple(keys):
            raise ValueError(f"parameters {compiled.positiontup} are not in the rows' order {keys}")
        self.statement = statement
        self.keys = tuple(keys)
        self.sqlite_sql = str(compiled)
        self.sqlite_conversions = tuple(
            (i, encode) for i, key in enumerate(self.keys) if (encode := sqlite_encoder(compiled.binds[key].type))
        )

    def execute(self, conn: Connection, raw: sqlite3.Connection | None, rows: Sequence[tuple[Any, ...]]) -> None:
        """One executemany of every row, in the connection's open transaction."""
        if raw is None:
            keys = self.keys
            conn.execute(self.statement, [dict(zip(keys, row, strict=True)) for row in rows])
        elif self.sqlite_conversions:
            raw.executemany(self.sqlite_sql, [self._for_sqlite(row) for row in rows])
        else:
            raw.executemany(self.sqlite_sql, rows)

    def _for_sqlite(self, row: tuple[Any, ...]) -> list[Any]:
        values = list(row)
        for i, encode in self.sqlite_conversions:
            values[i] = encode(values[i])
        return values


class SnapshotUpdate(GroupStatement):
    """The guarded UPDATE of every auction of a group whose version is still the expected one: the
    state's ``columns``, then the auction's id and the expected version."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        columns = tuple(c.name for c in AUCTIONS.c if c.name in columns)  # SQL's SET order: the table's
        statement = (
            update(AUCTIONS)
            .where(AUCTIONS.c.id == bindparam("w_id"), AUCTIONS.c.version == bindparam("w_expected"))
            .values({c: bindparam(f"v_{c}", type_=AUCTIONS.c[c].type) for c in columns})
        )
        super().__init__(statement, [*(f"v_{c}" for c in columns), "w_id", "w_expected"])
        self._state_values = attrgetter(*columns)

    def rows(self, writes: list[AuctionWrite]) -> list[tuple[Any, ...]]:
        values = self._state_values
        return [(*values(w.state), w.auction_id, w.expected_version) for w in writes]


# Built (and compiled for SQLite) once, never per group: a group made only of bids writes just the
# columns a bid changes (fewer values to convert on the writer's hottest statement).
BID_UPDATE = SnapshotUpdate(BID_COLUMNS)
FULL_UPDATE = SnapshotUpdate(STATE_COLUMNS)
# ``BidRow`` is a tuple in the bids table's column order (``db/writes.py``): handed to the driver as is.
BID_INSERT = GroupStatement(
    insert(BIDS).values({c: bindparam(c, type_=BIDS.c[c].type) for c in BidRow._fields}), BidRow._fields
)

_VERSIONS = (
    select(AUCTIONS.c.id, AUCTIONS.c.version)
    .where(AUCTIONS.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(AUCTIONS.c.id)
)
_VERSIONS_LOCKED = _VERSIONS.with_for_update()


@lru_cache(maxsize=512)
def _sqlite_versions(count: int) -> str:
    """``_VERSIONS`` for ``count`` ids, as SQLite text (compiled once per group size)."""
    return str(
        _VERSIONS.params(ids=list(range(count))).compile(dialect=_SQLITE, compile_kwargs={"render_postcompile": True})
    )


def _read_versions(conn: Connection, raw: sqlite3.Connection | None, ids: list[int]) -> dict[int, int]:
    """The versions of the group's auctions, with their rows locked: SQLite's ``BEGIN IMMEDIATE``
    already holds the database; PostgreSQL takes ``FOR UPDATE`` in id order, so two processes never
    deadlock."""
    if raw is not None:
        return dict(raw.execute(_sqlite_versions(len(ids)), ids))
    query = _VERSIONS_LOCKED if conn.dialect.name == "postgresql" else _VERSIONS
    return dict(conn.execute(query, {"ids": ids}).all())


def _release(conn: Connection, effect: ReleaseDeposits) -> None:
    """Rule 16: release the auction's frozen deposits (but the kept one), each move entered in the lot's
    record in the same transaction."""
    stmt = (
        update(REGISTRATIONS)
        .where(REGISTRATIONS.c.auction_id == effect.auction_id, REGISTRATIONS.c.deposit_status == "frozen")
        .values(deposit_status="released", deposit_updated_at=effect.at)
        .returning(REGISTRATIONS.c.id, REGISTRATIONS.c.bidder_code, REGISTRATIONS.c.deposit)
    )
    if effect.keep_registration_id is not None:
        stmt = stmt.where(REGISTRATIONS.c.id != effect.keep_registration_id)
    released = sorted(conn.execute(stmt).all())
    if not released:
        return
    lot_id = conn.execute(select(AUCTIONS.c.lot_id).where(AUCTIONS.c.id == effect.auction_id)).scalar_one()
    moves = [
        deposit_entry(lot_id, effect.auction_id, registration_id, code, amount, "released", effect.at)
        for registration_id, code, amount in released
    ]
    record_rows.append_all(conn, lot_id, moves)


def _apply(conn: Connection, effect: Effect) -> None:
    """Carry out one side effect in the group's transaction (rare: through SQLAlchemy on both
    databases)."""
    if isinstance(effect, RecordAction):
        action_rows.append(conn, effect.entry)
    elif isinstance(effect, ReleaseDeposits):
        _release(conn, effect)
    else:
        raise TypeError(f"unknown side effect {effect!r}")


def write_group(conn: Connection, writes: list[AuctionWrite]) -> set[int]:
    """Apply the writes in the open transaction; return the auctions whose guard failed (another
    process changed them since this one read them): nothing of theirs is written.

    The guard: read the versions of every auction of the group with the rows locked, keep the writes
    whose version is still the expected one, update those in one executemany (still guarded by
    version), carry out their side effects, insert every bid in one more executemany."""
    raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
    current = _read_versions(conn, raw, sorted(w.auction_id for w in writes))
    fresh = [w for w in writes if current.get(w.auction_id) == w.expected_version]
    conflicts = {w.auction_id for w in writes} - {w.auction_id for w in fresh}
    bid_only = [w for w in fresh if w.bids_only]
    other = [w for w in fresh if not w.bids_only]
    if bid_only:
        BID_UPDATE.execute(conn, raw, BID_UPDATE.rows(bid_only))
    if other:
        FULL_UPDATE.execute(conn, raw, FULL_UPDATE.rows(other))
    for w in fresh:
        for effect in w.effects:
            _apply(conn, effect)
    bid_rows = [row for w in fresh for row in w.bids]
    if bid_rows:
        BID_INSERT.execute(conn, raw, bid_rows)
    return conflicts


def _bids_alone(conn: Connection, writes: list[AuctionWrite]) -> set[int]:
    """A group without side effects (bids, nothing else), its transaction driven on the sqlite3
    connection itself. ``write_group`` runs such a group on that connection alone (the versions, the
    snapshot UPDATE, the bids' INSERT), so SQLAlchemy's transaction, its begin event and its commit
    bookkeeping were a third of a one-bid group's time in a province-quarter profile. The same
    statements in the same ``BEGIN IMMEDIATE`` … ``COMMIT``; a group with effects takes the general way."""
    raw = conn.connection.driver_connection
    assert raw is not None  # a connection checked out of the pool holds its driver's
    raw.execute("BEGIN IMMEDIATE")
    try:
        conflicts = write_group(conn, writes)
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    raw.execute("COMMIT")
    return conflicts


class GroupWriter:
    """Commits groups on the configured database; one group at a time (the caller serialises)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        threaded = db.sync_write is not None and not db.on_loop
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer") if threaded else None
        self._held: Connection | None = None  # on the loop: the writer keeps its connection between groups

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
        if self.db.sync_write is not None:  # SQLite on the event loop's thread (``Database.on_loop``)
            return self._commit_held(writes)
        async with self.db.write.begin() as conn:
            return await conn.run_sync(write_group, writes)

    def _commit_sqlite(self, writes: list[AuctionWrite]) -> set[int]:
        assert self.db.sync_write is not None
        with self.db.sync_write.begin() as conn:
            return write_group(conn, writes)

    def _commit_held(self, writes: list[AuctionWrite]) -> set[int]:
        """A group on the loop's thread, on a connection kept between groups (no checkout, no reset on
        return: a group that is one bid is mostly that overhead). A failed group drops the connection, so
        the next starts on a fresh one."""
        assert self.db.sync_write is not None
        if self._held is None:
            self._held = self.db.sync_write.connect()
        try:
            if any(w.effects for w in writes):
                with self._held.begin():
                    return write_group(self._held, writes)
            return _bids_alone(self._held, writes)
        except Exception:
            self._drop_held()
            raise

    def _drop_held(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.close()

    def close(self) -> None:
        self._drop_held()
        if self._thread is not None:
            self._thread.shutdown(wait=True)
