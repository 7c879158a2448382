"""``serve --demo`` never opens on an idle page: on the first start and on every later one, the market
it hands to the server has auctions in every phase (just opened, mid-way with bids, in the soft close
with extensions running, announced), and its lots lie in their court's city under that court's case
numbers. Runs ``prepare`` itself (the simulated past and the live market's last hours, in process),
then reads the database through the public API at the server's present."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from auction_cli import demo
from auction_service import demo_data
from auction_service.app import create_app
from auction_service.clock import ManualClock
from auction_service.config import Settings

CITIES = {"深圳市中级人民法院": ("粤03", "广东省深圳市"), "广州市中级人民法院": ("粤01", "广东省广州市")}
CASE = re.compile(r"^（20\d\d）粤0[13]执(恢)?\d+号$")


@pytest.fixture
def demo_db(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated, empty SQLite database and the environment of ``scripts/demo``."""
    path = tmp_path / "demo.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    monkeypatch.setenv("AUCTION_DATABASE_URL", url)
    monkeypatch.setenv("AUCTION_RULES", "sandbox")
    monkeypatch.setenv("AUCTION_CLOCK_SPEED", "10")
    return url


@contextlib.asynccontextmanager
async def served_at(url: str, present: float) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the demo's service (sandbox rules) whose clock stands at ``present``."""
    clock = ManualClock(datetime.fromtimestamp(present, UTC))
    app = create_app(Settings(database_url=url, rules="sandbox", redis_url=None), clock=clock)
    async with app.api.router.lifespan_context(app.api):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
            yield client


async def at_present(url: str, present: float) -> tuple[list[dict[str, Any]], int, list[dict[str, Any]]]:
    """The live auctions, the number announced and the lots, as the server shows them at ``present``."""
    async with served_at(url, present) as client:
        live = (await client.get("/api/v1/auctions", params={"status": "live", "limit": 100})).json()["items"]
        announced = (await client.get("/api/v1/auctions", params={"status": "announced"})).json()["total"]
        lots = (await client.get("/api/v1/lots", params={"limit": 500})).json()["items"]
    return live, announced, lots


def minutes(moment: str, present: float) -> float:
    return (datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp() - present) / 60


def assert_every_phase(live: list[dict[str, Any]], announced: int, present: float) -> None:
    opened = [-minutes(a["start_at"], present) for a in live]
    assert any(age <= 12 for age in opened), f"nothing just opened: {sorted(opened)}"
    midway = [a for a in live if 15 <= -minutes(a["start_at"], present) <= 45]
    assert midway, "nothing mid-way"
    assert any(a["bid_count"] for a in midway), "nobody bids before the last minutes"
    closing = [a for a in live if a["extension_count"] and minutes(a["end_at"], present) <= 5]
    assert closing, "no soft close under way"
    assert announced, "nothing announced"


# Two starts of the demo at fixed moments of the server's clock, ten simulated minutes apart. The live
# market's seed follows the present (``demo.prepare``: each start draws a new market), so a test reading
# the real clock would draw a different market on every run; at fixed moments the run is one known
# market and the test fails only when the code changes.
STARTS = (1_796_400_000.0, 1_796_400_600.0)


@pytest.fixture
def fixed_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    moments = iter(STARTS)

    async def served_present(settings: Settings) -> float:
        return next(moments)

    monkeypatch.setattr(demo, "_served_present", served_present)


async def test_every_start_opens_on_a_market_in_every_phase(demo_db: str, fixed_starts: None) -> None:
    first = await demo.prepare(demo_db)
    assert first.fresh and first.market is not None
    live, announced, lots = await at_present(demo_db, first.present)
    assert_every_phase(live, announced, first.present)
    # both demo courts take part, each lot in its court's city under its court's case numbers
    assert {a["court"] for a in live} == set(CITIES)
    for lot in lots:
        code, area = CITIES[lot["court"]]
        assert CASE.match(lot["case_number"]) and code in lot["case_number"], lot
        assert lot["location"].startswith(area) and "区" in lot["location"], lot
        assert not lot["title"].startswith(lot["location"][:6]), lot

    later = await demo.prepare(demo_db)  # the next start: the past is kept, the live market is new
    assert not later.fresh and later.present >= first.present
    live, announced, _lots = await at_present(demo_db, later.present)
    assert_every_phase(live, announced, later.present)


