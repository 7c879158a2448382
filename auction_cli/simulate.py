"""``auction-service simulate``: a whole court market in fast-forward, through the service's real code.

The composition root of the simulator. In process, the service (``create_app``: the same bid edge,
routes, bid engine, scheduler, lifecycle rules and database as ``serve``) runs with a ``VirtualClock``
and the simulated market (``auction_sim``) talks to it through its public API over an in-process
ASGI transport; the clock jumps from one event to the next, so nothing waits in real time. With
``url`` the same market drives a running service over the network in that service's own time.

Python API (notebooks)::

    from auction_cli.simulate import simulate
    result = simulate("hot-lot", seed=3)          # or runs=20, workers=2
    result.summary["transaction_rate"], result.records[0]
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import os
import resource
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import httpx

from auction_rules import research
from auction_sim import records as rec
from auction_sim import tables, validation
from auction_sim.asgi_client import AsgiClient
from auction_sim.identities import id_number_for
from auction_sim.kernel import Kernel
from auction_sim.market import clock_start, present_start
from auction_sim.platform import (
    ID_NUMBER_TRIES,
    PHASE,
    Client,
    Headers,
    Platform,
    RealTimeDriver,
    service_level,
    staff_username,
)
from auction_sim.rules_lane import RulesDriver
from auction_sim.scenario import Scenario, load

from . import schema_template

if TYPE_CHECKING:  # the service is imported when a run starts, not when the command line loads
    from sqlalchemy.ext.asyncio import AsyncSession

    from auction_service.api.bids import BidEdge
    from auction_service.clock import VirtualClock
    from auction_service.core.services import Services

BIDDER_PASSWORD = "sim-bidder-pass"


# ----------------------------------------------------------------- in process, on a virtual clock
class ServiceAccounts:
    """Accounts made by the service itself, for a simulation that owns its database: clerks the way
    ``auction-service staff add`` makes them, bidders in one go (one password hash for all)."""

    services: Services

    async def staff(self, court: str, province: str, city: str, level: str) -> Headers:
        """A clerk of the court, made the way ``auction-service staff add`` makes one."""
        from auction_service.core import accounts

        username = staff_username(court)
        svc = self.services
        async with svc.write_sessions() as session:
            # the court as the service knows courts: its province, city and level, so the service's
            # statistics by province and level cover the simulated market
            row = await accounts.get_or_create_court(
                session, svc.clock, court, province=province, city=city, level=service_level(level)
            )
            existing = await accounts.account_by_username(session, username)
            account = existing or await accounts.create_account(
                session, svc.clock, username=username, password=uuid.uuid4().hex, real_name="模拟书记员",
                role="staff", court_id=row.id,
            )  # fmt: skip
            await session.commit()
            token = svc.tokens.issue(account.id, account.username, "staff", row.id)
        return {"Authorization": f"Bearer {token}"}

    async def bidders(self, count: int, prefix: str) -> list[tuple[str, Headers]]:
        """The market's bidder accounts, in one go (one password hash for all, ``create_bidders``)."""
        from auction_service.core import accounts

        svc = self.services
        run = uuid.uuid4().hex[:6]
        names = [(f"{prefix}{run}{i:05d}", f"模拟竞买人{i}") for i in range(count)]
        async with svc.write_sessions() as session:
            people = await _with_identity_numbers(session, names)
            rows = await accounts.create_bidders(session, svc.clock, people, BIDDER_PASSWORD)
            await session.commit()
            return [
                (a.username, {"Authorization": f"Bearer {svc.tokens.issue(a.id, a.username, 'bidder', None)}"})
                for a in rows
            ]


