"""Two real ``auction-service serve`` processes on one PostgreSQL database, live events fanned out
through Redis: a watcher on process A sees, in order, the bids placed through process B.

The processes, their database and Redis: ``tests/support/cluster.py`` (mandatory under ``CI=true``).
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import time
import uuid

import pytest
from websockets.exceptions import ConnectionClosed

from bidder_client import AuctionClient
from tests.support.cluster import PRICE, STEP, Cluster, auction_starting_soon, live_url, registered, until_live
from tests.support.identity import id_number
from tests.support.live import recv, recv_type, ws_connect

pytestmark = [pytest.mark.postgres, pytest.mark.realtime]  # service processes on one PostgreSQL and Redis


async def test_a_watcher_on_one_process_sees_bids_placed_through_another(cluster: Cluster) -> None:
    a, b = cluster.processes
    async with AuctionClient(a.url) as staff_a, AuctionClient(b.url) as alice, AuctionClient(b.url) as bob:
        aid = (await auction_starting_soon(staff_a, "多进程测试标的"))["id"]
        for i, client in enumerate((alice, bob)):
            await registered(client, aid, f"mp-bidder-{i}")
        await until_live(alice, aid)

        async with ws_connect(live_url(a.url, aid, "after_seq=0")) as watcher:
            assert (await recv(watcher))["type"] == "snapshot"
            async with ws_connect(live_url(b.url, aid)) as other:
                assert (await recv(other))["type"] == "snapshot"
                # watchers are counted across processes: A hears of B's watcher
                for _ in range(10):
                    counter = await recv_type(watcher, {"watchers"}, wait=10)
                    if counter["count"] == 2:
                        break
                assert counter["count"] == 2

            placed = []
            for i in range(30):
                placed.append(await (alice, bob)[i % 2].bid(aid, PRICE + i * STEP))
            seen = [await recv_type(watcher, {"bid"}, wait=10) for _ in placed]
            assert [e["seq"] for e in seen] == [p["seq"] for p in placed] == list(range(1, 31))
            for event, ack in zip(seen, placed, strict=True):
                for key in ("amount", "bidder_code", "placed_at", "end_at", "priority"):
                    assert event[key] == ack[key], key

            # and the resumable client library sees the same record through A
            watch_a = AuctionClient(a.url)
            try:
                got = []
                async for event in watch_a.watch(aid, after_seq=25, snapshots=False):
                    if event["type"] == "bid":
                        got.append(event["seq"])
                    if len(got) == 5:
                        break
                assert got == [26, 27, 28, 29, 30]
            finally:
                await watch_a.aclose()

            # a graceful stop of A closes its watchers with 1001 ("going away")
            assert a.proc is not None
            a.proc.send_signal(signal.SIGTERM)
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await recv(watcher, wait=10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001


async def test_two_processes_taking_bids_on_one_auction_never_both_accept_a_price(cluster: Cluster) -> None:
    """The database guard: each process decides in memory, so concurrent bids through A and B race on
    the same auction row. Exactly the acknowledged bids are stored, seq has no gaps and prices rise."""
    urls = [process.url for process in cluster.processes]
    async with AuctionClient(urls[0]) as staff:
        aid = (await auction_starting_soon(staff, "竞价标的"))["id"]
    clients = [AuctionClient(urls[i % 2]) for i in range(12)]
    try:
        for i, client in enumerate(clients):
            await registered(client, aid, f"race-{i}")
        await until_live(clients[0], aid)

        acks: list[dict] = []

        async def bidder(client: AuctionClient, rounds: int) -> None:
            for _ in range(rounds):
                current = (await client.get_auction(aid))["current_price"]
                amount = PRICE if current is None else current + STEP
                response = await client.http.post(
                    f"/api/v1/auctions/{aid}/bids", json={"amount": amount}, headers=client.headers
                )
                if response.status_code == 201:
                    acks.append(response.json())
                else:
                    code = response.json()["error"]["code"]
                    assert response.status_code == 409 and code in ("bid_too_low", "bid_not_on_increment"), code

        await asyncio.wait_for(asyncio.gather(*(bidder(c, 8) for c in clients)), timeout=120)
        stored = (await clients[0].request("GET", f"/api/v1/auctions/{aid}/bids"))["items"]
    finally:
        for client in clients:
            await client.aclose()

    assert acks, "no bid was accepted"
    assert [b["seq"] for b in stored] == list(range(1, len(stored) + 1))
    assert all(later["amount"] > earlier["amount"] for earlier, later in itertools.pairwise(stored))
    by_seq = {b["seq"]: b for b in stored}
    assert len({a["seq"] for a in acks}) == len(acks) == len(stored)
    for ack in acks:
        assert by_seq[ack["seq"]]["amount"] == ack["amount"]
        assert by_seq[ack["seq"]]["bidder_code"] == ack["bidder_code"]
    final = await _auction_via(urls[1], aid)
    assert final["current_price"] == stored[-1]["amount"] and final["bid_count"] == len(stored)


async def _auction_via(url: str, aid: int) -> dict:
    async with AuctionClient(url) as client:
        return await client.get_auction(aid)


async def test_a_person_listed_through_one_process_may_no_longer_bid_through_another(cluster: Cluster) -> None:
    """The restriction list is kept by the court through any process; each process's books hold the
    auction's ineligible bidders in memory. A listing (and a credit restoration) made through A reaches
    B's books over the Redis fan-out: B refuses the listed bidder's next bid (403 ``bidder_restricted``)
    without a restart, and accepts it again once the credit is restored."""
    a, b = cluster.processes
    number = id_number()
    async with AuctionClient(a.url) as staff, AuctionClient(b.url) as alice:
        aid = (await auction_starting_soon(staff, "限制消费测试标的"))["id"]  # a vehicle: a restricted purchase
        username = f"mp-listed-{uuid.uuid4().hex[:6]}"
        await alice.sign_up(username, "password123", "李四", number)
        await alice.login(username, "password123")
        await alice.register(aid)
        await until_live(alice, aid)
        assert (await alice.bid(aid, PRICE))["seq"] == 1  # B's book for the auction is now in memory

        async def code_on_b(amount: int) -> str:
            response = await alice.http.post(
                f"/api/v1/auctions/{aid}/bids", json={"amount": amount}, headers=alice.headers
            )
            return response.json()["error"]["code"] if response.status_code >= 400 else "accepted"

        # off the increment: refused whatever happens, so probing B changes nothing
        off_step = PRICE + STEP + 1
        assert await code_on_b(off_step) == "bid_not_on_increment"
        listing = f"id_number,name,court,restricted_on\n{number},李四,多进程法院,2025-03-01\n"
        imported = await staff.http.post(
            "/api/v1/restrictions/import",
            content=listing.encode(),
            headers={**staff.headers, "Content-Type": "text/csv"},
        )
        assert imported.status_code == 200, imported.text

        async def code_on_b_within(seconds: float, wanted: str) -> str:
            code = ""
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                code = await code_on_b(off_step)
                if code == wanted:
                    break
                await asyncio.sleep(0.05)
            return code

        assert await code_on_b_within(10, "bidder_restricted") == "bidder_restricted"
        assert await code_on_b(PRICE + STEP) == "bidder_restricted"  # a valid amount too

        entries = (await staff.request("GET", "/api/v1/restrictions"))["items"]
        [entry] = [e for e in entries if e["name"] == "李四"]
        restored = await staff.http.post(
            f"/api/v1/restrictions/{entry['id']}/restore",
            json={"reason": "已履行完毕，信用修复"},
            headers=staff.headers,
        )
        assert restored.status_code == 200, restored.text
        assert await code_on_b_within(10, "bid_not_on_increment") == "bid_not_on_increment"
        assert (await alice.bid(aid, PRICE + STEP))["seq"] == 2
