"""``serve --demo``: a live market from a fresh clone.

Before the server starts (``prepare``), an empty database gets the demo's accounts and a simulated past:
the ``demo-history`` scenario run in process on a virtual clock up to the present, so the web client
opens on sold and failed auctions, round 2 relistings and 变卖, with bid records made by calibrated
bidders through the real bid path. Once the server is up (``demo_hook``), the ``demo-live`` scenario
runs against it over its public API in the service's own time: auctions announced, opening and ending
every few minutes, calibrated bidders fighting the soft close, clerks settling and relisting, and
anyone can register and join in.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx

from auction_service import demo_data
from auction_service.core.services import Services
from bidder_client.sim.kernel import Kernel
from bidder_client.sim.market import DAY, present_start
from bidder_client.sim.platform import Platform, RealTimeDriver
from bidder_client.sim.scenario import Scenario, load

from .simulate import InProcessDriver, ServiceAccounts, in_process_service

log = logging.getLogger("auction_cli.demo")

HISTORY = "demo-history"
LIVE = "demo-live"  # sandbox rules: short auctions; under judicial-2016 the live market is court-month


async def prepare(database_url: str, *, seed: int = 1) -> bool:
    """Seed the demo's accounts and, on a database with no lots yet, simulate its past up to now.
    Returns True if the past was simulated (False: the database was kept as the last run left it)."""
    scenario = load(HISTORY)
    now = time.time()
    # round-1 openings spread over 30 days ending ~40 days ago; later rounds carry on up to now
    start = datetime.fromtimestamp(now - (scenario.horizon_days + 40) * DAY, UTC)
    scenario = dataclasses.replace(scenario, start=start)
    async with in_process_service(scenario, database_url) as (app, clock, client):
        services: Services = app.state.services
        fresh = not await demo_data.has_lots(services)
        await demo_data.seed_accounts(services)
        if fresh:
            await Kernel(scenario, seed, InProcessDriver(app, clock, client), until=now - 60).run()
        return fresh


class LiveDriver(ServiceAccounts, RealTimeDriver):
    """The live market inside ``serve --demo``: time passes for real (at the service's clock speed),
    bids and every other step go over HTTP to the server, and the accounts are made by the service
    itself (the demo owns its database)."""

    def __init__(self, platform: Platform, services: Services) -> None:
        super().__init__(platform, staff_password="")
        self.services = services


def live_scenario(services: Services, now: float) -> Scenario:
    """The live market's calendar starts now (its first auctions open within minutes)."""
    scenario = load(LIVE if services.settings.rules == "sandbox" else "court-month")
    return dataclasses.replace(scenario, start=datetime.fromtimestamp(present_start(scenario, now), UTC))


def demo_hook(base_url: str, *, live: bool = True) -> Callable[[Services], Awaitable[None]]:
    """A startup hook: print how to use the demo, then (``live``, the ``AUCTION_DEMO_BOTS`` setting) run
    the live market against ``base_url`` once the server answers."""

    async def run(services: Services) -> None:
        try:
            print(demo_data.welcome(base_url), flush=True)
            if not live:
                return
            async with httpx.AsyncClient(base_url=base_url, timeout=30, trust_env=False) as client:
                await _wait_until_up(client)
                driver = LiveDriver(Platform(client), services)
                scenario = live_scenario(services, await driver.now())
                await Kernel(scenario, random.randrange(1, 1_000_000), driver).run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the demo's live market stopped")

    return run


async def _wait_until_up(client: httpx.AsyncClient) -> None:
    async with asyncio.timeout(120):
        while True:
            try:
                if (await client.get("/api/v1/clock")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