async def _with_identity_numbers(session: AsyncSession, names: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Each simulated bidder with the identity number its username draws (``auction_sim/identities.py``),
    drawing again for a number an account holds already or the batch has twice."""
    from auction_service.core import accounts, eligibility

    key = await eligibility.identity_key(session)
    attempts = dict.fromkeys((u for u, _ in names), 0)
    for _ in range(ID_NUMBER_TRIES):
        numbers = {u: id_number_for(u, a) for u, a in attempts.items()}
        digests = {u: eligibility.hash_with(key, n) for u, n in numbers.items()}
        taken = await accounts.id_numbers_taken(session, digests.values())
        seen: set[str] = set()
        clashes = 0
        for username, digest in digests.items():
            if digest in taken or digest in seen:
                attempts[username] += 1
                clashes += 1
            seen.add(digest)
        if not clashes:
            return [(u, n, numbers[u]) for u, n in names]
    raise RuntimeError(f"could not draw {len(names)} free identity numbers in {ID_NUMBER_TRIES} tries")


SETTLE_SPINS = 1_000  # yields before napping: most steps settle within a few
SETTLE_SECONDS = 120.0  # real seconds a step may take to settle before the run is an error


class InProcessDriver(ServiceAccounts):
    """The service in this process on a ``VirtualClock``: ``advance_to`` moves the clock and returns once
    the scheduler and the bid engine have done what fell due (opened, closed)."""

    virtual = True
    speed = 1.0  # no real time passes on the virtual clock; limits are off here anyway

    def __init__(self, app: BidEdge, clock: VirtualClock, client: Client) -> None:
        self.app = app
        self.clock = clock
        self.platform = Platform(client)
        self.services = app.state.services

    async def staff(self, court: str, province: str, city: str, level: str) -> Headers:
        began = time.perf_counter()
        try:
            return await super().staff(court, province, city, level)
        finally:
            self.platform.spent(f"{PHASE}accounts: clerks (as `staff add` makes them)", began)

    async def bidders(self, count: int, prefix: str) -> list[tuple[str, Headers]]:
        began = time.perf_counter()
        try:
            return await super().bidders(count, prefix)
        finally:
            self.platform.spent(f"{PHASE}accounts: bidders (in one go)", began)

    async def now(self) -> float:
        return self.clock.now().timestamp()

    async def advance_to(self, moment: float) -> None:
        from auction_service.clock import from_ms

        target = from_ms(int(moment * 1000))
        if target > self.clock.now():
            self.clock.set(target)
        await self.settle()

    async def settle(self) -> None:
        """Yield to the service until it is idle: at once while it finishes quickly, then in
        millisecond naps (its writer works in a thread, which a busy machine can starve for a while),
        bounded by ``SETTLE_SECONDS`` of real time so that a service that never settles is an error."""
        scheduler, engine = self.services.scheduler, self.services.engine
        deadline: float | None = None
        for spin in itertools.count():
            if scheduler.idle() and engine.idle():
                return
            if spin < SETTLE_SPINS:
                await asyncio.sleep(0)
                continue
            now = time.monotonic()
            deadline = deadline or now + SETTLE_SECONDS
            if now > deadline:
                raise RuntimeError("the service did not settle on the virtual clock")
            await asyncio.sleep(0.001)


@contextlib.asynccontextmanager
async def in_process_service(
    database_url: str,
    rules: str,
    start: float,
    *,
    rules_base: str = "judicial-2016",
    rule_overrides: dict[str, Any] | None = None,
    sqlite_on_loop: bool = False,
) -> AsyncIterator[tuple[BidEdge, VirtualClock, httpx.AsyncClient]]:
    """The whole service (``create_app``, its lifespan running) on a ``VirtualClock`` standing at
    ``start`` (epoch seconds), and an httpx client whose transport is the app itself. Used by
    ``simulate`` and by the demo's past. ``sqlite_on_loop``: the simulation is the database's only
    client, so SQLite's calls run on this thread (``Settings.sqlite_on_loop``)."""
    from auction_service.app import create_app
    from auction_service.clock import VirtualClock
    from auction_service.config import RulesName, Settings

    # Rate limits off: they count real seconds, and on the virtual clock a whole market's bids pass in a
    # few of them (with limits on, 8% of a court-month's bids were refused `rate_limited`, which no
    # bidder of the simulated month would have met). The market is the service's only client here.
    settings = Settings(  # Settings validates the rules (a research profile's overrides included)
        database_url=database_url,
        rules=rules,
        rules_base=cast(RulesName, rules_base),
        rule_overrides=rule_overrides or {},
        feed_batch_ms=0,
        redis_url=None,
        rate_limits=False,
        sqlite_on_loop=sqlite_on_loop,
    )
    clock = VirtualClock(datetime.fromtimestamp(start, UTC))
    app = create_app(settings, clock=clock)
    async with app.api.router.lifespan_context(app.api):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://simulation") as client:
            yield app, clock, client


async def run_in_process(
    scenario: Scenario,
    seed: int,
    database_url: str | None = None,
    progress: Any = None,
    timings: dict[str, list[float]] | None = None,
) -> list[rec.AuctionRecord]:
    """One run of ``scenario`` against a fresh in-process service (SQLite in a temporary folder unless
    ``database_url``); ``timings`` gets the wall time spent per kind of API call, and in the phases of
    the run (keys starting with ``PHASE``): the service's start-up, the accounts, the run, the shut-down."""
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="auction-sim-", dir=schema_template.scratch_folder()) as folder:
        # a copy of a migrated template (``schema_template``): migrating afresh was most of a small run
        url = database_url or await schema_template.fresh_database(Path(folder))
        overrides = scenario.profile.overrides and dict(research.describe_overrides(scenario.profile))
        service = in_process_service(
            url, scenario.rules, clock_start(scenario), rules_base=scenario.rules_base,
            rule_overrides=overrides or None, sqlite_on_loop=True,
        )  # fmt: skip
        async with service as (app, clock, _client):
            started = time.perf_counter()
            # the market's calls go to the app as a server hands them over, without httpx's client
            # machinery (``AsgiClient``): most of a call's time in process was httpx's own
            driver = InProcessDriver(app, clock, AsgiClient(app))
            records = await Kernel(scenario, seed, driver, progress=progress).run()
            ran = time.perf_counter()
    if timings is not None:
        timings.update(driver.platform.timings)
        timings[f"{PHASE}start-up: migrations, the service's lifespan"] = [1, started - began]
        timings[f"{PHASE}the run: the market and its API calls"] = [1, ran - started]
        timings[f"{PHASE}shut-down"] = [1, time.perf_counter() - ran]
    return records


