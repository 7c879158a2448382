"""Shared fixtures: every service-level test runs on SQLite and on PostgreSQL.

* ``db_url``: a fresh, migrated database per test (SQLite: a copy of a migrated template file;
  PostgreSQL: one database per test session, truncated before each test).
* ``service``: the app with a ``ManualClock`` and its lifespan running, plus an httpx client on it.
* ``live_server``: the same app served by a real uvicorn on a loopback port, for real concurrency.

Under ``CI=true`` the PostgreSQL lane is mandatory: an unreachable server fails the run.

Markers (``pyproject.toml``) say what a test needs beyond this process and its CPU; ``./scripts/test``
runs one pytest lane per need, and ``--fast`` none of them (``-m "not postgres and not browser and not
realtime"``):

* ``postgres``: PostgreSQL. Set here (``pytest_collection_modifyitems``) on every case of a fixture
  parametrised by database whose parameter is ``"postgresql"`` (the PostgreSQL lane of ``db_url``) and on
  every test that asks for a PostgreSQL fixture (``POSTGRES_FIXTURES``); explicitly on the rest.
* ``browser``: Chromium (Playwright). Set here on everything under ``tests/browser/``.
* ``realtime``: real wall-clock time (rate limits counting real seconds, backoff, service processes
  started and killed, an outage, load), explicit on the test or module (``pytestmark``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from auction_service.app import create_app
from auction_service.clock import ManualClock
from auction_service.config import Settings
from auction_service.core import security
from auction_service.db import migrate
from auction_service.db.models import Base
from auction_service.live.serving import LiveServer, server_config
from bidder_client import WEB_ROOT
from tests.support import Api
from tests.support.passwords import CHEAP_HASHER

PG_ADMIN_URL = os.environ.get("AUCTION_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
TABLES = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
# Loopback clients wait as long as the server takes to answer: a test sends a bounded number of requests,
# and a busy machine makes answers late, never wrong (a 30 s read timeout failed the PostgreSQL lane of
# tests/engine/test_concurrency.py under load). Five minutes is there to catch a hang, not to time anything.
LOOPBACK_TIMEOUT = httpx.Timeout(300.0, connect=30.0)


async def _pg_reachable() -> str | None:
    engine = create_async_engine(PG_ADMIN_URL)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()


POSTGRES_FIXTURES = {"pg_database", "pg_empty"}
BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The ``postgres`` and ``browser`` markers that follow from a test's parameters, fixtures and place."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params.values() if callspec is not None else ()
        fixtures = set(getattr(item, "fixturenames", ()))
        if "postgresql" in params or fixtures & POSTGRES_FIXTURES:
            item.add_marker(pytest.mark.postgres)
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)


def pytest_sessionstart(session: pytest.Session) -> None:
    problem = asyncio.run(_pg_reachable())
    session.config._pg_problem = problem  # type: ignore[attr-defined]
    if problem and IN_CI:
        pytest.exit(f"PostgreSQL at {PG_ADMIN_URL} is unreachable under CI (mandatory lane): {problem}", returncode=3)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hasher() -> Iterator[None]:
    """Every in-process service of the session hashes passwords cheaply (``tests/support/passwords.py``);
    argon2 itself: ``tests/api/test_passwords.py``."""
    previous = security.use_password_hasher(CHEAP_HASHER)
    yield
    security.use_password_hasher(previous)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    run_in_thread(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


def run_in_thread(coro) -> object:
    """Run a coroutine to completion on its own loop in a worker thread (fixtures that do database
    housekeeping may be set up while the test loop is already running)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _pg_admin(sql: str) -> None:
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(sql))
    await admin.dispose()


async def _migrate(url: str) -> None:
    engine = create_async_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()


async def _truncate(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(scope="session")
def pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """One fresh PostgreSQL database for this test session, migrated once, dropped at the end."""
    problem = request.config._pg_problem  # type: ignore[attr-defined]
    if problem:
        pytest.skip(f"PostgreSQL unreachable ({problem}); the lane is mandatory under CI=true")
    name = f"auction_test_{uuid.uuid4().hex[:10]}"
    run_in_thread(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    run_in_thread(_migrate(url))
    yield url
    run_in_thread(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def documents_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own directory for lot documents' bytes (``AUCTION_DOCUMENTS_DIR``): every ``Settings``
    the test makes, ``make_settings``'s included, keeps documents there, never in the checkout."""
    path = tmp_path / "documents"
    monkeypatch.setenv("AUCTION_DOCUMENTS_DIR", str(path))
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, documents_dir: Path) -> str:
    """A fresh, migrated database for one test (and its own documents directory)."""
    if request.param == "sqlite":
        path = tmp_path / "auction.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    run_in_thread(_truncate(url))
    return url


def make_settings(db_url: str, rules: str = "judicial-2016", **overrides) -> Settings:
    """The suite's settings. Rate limits stay on, with a bid limit fit for test bots that bid as fast
    as the loop lets them (the limits themselves: ``tests/reliability/test_floods.py``)."""
    options = {"rate_limit_bids": "10000/second", "rate_limit_login_attempts_address": "10000/second"} | overrides
    return Settings(
        database_url=db_url, rules=rules, secret_key="test-secret-key-0123456789abcdef", demo_bots=False, **options
    )


class Service:
    """An app under test: its clock, its services and an HTTP client (in-process or over loopback)."""

    def __init__(self, app, clock: ManualClock, client: httpx.AsyncClient, base_url: str) -> None:
        self.app = app
        self.clock = clock
        self.client = client
        self.base_url = base_url
        self.api = Api(client, clock)

    @property
    def services(self):
        return self.app.state.services

    async def settle(self) -> None:
        """Let the scheduler and the writer act on the clock's new time."""
        engine, scheduler = self.services.engine, self.services.scheduler
        for _ in range(1000):
            await asyncio.sleep(0.002)
            if engine.idle() and scheduler.idle():
                break


@pytest.fixture
def rules() -> str:
    return "judicial-2016"


@pytest.fixture
async def service(db_url: str, rules: str) -> AsyncIterator[Service]:
    clock = ManualClock(START)
    app = create_app(make_settings(db_url, rules), clock=clock, migrate_on_start=False, web_root=WEB_ROOT)
    async with app.api.router.lifespan_context(app.api):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Service(app, clock, client, "http://test")


@pytest.fixture
async def live_server(db_url: str, rules: str) -> AsyncIterator[Service]:
    """The app on a real uvicorn server bound to 127.0.0.1 (an ephemeral port), same process."""
    clock = ManualClock(START)
    app = create_app(make_settings(db_url, rules), clock=clock, migrate_on_start=False, web_root=WEB_ROOT)
    config = server_config(app, "127.0.0.1", 0, lifespan="on")
    server = LiveServer(config)  # closes live-feed sockets with 1001 on shutdown, like `serve`
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=LOOPBACK_TIMEOUT, trust_env=False) as client:
        yield Service(app, clock, client, base)
    server.should_exit = True
    await asyncio.wait_for(task, timeout=15)
