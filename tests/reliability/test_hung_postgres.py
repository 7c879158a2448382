"""A hung database (its processes frozen with SIGSTOP, as a stalled disk or a paused VM would leave it)
is answered like a crashed one: 503 ``storage_unavailable`` with ``Retry-After`` within the database
timeout, for bids, reads, lists, sign-in and sign-up alike, instead of requests that hang as long as the
database does. An auction's end that passes during the hang closes by itself once the database moves
again, at its true end, ``closed`` pushed to a watcher that stayed connected.

The test starts its own PostgreSQL (``tests/support/private_postgres.py``) so that it can freeze it
without touching anybody else's server. The client's own timeout (``CLIENT_TIMEOUT``) is far above the
service's (``DATABASE_TIMEOUT``): a service that waited for the database would time the client out,
and the test fails on that, not on a measured duration (the durations are printed).

Under ``CI=true`` the test fails when the machine has no PostgreSQL server binaries; locally it skips.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.support import outages
from tests.support.live import recv, recv_type, ws_connect, ws_url
from tests.support.private_postgres import PrivatePostgres
from tests.support.scenes import START_PRICE, go_to, scene, t
from tests.support.served import served

pytestmark = [pytest.mark.postgres, pytest.mark.realtime]  # a private PostgreSQL frozen and thawed

DATABASE_TIMEOUT = 2.0  # the service's bound on each wait for the database (seconds)
CLIENT_TIMEOUT = 30.0  # the client's: reached only if the service waits for the hung database


def _server_pids(data: Path) -> list[int]:
    """The postmaster (first line of ``postmaster.pid``) and every process it started."""
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == postmaster:
                children.append(int(stat.parent.name))
    return [postmaster, *children]


@contextlib.contextmanager
def frozen(server: PrivatePostgres) -> Iterator[None]:
    """Every process of the server stopped (SIGSTOP) inside the block, continued (SIGCONT) after it."""
    pids = _server_pids(server.data)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


async def _timed(request) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


async def test_a_hung_database_is_answered_503_within_its_timeout_and_heals(private_pg: PrivatePostgres) -> None:
    async with served(private_pg.url, database_timeout_seconds=str(DATABASE_TIMEOUT)) as svc:
        s = await scene(svc, bidders=2)
        assert (await svc.api.bid(s.bidders[0], s.id, START_PRICE)).status_code == 201
        async with (
            httpx.AsyncClient(base_url=svc.base_url, timeout=CLIENT_TIMEOUT, trust_env=False) as client,
            ws_connect(ws_url(svc, s.id)) as watcher,
        ):
            assert (await recv(watcher))["type"] == "snapshot"
            requests = outages.requests_needing_the_database(client, s.id, s.bidders[1], START_PRICE * 2, "hung1")
            with frozen(private_pg):
                answers = await asyncio.gather(*(_timed(request()) for request in requests))
                for response, _ in answers:
                    outages.assert_unavailable(response)
                print("\nanswers during the hang (s):", ", ".join(f"{took:.2f}" for _, took in answers))
                await outages.assert_new_socket_told_to_retry(svc, s.id, wait=CLIENT_TIMEOUT)

                # The end passes during the hang: the close times out and is retried, not dropped.
                svc.clock.set(t(s.auction["end_at"]) + timedelta(hours=1))
                await outages.assert_close_retried(svc, s.id, times=1, within=30)

            closed_event = await recv_type(watcher, {"closed"}, wait=CLIENT_TIMEOUT)
        assert closed_event["outcome"] == "sold" and closed_event["price"] == START_PRICE
        stored = await outages.stored_close(private_pg.url, s.id)
        assert stored.status == "sold" and stored.closed_at == t(s.auction["end_at"])
        assert sorted(stored.deposits.values()) == ["frozen", "released"]
        await go_to(svc, svc.clock.now())
        assert (await svc.client.get("/healthz")).status_code == 200
