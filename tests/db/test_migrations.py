"""Migrations on a fresh database of each kind: upgrade to head, the models match the migrations
(``alembic check``), downgrade to base, upgrade again."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from auction_service.db import migrate
from auction_service.db.models import Base
from tests.conftest import PG_ADMIN_URL, _pg_admin, run_in_thread

MODEL_TABLES = set(Base.metadata.tables)


@pytest.fixture(params=["sqlite", "postgresql"])
async def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on a brand-new, empty database (never migrated)."""
    if request.param == "sqlite":
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
        yield engine
        await engine.dispose()
        return
    problem = request.config._pg_problem  # type: ignore[attr-defined]
    if problem:
        pytest.skip(f"PostgreSQL unreachable ({problem})")
    name = f"auction_migr_{uuid.uuid4().hex[:10]}"
    run_in_thread(_pg_admin(f'CREATE DATABASE "{name}"'))
    engine = create_async_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield engine
    finally:
        await engine.dispose()
        run_in_thread(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_check_downgrade_upgrade(fresh_engine):
    assert await _tables(fresh_engine) == set()
    await migrate.upgrade(fresh_engine)
    assert MODEL_TABLES <= await _tables(fresh_engine)
    await migrate.check(fresh_engine)  # raises if the models and the migrations differ
    await migrate.downgrade(fresh_engine)
    assert await _tables(fresh_engine) - {"alembic_version"} == set()
    await migrate.upgrade(fresh_engine)
    assert MODEL_TABLES <= await _tables(fresh_engine)
    await migrate.check(fresh_engine)


async def test_upgrading_twice_is_harmless(fresh_engine):
    await migrate.upgrade(fresh_engine)
    await migrate.upgrade(fresh_engine)
    await migrate.check(fresh_engine)
    assert MODEL_TABLES <= await _tables(fresh_engine)
