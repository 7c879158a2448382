"""The connection caps are counted by each process, as ``docs/operations.md`` ("Bounded connections") and
``docs/reliability.md`` say: two real ``serve`` processes on one database and Redis, with low caps. An
address that holds its cap of HTTP connections on one process still reaches the other; an account that
holds its cap of live-feed sockets on one process may open as many again on the other, and never one
more on either. With N processes an account holds at most N x ``AUCTION_MAX_WEBSOCKETS_PER_ACCOUNT``
sockets; the cap per client address across processes is nginx's ``limit_conn`` (each proxied websocket
is one counted nginx connection for its whole life). The documents give the arithmetic.

Why per process and not shared through Redis: a count in Redis outlives a process killed with
``kill -9`` (it would need leases and a sweep), costs a round trip where uvicorn accepts a connection
(``connection_made`` is synchronous), and is gone exactly when Redis is; nginx counts in shared memory,
exactly and across its workers, the addresses it sees, and a per-process cap is a bound no outage lifts.
If the caps are ever shared, this test is the one to change."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bidder_client import AuctionClient
from tests.support.cluster import Cluster, auction_starting_soon, cluster_of, live_url, registered
from tests.support.connections import exchange, refused_socket
from tests.support.live import recv, ws_connect

pytestmark = [pytest.mark.postgres, pytest.mark.realtime]  # two service processes on PostgreSQL and Redis

PER_ADDRESS, SOCKETS_PER_ACCOUNT = 6, 2
LIVEZ = b"GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


@pytest.fixture
def capped(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cluster]:
    yield from cluster_of(
        request,
        tmp_path,
        2,
        AUCTION_MAX_CONNECTIONS_PER_ADDRESS=str(PER_ADDRESS),
        AUCTION_MAX_WEBSOCKETS_PER_ACCOUNT=str(SOCKETS_PER_ACCOUNT),
    )


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


async def test_an_address_at_its_connection_cap_on_one_process_still_reaches_the_other(capped: Cluster) -> None:
    a, b = capped.processes
    idle = [await asyncio.open_connection("127.0.0.1", port_of(a.url)) for _ in range(PER_ADDRESS)]
    try:
        await asyncio.sleep(0.3)
        assert (await exchange(port_of(a.url), LIVEZ)).startswith(b"HTTP/1.1 503")  # A: the cap is reached
        assert (await exchange(port_of(b.url), LIVEZ)).startswith(b"HTTP/1.1 200")  # B counts its own
    finally:
        for _, writer in idle:
            writer.close()


async def test_an_account_holds_its_socket_cap_on_each_process(capped: Cluster) -> None:
    a, b = capped.processes
    async with AuctionClient(a.url) as staff, AuctionClient(a.url) as bidder:
        aid = (await auction_starting_soon(staff, "连接上限标的"))["id"]
        await registered(bidder, aid, "caps")
        token = bidder.headers["Authorization"].split(" ", 1)[1]
    async with contextlib.AsyncExitStack() as stack:
        for process in (a, b):
            for _ in range(SOCKETS_PER_ACCOUNT):
                ws = await stack.enter_async_context(ws_connect(live_url(process.url, aid, f"token={token}")))
                assert (await recv(ws))["type"] == "snapshot"
        for process in (a, b):  # one more on either is refused
            await refused_socket(live_url(process.url, aid, f"token={token}"))
