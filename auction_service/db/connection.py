"""Engines for the configured database.

SQLite: WAL, a busy timeout, and two engines: writes take the lock up front (``BEGIN IMMEDIATE``) so
that concurrent read-then-write transactions never fail with "database is locked"; reads use plain
deferred transactions, which WAL lets run beside a writer. PostgreSQL: one asyncpg engine for both.

Every wait on the database is bounded by ``timeout`` (the ``database_timeout_seconds`` setting): a new
connection, a connection from the pool, each statement (asyncpg's ``command_timeout``, measured by the
client, so it holds even when the server is frozen and cannot enforce its own ``statement_timeout``),
and SQLite's wait for its lock. A hung database then fails a request with a timeout, which
``core/health.storage_outage`` counts as an outage (503 ``storage_unavailable``, ``Retry-After``),
instead of holding it, and the client, for as long as the hang lasts. ``None`` (the command line's
maintenance commands, migrations) waits as long as it takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from .sqlite_on_loop import on_loop_creator


def normalise_url(url: str) -> str:
    """Accept the usual spellings and give SQLAlchemy the async driver (``postgresql://`` means
    psycopg 3 in SQLAlchemy 2.1)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


# How long SQLite waits for its lock when no timeout is given (a maintenance command).
SQLITE_UNBOUNDED_WAIT = 30.0


def _sqlite_pragmas(engine: AsyncEngine | Engine, synchronous: str, immediate: bool, wait: float) -> None:
    target = engine.sync_engine if isinstance(engine, AsyncEngine) else engine

    @event.listens_for(target, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Let SQLAlchemy's "begin" hook issue BEGIN itself (pysqlite's implicit BEGIN is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(target, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass
class Database:
    url: str
    write: AsyncEngine
    read: AsyncEngine
    # SQLite only: a synchronous engine for the bid writer's own thread (see db/group_writer.py).
    sync_write: Engine | None = None
    # SQLite only: every call on the event loop's thread, the bid writer's groups too (``sqlite_on_loop``)
    on_loop: bool = False

    def sessions(self, *, write: bool = True) -> async_sessionmaker:
        return async_sessionmaker(self.write if write else self.read, expire_on_commit=False)

    async def dispose(self) -> None:
        await self.write.dispose()
        if self.sync_write is not None:
            self.sync_write.dispose()
        if self.read is not self.write:
            await self.read.dispose()


def _sqlite_engine(url: str, wait: float, on_loop: bool) -> AsyncEngine:
    if not on_loop:
        return create_async_engine(url, connect_args={"timeout": wait})
    path = make_url(url).database
    if not path or path == ":memory:":
        raise ValueError("SQLite on the event loop needs a database file (its engines share it)")
    return create_async_engine(url, async_creator=on_loop_creator(path, wait))


def create_database(
    url: str, *, sqlite_synchronous: str = "NORMAL", timeout: float | None = None, sqlite_on_loop: bool = False
) -> Database:
    """The engines for ``url``; ``timeout``: the bound, in seconds, on every wait for the database.
    ``sqlite_on_loop``: SQLite's calls run on the event loop's thread, not aiosqlite's (``sqlite_on_loop``;
    for a process that is the database's only client, the in-process simulator; PostgreSQL ignores it)."""
    url = normalise_url(url)
    if is_sqlite(url):
        wait = SQLITE_UNBOUNDED_WAIT if timeout is None else timeout
        write = _sqlite_engine(url, wait, sqlite_on_loop)
        _sqlite_pragmas(write, sqlite_synchronous, immediate=True, wait=wait)
        read = _sqlite_engine(url, wait, sqlite_on_loop)
        _sqlite_pragmas(read, sqlite_synchronous, immediate=False, wait=wait)
        sync_write = create_engine(url.replace("sqlite+aiosqlite://", "sqlite://", 1), connect_args={"timeout": wait})
        _sqlite_pragmas(sync_write, sqlite_synchronous, immediate=True, wait=wait)
        return Database(url, write, read, sync_write, on_loop=sqlite_on_loop)
    if timeout is None:
        engine = create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=False)
    else:
        engine = create_async_engine(
            url,
            pool_size=10,
            max_overflow=20,
            pool_pre_ping=False,
            pool_timeout=timeout,
            connect_args={"timeout": timeout, "command_timeout": timeout},
        )
    return Database(url, engine, engine)
