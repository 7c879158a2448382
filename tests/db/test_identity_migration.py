"""Migration 0009 (one account per identity number) on a database where two accounts recorded the same
number before it was unique: the oldest keeps it, the later one loses it, and the index then refuses a
second account with that number."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from auction_service.db import migrate
from auction_service.db.models import Base
from tests.db.test_migrations import fresh_engine  # noqa: F401  (the fixture: a brand-new database of each kind)

NOW = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
ACCOUNTS = Base.metadata.tables["accounts"]
SHARED = "ab" * 32


def account(account_id: int, digest: str | None) -> dict:
    name = f"bidder{account_id}"
    return {
        "id": account_id, "username": name, "username_key": name, "password_hash": "x", "role": "bidder",
        "real_name": "张三", "court_id": None, "created_at": NOW, "id_number_hash": digest,
    }  # fmt: skip


async def test_0009_keeps_a_shared_number_on_the_oldest_account_and_then_refuses_another(fresh_engine):  # noqa: F811
    await migrate.upgrade(fresh_engine, "0008")
    async with fresh_engine.begin() as conn:
        for row in (account(1, SHARED), account(2, SHARED), account(3, None), account(4, None)):
            await conn.execute(ACCOUNTS.insert().values(**row))
    await migrate.upgrade(fresh_engine)
    async with fresh_engine.connect() as conn:
        kept = dict((await conn.execute(select(ACCOUNTS.c.id, ACCOUNTS.c.id_number_hash))).all())
    assert kept == {1: SHARED, 2: None, 3: None, 4: None}  # accounts without a number never collide
    with pytest.raises(IntegrityError):
        async with fresh_engine.begin() as conn:
            await conn.execute(ACCOUNTS.insert().values(**account(5, SHARED)))