async def run_in_rules_lane(
    scenario: Scenario, seed: int, progress: Any = None, timings: dict[str, list[float]] | None = None
) -> list[rec.AuctionRecord]:
    """One run of ``scenario`` in the rules lane (``auction_sim/rules_lane.py``): the same market and the
    same decisions as ``run_in_process``, without the service around them: no HTTP, no database. The
    second choice, for sweeps; its records are the default lane's (``tests/cli/test_rules_lane.py``)."""
    began = time.perf_counter()
    driver = RulesDriver(scenario.profile, clock_start(scenario))
    records = await Kernel(scenario, seed, driver, progress=progress).run()
    if timings is not None:
        timings.update(driver.platform.timings)
        timings[f"{PHASE}the run: the market and its API calls"] = [1, time.perf_counter() - began]
    return records


LANES = ("api", "rules")  # the service in process (the default), or the rules alone (``--lane rules``)


def check_lane(lane: str, url: str | None = None) -> None:
    """``lane`` is one of ``LANES``, and the rules lane is not asked to drive a running service."""
    if lane not in LANES:
        raise ValueError(f"unknown lane {lane!r}: one of {', '.join(LANES)}")
    if lane != "api" and url is not None:
        raise ValueError("--url drives a running service: the rules lane runs in process only")


async def run_one(
    scenario: Scenario,
    seed: int,
    *,
    lane: str = "api",
    database_url: str | None = None,
    progress: Any = None,
    timings: dict[str, list[float]] | None = None,
) -> list[rec.AuctionRecord]:
    """One run in process, in ``lane``: ``api`` (the service, ``run_in_process``) or ``rules``."""
    check_lane(lane)
    if lane == "rules":
        if database_url:
            raise ValueError("the rules lane keeps no database: run it without AUCTION_DATABASE_URL")
        return await run_in_rules_lane(scenario, seed, progress, timings)
    return await run_in_process(scenario, seed, database_url, progress, timings)


async def run_remote(
    scenario: Scenario, seed: int, url: str, staff_password: str, progress: Any = None
) -> list[rec.AuctionRecord]:
    """One run against a running service at ``url``, in its own time."""
    async with httpx.AsyncClient(base_url=url, timeout=30, trust_env=False) as client:
        driver = RealTimeDriver(Platform(client), staff_password)
        # the scenario's calendar moves to the service's present: its first announcements are made now
        now = await driver.now()
        scenario = dataclasses.replace(scenario, start=datetime.fromtimestamp(present_start(scenario, now), UTC))
        return await Kernel(scenario, seed, driver, progress=progress).run()


# ----------------------------------------------------------------- several runs, the report
@dataclass
class SimulationResult:
    scenario: Scenario
    seeds: list[int]
    records: list[list[rec.AuctionRecord]]  # per run
    summaries: list[dict[str, Any]]
    wall_seconds: float
    timings: dict[str, list[float]] = field(default_factory=dict)  # the first run's API calls: (calls, s)
    extra: dict[str, Any] = field(default_factory=dict)
    cpu_seconds: float = 0.0  # user + system time of this process and its workers over the runs

    @property
    def summary(self) -> dict[str, Any]:
        return self.summaries[0]

    def targets(self) -> list[dict[str, Any]]:
        """Each of the scenario's targets over every run: mean, 95% interval, band, met or missed."""
        return validation.evaluate(list(self.scenario.targets), self.records, rec.summarize)

    def frames(self) -> dict[str, Any]:
        """The tidy tables of every run (``auction_sim.tables``), tagged with the scenario as the variant."""
        return tables.frames(
            ({"variant": self.scenario.name, "seed": seed}, records)
            for seed, records in zip(self.seeds, self.records, strict=True)
        )

    def figures(self) -> dict[str, Any]:
        """What ``figures.json`` holds: every run's auction records, each tagged with its run (1, 2...)
        and seed; each run's summary; every figure over the runs (mean and 95% interval, ``aggregate``);
        and each target held against them. The aggregate and the targets are recomputed from the records
        alone (``recompute``)."""
        figures: dict[str, Any] = {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "rules": self.scenario.rules,
            "lots_planned": self.scenario.lots,  # a run scaled down (``--lots``) says so
            "seed": self.seeds[0],
            "seeds": self.seeds,
            "runs": len(self.seeds),
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "wall_seconds": round(self.wall_seconds, 3),
            "auctions": [
                {"run": run, "seed": seed, **rec.figures_row(r)}
                for run, (seed, records) in enumerate(zip(self.seeds, self.records, strict=True), start=1)
                for r in records
            ],
            "summary": self.summaries[0],
            "summaries": self.summaries,
            "aggregate": validation.aggregate(self.summaries),
            "targets": self.targets(),
        }
        return figures


