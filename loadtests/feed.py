"""Live-feed benchmark: bid-to-delivery latency with many watchers on one auction.

    .venv-load/bin/python -m loadtests.feed --watchers 1000 --rate 200 --seconds 10 [--db sqlite]
    .venv-load/bin/python -m loadtests.feed --watchers 10000 --rate 2 --seconds 20   # watchers held

Starts ``auction-service serve`` (one process) on a fresh database, opens one live auction with one
registered bidder, then runs ``loadtests/feed_watchers.mjs`` (Node.js, no dependencies): it connects
the watchers, sends bids at ``--rate`` per second over HTTP (amounts rising by one increment, so every
bid is accepted unless the service refuses it), and measures, for every watcher and every bid, the time
from sending the bid to that watcher having its event; it also checks that every watcher got every
accepted bid once and in seq order. The invariant checker then verifies the stored bids. Prints the
figures; nothing is asserted (it is a measurement). ``loadtests.bench`` runs this too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from . import run, seed

ROOT = run.ROOT
SCRIPT = Path(__file__).with_name("feed_watchers.mjs")
STARTING_PRICE = 1_000_000  # fen
INCREMENT = 100


def log(msg: str) -> None:
    print(f"[feed {time.strftime('%H:%M:%S')}] {msg}", flush=True)


async def seed_feed(base: str, staff: dict) -> dict:
    """One live auction (starting in 2 s of server time, ending in 6 h) and one registered bidder."""
    s = seed.Seeder(base)
    try:
        token = await s.token(staff["username"], staff["password"])
        bidder = await s.bidder("feedbidder")
        now, speed = await s.server_now()
        start = now + timedelta(seconds=2 * speed)
        lot = await s.call(
            "POST",
            "/api/v1/lots",
            token,
            json={"title": "feed bench", "category": "vehicle", "appraisal": STARTING_PRICE},
        )
        body = {
            "starting_price": STARTING_PRICE,
            "increment": INCREMENT,
            "deposit": STARTING_PRICE // 10,
            "start_at": seed.iso(start),
            "end_at": seed.iso(start + timedelta(hours=6)),
        }
        auction = await s.call("POST", f"/api/v1/lots/{lot['id']}/auctions", token, json=body)
        await s.register(bidder, auction["id"])
        return {"auction": auction["id"], "token": bidder["token"], "start_at": seed.iso(start)}
    finally:
        await s.close()


def feed_run(watchers: int, rate: float, seconds: float, db: str, workdir: Path, batch_ms: float | None = None) -> dict:
    """One measurement on a fresh service; returns the generator's figures plus the invariant check."""
    if shutil.which("node") is None:
        raise RuntimeError("node (Node.js >= 18) is needed for the live-feed generator")
    extra_env = {} if batch_ms is None else {"AUCTION_FEED_BATCH_MS": str(batch_ms)}
    with run.fresh_service(db, workdir / f"feed-{db}-{watchers}", "feed", extra_env) as svc:
        port, proc = svc.port, svc.proc
        seeded = asyncio.run(seed_feed(svc.base, run.STAFF[0]))
        run.wait_for_start({"auctions": [{"start_at": seeded["start_at"]}]}, svc.base)
        cmd = [
            "node",
            str(SCRIPT),
            "--port",
            str(port),
            "--auction",
            str(seeded["auction"]),
            "--token",
            seeded["token"],
            "--watchers",
            str(watchers),
            "--rate",
            str(rate),
            "--seconds",
            str(seconds),
            "--increment",
            str(INCREMENT),
            "--first-amount",
            str(STARTING_PRICE),
        ]
        batch = "the default" if batch_ms is None else f"{batch_ms:g} ms"
        log(f"{watchers} watchers, {rate:g} bids/s for {seconds:g} s on {db}, feed batch {batch}")
        figures = None
        before = _cpu_seconds(proc.pid)
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT) as gen:
            assert gen.stdout is not None
            for line in gen.stdout:
                if line.startswith("FEEDJSON "):
                    figures = json.loads(line.split(" ", 1)[1])
                else:
                    print(line, end="", flush=True)
            gen.wait(timeout=seconds + 600)
        if figures is None:
            raise RuntimeError("the live-feed generator printed no figures")
        figures["server_cpu_seconds"] = _cpu_seconds(proc.pid) - before
    report = svc.report
    assert report is not None
    figures["db"] = db
    figures["stored_bids"] = report.facts["bids"]
    figures["invariants_ok"] = not report.failed and report.facts["bids"] == figures["bids"]["accepted"]
    figures["invariants"] = report.table()
    return figures


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), for the server's share of the run."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / 100.0
    except (OSError, IndexError, ValueError):
        return float("nan")


def summary(f: dict) -> str:
    b = f["bids"]
    return (
        f"{f['connected']:,} of {f['watchers']:,} watchers connected in {f['connect_seconds']:.1f} s, "
        f"{f['held']:,} held to the end; bids {b['accepted']:,} accepted of {b['sent']:,} sent in "
        f"{b['seconds']:.1f} s; deliveries {f['deliveries']:,} of {f['expected_deliveries']:,} "
        f"(gaps {f['gaps']}, duplicates {f['duplicates']}, watchers short {f['watchers_short']}); "
        f"bid-to-delivery p50 {f['p50_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, "
        f"max {f['max_ms']:.1f} ms; CPU s: server {f['server_cpu_seconds']:.1f}, generator "
        f"{f['generator_cpu_seconds']:.1f}; invariants {'ok' if f['invariants_ok'] else 'VIOLATED'}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m loadtests.feed", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--watchers", type=int, default=1000, help="websocket watchers (1-15000)")
    p.add_argument("--rate", type=float, default=200.0, help="bids per second (0-2000)")
    p.add_argument("--seconds", type=float, default=10.0, help="bidding time (1-120)")
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--batch-ms", type=float, help="the service's AUCTION_FEED_BATCH_MS (default: its own, 20)")
    args = p.parse_args(argv)
    if not (1 <= args.watchers <= 15000 and 0 <= args.rate <= 2000 and 1 <= args.seconds <= 120):
        p.error("bounded runs only: --watchers 1-15000, --rate 0-2000, --seconds 1-120")
    workdir = Path(tempfile.mkdtemp(prefix="feed-"))
    try:
        figures = feed_run(args.watchers, args.rate, args.seconds, args.db, workdir, args.batch_ms)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    log(summary(figures))
    if not figures["invariants_ok"]:
        print(figures["invariants"])
    ok = figures["invariants_ok"] and figures["gaps"] == 0 and figures["duplicates"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
