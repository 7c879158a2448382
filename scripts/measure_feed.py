"""Measure live-feed fan-out: bid-to-delivery latency with many watchers.

Starts ``auction-service serve`` in a subprocess (fresh SQLite file, sandbox rules), opens one live
auction, connects ``--watchers`` websocket watchers, places bids at ``--rate`` per second for
``--seconds`` over HTTP, and prints the latency from sending each bid to each watcher receiving its
event (p50/p95/p99), plus how many watchers were still connected at the end. Nothing is asserted:
it is a measurement, compare runs taken at the same time (the machine's speed drifts).

    .venv/bin/python scripts/measure_feed.py --watchers 1000 --rate 200 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402

from bidder_client import ApiError, AuctionClient  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="measure_feed_"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AUCTION_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'feed.db'}",
        "AUCTION_RULES": "sandbox",
        "AUCTION_DEMO_BOTS": "false",
        "AUCTION_SECRET_KEY": "measure-feed-secret-0123456789-abcdef",
    }
    env.pop("AUCTION_REDIS_URL", None)
    cli = [sys.executable, "-m", "auction_service.cli"]
    subprocess.run(
        [*cli, "staff", "add", "--court", "C", "--username", "clerk", "--password", "password123"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", trust_env=False, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        asyncio.run(run(args, base))
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


async def run(args: argparse.Namespace, base: str) -> None:
    staff = AuctionClient(base)
    await staff.login("clerk", "password123")
    now = datetime.fromisoformat((await staff.clock())["now"].replace("Z", "+00:00"))
    lot = await staff.request("POST", "/api/v1/lots", json={"title": "bench", "category": "vehicle", "appraisal": 1000})
    auction = await staff.request(
        "POST",
        f"/api/v1/lots/{lot['id']}/auctions",
        json={
            "starting_price": 1000,
            "increment": 1,
            "deposit": 100,
            "start_at": (now + timedelta(seconds=2)).isoformat(),
            "end_at": (now + timedelta(hours=2)).isoformat(),
        },
    )
    aid = auction["id"]
    bidders = []
    for i in range(args.bidders):
        client = AuctionClient(base)
        await client.sign_up(f"bench{i}", "password123", "测试")
        await client.login(f"bench{i}", "password123")
        await client.register(aid)
        bidders.append(client)
    for _ in range(100):
        if (await staff.get_auction(aid))["status"] == "live":
            break
        await asyncio.sleep(0.2)

    sent_at: dict[int, float] = {}  # amount -> when the bid was sent (time.time(): shared across processes)
    url = base.replace("http://", "ws://") + f"/api/v1/auctions/{aid}/live"
    # Watchers live in worker processes: one Python process cannot both hold 1,000 sockets and pace
    # the bids without becoming the bottleneck it is trying to measure.
    ctx = mp.get_context("spawn")
    results: mp.Queue = ctx.Queue()
    ready = ctx.Semaphore(0)
    stop_flag = ctx.Event()
    per = [args.watchers // args.workers + (1 if k < args.watchers % args.workers else 0) for k in range(args.workers)]
    procs = [
        ctx.Process(target=watch_worker, args=(url, n, ready, stop_flag, results, args.compression)) for n in per if n
    ]
    for proc in procs:
        proc.start()
    for _ in range(args.watchers):
        while not ready.acquire(timeout=0.05):  # noqa: ASYNC110 - a process semaphore, not an asyncio one
            await asyncio.sleep(0.05)
    print(f"{args.watchers} watchers connected; bidding at {args.rate}/s for {args.seconds}s", flush=True)

    next_amount = [1000]
    accepted = [0]
    refused = [0]

    async def bid(client: AuctionClient) -> None:
        amount = next_amount[0]
        next_amount[0] += 1
        sent_at[amount] = time.time()
        try:
            await client.bid(aid, amount)
            accepted[0] += 1
        except ApiError:
            refused[0] += 1

    loop = asyncio.get_running_loop()
    began = loop.time()
    pending: set[asyncio.Task] = set()
    n = 0
    while loop.time() - began < args.seconds:
        n += 1
        task = asyncio.create_task(bid(bidders[n % len(bidders)]))
        pending.add(task)
        task.add_done_callback(pending.discard)
        await asyncio.sleep(max(0.0, began + n / args.rate - loop.time()))
    await asyncio.gather(*pending)
    await asyncio.sleep(3)  # let deliveries drain
    stop_flag.set()
    latencies: list[float] = []
    held = 0
    closed_codes: dict[int, int] = {}
    for _ in procs:
        arrivals, still_open, codes = await asyncio.to_thread(results.get, True, 120)
        held += still_open
        for code, count in codes.items():
            closed_codes[code] = closed_codes.get(code, 0) + count
        latencies += [(t - sent_at[a]) for a, t in arrivals if a in sent_at]
    for proc in procs:
        proc.join(10)
    elapsed = loop.time() - began
    ms = [x * 1000 for x in latencies]
    print(f"bids sent {n} (accepted {accepted[0]}, refused {refused[0]}) in {elapsed:.1f}s")
    print(f"deliveries {len(ms)} (expected {accepted[0] * args.watchers}), watchers held: {held}/{args.watchers}")
    print(
        f"bid-to-delivery latency ms: p50 {percentile(ms, 0.50):.1f}  p95 {percentile(ms, 0.95):.1f}  "
        f"p99 {percentile(ms, 0.99):.1f}  max {max(ms, default=float('nan')):.1f}"
    )
    if closed_codes:
        print(f"watchers closed early, by close code: {closed_codes}")
    for client in [staff, *bidders]:
        await client.aclose()


def watch_worker(url: str, count: int, ready, stop_flag, results, compression: bool = True) -> None:
    """A process holding ``count`` watchers; reports (amount, arrival time) of every bid event."""
    asyncio.run(_watch(url, count, ready, stop_flag, results, compression))


async def _watch(url: str, count: int, ready, stop_flag, results, compression: bool) -> None:
    arrivals: list[tuple[int, float]] = []
    codes: dict[int, int] = {}
    sockets = []

    async def one() -> None:
        try:
            async with connect(
                url, proxy=None, open_timeout=60, max_queue=None, compression="deflate" if compression else None
            ) as ws:
                sockets.append(ws)
                await ws.recv()  # snapshot
                ready.release()
                async for raw in ws:
                    now = time.time()
                    if '"type":"bid"' in raw:
                        arrivals.append((orjson.loads(raw)["amount"], now))
        except Exception as exc:
            code = getattr(getattr(exc, "rcvd", None), "code", 1006)
            codes[code] = codes.get(code, 0) + 1

    tasks = []
    for start in range(0, count, 50):  # connect in waves
        tasks += [asyncio.create_task(one()) for _ in range(min(50, count - start))]
        await asyncio.sleep(0.05)
    while not stop_flag.is_set():  # noqa: ASYNC110 - a process event, set by the parent
        await asyncio.sleep(0.1)
    held = sum(1 for t in tasks if not t.done())
    for ws in sockets:
        await ws.close()
    await asyncio.gather(*tasks, return_exceptions=True)
    results.put((arrivals, held, codes))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0, help="bids per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--bidders", type=int, default=8)
    parser.add_argument(
        "--no-compression", dest="compression", action="store_false", help="watchers refuse permessage-deflate"
    )
    parser.add_argument("--workers", type=int, default=3, help="watcher processes")
    main(parser.parse_args())