async def test_the_demo_opens_with_work_overdue_on_the_desk_and_statistics_by_province(
    demo_db: str, fixed_starts: None
) -> None:
    """The past leaves what courts leave: each court's deadlines desk opens on work overdue of more than
    one kind (balances whose deadline passed without a recorded payment, suspensions past the five-day
    limit), with the step each calls for; statistics by province count the demo's sales in 广东."""
    prepared = await demo.prepare(demo_db)
    overdue: dict[str, set[str]] = {}
    async with served_at(demo_db, prepared.present) as client:
        for court, username, password in demo_data.STAFF:
            clerk = await _as(client, username, password)
            desk = (await client.get("/api/v1/staff/deadlines", headers=clerk)).json()
            overdue[court] = {d["kind"] for d in desk["items"] if d["state"] == "overdue"}
            for item in desk["items"]:
                assert item["actions"], item
        groups = (await client.get("/api/v1/stats/groups", params={"by": "province"})).json()
    assert set().union(*overdue.values()) >= {"balance", "pause"}, overdue
    assert all(overdue.values()), f"a court with nothing overdue: {overdue}"
    [guangdong] = [g for g in groups["items"] if str(g["group"].get("province")).startswith("广东")]
    assert guangdong["sold"] > 0, groups


def test_the_live_market_keeps_a_day_within_the_bidders_token_life() -> None:
    """One live market lasts at most a few real hours at any clock speed (its bidders' tokens live 12 h),
    at the scenario's pace of openings."""
    base = demo.load(demo.LIVE)
    pace = base.horizon_days / base.lots
    for speed in (1, 10, 100):
        scenario = demo.live_scenario(Settings(rules="sandbox", clock_speed=speed), 1_800_000_000)
        assert scenario.horizon_days * 24 / speed <= demo.CYCLE_REAL_HOURS
        assert scenario.horizon_days / scenario.lots == pytest.approx(pace, rel=0.05)


async def _failing(error: Exception) -> None:
    raise error