RUN_TAGS = ("run", "seed")


def records_by_run(auctions: list[dict[str, Any]]) -> list[list[rec.AuctionRecord]]:
    """``figures.json``'s auction rows back into each run's records (rows carry their run number)."""
    runs: dict[int, list[rec.AuctionRecord]] = {}
    for row in auctions:
        fields = {k: v for k, v in row.items() if k not in RUN_TAGS}
        runs.setdefault(int(row.get("run", 1)), []).append(rec.AuctionRecord(**fields))
    return [runs[k] for k in sorted(runs)]


def recompute(figures: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """Every run's summary, the aggregate and the targets, from ``figures.json``'s records alone."""
    runs = records_by_run(figures["auctions"])
    summaries = [rec.summarize(r) for r in runs]
    return {
        "summaries": summaries,
        "aggregate": validation.aggregate(summaries),
        "targets": validation.evaluate(list(scenario.targets), runs, rec.summarize),
    }


def derived_seeds(seed: int, runs: int) -> list[int]:
    """The seeds of ``runs`` repeats: the first is ``seed`` itself."""
    return [seed + 1_000_003 * i for i in range(runs)]


def _one(scenario: Scenario, seed: int, lane: str = "api") -> list[rec.AuctionRecord]:
    """One run in a worker process, on its own temporary SQLite database (or in the rules lane). The
    scenario travels pickled (a frozen dataclass), so one built or changed in Python runs in parallel like
    a shipped one."""
    return asyncio.run(run_one(scenario, seed, lane=lane))


def simulate(
    scenario: str | Path | Scenario,
    *,
    seed: int | None = None,
    runs: int = 1,
    workers: int = 1,
    url: str | None = None,
    staff_password: str | None = None,
    database_url: str | None = None,
    progress: Any = None,
    lane: str = "api",
) -> SimulationResult:
    """Run a scenario ``runs`` times (derived seeds) and return the records and summaries. The Python
    API behind ``auction-service simulate``. ``lane``: ``api``, the service in process (the default), or
    ``rules``, the same decisions without HTTP and database (``auction_sim/rules_lane.py``), for sweeps."""
    check_lane(lane, url)
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    seeds = derived_seeds(sc.seed if seed is None else seed, runs)
    began, cpu_began = time.perf_counter(), cpu_seconds()
    results: list[list[rec.AuctionRecord]] = []
    timings: dict[str, list[float]] = {}
    if url is not None:
        for s in seeds:
            results.append(asyncio.run(run_remote(sc, s, url, staff_password or "", progress)))
    elif workers > 1 and runs > 1:
        if database_url and not database_url.startswith("sqlite"):
            raise ValueError("several workers need separate databases: use SQLite (the default) with --workers")
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_one, sc, s, lane) for s in seeds]
            for i, future in enumerate(futures):
                results.append(future.result())
                if progress:
                    progress(i + 1, len(seeds))
    else:
        for i, s in enumerate(seeds):
            inner = progress if runs == 1 else None
            first = timings if i == 0 else None
            results.append(
                asyncio.run(run_one(sc, s, lane=lane, database_url=database_url, progress=inner, timings=first))
            )
            if progress and runs > 1:
                progress(i + 1, len(seeds))
    summaries = [rec.summarize(r) for r in results]
    wall = time.perf_counter() - began
    return SimulationResult(sc, seeds, results, summaries, wall, timings, cpu_seconds=cpu_seconds() - cpu_began)


def cpu_seconds() -> float:
    """User and system CPU time of this process and of its finished workers so far (less sensitive to a
    busy machine than wall time)."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def default_database_url() -> str | None:
    """In-process runs use a fresh temporary SQLite database unless ``AUCTION_DATABASE_URL`` names one."""
    return os.environ.get("AUCTION_DATABASE_URL") or None
