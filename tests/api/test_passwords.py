"""Passwords with the production hasher (argon2id, ``core/security.py``: ``ARGON2``): the rest of the
suite hashes with a cheap one (``tests/support/passwords.py``), so this is where argon2 itself is used."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from auction_service.core import security
from auction_service.db.models import Account
from tests.support.identity import id_number
from tests.support.passwords import CHEAP_HASHER


@pytest.fixture
def argon2() -> Iterator[None]:
    previous = security.use_password_hasher(security.ARGON2)
    yield
    security.use_password_hasher(previous)


async def test_sign_up_and_log_in_with_argon2(service, argon2) -> None:
    r = await service.client.post(
        "/api/v1/bidders",
        json={"username": "argon", "password": "password123", "real_name": "张三", "id_number": id_number()},
    )
    assert r.status_code == 201, r.text
    async with service.services.read_sessions() as session:
        stored = (await session.execute(select(Account.password_hash).where(Account.username == "argon"))).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$"), stored
    good = await service.client.post("/api/v1/auth/token", data={"username": "argon", "password": "password123"})
    assert good.status_code == 200, good.text
    wrong = await service.client.post("/api/v1/auth/token", data={"username": "argon", "password": "password124"})
    unknown = await service.client.post("/api/v1/auth/token", data={"username": "nobody", "password": "password123"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_the_dummy_hash_follows_the_hasher_in_force(argon2) -> None:
    assert security.dummy_hash().startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert not security.verify_password("not-a-real-password", None)
    previous = security.use_password_hasher(CHEAP_HASHER)
    try:
        assert security.dummy_hash().startswith("$argon2id$v=19$m=8,t=1,p=1$")
        assert not security.verify_password("not-a-real-password", None)
        cheap = security.hash_password("password123")
    finally:
        security.use_password_hasher(previous)
    assert security.verify_password("password123", cheap)  # either hasher verifies the other's hashes
