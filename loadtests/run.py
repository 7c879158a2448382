"""Run one load scenario end to end, then check the bidding invariants on the database.

    .venv-load/bin/python -m loadtests.run --scenario sniping|market|office --db sqlite|postgresql \\
        --duration 30 --users 200 [--ws] [--processes 1]

Steps: a fresh database (a SQLite file in the report directory, or a PostgreSQL database created here and
dropped at the end), ``auction-service staff add``, ``auction-service serve`` (``AUCTION_RULES=sandbox``)
on a free loopback port, seeding through the public API, locust headless for a fixed time (CSV and HTML
reports in ``loadtests/reports/<timestamp>-<scenario>-<db>/``), a graceful stop of the service, then the
invariant check (``loadtests/check.py``). Exit status: 0 all invariants hold; 1 a violation; 2 the run
itself failed (service did not start, seeding failed, nothing was acknowledged).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import check, check_api, seed, summary
from .progress import Progress

ROOT = Path(__file__).resolve().parents[1]
SERVICE_BIN = ROOT / ".venv" / "bin" / "auction-service"
LOCUST_BIN = Path(sys.executable).parent / "locust"
PG_ADMIN_DSN = os.environ.get("LOADTEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
STAFF = [
    {"court": "深圳市中级人民法院", "username": "clerk_sz", "password": "staff-password-1"},
    {"court": "杭州市西湖区人民法院", "username": "clerk_hz", "password": "staff-password-2"},
]
SCENARIOS = {
    "sniping": ("locustfile_sniping.py", 1.0),
    "market": ("locustfile_market.py", 20.0),
    "office": ("locustfile_office.py", 20.0),
}


def log(msg: str) -> None:
    print(f"[run {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- databases
async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database(kind: str, report_dir: Path, stamp: str) -> tuple[str, str | None]:
    """Returns (SQLAlchemy URL, PostgreSQL database name to drop or None)."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{report_dir / 'auction.db'}", None
    name = f"loadtest_{stamp.replace('-', '_')}_{os.getpid()}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    host = PG_ADMIN_DSN.split("@", 1)[1].rsplit("/", 1)[0]
    user = PG_ADMIN_DSN.split("://", 1)[1].split("@", 1)[0]
    return f"postgresql+asyncpg://{user}@{host}/{name}", name


