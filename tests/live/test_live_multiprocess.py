"""Two real ``auction-service serve`` processes on one PostgreSQL database, live events fanned out
through Redis: a watcher on process A sees, in order, the bids placed through process B.

Under ``CI=true`` PostgreSQL and Redis are mandatory (the test fails); locally it skips when either is
unreachable. The subprocesses are killed in teardown whatever happens.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis
from websockets.exceptions import ConnectionClosed

from auction_service.clock import isoformat
from bidder_client import AuctionClient
from tests.conftest import IN_CI, PG_ADMIN_URL, _migrate, _pg_admin, run_in_thread
from tests.support.identity import id_number
from tests.support.live import recv, recv_type, ws_connect

pytestmark = [pytest.mark.postgres, pytest.mark.realtime]  # service processes on one PostgreSQL and Redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("AUCTION_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
STAFF = ("mp-clerk", "mp-password-123")
PRICE, STEP = 1_000_00, 1_00
CLI = [sys.executable, "-m", "auction_cli"]


def _unavailable(what: str, problem: object) -> None:
    message = f"{what} unreachable ({problem})"
    if IN_CI:
        pytest.fail(message + "; mandatory under CI=true")
    pytest.skip(message)


class Cluster(list):
    """[(url, process)] of the service processes, and the database they share (``db_url``)."""

    db_url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """A fresh PostgreSQL database, a staff account, and two service processes on it: [(url, process)]."""
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
        **os.environ,
        "AUCTION_DATABASE_URL": db_url,
        "AUCTION_REDIS_URL": REDIS_URL,
        "AUCTION_RULES": "sandbox",
        "AUCTION_SECRET_KEY": "multiprocess-test-secret-0123456789",
        "AUCTION_DEMO_BOTS": "false",
    }
    procs: list[subprocess.Popen] = []
    try:
        run_in_thread(_migrate(db_url))
        subprocess.run(
            [*CLI, "staff", "add", "--court", "多进程法院", "--username", STAFF[0]],
            env=env | {"AUCTION_NEW_PASSWORD": STAFF[1]},
            cwd=ROOT,
            check=True,
            timeout=60,
            capture_output=True,
        )
        urls = []
        for _ in range(2):
            port = _free_port()
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "auction_cli", "serve", "--port", str(port)],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for proc, url in zip(procs, urls, strict=True):
            _wait_healthy(proc, url)
        running = Cluster(zip(urls, procs, strict=True))
        running.db_url = db_url
        yield running
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            if proc.stderr is not None:
                proc.stderr.close()
        run_in_thread(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _wait_healthy(proc: subprocess.Popen, url: str, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise AssertionError(f"service at {url} exited with {proc.returncode}: {err[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"service at {url} did not become healthy within {within}s")


async def _auction_starting_soon(staff: AuctionClient, title: str) -> int:
    """Log the court clerk in and schedule a sandbox auction that opens ~2 s from now."""
    await staff.login(*STAFF)
    now = datetime.fromisoformat((await staff.clock())["now"].replace("Z", "+00:00"))
    lot = await staff.request("POST", "/api/v1/lots", json={"title": title, "category": "vehicle", "appraisal": PRICE})
    auction = await staff.request(
        "POST",
        f"/api/v1/lots/{lot['id']}/auctions",
        json={
            "starting_price": PRICE,
            "increment": STEP,
            "deposit": PRICE // 10,
            "start_at": isoformat(now + timedelta(seconds=2)),
            "end_at": isoformat(now + timedelta(hours=1)),
        },
    )
    return auction["id"]


async def test_a_watcher_on_one_process_sees_bids_placed_through_another(cluster: list) -> None:
    (url_a, proc_a), (url_b, _proc_b) = cluster
    async with AuctionClient(url_a) as staff_a, AuctionClient(url_b) as alice, AuctionClient(url_b) as bob:
        aid = await _auction_starting_soon(staff_a, "多进程测试标的")
        for i, client in enumerate((alice, bob)):
            username = f"mp-bidder-{i}-{uuid.uuid4().hex[:6]}"
            await client.sign_up(username, "password123", "王五", id_number())
            await client.login(username, "password123")
            await client.register(aid)
        for _ in range(150):  # sandbox: the auction opens ~2 s after scheduling
            if (await alice.get_auction(aid))["status"] == "live":
                break
            await asyncio.sleep(0.1)
        assert (await alice.get_auction(aid))["status"] == "live"

        base_a = url_a.replace("http://", "ws://")
        async with ws_connect(f"{base_a}/api/v1/auctions/{aid}/live?after_seq=0") as watcher:
            assert (await recv(watcher))["type"] == "snapshot"
            async with ws_connect(url_b.replace("http://", "ws://") + f"/api/v1/auctions/{aid}/live") as other:
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
            watch_a = AuctionClient(url_a)
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
            proc_a.send_signal(signal.SIGTERM)
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await recv(watcher, wait=10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001


async def test_two_processes_taking_bids_on_one_auction_never_both_accept_a_price(cluster: list) -> None:
    """The database guard: each process decides in memory, so concurrent bids through A and B race on
    the same auction row. Exactly the acknowledged bids are stored, seq has no gaps and prices rise."""
    (url_a, _), (url_b, _) = cluster
    async with AuctionClient(url_a) as staff:
        aid = await _auction_starting_soon(staff, "竞价标的")
    clients = [AuctionClient((url_a, url_b)[i % 2]) for i in range(12)]
    try:
        for i, client in enumerate(clients):
            username = f"race-{i}-{uuid.uuid4().hex[:6]}"
            await client.sign_up(username, "password123", "竞买人", id_number())
            await client.login(username, "password123")
            await client.register(aid)
        for _ in range(150):
            if (await clients[0].get_auction(aid))["status"] == "live":
                break
            await asyncio.sleep(0.1)

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
    final = await _auction_via(url_b, aid)
    assert final["current_price"] == stored[-1]["amount"] and final["bid_count"] == len(stored)


async def _auction_via(url: str, aid: int) -> dict:
    async with AuctionClient(url) as client:
        return await client.get_auction(aid)


async def test_a_person_listed_through_one_process_may_no_longer_bid_through_another(cluster: list) -> None:
    """The restriction list is kept by the court through any process; each process's books hold the
    auction's ineligible bidders in memory. A listing (and a credit restoration) made through A reaches
    B's books over the Redis fan-out: B refuses the listed bidder's next bid (403 ``bidder_restricted``)
    without a restart, and accepts it again once the credit is restored."""
    (url_a, _), (url_b, _) = cluster
    number = id_number()
    async with AuctionClient(url_a) as staff, AuctionClient(url_b) as alice:
        aid = await _auction_starting_soon(staff, "限制消费测试标的")  # a vehicle: a restricted purchase
        username = f"mp-listed-{uuid.uuid4().hex[:6]}"
        await alice.sign_up(username, "password123", "李四", number)
        await alice.login(username, "password123")
        await alice.register(aid)
        for _ in range(150):
            if (await alice.get_auction(aid))["status"] == "live":
                break
            await asyncio.sleep(0.1)
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
