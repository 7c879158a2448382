"""An auction outlives the process that created it: two real ``serve`` processes on one PostgreSQL with
Redis; the one the auction was created and registered through is killed (``kill -9``) before the end,
and the survivor closes it at its true end: once, with every deposit released in the close, and
``closed`` pushed to a watcher connected to the survivor. The survivor started before the auction
existed, so it knows of it only from the database (its scheduler's sweep).

The processes, their database and Redis: ``tests/support/cluster.py`` (mandatory under ``CI=true``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from auction_service.clock import isoformat
from bidder_client import AuctionClient
from tests.support.cluster import Cluster, auction_starting_soon, live_url, registered, until_live
from tests.support.live import recv, recv_type, ws_connect
from tests.support.outages import stored_close

pytestmark = [pytest.mark.postgres, pytest.mark.realtime]

BIDDING_SECONDS = 6  # the auction's whole bidding period, on the real clock (speed 1)


async def test_the_survivor_closes_an_auction_whose_creator_was_killed(cluster: Cluster) -> None:
    doomed, survivor = cluster.processes
    async with AuctionClient(doomed.url) as staff:
        auction = await auction_starting_soon(staff, "接管测试标的", timedelta(seconds=BIDDING_SECONDS))
    aid, end_at = auction["id"], datetime.fromisoformat(auction["end_at"].replace("Z", "+00:00"))
    for i in range(3):  # three deposits frozen, through the process about to die
        async with AuctionClient(doomed.url) as bidder:
            await registered(bidder, aid, f"takeover-{i}")

    async with ws_connect(live_url(survivor.url, aid)) as watcher:
        assert (await recv(watcher))["type"] == "snapshot"
        async with AuctionClient(survivor.url) as reader:
            await until_live(reader, aid)
            doomed.kill()  # kill -9: no graceful stop, nothing handed over

            closed = await recv_type(watcher, {"closed"}, wait=BIDDING_SECONDS + 30)
            assert closed["outcome"] == "unsold" and closed["end_at"] == isoformat(end_at)
            assert (await reader.get_auction(aid))["status"] == "unsold"

    stored = await stored_close(cluster.db_url, aid)
    assert stored.status == "unsold" and stored.closed_at == end_at  # at its true end, not when the survivor got to it
    assert list(stored.deposits.values()) == ["released"] * 3  # released in the close, once
    assert set(stored.deposit_times.values()) == {end_at}