@pytest.mark.parametrize(
    ("error", "level", "traceback"),
    [(httpx.ConnectError("All connection attempts failed"), "INFO", False), (ValueError("a bug"), "ERROR", True)],
)
async def test_a_market_stopped_by_the_service_stopping_is_one_line_a_bug_is_a_traceback(
    error: Exception, level: str, traceback: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """On Ctrl-C uvicorn stops listening before the lifespan cancels the live market: its bidders' next
    requests find no server, which is said in one line; any other failure keeps its traceback."""
    running: set = set()
    task = asyncio.create_task(_failing(error))
    running.add(task)
    with contextlib.suppress(type(error)):
        await task
    with caplog.at_level("INFO", logger="auction_cli.demo"):
        demo._finished(running)(task)
    [record] = [r for r in caplog.records if "live market of the demo stopped" in r.getMessage()]
    assert record.levelname == level and (record.exc_info is not None) == traceback
    assert task not in running


class _Enough(Exception):
    """The test has watched the market long enough."""


async def _as(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    answer = await client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def _a_person_acts(client: httpx.AsyncClient) -> tuple[int, int]:
    """What a visitor does in the web client while the market runs: each clerk records the payment of
    every sale of their court awaiting it (the simulated clerk meant to settle some of them), the
    Shenzhen clerk suspends a live auction, and ``bidder1`` registers for another and outbids its
    leader. Returns the suspended auction's id and how many payments were recorded."""
    live = (await client.get("/api/v1/auctions", params={"status": "live", "limit": 100})).json()["items"]
    sold = (await client.get("/api/v1/auctions", params={"status": "sold", "limit": 100})).json()["items"]
    paid = 0
    for court, username, password in demo_data.STAFF:
        clerk = await _as(client, username, password)
        for auction in (a for a in sold if a["court"] == court):
            settled = await client.post(
                f"/api/v1/auctions/{auction['id']}/settlement", json={"outcome": "paid"}, headers=clerk
            )
            paid += settled.status_code == 200
    clerk = await _as(client, "clerk", "clerk-demo-pass")
    shenzhen = [a for a in live if a["court"] == "深圳市中级人民法院" and a["bid_count"]]
    suspended = shenzhen[0]["id"]
    answer = await client.post(f"/api/v1/auctions/{suspended}/suspend", json={"reason": "异议审查"}, headers=clerk)
    assert answer.status_code == 200, answer.text
    bidder = await _as(client, "bidder1", demo_data.BIDDER_PASSWORD)
    target = next(a for a in live if a["id"] != suspended and a["bid_count"])
    assert (await client.post(f"/api/v1/auctions/{target['id']}/registrations", headers=bidder)).status_code == 201
    amount = target["current_price"] + target["increment"]
    answer = await client.post(f"/api/v1/auctions/{target['id']}/bids", json={"amount": amount}, headers=bidder)
    assert answer.status_code == 201, answer.text
    return suspended, paid


async def _pay_by_hand(client: httpx.AsyncClient, clerks: dict[str, dict[str, str]]) -> None:
    """A clerk in the web client records the payment of every sale awaiting one (refusals are fine: the
    simulated clerk may have settled it first)."""
    sold = (await client.get("/api/v1/auctions", params={"status": "sold", "limit": 100})).json()["items"]
    for auction in sold:
        if auction["court"] in clerks:
            await client.post(
                f"/api/v1/auctions/{auction['id']}/settlement",
                json={"outcome": "paid"},
                headers=clerks[auction["court"]],
            )


async def test_a_person_acting_in_the_live_market_never_stops_it(
    demo_db: str, fixed_starts: None, caplog: pytest.LogCaptureFixture
) -> None:
    """Payments recorded by hand before the simulated clerk gets to them, a suspension, a human bid: the
    service refuses the simulated clerks' and bidders' next steps (409 ``already_settled``...), the
    market logs each as one line and goes on opening, selling and settling."""
    prepared = await demo.prepare(demo_db)
    market = prepared.market
    assert market is not None and market.supervised
    watched_until = prepared.present + 2 * 3600

    async with demo.in_process_service(demo_db, "sandbox", prepared.present) as (app, clock, client):
        suspended, paid = await _a_person_acts(client)
        assert paid, "no sale was awaiting payment"

        clerks = {court: await _as(client, u, pw) for court, u, pw in demo_data.STAFF}
        looked = {"at": prepared.present}

        class Watching(demo.InProcessDriver):
            """Moves the market's clock; every five simulated minutes the person records the payment of
            each sale the market made meanwhile, before the simulated clerk gets to it."""

            async def advance_to(self, moment: float) -> None:
                if moment > watched_until:
                    raise _Enough
                await super().advance_to(moment)
                if moment - looked["at"] >= 300:
                    looked["at"] = moment
                    await _pay_by_hand(client, clerks)

        driver = Watching(app, clock, client)
        with caplog.at_level("WARNING", logger="auction_sim.kernel"), pytest.raises(_Enough):
            await market.carry_on(driver)
        refused = [r.getMessage() for r in caplog.records if "refused a step" in r.getMessage()]
        assert any("already_settled" in line for line in refused), refused
        assert all(r.exc_info is None for r in caplog.records)
        ended = (await client.get("/api/v1/auctions", params={"status": "sold", "limit": 500})).json()["items"]
        late = [a for a in ended if minutes(a["end_at"], prepared.present) > 90]
        assert late, "nothing sold after the person acted: the market stopped"
        assert (await client.get(f"/api/v1/auctions/{suspended}")).json()["status"] == "suspended"
