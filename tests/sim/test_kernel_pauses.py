"""A market that meets an auction a clerk suspended (a person on a running service, the demo's live
market) waits for its resumption without hammering the service: it looks at the page again after a
minute, then after waits that double up to an hour, so six suspended hours cost a few dozen reads, not
one a simulated second. Once resumed, with the lost bidding time given back, the auction is fought and
closed as any other; an auction a clerk withdrew leaves the market at once."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from auction_cli.simulate import InProcessDriver, in_process_service
from auction_sim.kernel import Kernel
from auction_sim.market import present_start
from auction_sim.scenario import load

T0 = 1_796_400_000.0
HOUR = 3600.0
SUSPENDED_HOURS = 6


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "market.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


def small_live_market():
    """The demo's live market with two lots (one per court), opening within the quarter hour."""
    scenario = load("demo-live")
    courts = tuple(dataclasses.replace(c, lots=1) for c in scenario.courts)
    scenario = dataclasses.replace(scenario, courts=courts, horizon_days=0.5)
    return dataclasses.replace(scenario, start=datetime.fromtimestamp(present_start(scenario, T0), UTC))


class _Reads:
    """Counts the market's reads of one auction's page."""

    def __init__(self) -> None:
        self.path = ""
        self.count = 0

    async def __call__(self, request: httpx.Request) -> None:
        if self.path and request.method == "GET" and request.url.path == self.path:
            self.count += 1


@contextlib.asynccontextmanager
async def counting_reads(db_url: str) -> AsyncIterator[tuple[Any, Any, httpx.AsyncClient, _Reads]]:
    """The service in process at ``T0`` (sandbox rules), its client counting the reads of one page."""
    async with in_process_service(db_url, "sandbox", T0) as (app, clock, client):
        reads = _Reads()
        client.event_hooks["request"].append(reads)
        yield app, clock, client, reads


async def test_a_suspension_is_waited_out_with_growing_waits_and_the_auction_then_closes(db_url: str) -> None:
    scenario = small_live_market()
    async with counting_reads(db_url) as (app, clock, client, reads):
        steps: dict[str, float] = {}
        market: Kernel

        class ClerkPausing(InProcessDriver):
            """Moves the market's clock; a clerk suspends the first auction bid on and resumes it six
            hours later."""

            async def advance_to(self, moment: float) -> None:
                await super().advance_to(moment)
                if "suspended" not in steps:
                    live = (await client.get("/api/v1/auctions", params={"status": "live"})).json()["items"]
                    bid_on = [a for a in live if a["bid_count"]]
                    if bid_on:
                        await self.pause(bid_on[0], moment)
                elif "resumed" not in steps and moment >= steps["suspended"] + SUSPENDED_HOURS * HOUR:
                    answer = await client.post(
                        f"/api/v1/auctions/{int(steps['auction'])}/resume", json={"reason": "异议已审查"},
                        headers=self.clerk,
                    )  # fmt: skip
                    assert answer.status_code == 200, answer.text
                    steps["resumed"], steps["reads"] = moment, reads.count

            async def pause(self, auction: dict, moment: float) -> None:
                court = next(i for i, c in enumerate(scenario.courts) if c.name == auction["court"])
                self.clerk = market.staff[court]
                answer = await client.post(
                    f"/api/v1/auctions/{auction['id']}/suspend", json={"reason": "案外人提出异议"}, headers=self.clerk
                )
                assert answer.status_code == 200, answer.text
                steps["suspended"], steps["auction"] = moment, auction["id"]
                reads.path = f"/api/v1/auctions/{auction['id']}"

        driver = ClerkPausing(app, clock, client)
        market = Kernel(scenario, 7, driver, until=T0 + (SUSPENDED_HOURS + 4) * HOUR)
        market.supervised = True  # a bid refused by the suspension is a step skipped, as in the demo
        await market.run()

        assert "resumed" in steps, steps
        assert steps["reads"] <= 40, f"{steps['reads']} reads of the page in {SUSPENDED_HOURS} suspended hours"
        closed = (await client.get(f"/api/v1/auctions/{int(steps['auction'])}")).json()
        assert closed["status"] in ("sold", "unsold")
        assert any(r.auction_id == steps["auction"] for r in market.records), "the market never saw it close"


async def test_an_auction_withdrawn_before_bidding_leaves_the_market_at_once(db_url: str) -> None:
    scenario = small_live_market()
    async with counting_reads(db_url) as (app, clock, client, reads):
        withdrawn: dict[str, int] = {}
        market: Kernel

        class ClerkWithdrawing(InProcessDriver):
            """A clerk withdraws the first auction announced (a settlement between the parties)."""

            async def advance_to(self, moment: float) -> None:
                await super().advance_to(moment)
                if withdrawn:
                    return
                announced = (await client.get("/api/v1/auctions", params={"status": "announced"})).json()["items"]
                if announced:
                    auction = announced[0]
                    court = next(i for i, c in enumerate(scenario.courts) if c.name == auction["court"])
                    answer = await client.post(
                        f"/api/v1/auctions/{auction['id']}/withdraw",
                        json={"ground": "settlement_reached", "reason": "当事人达成和解"},
                        headers=market.staff[court],
                    )
                    assert answer.status_code == 200, answer.text
                    withdrawn["id"] = auction["id"]
                    reads.path = f"/api/v1/auctions/{auction['id']}"

        market = Kernel(scenario, 7, ClerkWithdrawing(app, clock, client), until=T0 + 8 * HOUR)
        market.supervised = True
        await market.run()

        assert withdrawn, "nothing was announced"
        assert reads.count <= 5, f"{reads.count} reads of a withdrawn auction's page"
