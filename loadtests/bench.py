"""Benchmarks of the bidding core against the ceiling, in one run on this machine.

    .venv-load/bin/python -m loadtests.bench [--duration 10] [--connections 64] [--db sqlite,postgresql]

Generator: wrk (one thread, N keep-alive connections, Lua scripts in ``loadtests/wrk/``), the same for
the ceiling and the bids. Measured, each for ``--duration`` seconds:

1. the ceiling: ``loadtests/ceiling_app.py`` (minimal FastAPI POST endpoint returning JSON, pydantic body)
   under uvicorn with uvloop + httptools, one worker; measured first and last, to bracket drift;
2. bid decisions/s (201 accepted + 409 refused) on one hot auction and across 100 live auctions, on
   SQLite and PostgreSQL: the service (``auction-service serve``, one worker) seeded through its API,
   each request from the next of 64 bidder tokens, amounts = last known price + 1 increment (~90%) or
   2-5; every acknowledged bid is verified in the database afterwards by the invariant checker
   (counts of accepted bids are compared with the rows);
3. p99 at about half the maximum throughput: no wrk2 here, so the run is repeated with the same
   connections, each pausing before every request (wrk's ``delay()`` hook, ``wrk/bids_paced.lua``) so
   that they offer half the measured maximum; the achieved rate is reported with its p99;
4. the live feed (``loadtests/feed.py``, Node.js generator ``feed_watchers.mjs``): bid-to-delivery
   latency with 1,000 watchers on one auction at 200 bids/s, and 10,000 watchers held on one process
   (2 bids/s), on SQLite.

Prints every figure with its ratio to the ceiling, then each target as met or MISSED, and
writes the table to a new results file, ``loadtests/reports/bench-<time>.md`` (``--update-docs``
rewrites the top of ``docs/benchmarks.md`` instead). Exit status: 1 if an invariant was violated; with
``--strict``, also 1 if a target was missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from auction_sim.identities import complete_announcement

from . import feed, run, seed

ROOT = run.ROOT
WRK_DIR = Path(__file__).with_name("wrk")
UNIT = 10**9  # auction i's prices live in [i * UNIT, (i + 1) * UNIT)
INCREMENT = 100
BIDDERS = 64
SPREAD_AUCTIONS = 100
DOCS = ROOT / "docs" / "benchmarks.md"
REPORTS = ROOT / "loadtests" / "reports"
KEEP_MARKER = "<!-- bench.py rewrites everything above this line and keeps what follows -->"
PER_BIDDER_SPREAD = 4  # each bidder registered to 4 of the 100 auctions (~2.5 bidders per auction)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def wrk(url: str, script: str, connections: int, duration: int, args: list[str] | None = None) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(WRK_DIR / script), url]
    if args:
        cmd += ["--", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    m = re.search(r"WRKJSON (\{.*\})", out)
    if not m:
        raise RuntimeError(f"wrk gave no summary:\n{out}")
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["decisions_per_s"] = (r["accepted"] + r["refused"]) / (r["duration_us"] / 1e6)
    r["connections"] = connections
    return r


def fmt_ms(us: float) -> str:
    return f"{us / 1000:.1f} ms"


# ---------------------------------------------------------------- the ceiling
class Ceiling:
    """The ceiling app, kept running (idle between measurements) so that each bid measurement can be
    paired with a ceiling measurement taken right before it."""

    def __init__(self) -> None:
        self.port = run.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [str(ROOT / ".venv/bin/python"), "-m", "uvicorn", "loadtests.ceiling_app:app", "--host", "127.0.0.1"]
        cmd += ["--port", str(self.port), "--loop", "uvloop", "--http", "httptools", "--log-level", "warning"]
        self.proc = subprocess.Popen(
            cmd,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            cwd=ROOT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("the ceiling app did not start") from None
                time.sleep(0.2)
        wrk(self.url, "ceiling.lua", 16, 2)  # warm-up

    def measure(self, connections: int, duration: int) -> dict:
        return wrk(self.url, "ceiling.lua", connections, duration)

    def stop(self) -> None:
        run.stop_service(self.proc)


# ---------------------------------------------------------------- bids
async def seed_bench(base: str, staff: dict, auctions: int, per_bidder: int) -> dict:
    """Auctions with disjoint price ranges (starting price = i * UNIT for auction id i), 64 bidders,
    each registered to ``per_bidder`` auctions."""
    s = seed.Seeder(base, concurrency=8)
    try:
        token = await s.token(staff["username"], staff["password"])
        bidders = await s.bidders("bench", BIDDERS)
        now, speed = await s.server_now()
        regs = BIDDERS * per_bidder
        start = now + timedelta(seconds=(2 + (regs + 2 * auctions) / seed.REGISTRATIONS_PER_SECOND) * speed)
        ids = []
        for i in range(auctions):
            lot = await s.call(
                "POST",
                "/api/v1/lots",
                token,
                json=complete_announcement({"title": f"bench {i}", "category": "vehicle", "appraisal": (i + 1) * UNIT}),
            )
            # the auction id is not known before it is created: create, then check the price range
            expected = len(ids) + 1
            body = {
                "starting_price": expected * UNIT,
                "increment": INCREMENT,
                "deposit": expected * UNIT // 10,
                "start_at": seed.iso(start),
                "end_at": seed.iso(start + timedelta(hours=6)),
            }
            a = await s.call("POST", f"/api/v1/lots/{lot['id']}/auctions", token, json=body)
            if a["id"] != expected:
                raise RuntimeError(f"bench needs a fresh database: auction id {a['id']} != {expected}")
            ids.append(a["id"])
        jobs = []
        for b, bidder in enumerate(bidders):
            for k in range(per_bidder):
                jobs.append(s.register(bidder, ids[(b * per_bidder + k) % len(ids)]))
        await asyncio.gather(*jobs)
        return {"tokens": [b["token"] for b in bidders], "auctions": ids, "start_at": seed.iso(start)}
    finally:
        await s.close()


def lua_data(seeded: dict, per_bidder: int, path: Path) -> None:
    lines = [
        "tokens = {" + ",".join(f'"{t}"' for t in seeded["tokens"]) + "}",
        "auctions = {" + ",".join(str(a) for a in seeded["auctions"]) + "}",
        f"unit = {UNIT}",
        f"increment = {INCREMENT}",
        f"per_bidder = {per_bidder}",
    ]
    path.write_text("\n".join(lines) + "\n")


def bid_runs(
    db: str, shape: str, duration: int, connections: int, ceiling: Ceiling, workdir: Path, env: dict[str, str]
) -> dict:
    """Start a fresh service on ``db``, seed ``shape`` (hot: 1 auction; spread: 100), run wrk at full
    load, then at about half the throughput; check the invariants on the database."""
    with run.fresh_service(db, workdir / f"{db}-{shape}", shape, env) as svc:
        base = svc.base
        auctions, per_bidder = (1, 1) if shape == "hot" else (SPREAD_AUCTIONS, PER_BIDDER_SPREAD)
        seeded = asyncio.run(seed_bench(base, run.STAFF[0], auctions, per_bidder))
        data = workdir / f"{db}-{shape}" / "data.lua"
        lua_data(seeded, per_bidder, data)
        run.wait_for_start({"auctions": [{"start_at": seeded["start_at"]}]}, base)
        warm = wrk(base, "bids.lua", connections, 2, [str(data)])  # warm-up (books loaded, caches filled)
        paired = ceiling.measure(connections, duration)
        full = wrk(base, "bids.lua", connections, duration, [str(data)])
        # about half the maximum: the same connections, each pausing pace_ms before every request
        target = full["decisions_per_s"] / 2
        pace_ms = max(1, round(connections * 1000 / max(target, 1.0)))
        half = wrk(base, "bids_paced.lua", connections, duration, [str(data), str(pace_ms)])
        half["pace_ms"] = pace_ms
        pid = svc.proc.pid
    report = svc.report
    assert report is not None
    stored = report.facts["bids"]
    accepted = warm["accepted"] + full["accepted"] + half["accepted"]
    return {
        "db": db,
        "shape": shape,
        "full": full,
        "ceiling": paired,
        "half": half,
        "stored_bids": stored,
        "accepted_in_measured_runs": accepted,
        # wrk drops the answers in flight when it stops: at most one per connection per wrk run
        "invariants_ok": not report.failed and accepted <= stored <= accepted + 3 * connections,
        "invariants": report.table(),
        "server_pid": pid,
    }


# ---------------------------------------------------------------- report
def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def targets(results: list[dict], feeds: list[dict]) -> list[tuple[str, str, bool]]:
    """Each target that this run measured: (what, the measured figure against the target, met)."""
    out = []
    for r in results:
        f, h, c = r["full"], r["half"], r["ceiling"]
        floor = 1.0 if r["db"] == "sqlite" else 0.75
        ratio = f["decisions_per_s"] / c["rps"] if c["rps"] else 0.0
        out.append(
            (f"bids {r['shape']} {r['db']}: ratio to the paired ceiling", f"{ratio:.2f} vs ≥ {floor}", ratio >= floor)
        )
        p99 = h["p99_us"] / 1000
        out.append((f"bids {r['shape']} {r['db']}: p99 at ~half throughput", f"{p99:.1f} ms vs ≤ 25 ms", p99 <= 25))
    for f in feeds:
        if f["watchers"] <= 1000:
            out.append(
                (
                    f"live feed, {f['watchers']:,} watchers at {f['rate']:g} bids/s: bid-to-delivery p99",
                    f"{f['p99_ms']:.1f} ms vs ≤ 50 ms",
                    f["p99_ms"] <= 50,
                )
            )
        else:
            out.append(
                (
                    f"live feed: {f['watchers']:,} watchers held on one process",
                    f"{f['held']:,} held",
                    f["held"] >= f["watchers"],
                )
            )
    return out


def targets_text(measured: list[tuple[str, str, bool]]) -> str:
    return "\n".join(f"- {'met' if ok else '**MISSED**'}: {what}: {figure}" for what, figure, ok in measured)


def write_markdown(
    path: Path, m: dict, cmd: str, ceil: dict, ceil_end: dict, results: list[dict], feeds: list[dict], args
) -> str:
    ref = (ceil["rps"] + ceil_end["rps"]) / 2
    rows = [
        "| what | generator | decisions or requests/s | ratio to paired ceiling | ratio to run ceiling "
        "| p50 | p95 | p99 |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def lat(r: dict) -> str:
        return f"{fmt_ms(r['p50_us'])} | {fmt_ms(r['p95_us'])} | {fmt_ms(r['p99_us'])}"

    for label, c in (("start of run", ceil), ("end of run", ceil_end)):
        rows.append(
            f"| ceiling: minimal FastAPI POST ({label}) | wrk -t1 -c{c['connections']} | {c['rps']:,.0f} | — | "
            f"{c['rps'] / ref:.2f} | {lat(c)} |"
        )
    for r in results:
        where = "one hot auction" if r["shape"] == "hot" else f"{SPREAD_AUCTIONS} live auctions"
        f, h, c = r["full"], r["half"], r["ceiling"]
        acc = f["accepted"] / max(f["accepted"] + f["refused"], 1)
        rows.append(
            f"| ceiling paired with the next row | wrk -t1 -c{c['connections']} | {c['rps']:,.0f} | — | "
            f"{c['rps'] / ref:.2f} | {lat(c)} |"
        )
        rows.append(
            f"| **bids, {where}, {r['db']}** ({acc:.0%} accepted) | wrk -t1 -c{f['connections']} | "
            f"**{f['decisions_per_s']:,.0f}** | **{f['decisions_per_s'] / c['rps']:.2f}** | "
            f"{f['decisions_per_s'] / ref:.2f} | {lat(f)} |"
        )
        rows.append(
            f"| same at ~half throughput | wrk -t1 -c{h['connections']}, {h['pace_ms']} ms pause per request "
            f"| {h['decisions_per_s']:,.0f} "
            f"({h['decisions_per_s'] / max(f['decisions_per_s'], 1):.0%} of max) | "
            f"{h['decisions_per_s'] / c['rps']:.2f} | {h['decisions_per_s'] / ref:.2f} | {lat(h)} |"
        )
    for f in feeds:
        b = f["bids"]
        rows.append(
            f"| **bid-to-delivery, {f['connected']:,} watchers held of {f['watchers']:,}, one auction, {f['db']}** "
            f"| feed_watchers.mjs, bids {f['rate']:g}/s | {b['accepted']:,} bids → {f['deliveries']:,} of "
            f"{f['expected_deliveries']:,} deliveries | — | — | {f['p50_ms']:.1f} ms | {f['p95_ms']:.1f} ms | "
            f"**{f['p99_ms']:.1f} ms** |"
        )
    checks = "\n".join(
        f"- {r['db']}, {r['shape']}: {r['stored_bids']:,} bids stored, {r['accepted_in_measured_runs']:,} 201s "
        f"counted by wrk (all runs, warm-up included; wrk does not count answers still in flight when it stops); "
        f"invariants {'hold' if r['invariants_ok'] else 'VIOLATED'}"
        for r in results
    )
    checks += "".join(
        f"\n- live feed, {f['watchers']:,} watchers: {f['held']:,} held to the end, gaps {f['gaps']}, duplicates "
        f"{f['duplicates']}, watchers short of a bid {f['watchers_short']}, {f['stored_bids']:,} bids stored; "
        f"server CPU {f['server_cpu_seconds']:.1f} s, generator CPU {f['generator_cpu_seconds']:.1f} s; "
        f"invariants {'hold' if f['invariants_ok'] else 'VIOLATED'}"
        for f in feeds
    )
    text = f"""# Benchmarks of the bidding core

