"""``serve --demo``: a live market from a fresh clone, and on every later start.

Before the server starts (``prepare``):

* an empty database gets the demo's accounts and a simulated past: the ``demo-history`` scenario run
  in process on a virtual clock, so the web client opens on sold and failed auctions, round 2
  relistings and 变卖, with bid records made by calibrated bidders through the real bid path;
* on every start (sandbox rules), the live market's last ``WARM_UP_HOURS`` are simulated in process
  too, up to the moment the server's clock will show: so the page opens on auctions in every phase
  (just opened, mid-way, in the soft close with extensions running, announced), not on an empty list.

Once the server is up (``demo_hook``), that same market carries on against it over the public API in
the service's own time: the bidders who were mid-fight go on fighting, new auctions keep opening
every few minutes, clerks settle and relist, and anyone can register and join in. When one market's
horizon nears its end the next one takes over, so the demo never runs dry.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from auction_service import demo_data
from auction_service.config import Settings
from auction_service.core.services import Services
from auction_sim.kernel import Kernel
from auction_sim.market import DAY, clock_start, present_start
from auction_sim.platform import Headers, Platform, RealTimeDriver
from auction_sim.scenario import Scenario, load

from .simulate import InProcessDriver, ServiceAccounts, in_process_service

log = logging.getLogger("auction_cli.demo")

HISTORY = "demo-history"
LIVE = "demo-live"  # sandbox rules: short auctions; under judicial-2016 the live market is court-month
PAST_DAYS = 40  # the simulated past reaches this much further back than its scenario's days
WARM_UP_HOURS = 1.5  # a one-hour auction's whole life, its announcement and its soft close
CYCLE_REAL_HOURS = 6.0  # one live market's horizon in real time (its bidders' tokens live 12 h)
# Each court's unfinished business when the past stops (``CourtBacklog``): payments not recorded for sales
# of 10-30 days ago (their balance deadline passed), and auctions suspended 6-14 days ago, the cause
# removed that day, never resumed.
LATE_PAYMENTS = 3
LATE_PAYMENT_DAYS = (30, 10)
STALE_PAUSES = 2
STALE_PAUSE_DAYS = (14, 6)
PAUSE_REASON = "案外人对拍卖财产提出书面异议，中止拍卖"
CAUSE_REMOVED_REASON = "案外人撤回异议，中止事由消除"
COURT_TIME = ZoneInfo("Asia/Shanghai")  # the court's days


@dataclasses.dataclass
class Prepared:
    """What ``prepare`` leaves for the server: the live market, simulated up to the present."""

    fresh: bool  # the past was simulated (an empty database)
    present: float  # epoch seconds: where the server's clock starts
    market: Kernel | None = None  # the live market, simulated up to ``present`` (sandbox rules, bots on)


_prepared: Prepared | None = None  # handed from ``prepare`` to ``demo_hook`` in the same process


async def prepare(database_url: str, *, seed: int = 1, say: Callable[[str], None] = lambda line: None) -> Prepared:
    """Seed the demo's accounts; on a database with no lots yet, simulate its past; then (sandbox rules,
    bots on) simulate the live market's last hours up to the server's present, for ``demo_hook`` to
    carry on. ``say`` tells the person waiting what takes a while."""
    global _prepared
    settings = Settings(database_url=database_url)
    present = await _served_present(settings)
    warm = settings.rules == "sandbox" and settings.demo_bots
    history = past_scenario(present)
    until = present - WARM_UP_HOURS * 3600 if warm else present - 60
    async with in_process_service(database_url, history.rules, clock_start(history)) as (app, clock, client):
        services: Services = app.state.services
        fresh = not await demo_data.has_lots(services)
        await demo_data.seed_accounts(services)
        if fresh:
            say("demo: simulating the market's past (first start only)...")
            driver = InProcessDriver(app, clock, client)
            driver.platform = CourtBacklog(client, driver.now, present)
            past = supervised(Kernel(history, seed, driver, until=until))  # the backlog's refusals are skipped
            with _quiet(past):
                await past.run()
            await _quiesce(driver)
    _prepared = Prepared(fresh, present)
    if warm:
        scenario = live_scenario(settings, until)
        async with in_process_service(database_url, scenario.rules, until) as (app, clock, client):
            driver = InProcessDriver(app, clock, client)
            market = supervised(Kernel(scenario, int(present) % 1_000_000, driver, until=present))
            await market.run()
            await _quiesce(driver)
        _prepared.market = market
    return _prepared


def supervised(market: Kernel) -> Kernel:
    """A live market people share: anything the service refuses (a sale a clerk already settled, an
    auction someone suspended or withdrew, a limit, a busy moment: 409, 422, 429, 503) is logged as one
    line and that step skipped; the market carries on."""
    market.supervised = True
    return market


class CourtBacklog(Platform):
    """The demo's past as courts leave it: a few steps not taken, so the deadlines desk opens on work
    overdue (the sandbox rules keep the balance deadline and the pause limit). A clerk has not recorded
    the payment of a few sales whose balance deadline has passed, and a few auctions announced in the
    last fortnight were suspended (an objection), the objection was withdrawn the same day, and nobody
    resumed them. The market's bidders meet those auctions suspended and skip them (the past runs
    supervised). Each court gets its own share, so every court's desk shows work."""

    def __init__(self, client: httpx.AsyncClient, now: Callable[[], Awaitable[float]], present: float) -> None:
        super().__init__(client)
        self.now = now
        self.present = present
        # per court (its clerk's token): every court's desk opens on its own overdue work
        self.late_payments: Counter[str] = Counter()
        self.stale_pauses: Counter[str] = Counter()

    def _within(self, days: tuple[int, int], moment: float) -> bool:
        return self.present - days[0] * DAY <= moment < self.present - days[1] * DAY

    async def settle(self, staff: Headers, auction_id: int, outcome: str) -> None:
        if (
            outcome == "paid"
            and self.late_payments[staff["Authorization"]] < LATE_PAYMENTS
            and self._within(LATE_PAYMENT_DAYS, await self.now())
        ):
            # paid, perhaps, but not recorded: the desk says the balance is overdue
            self.late_payments[staff["Authorization"]] += 1
            return
        await super().settle(staff, auction_id, outcome)

    async def schedule(self, staff: Headers, lot_id: int, body: dict[str, Any]) -> dict[str, Any]:
        auction = await super().schedule(staff, lot_id, body)
        court = staff["Authorization"]
        if self.stale_pauses[court] < STALE_PAUSES and self._within(STALE_PAUSE_DAYS, await self.now()):
            self.stale_pauses[court] += 1
            path = f"/auctions/{auction['id']}/suspend"
            await self._call(
                "suspend an auction", "POST", path, ok=(200,), json={"reason": PAUSE_REASON}, headers=staff
            )
            # the objection was settled the same day, and nobody resumed: Art. 28's five days run out
            removed_on = datetime.fromtimestamp(await self.now(), COURT_TIME).date().isoformat()
            await self._call(
                "record the removal of a pause's cause",
                "POST",
                f"/auctions/{auction['id']}/cause-removed",
                ok=(200,),
                json={"removed_on": removed_on, "reason": CAUSE_REMOVED_REASON},
                headers=staff,
            )
        return auction


