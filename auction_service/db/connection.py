"""Engines for the configured database.

SQLite: WAL, a busy timeout, and two engines: writes take the lock up front (``BEGIN IMMEDIATE``) so
that concurrent read-then-write transactions never fail with "database is locked"; reads use plain
deferred transactions, which WAL lets run beside a writer. PostgreSQL: one asyncpg engine for both.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine


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


def _sqlite_pragmas(engine: AsyncEngine | Engine, synchronous: str, immediate: bool) -> None:
    target = engine.sync_engine if isinstance(engine, AsyncEngine) else engine

    @event.listens_for(target, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Let SQLAlchemy's "begin" hook issue BEGIN itself (pysqlite's implicit BEGIN is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA busy_timeout=30000")
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

    def sessions(self, *, write: bool = True) -> async_sessionmaker:
        return async_sessionmaker(self.write if write else self.read, expire_on_commit=False)

    async def dispose(self) -> None:
        await self.write.dispose()
        if self.sync_write is not None:
            self.sync_write.dispose()
        if self.read is not self.write:
            await self.read.dispose()


def create_database(url: str, *, sqlite_synchronous: str = "NORMAL") -> Database:
    url = normalise_url(url)
    if is_sqlite(url):
        write = create_async_engine(url, connect_args={"timeout": 30})
        _sqlite_pragmas(write, sqlite_synchronous, immediate=True)
        read = create_async_engine(url, connect_args={"timeout": 30})
        _sqlite_pragmas(read, sqlite_synchronous, immediate=False)
        sync_write = create_engine(url.replace("sqlite+aiosqlite://", "sqlite://", 1), connect_args={"timeout": 30})
        _sqlite_pragmas(sync_write, sqlite_synchronous, immediate=True)
        return Database(url, write, read, sync_write)
    engine = create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=False)
    return Database(url, engine, engine)
