"""Starting a database afresh (``serve --demo --reset``, auction_cli/database.py) and the schema check."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from auction_cli import database
from auction_cli.problems import Problem
from tests.conftest import _migrate, run_in_thread


async def _tables(url: str) -> list[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()


def test_reset_deletes_a_sqlite_database_with_its_wal_files(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    run_in_thread(_migrate(url))
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"demo.db{suffix}").write_bytes(b"")
    assert run_in_thread(database.reset(url)) == f"deleted the SQLite database {tmp_path / 'demo.db'}"
    assert list(tmp_path.iterdir()) == []
    assert run_in_thread(database.reset(url)) == f"the SQLite database {tmp_path / 'demo.db'} did not exist yet"


async def test_reset_empties_a_postgresql_database_which_then_migrates_again(pg_empty: str) -> None:
    await _migrate(pg_empty)
    assert "bids" in await _tables(pg_empty)
    await database.require_schema(pg_empty)
    assert (await database.reset(pg_empty)).startswith("emptied PostgreSQL database")
    assert await _tables(pg_empty) == []
    with pytest.raises(Problem, match="has no auction schema"):
        await database.require_schema(pg_empty)
    await _migrate(pg_empty)
    await database.require_schema(pg_empty)