Generated by `{cmd}` ({m["date"]}). Compare figures only within one run: the machine's speed drifts
(see `docs/performance-budget.md`), and other work on the machine shares its cores.

Machine: {m["nproc"]} cores, {m["cpu"]}, Python {m["python"]}. Load average at the start of the run:
{m["load_start"]}; at the end: {m["load"]} (above ~1, other processes competed with the benchmark for the
two cores, and the figures say more about the machine's mood than about the code: rerun on a quiet machine).

Method: the generator is wrk (one thread, keep-alive connections, Lua scripts in `loadtests/wrk/`), the
same for the ceiling and the bids, {args.duration} s per measurement after a 2 s warm-up, on loopback;
server and generator share the machine's cores. The ceiling is `loadtests/ceiling_app.py` (minimal
FastAPI POST endpoint, pydantic body, dict returned) under uvicorn, uvloop + httptools, one worker. It is
measured at the start and at the end of the run (their mean, {ref:,.0f} req/s, is the "run ceiling") and
again right before each bid measurement (the "paired ceiling", the fairer ratio on a noisy machine).
Bids go to `POST /api/v1/auctions/{{id}}/bids` of `auction-service serve` (one worker, `AUCTION_RULES=sandbox`,
a fresh database each), each request from the next of {BIDDERS} bidder tokens, amount = the last price
the generator saw + one increment (~90%) or 2-5: on a hot auction most guesses are stale and refused
(409 `bid_too_low`); a bid decision is a 201 or a 409. For the 100 auctions, each bidder is registered
to {PER_BIDDER_SPREAD} of them (~2.5 bidders per auction).
"~half throughput": wrk2 is not available, so the run is repeated with the same connections, each
pausing a fixed time before every request (wrk's `delay()` hook, `wrk/bids_paced.lua`), the pause
chosen to offer half the measured maximum; the pause adds to each connection's response time, so the
achieved rate (shown) is a little below the target. Latencies are wrk's (closed loop per connection: a
stalled request delays that connection's next one, so tails are understated compared with an open-loop
generator).
After each database's runs the invariant checker (`loadtests/check.py`) verified the stored bids.
Live feed: `loadtests/feed.py` starts a fresh service on SQLite with one live auction; the generator
(`loadtests/feed_watchers.mjs`, Node.js: raw sockets, a minimal frame reader, one process) connects the
watchers, then one bidder sends bids at the given rate over HTTP (each one increment above the last,
so all are accepted); latency is from sending a bid to each watcher having its event, over every
(bid, watcher) pair; every watcher must get every accepted bid once and in seq order. The service
batches a fast auction's events (`AUCTION_FEED_BATCH_MS`, default 20 ms; each event stays its own
message) and writes pre-built frames straight to in-step watchers (`auction_service/live/frames.py`).

