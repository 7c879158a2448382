"""An auction outlives the process that created it: two real ``serve`` processes on one PostgreSQL with
Redis; the one the auction was created and registered through is killed (``kill -9``) before the end,
and the survivor closes it at its true end: once, with every deposit released in the close, and
``closed`` pushed to a watcher connected to the survivor. The survivor started before the auction
existed, so it knows of it only from the database (its scheduler's sweep).

Under ``CI=true`` PostgreSQL and Redis are mandatory; locally the test skips when either is unreachable.
"""

from __future__ import annotations

import asyncio
import signal
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from auction_service.clock import isoformat
from bidder_client import AuctionClient
from tests.live.test_live_multiprocess import PRICE, STAFF, STEP, Cluster, cluster  # noqa: F401 (the fixture)
from tests.support.identity import id_number
from tests.support.live import recv, recv_type, ws_connect

pytestmark = [pytest.mark.postgres, pytest.mark.realtime]

BIDDING_SECONDS = 6  # the auction's whole bidding period, on the real clock (speed 1)


async def _short_auction(staff: AuctionClient) -> tuple[int, datetime]:
    await staff.login(*STAFF)
    now = datetime.fromisoformat((await staff.clock())["now"].replace("Z", "+00:00"))
    lot = {"title": "接管测试标的", "category": "vehicle", "appraisal": PRICE}
    lot = await staff.request("POST", "/api/v1/lots", json=lot)
    end = now + timedelta(seconds=2 + BIDDING_SECONDS)
    auction = await staff.request(
        "POST",
        f"/api/v1/lots/{lot['id']}/auctions",
        json={
            "starting_price": PRICE,
            "increment": STEP,
            "deposit": PRICE // 10,
            "start_at": isoformat(now + timedelta(seconds=2)),
            "end_at": isoformat(end),
        },
    )
    return auction["id"], datetime.fromisoformat(auction["end_at"].replace("Z", "+00:00"))


async def _stored(db_url: str, auction_id: int) -> tuple[str, datetime, list[tuple[str, datetime]]]:
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(text("SELECT status, closed_at FROM auctions WHERE id = :id"), {"id": auction_id})
            ).one()
            deposits = await conn.execute(
                text("SELECT deposit_status, deposit_updated_at FROM registrations WHERE auction_id = :id"),
                {"id": auction_id},
            )
            return row.status, row.closed_at, [tuple(r) for r in deposits.all()]
    finally:
        await engine.dispose()


async def test_the_survivor_closes_an_auction_whose_creator_was_killed(cluster: Cluster) -> None:  # noqa: F811
    (url_a, proc_a), (url_b, _proc_b) = cluster
    bidders = [AuctionClient(url_a) for _ in range(3)]
    try:
        async with AuctionClient(url_a) as staff:
            aid, end_at = await _short_auction(staff)
        for i, client in enumerate(bidders):
            username = f"takeover-{i}-{uuid.uuid4().hex[:6]}"
            await client.sign_up(username, "password123", "竞买人", id_number())
            await client.login(username, "password123")
            await client.register(aid)  # three deposits frozen, through the process about to die
    finally:
        for client in bidders:
            await client.aclose()

    async with ws_connect(url_b.replace("http://", "ws://") + f"/api/v1/auctions/{aid}/live") as watcher:
        assert (await recv(watcher))["type"] == "snapshot"
        async with AuctionClient(url_b) as reader:
            for _ in range(100):
                if (await reader.get_auction(aid))["status"] == "live":
                    break
                await asyncio.sleep(0.1)
            assert (await reader.get_auction(aid))["status"] == "live"
            proc_a.send_signal(signal.SIGKILL)  # kill -9: no graceful stop, nothing handed over
            proc_a.wait(timeout=10)

            closed = await recv_type(watcher, {"closed"}, wait=BIDDING_SECONDS + 30)
            assert closed["outcome"] == "unsold" and closed["end_at"] == isoformat(end_at)
            assert (await reader.get_auction(aid))["status"] == "unsold"

    status, closed_at, deposits = await _stored(cluster.db_url, aid)
    assert status == "unsold" and closed_at == end_at  # at its true end, not when the survivor got to it
    assert len(deposits) == 3
    assert all(state == "released" and at == end_at for state, at in deposits)  # released in the close, once
