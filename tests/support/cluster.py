"""Several real ``auction-service serve`` processes on one fresh PostgreSQL database, live events fanned
out through Redis (the deployment ``docs/operations.md`` describes), and the steps the multi-process
tests take on it: a clerk's auction that opens in seconds, bidders signed up and registered through a
chosen process, waiting for the auction to open.

Under ``CI=true`` PostgreSQL and Redis are mandatory (the test fails); locally it skips when either is
unreachable. The processes are stopped in teardown whatever happens (killed if they do not stop)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from auction_service.clock import isoformat
from bidder_client import AuctionClient
from tests.conftest import IN_CI, PG_ADMIN_URL, _migrate, _pg_admin, run_in_thread

from .identity import id_number
from .private_postgres import free_port
from .serve_process import ServeProcess, run_cli

REDIS_URL = os.environ.get("AUCTION_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
STAFF = ("mp-clerk", "mp-password-123")
PRICE, STEP = 1_000_00, 1_00


def _unavailable(what: str, problem: object) -> None:
    message = f"{what} unreachable ({problem})"
    if IN_CI:
        pytest.fail(message + "; mandatory under CI=true")
    pytest.skip(message)


@dataclass
class Cluster:
    """The service processes (``ServeProcess``: ``url``, ``kill()``, ``proc``) and their database."""

    processes: list[ServeProcess]
    db_url: str
    env: dict[str, str]


def cluster_of(request: pytest.FixtureRequest, tmp_path: Path, size: int, **settings: str) -> Iterator[Cluster]:
    """``size`` service processes on a fresh database with a staff account (``STAFF``); ``settings``:
    extra ``AUCTION_*`` variables for every process."""
    problem = request.config._pg_problem  # type: ignore[attr-defined]
    if problem:
        _unavailable("PostgreSQL", problem)
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        _unavailable(f"Redis at {REDIS_URL}", exc)
    name = f"auction_mp_{uuid.uuid4().hex[:10]}"
    run_in_thread(_pg_admin(f'CREATE DATABASE "{name}"'))
    db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    env = {
        "AUCTION_DATABASE_URL": db_url,
        "AUCTION_REDIS_URL": REDIS_URL,
        "AUCTION_RULES": "sandbox",
        "AUCTION_SECRET_KEY": "multiprocess-test-secret-0123456789",
        "AUCTION_DEMO_BOTS": "false",
        **settings,
    }
    processes = [ServeProcess(free_port(), env, tmp_path / f"serve-{i}.log") for i in range(size)]
    try:
        run_in_thread(_migrate(db_url))
        clerk = env | {"AUCTION_NEW_PASSWORD": STAFF[1]}
        added = run_cli("staff", "add", "--court", "多进程法院", "--username", STAFF[0], env=clerk)
        assert added.returncode == 0, added.stderr
        for process in processes:
            process.start()
        yield Cluster(processes, db_url, env)
    finally:
        for process in processes:
            process.stop()
        run_in_thread(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cluster]:
    """Two service processes on one fresh PostgreSQL database and Redis."""
    yield from cluster_of(request, tmp_path, 2)


def live_url(url: str, auction_id: int, query: str = "") -> str:
    """The live-feed address of ``auction_id`` on the process at ``url``."""
    return url.replace("http://", "ws://", 1) + f"/api/v1/auctions/{auction_id}/live" + (f"?{query}" if query else "")


async def auction_starting_soon(staff: AuctionClient, title: str, bidding: timedelta = timedelta(hours=1)) -> dict:
    """Log the court clerk in and schedule a sandbox auction that opens ~2 s from now and bids for
    ``bidding``; returns the auction as the service answered it."""
    await staff.login(*STAFF)
    now = datetime.fromisoformat((await staff.clock())["now"].replace("Z", "+00:00"))
    lot = await staff.request("POST", "/api/v1/lots", json={"title": title, "category": "vehicle", "appraisal": PRICE})
    opens = now + timedelta(seconds=2)
    return await staff.request(
        "POST",
        f"/api/v1/lots/{lot['id']}/auctions",
        json={
            "starting_price": PRICE,
            "increment": STEP,
            "deposit": PRICE // 10,
            "start_at": isoformat(opens),
            "end_at": isoformat(opens + bidding),
        },
    )


async def registered(client: AuctionClient, auction_id: int, name: str) -> AuctionClient:
    """``client`` signed up as a new bidder (``name`` plus a random tail; the sign-up's token is kept, no
    login) and registered for ``auction_id`` (its deposit frozen)."""
    username = f"{name}-{uuid.uuid4().hex[:6]}"
    await client.sign_up(username, "password123", "竞买人", id_number())
    await client.register(auction_id)
    return client


async def until_live(client: AuctionClient, auction_id: int, within: float = 15.0) -> dict[str, Any]:
    """The auction once it is live (sandbox: ~2 s after scheduling); fails if it is not after ``within``
    seconds of polling (and the requests' own time)."""
    for _ in range(int(within * 10)):
        auction = await client.get_auction(auction_id)
        if auction["status"] == "live":
            break
        await asyncio.sleep(0.1)
    assert auction["status"] == "live", auction
    return auction