@contextlib.contextmanager
def _quiet(past: Kernel) -> Iterator[None]:
    """The past's skipped steps (bids on the auctions it left suspended) are its own doing, not news for
    the person waiting for the demo: its kernel's warnings are held back while it runs."""
    kernel_log = logging.getLogger(type(past).__module__)
    level = kernel_log.level
    kernel_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        kernel_log.setLevel(level)


def past_scenario(present: float) -> Scenario:
    """The demo's past: its horizon ends at the present, so round-1 openings spread over the scenario's
    days and ``PAST_DAYS`` more before it, and later rounds, settlements and relistings go on up to
    today (every month has results). What the courts were doing when the past stops (balances due,
    relisting windows, rounds announced under the judicial timings) is left open for the deadlines desk."""
    history = load(HISTORY)
    days = history.horizon_days + PAST_DAYS
    return dataclasses.replace(history, start=datetime.fromtimestamp(present - days * DAY, UTC), horizon_days=days)


class LiveDriver(ServiceAccounts, RealTimeDriver):
    """The live market inside ``serve --demo``: time passes for real (at the service's clock speed),
    bids and every other step go over HTTP to the server, and the accounts are made by the service
    itself (the demo owns its database)."""

    def __init__(self, platform: Platform, services: Services) -> None:
        super().__init__(platform, staff_password="")
        self.services = services


