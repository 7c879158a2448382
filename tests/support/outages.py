"""What the database-outage tests share (a crashed PostgreSQL, a hung one): a private, migrated server
they may stop or freeze, the degraded answer they expect, the requests that must get it, and what the
database holds of an auction's close once it is back."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.exceptions import ConnectionClosed

from tests.conftest import IN_CI, _migrate, run_in_thread

from .identity import id_number
from .live import ws_connect, ws_url
from .private_postgres import PrivatePostgres, private_postgres


@pytest.fixture
def private_pg(request: pytest.FixtureRequest) -> Iterator[PrivatePostgres]:
    """A fresh PostgreSQL of the test's own, migrated (``private_postgres.py``). Under ``CI=true`` a
    machine without PostgreSQL's server binaries fails the test; locally it skips."""
    try:
        with private_postgres() as server:
            run_in_thread(_migrate(server.url))
            yield server
    except LookupError as exc:
        if IN_CI:
            pytest.fail(f"{exc}; {request.node.name} is mandatory under CI=true")
        pytest.skip(str(exc))


def assert_unavailable(r: httpx.Response) -> None:
    """The degraded answer: 503, the envelope with ``storage_unavailable``, a ``Retry-After``."""
    assert r.status_code == 503, (r.request.method, r.request.url.path, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert error["code"] == "storage_unavailable" and error["message"]
    assert int(r.headers["retry-after"]) >= 1


def requests_needing_the_database(
    client: httpx.AsyncClient, auction_id: int, bidder: dict[str, str], amount: int, username: str
) -> list[Callable[[], Awaitable[httpx.Response]]]:
    """One of each kind of request that needs the database: a bid, the auction, its bids, the list, a
    login and a sign-up (``username``: unused so far), each a call that sends it (in turn or together)."""
    sign_up = {"username": username, "password": "password123", "real_name": "李四", "id_number": id_number()}
    login = {"username": "nobody", "password": "password123"}
    return [
        lambda: client.post(f"/api/v1/auctions/{auction_id}/bids", json={"amount": amount}, headers=bidder),
        lambda: client.get(f"/api/v1/auctions/{auction_id}"),
        lambda: client.get(f"/api/v1/auctions/{auction_id}/bids"),
        lambda: client.get("/api/v1/auctions"),
        lambda: client.post("/api/v1/auth/token", data=login),
        lambda: client.post("/api/v1/bidders", json=sign_up),
    ]


async def assert_new_socket_told_to_retry(svc: Any, auction_id: int, wait: float) -> None:
    """A live-feed socket opened while the database is out is closed with 1013 ("try again later"), not
    dropped and not left hanging."""
    async with ws_connect(ws_url(svc, auction_id)) as late:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(late.recv(), wait)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013


async def assert_close_retried(svc: Any, auction_id: int, times: int, within: float) -> None:
    """The scheduler's close of ``auction_id`` failed at least ``times`` times within ``within`` seconds
    and is kept for another try (not dropped)."""
    for _ in range(int(within / 0.05)):
        if svc.services.scheduler.retrying().get(auction_id, 0) >= times:
            break
        await asyncio.sleep(0.05)
    assert svc.services.scheduler.retrying().get(auction_id, 0) >= times


@dataclass(frozen=True)
class StoredClose:
    """What the database holds of an auction's close: its status and ``closed_at``, and per bidder code
    the deposit's status and when it last changed."""

    status: str
    closed_at: datetime | None
    deposits: dict[str, str]
    deposit_times: dict[str, datetime]


async def stored_close(url: str, auction_id: int) -> StoredClose:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(text("SELECT status, closed_at FROM auctions WHERE id = :id"), {"id": auction_id})
            ).one()
            rows = (
                await conn.execute(
                    text(
                        "SELECT bidder_code, deposit_status, deposit_updated_at FROM registrations"
                        " WHERE auction_id = :id"
                    ),
                    {"id": auction_id},
                )
            ).all()
    finally:
        await engine.dispose()
    return StoredClose(
        row.status,
        row.closed_at,
        {code: status for code, status, _ in rows},
        {code: at for code, _, at in rows},
    )
