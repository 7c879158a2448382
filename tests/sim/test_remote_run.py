"""``simulate --url``: the same market driven against a running service (a real uvicorn on a loopback
port) over the public API, in the service's own accelerated time: the clerks list, bidders register and
bid, the service's scheduler closes, and the figures come from what the service recorded."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from auction_cli.simulate import run_in_process, run_remote
from auction_rules.profiles import SANDBOX
from auction_service.app import create_app
from auction_service.config import Settings
from auction_service.core import accounts
from auction_service.live.serving import LiveServer, server_config
from auction_sim import records
from auction_sim.platform import BidAnswer, Platform, epoch, iso, staff_username
from auction_sim.scenario import Listing, Scenario, load

STAFF_PASSWORD = "sim-staff-pass-123"


@contextlib.asynccontextmanager
async def serving(tmp_path: Path, **settings: Any) -> AsyncIterator[str]:
    """A service at 200x on the sandbox rules, with the simulator's clerk of the demo-live courts."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/remote.db", rules="sandbox", clock_speed=200, redis_url=None,
        **settings,
    )  # fmt: skip
    app = create_app(settings)
    server = LiveServer(server_config(app, "127.0.0.1", 0, lifespan="on"))
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    services = app.state.services
    async with services.write_sessions() as session:
        for court in load("demo-live").courts:
            row = await accounts.get_or_create_court(session, services.clock, court.name)
            await accounts.create_account(
                session, services.clock, username=staff_username(court.name), password=STAFF_PASSWORD,
                real_name="书记员", role="staff", court_id=row.id,
            )  # fmt: skip
        await session.commit()
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=15)


@pytest.fixture
async def running_service(tmp_path: Path) -> AsyncIterator[str]:
    async with serving(tmp_path) as url:
        yield url


def small_market() -> Scenario:
    """Four lots, bidding 6 simulated minutes each (under 2 s of real time at 200x)."""
    base = load("demo-live")
    courts = tuple(dataclasses.replace(c, lots=2) for c in base.courts)
    listing = dataclasses.replace(base.listing, bidding_hours=0.1, announce_hours=0.02, sale_mode=False)
    listing = dataclasses.replace(listing, relist_days=(0.001, 0.002), balance_days=0.002)
    assert isinstance(listing, Listing)
    return dataclasses.replace(base, courts=courts, horizon_days=0.05, listing=listing)


def check_runs(runs: list[records.AuctionRecord]) -> None:
    assert runs, "no auction ended"
    summary = records.summarize(runs)
    assert summary["auctions"] == len(runs)
    for record in runs:
        assert record.outcome in ("sold", "unsold")
        if record.outcome == "sold":
            assert record.price is not None and record.price >= record.starting_price
            assert record.bids >= 1
        assert max(record.extension_gaps, default=0) < SANDBOX.extension.total_seconds()


@pytest.mark.realtime  # a market in the service's accelerated real time
async def test_a_small_market_runs_against_a_running_service(running_service: str) -> None:
    async with asyncio.timeout(120):
        runs = await run_remote(small_market(), 3, running_service, STAFF_PASSWORD)
    check_runs(runs)


@pytest.mark.realtime  # real-second rate limits
async def test_bidders_told_to_wait_by_a_tight_bid_limit_wait_and_the_market_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deployment whose bid limit (1 a second per bidder) is far below the market's pace at 200x: a
    bidder whose bid is refused `rate_limited` looks again once its Retry-After has passed (in the
    service's time), and every auction still ends as the rules say."""
    bid = Platform.bid
    told_to_wait: dict[tuple[str, int], float] = {}  # (bidder, auction) -> real time it may bid again
    limited, too_soon = 0, []

    async def watched_bid(self: Platform, bidder: dict[str, str], auction_id: int, amount: int) -> BidAnswer:
        nonlocal limited
        who = (bidder["Authorization"], auction_id)
        sent = time.monotonic()
        if sent < told_to_wait.get(who, 0.0) - 0.05:  # a little slack for the clock's reading
            too_soon.append(told_to_wait[who] - sent)
        answer = await bid(self, bidder, auction_id, amount)
        if answer.code == "rate_limited":
            limited += 1
            told_to_wait[who] = time.monotonic() + answer.retry_after
        return answer

    monkeypatch.setattr(Platform, "bid", watched_bid)
    market = small_market()
    market = dataclasses.replace(market, bidders=dataclasses.replace(market.bidders, pool=30))
    async with serving(tmp_path, rate_limit_bids="1/second") as url, asyncio.timeout(240):
        runs = await run_remote(market, 3, url, STAFF_PASSWORD)
    check_runs(runs)
    assert limited > 0
    assert too_soon == [], f"{len(too_soon)} bids sent before their Retry-After had passed"


async def test_a_start_the_service_finds_past_already_opens_an_announcement_period_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under load a running service's time may pass an auction's start while the clerk's step runs (its
    requests answer slowly): the service refuses `start_in_past` and the clerk schedules again, one
    announcement period after the refused start. Made certain here, in process on the virtual clock: the
    first schedule of each lot arrives with its start an hour in the past."""
    schedule = Platform.schedule
    refused: set[int] = set()

    async def late_schedule(self: Platform, staff: dict[str, str], lot_id: int, body: dict[str, Any]) -> dict[str, Any]:
        if lot_id not in refused:
            refused.add(lot_id)
            body = body | {"start_at": iso(epoch(body["start_at"]) - 3_600 * 24 * 365)}
        return await schedule(self, staff, lot_id, body)

    monkeypatch.setattr(Platform, "schedule", late_schedule)
    runs = await run_in_process(small_market(), 3)
    assert refused
    check_runs(runs)