def live_scenario(settings: Settings, now: float) -> Scenario:
    """The live market whose calendar starts ``now`` (its first auctions open within minutes). Its
    horizon lasts at most ``CYCLE_REAL_HOURS`` of real time at the service's clock speed, with as many
    lots as keep the scenario's pace (one opening every few minutes)."""
    if settings.rules != "sandbox":
        scenario = load("court-month")
    else:
        scenario = load(LIVE)
        days = min(scenario.horizon_days, CYCLE_REAL_HOURS * settings.clock_speed / 24)
        share = days / scenario.horizon_days
        courts = tuple(dataclasses.replace(c, lots=max(1, round(c.lots * share))) for c in scenario.courts)
        scenario = dataclasses.replace(scenario, horizon_days=days, courts=courts)
    return dataclasses.replace(scenario, start=datetime.fromtimestamp(present_start(scenario, now), UTC))


def demo_hook(base_url: str, *, live: bool = True) -> Callable[[Services], Awaitable[None]]:
    """A startup hook: print how to use the demo, then (``live``, the ``AUCTION_DEMO_BOTS`` setting) run
    the live market against ``base_url`` once the server answers: the one ``prepare`` simulated up to
    now, then one new market after another."""

    async def run(services: Services) -> None:
        try:
            print(demo_data.welcome(base_url), flush=True)
            if not live:
                return
            async with httpx.AsyncClient(base_url=base_url, timeout=30, trust_env=False) as client:
                await _wait_until_up(client)
                driver = LiveDriver(Platform(client), services)
                prepared = _take_prepared()
                await run_markets(driver, services.settings, prepared.market if prepared else None)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the demo's live market stopped")

    return run


async def run_markets(driver: LiveDriver, settings: Settings, first: Kernel | None) -> None:
    """Live markets one after another, overlapping: each runs in its own task, and the next is started
    as the last auctions of the one before are announced, so openings never pause."""
    running: set[asyncio.Task[Any]] = set()
    market = first
    try:
        while True:
            if market is None:
                scenario = live_scenario(settings, await driver.now())
                market = supervised(Kernel(scenario, random.randrange(1, 1_000_000), driver))
                task = asyncio.create_task(market.run())
            else:
                task = asyncio.create_task(market.carry_on(driver))
            running.add(task)
            task.add_done_callback(_finished(running))
            listing = market.scenario.listing
            announce = (listing.announce_hours or 0) * 3600 + 60
            await driver.advance_to(market.horizon_end - announce)
            market = None
    finally:
        for task in running:
            task.cancel()


def _finished(running: set[asyncio.Task[Any]]) -> Callable[[asyncio.Task[Any]], None]:
    def done(task: asyncio.Task[Any]) -> None:
        running.discard(task)
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        if isinstance(error, httpx.TransportError):
            # On Ctrl-C uvicorn stops listening before the lifespan cancels this market: its bidders'
            # requests then find no server. That is the service stopping, not a failure worth a traceback.
            log.info("a live market of the demo stopped: the service no longer answers (%s)", type(error).__name__)
        else:
            log.error("a live market of the demo stopped", exc_info=error)

    return done


async def _quiesce(driver: InProcessDriver) -> None:
    """Let the in-process service finish what the last step started before it is stopped. Its
    scheduler, woken by that step, must be back asleep when it is cancelled: on Python 3.11 a
    cancellation that lands as ``asyncio.wait_for``'s awaited event fires is lost, and the stop then
    waits for the scheduler's hour-long nap (python/cpython#86296)."""
    await driver.settle()
    await asyncio.sleep(0.05)


def _take_prepared() -> Prepared | None:
    global _prepared
    prepared, _prepared = _prepared, None
    return prepared


async def _served_present(settings: Settings) -> float:
    """The time the server's clock will show when it starts (epoch seconds): the clock anchored in the
    database (``clock_store``), which a demo at 10x keeps running ahead of the wall clock."""
    from auction_service.core import clock_store
    from auction_service.db.connection import create_database

    db = create_database(settings.database_url)
    try:
        clock = await clock_store.anchored_clock(db, settings.clock_speed)
    finally:
        await db.dispose()
    return clock.now().timestamp()


async def _wait_until_up(client: httpx.AsyncClient) -> None:
    async with asyncio.timeout(120):
        while True:
            try:
                if (await client.get("/api/v1/clock")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
