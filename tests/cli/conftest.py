"""Fixtures of the command-line tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import PG_ADMIN_URL, _pg_admin, run_in_thread


@pytest.fixture
def pg_empty(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new PostgreSQL database with nothing in it (no schema), dropped at the end."""
    problem = request.config._pg_problem  # type: ignore[attr-defined]
    if problem:
        pytest.skip(f"PostgreSQL unreachable ({problem})")
    name = f"cli_test_{uuid.uuid4().hex[:10]}"
    run_in_thread(_pg_admin(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    run_in_thread(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