def drop_database(name: str) -> None:
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# ---------------------------------------------------------------- the service
def service_env(db_url: str, clock_speed: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUCTION_")}
    env.update(
        AUCTION_DATABASE_URL=db_url,
        AUCTION_RULES="sandbox",
        AUCTION_CLOCK_SPEED=str(clock_speed),
        AUCTION_DEMO_BOTS="false",
        # Rate limits stay on, at bot scale: the generators are a few bidders bidding hundreds of times a
        # second each (wrk: 64 tokens at the ceiling), seeding signs up thousands from one address, and
        # feed runs open thousands of sockets from it. LOADTEST_RATE_LIMITS=false measures without them.
        AUCTION_RATE_LIMITS=os.environ.get("LOADTEST_RATE_LIMITS", "true"),
        AUCTION_RATE_LIMIT_BIDS="5000/second",
        AUCTION_RATE_LIMIT_REGISTRATIONS="100000/minute",
        AUCTION_RATE_LIMIT_SIGN_UP="1000000/hour",
        AUCTION_RATE_LIMIT_LIVE_CONNECTIONS="1000000/minute",
        AUCTION_RATE_LIMIT_LOGIN_ATTEMPTS_ADDRESS="1000000/minute",
        # and the bounds on open connections per address off: every generator is one address (loopback)
        AUCTION_MAX_CONNECTIONS_PER_ADDRESS="0",
        AUCTION_MAX_WEBSOCKETS_PER_ADDRESS="0",
        AUCTION_MAX_WEBSOCKETS_PER_ACCOUNT="0",
        # Seeding signs up and logs in every bidder (two argon2 hashes each): on both cores, not one.
        AUCTION_PASSWORD_HASH_WORKERS="2",
    )
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(k, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def add_staff(env: dict[str, str], log_file, staff: list[dict[str, str]]) -> None:
    for st in staff:
        subprocess.run(
            [
                str(SERVICE_BIN),
                "staff",
                "add",
                "--court",
                st["court"],
                "--username",
                st["username"],
            ],
            env=env | {"AUCTION_NEW_PASSWORD": st["password"]},  # not on the command line (process list)
            check=True,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )


def start_service(env: dict[str, str], port: int, log_file) -> subprocess.Popen:
    return subprocess.Popen(
        [str(SERVICE_BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )


def stop_service(proc: subprocess.Popen, timeout: float = 20.0) -> int | None:
    """SIGINT first (uvicorn's graceful shutdown: the bid writer commits what is pending)."""
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            return proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()


@dataclass
class FreshService:
    """A service started by ``fresh_service``; ``report`` is the invariant check, set on a clean exit."""

    base: str
    port: int
    proc: subprocess.Popen
    db_url: str
    report: check.Report | None = None


@contextlib.contextmanager
def fresh_service(
    db: str, report_dir: Path, tag: str, extra_env: dict[str, str] | None = None
) -> Iterator[FreshService]:
    """A new database, staff ``STAFF[0]``, and ``auction-service serve`` on a free loopback port (log in
    ``report_dir/server.log``). On leaving: the service is stopped gracefully, then (if the body did not
    fail) the stored bids are checked (``.report``; no acknowledgement files: counts are compared by the
    caller), and a PostgreSQL database is dropped."""
    report_dir.mkdir(parents=True, exist_ok=True)
    db_url, pg_name = create_database(db, report_dir, datetime.now().strftime("%Y%m%d-%H%M%S") + tag)
    port = free_port()
    env = service_env(db_url, 1.0) | (extra_env or {})
    server_log = open(report_dir / "server.log", "w")
    proc = None
    try:
        add_staff(env, server_log, STAFF[:1])
        proc = start_service(env, port, server_log)
        service = FreshService(f"http://127.0.0.1:{port}", port, proc, db_url)
        asyncio.run(seed.wait_healthy(service.base, proc=proc))
        yield service
        stop_service(proc)
        acks_dir = report_dir / "no-acks"
        acks_dir.mkdir(exist_ok=True)
        service.report = check.check(db_url, acks_dir)
    finally:
        if proc is not None:
            stop_service(proc)
        server_log.close()
        if pg_name:
            drop_database(pg_name)


# ---------------------------------------------------------------- locust
def run_locust(
    scenario: str, base: str, report_dir: Path, seed_path: Path, args: argparse.Namespace
) -> tuple[int, Path]:
    locustfile = Path(__file__).with_name(SCENARIOS[scenario][0])
    env = dict(os.environ)
    env.update(
        LOADTEST_SEED=str(seed_path),
        LOADTEST_OUT=str(report_dir),
        LOADTEST_WS="1" if args.ws else "0",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(k, None)
    spawn_rate = args.spawn_rate or max(args.users / 2.0, 5.0)
    cmd = [
        str(LOCUST_BIN),
        "-f",
        str(locustfile),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{args.duration}s",
        "--stop-timeout",
        "2",
        "--host",
        base,
        "--csv",
        str(report_dir / "locust"),
        "--html",
        str(report_dir / "report.html"),
        "--only-summary",
        "--json-file",
        str(report_dir / summary.LOCUST_JSON),
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    if args.processes > 1:
        cmd += ["--processes", str(args.processes)]
    log_path = report_dir / "locust.log"
    with open(log_path, "w") as out:
        rc = subprocess.run(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, timeout=args.duration + 120
        ).returncode
    return rc, log_path


# ---------------------------------------------------------------- main
def seed_scenario(args: argparse.Namespace, base: str, staff: list[dict[str, str]], tag: str = "") -> dict:
    lead = 2.0
    bidders = args.bidders or min(args.users, 200)
    if args.scenario == "sniping":
        return asyncio.run(seed.seed_sniping(base, staff, bidders, lead, tag))
    if args.scenario == "market":
        return asyncio.run(seed.seed_market(base, staff, bidders, args.auctions, lead, args.duration, tag))
    return asyncio.run(seed.seed_office(base, staff, bidders, args.auctions, lead, args.duration, tag))


def wait_for_start(seeded: dict, base: str) -> float:
    """Sleep until the first auction opens, by the server's (simulated) clock; the real seconds slept."""
    import httpx

    first = min(seed.parse(a["start_at"]) for a in seeded["auctions"])
    with httpx.Client(base_url=base, timeout=10, trust_env=False) as c:
        clock = c.get("/api/v1/clock").json()
    remaining = (first - seed.parse(clock["now"])).total_seconds() / float(clock["speed"])
    if 0 < remaining < 180:
        time.sleep(remaining + 0.1)
        return remaining + 0.1
    return 0.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m loadtests.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--scenario", choices=sorted(SCENARIOS), required=True)
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--duration", type=int, default=30, help="seconds of load (locust --run-time), 1-600")
    p.add_argument("--users", type=int, default=100, help="locust users (bidders are seeded to match), 1-2000")
    p.add_argument(
        "--bidders", type=int, default=0, help="bidder accounts to seed (default min(users, 200)); users share them"
    )
    p.add_argument("--spawn-rate", type=float, default=0, help="users started per second (default users/2)")
    p.add_argument("--auctions", type=int, default=200, help="market/office: live auctions (1-1000)")
    p.add_argument(
        "--clock-speed", type=float, default=0, help="AUCTION_CLOCK_SPEED (default: 1 sniping, 20 market/office)"
    )
    p.add_argument("--ws", action="store_true", help="add websocket watchers of WS /api/v1/auctions/{id}/live")
    p.add_argument("--processes", type=int, default=1, help="locust processes (locust --processes)")
    p.add_argument("--port", type=int, default=0, help="service port (default: a free one)")
    p.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL database after the run")
    p.add_argument("--reports", type=Path, default=ROOT / "loadtests" / "reports")
    target = p.add_argument_group("a running deployment (instead of a service started here)")
    target.add_argument(
        "--url", help="aim at this running service (AUCTION_RULES=sandbox there), e.g. http://host:8000"
    )
    target.add_argument("--staff-username", help="with --url: a staff account of the court the run lists lots in")
    target.add_argument(
        "--check",
        choices=("db", "api"),
        help="invariant check on the database (default here) or through the "
        "public API alone (default with --url; the database need not be reachable)",
    )
    gate = p.add_argument_group("thresholds (a missed one sets exit status 3)")
    gate.add_argument("--max-p99-ms", type=float, help="fail if any request kind's p99 exceeds this (ms)")
    gate.add_argument("--max-error-rate", type=float, help="fail if failures/requests exceeds this (e.g. 0.01)")
    p.add_argument("--progress-every", type=float, default=5.0, help="seconds between progress lines (0: none)")
    args = p.parse_args(argv)
    if not 1 <= args.duration <= 600 or not 1 <= args.users <= 2000 or not 1 <= args.auctions <= 1000:
        p.error("bounded runs only: --duration 1-600, --users 1-2000, --auctions 1-1000")
    if not LOCUST_BIN.exists():
        p.error(f"need {LOCUST_BIN}: run me with .venv-load/bin/python (loadtests/smoke.sh creates .venv-load)")
    if args.url:
        if not args.url.startswith(("http://", "https://")):
            p.error("--url takes http://host:port or https://host")
        if not args.staff_username or not os.environ.get("LOADTEST_STAFF_PASSWORD"):
            p.error("--url needs --staff-username and the password in LOADTEST_STAFF_PASSWORD")
        if args.check == "db":
            p.error("--check db reads the database the run created; with --url use --check api")
        args.check = "api"
    else:
        if not SERVICE_BIN.exists():
            p.error(f"need {SERVICE_BIN}: install the project first (./scripts/test or scripts/_venv.sh)")
        args.check = args.check or "db"
    for name in ("max_p99_ms", "max_error_rate"):
        value = getattr(args, name)
        if value is not None and value < 0:
            p.error(f"--{name.replace('_', '-')} must not be negative")
    return args


@contextlib.contextmanager
def local_target(args: argparse.Namespace, report_dir: Path, stamp: str) -> Iterator[dict]:
    """A fresh database and ``auction-service serve`` here; on leaving, the service is stopped gracefully
    (the writer commits what is pending) before anyone reads the database."""
    db_url, pg_name = create_database(args.db, report_dir, stamp)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    env = service_env(db_url, args.clock_speed or SCENARIOS[args.scenario][1])
    server_log = open(report_dir / "server.log", "w")
    proc = None
    target = {"base": base, "db_url": db_url, "staff": STAFF if args.scenario == "office" else STAFF[:1]}
    try:
        t0 = time.monotonic()
        add_staff(env, server_log, target["staff"])
        proc = start_service(env, port, server_log)
        asyncio.run(seed.wait_healthy(base, proc=proc))
        log(f"service pid {proc.pid} at {base} (staff added and started in {time.monotonic() - t0:.1f} s)")
        target["alive"] = lambda: proc.poll() is None
        yield target
    finally:
        if proc is not None:
            t0 = time.monotonic()
            code = stop_service(proc)
            log(f"service stopped (exit {code}) in {time.monotonic() - t0:.1f} s")
        server_log.close()
        target["drop"] = (lambda: drop_database(pg_name)) if pg_name and not args.keep_db else None


@contextlib.contextmanager
def remote_target(args: argparse.Namespace) -> Iterator[dict]:
    """A running deployment: nothing is started or stopped; seeding and checks go through its API."""
    base = args.url.rstrip("/")
    asyncio.run(seed.wait_healthy(base, within=30))
    staff = [{"court": "", "username": args.staff_username, "password": os.environ["LOADTEST_STAFF_PASSWORD"]}]
    log(f"aiming at {base} as staff {args.staff_username}")
    yield {"base": base, "db_url": None, "staff": staff, "alive": lambda: True, "drop": None}


def invariant_check(args: argparse.Namespace, target: dict, seeded: dict | None, report_dir: Path) -> check.Report:
    if args.check == "db":
        return check.check(target["db_url"], report_dir)
    ids = [a["id"] for a in (seeded or {}).get("auctions", [])]
    staff = target["staff"][0]
    token = asyncio.run(check_api.staff_token(target["base"], staff["username"], staff["password"]))
    return check_api.check(target["base"], token, ids, report_dir)


def main(argv: list[str] | None = None) -> int:  # noqa: C901 - one run's steps in order: start, load, stop, check, report
    args = parse_args(argv)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    where = "url" if args.url else args.db
    report_dir = args.reports / f"{stamp}-{args.scenario}-{where}"
    report_dir.mkdir(parents=True, exist_ok=True)
    log(
        f"scenario {args.scenario} on {args.url or args.db}, {args.users} users, {args.duration} s; "
        f"reports in {report_dir}"
    )

    status = 0
    seeded = None
    report = None
    target_cm = remote_target(args) if args.url else local_target(args, report_dir, stamp)
    target: dict = {}
    try:
        with target_cm as target:
            t0 = time.monotonic()
            tag = f"lt{stamp.replace('-', '')}_" if args.url else ""
            seeded = seed_scenario(args, target["base"], target["staff"], tag)
            seeded["think"] = float(os.environ.get("LOADTEST_THINK", "1.0"))
            seed_path = report_dir / "seed.json"
            seed_path.write_text(json.dumps(seeded))
            phases = ", ".join(f"{k} {v:.1f} s" for k, v in seeded.get("seeding_seconds", {}).items())
            log(
                f"seeded {len(seeded['auctions'])} auctions, {len(seeded['bidders'])} bidders in "
                f"{time.monotonic() - t0:.1f} s ({phases}); waiting for the start"
            )
            waited = wait_for_start(seeded, target["base"])
            log(f"set-up {time.monotonic() - t0:.1f} s (the opening waited {waited:.1f} s of it)")
            log(f"locust: {args.users} users for {args.duration} s")
            with contextlib.ExitStack() as stack:
                if args.progress_every > 0:
                    stack.enter_context(Progress(report_dir, args.duration, args.progress_every, log))
                rc, locust_log = run_locust(args.scenario, target["base"], report_dir, seed_path, args)
            if rc != 0:
                log(f"locust exited with {rc}; see {locust_log}")
            if not target["alive"]():
                log(f"the service died during the run; see {report_dir / 'server.log'}")
                status = 2
            elif args.check == "api":  # through the API: while the service still runs
                report = invariant_check(args, target, seeded, report_dir)
    except Exception as exc:
        log(f"run failed: {exc!r}")
        status = 2

    rows = summary.locust_rows(report_dir, args.duration)
    acks = summary.count_acks(report_dir)
    print(summary.table(rows, acks))
    missed: list[str] = []
    try:
        if status != 2:
            report = report or invariant_check(args, target, seeded, report_dir)  # db: after the stop
            report.ok(
                "bids acknowledged during the run", report.facts.get("acks", 0) > 0, "no 201 seen: nothing tested"
            )
            print(report.table())
            (report_dir / "invariants.txt").write_text(report.table() + "\n")
            if report.failed:
                status = 1
            missed = summary.thresholds_missed(summary.overall(rows), args.max_p99_ms, args.max_error_rate)
            for line in missed:
                log(f"threshold missed: {line}")
            if missed and status == 0:
                status = 3
    except Exception as exc:
        log(f"invariant check failed to run: {exc!r}")
        status = 2
    finally:
        if target.get("drop"):
            target["drop"]()
    invariants = (
        {
            "checked": dict(report.checked),
            "violations": {k: len(v) for k, v in report.violations.items() if v},
            "facts": report.facts,
            "via": args.check,
        }
        if report
        else None
    )
    run = {k: v for k, v in vars(args).items() if k != "reports"} | {"report_dir": str(report_dir)}
    path = summary.write(
        report_dir, summary.build(run=run, rows=rows, acks=acks, invariants=invariants, missed=missed, status=status)
    )
    verdict = {0: "OK: every invariant holds", 1: "FAILED: invariant violated", 3: "FAILED: threshold missed"}
    log(f"{verdict.get(status, 'FAILED: the run did not complete')} (exit {status}); summary in {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