{chr(10).join(rows)}

Checks after the runs:
{checks}

Targets: ≥ 1.0× the ceiling on SQLite, ≥ 0.75× on PostgreSQL, on one hot auction and across
100; p99 ≤ 25 ms at half the maximum throughput; bid-to-delivery p99 ≤ 50 ms with 1,000 watchers at
200 bids/s; 10,000 watchers held on one process. In this run:
{targets_text(targets(results, feeds))}
"""
    kept = ""
    if path.exists() and KEEP_MARKER in path.read_text():
        kept = path.read_text().split(KEEP_MARKER, 1)[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n" + KEEP_MARKER + kept if kept or path == DOCS else text)
    return text


def main(argv: list[str] | None = None) -> int:  # noqa: C901 - the command line: its options, then each measurement in order
    p = argparse.ArgumentParser(
        prog="python -m loadtests.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--duration", type=int, default=10, help="seconds per measurement (1-120)")
    p.add_argument("--connections", type=int, default=64, help="wrk connections at full load (1-512)")
    p.add_argument("--db", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    p.add_argument("--shapes", default="hot,spread", help="comma-separated: hot, spread")
    p.add_argument("--feed", default="1000x200,10000x2", help="live-feed runs WATCHERSxBIDS_PER_S ('' for none)")
    p.add_argument("--out", type=Path, help="results file (default: loadtests/reports/bench-<time>.md)")
    p.add_argument(
        "--update-docs", action="store_true", help=f"write the table to the top of {DOCS.relative_to(ROOT)} instead"
    )
    p.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    p.add_argument(
        "--service-env",
        action="append",
        default=[],
        metavar="AUCTION_X=VALUE",
        help="a setting for the measured service (repeatable), e.g. AUCTION_METRICS=0 to compare with metrics off",
    )
    p.add_argument("--keep", action="store_true", help="keep the work directory (server logs, SQLite files)")
    args = p.parse_args(argv)
    if not 1 <= args.duration <= 120 or not 1 <= args.connections <= 512:
        p.error("bounded runs only: --duration 1-120, --connections 1-512")
    if shutil.which("wrk") is None:
        p.error("wrk is not installed (apt-get install -y wrk)")
    if args.out and args.update_docs:
        p.error("--out and --update-docs name two different files: give one")
    service_env = {}
    for item in args.service_env:
        key, sep, value = item.partition("=")
        if not sep or not key.startswith("AUCTION_"):
            p.error(f"--service-env takes AUCTION_NAME=VALUE, not {item!r}")
        service_env[key] = value
    out = DOCS if args.update_docs else args.out or REPORTS / f"bench-{datetime.now():%Y%m%d-%H%M%S}.md"
    cmd = "python -m loadtests.bench " + " ".join(argv if argv is not None else sys.argv[1:])
    workdir = Path(
        tempfile.mkdtemp(
            prefix="bench-", dir=ROOT / "loadtests" / "reports" if (ROOT / "loadtests" / "reports").exists() else None
        )
    )
    log(f"work directory {workdir}")
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    ceiling = Ceiling()
    results = []
    failed = False
    try:
        ceil = ceiling.measure(args.connections, args.duration)
        log(f"ceiling: {ceil['rps']:,.0f} req/s, p99 {fmt_ms(ceil['p99_us'])}")
        for db in [d for d in args.db.split(",") if d]:
            for shape in [s for s in args.shapes.split(",") if s]:
                r = bid_runs(db, shape, args.duration, args.connections, ceiling, workdir, service_env)
                f, h, c = r["full"], r["half"], r["ceiling"]
                log(
                    f"bids {shape:6} {db:10}: {f['decisions_per_s']:,.0f} decisions/s ({f['accepted']:,} accepted, "
                    f"{f['refused']:,} refused, {f['other']} other, {f['errors']} socket errors) = "
                    f"{f['decisions_per_s'] / c['rps']:.2f}x the paired ceiling ({c['rps']:,.0f}/s); "
                    f"p50 {fmt_ms(f['p50_us'])} p95 {fmt_ms(f['p95_us'])} p99 {fmt_ms(f['p99_us'])}; "
                    f"at {h['decisions_per_s']:,.0f}/s (paced, {h['pace_ms']} ms) p99 {fmt_ms(h['p99_us'])}; "
                    f"invariants {'ok' if r['invariants_ok'] else 'VIOLATED'}"
                )
                if not r["invariants_ok"]:
                    print(r["invariants"])
                    failed = True
                results.append(r)
        feeds = []
        for spec in [x for x in args.feed.split(",") if x]:
            watchers, rate = spec.split("x")
            f = feed.feed_run(int(watchers), float(rate), args.duration, "sqlite", workdir)
            log(f"live feed: {feed.summary(f)}")
            failed = failed or not f["invariants_ok"] or f["gaps"] > 0 or f["duplicates"] > 0
            feeds.append(f)
        ceil_end = ceiling.measure(args.connections, args.duration)
        log(f"ceiling at the end: {ceil_end['rps']:,.0f} req/s, p99 {fmt_ms(ceil_end['p99_us'])}")
    finally:
        ceiling.stop()
    m = machine()
    m["load_start"] = load_start
    text = write_markdown(out, m, cmd.strip(), ceil, ceil_end, results, feeds, args)
    print(text)
    measured = targets(results, feeds)
    missed = [t for t in measured if not t[2]]
    for what, figure, ok in measured:
        log(f"target {'met' if ok else 'MISSED'}: {what}: {figure}")
    log(f"table written to {out}")
    if missed and args.strict:
        log(f"{len(missed)} target(s) missed (--strict): exit 1")
        failed = True
    (workdir / "results.json").write_text(
        json.dumps({"ceiling": [ceil, ceil_end], "results": results, "feeds": feeds}, default=str)
    )
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
