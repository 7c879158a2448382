"""SQLite on the event loop's thread (``db/sqlite_on_loop.py``): the same database, read and written the
same way, with no connection thread started."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from auction_service.db import migrate
from auction_service.db.connection import create_database


async def test_statements_run_on_the_loop_thread_without_a_thread_per_connection(tmp_path) -> None:
    before = threading.active_count()
    db = create_database(f"sqlite+aiosqlite:///{tmp_path}/on-loop.db", sqlite_on_loop=True)
    try:
        await migrate.upgrade(db.write)
        async with db.write.begin() as conn:
            await conn.execute(text("INSERT INTO courts (name, created_at) VALUES ('测试法院', '2026-01-01 00:00:00')"))
        async with db.read.connect() as conn:
            names = (await conn.execute(text("SELECT name FROM courts"))).scalars().all()
            mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
        assert names == ["测试法院"]
        assert mode == "wal"  # the same pragmas as the threaded engines
        assert threading.active_count() == before
    finally:
        await db.dispose()


async def test_a_failed_statement_raises_as_it_does_through_the_thread(tmp_path) -> None:
    db = create_database(f"sqlite+aiosqlite:///{tmp_path}/on-loop.db", sqlite_on_loop=True)
    try:
        with pytest.raises(Exception, match="no such table"):
            async with db.read.connect() as conn:
                await conn.execute(text("SELECT * FROM no_such_table"))
    finally:
        await db.dispose()


def test_an_in_memory_database_is_refused_on_the_loop() -> None:
    with pytest.raises(ValueError, match="database file"):
        create_database("sqlite+aiosqlite:///:memory:", sqlite_on_loop=True)
