"""A service started with a research profile (``AUCTION_RULES=research:<label>``): it answers with the
profile's name and overrides wherever it names the rules, and its bidding and listing follow them.
``judicial-2016`` with an override does not start."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError

from auction_service.app import create_app
from auction_service.clock import ManualClock
from auction_service.config import Settings, describe_settings_error
from bidder_client import WEB_ROOT
from tests.conftest import START, Service, make_settings
from tests.support.research import QUICK, research_service, sold_in_round_3
from tests.support.scenes import end_unsold, go_to, scene, t

WINDOW = {"extension_seconds": 120, "extension_cap": 1}


@pytest.fixture
async def research(db_url: str):
    clock = ManualClock(START)
    settings = make_settings(db_url, "research:window-2m", rules_base="sandbox", rule_overrides=WINDOW)
    app = create_app(settings, clock=clock, migrate_on_start=False, web_root=WEB_ROOT)
    async with app.api.router.lifespan_context(app.api):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Service(app, clock, client, "http://test")


def test_the_law_with_an_override_does_not_start():
    with pytest.raises(ValidationError) as caught:
        Settings(rules="judicial-2016", rule_overrides={"extension_seconds": 120})
    line = describe_settings_error(caught.value)
    assert "AUCTION_RULE_OVERRIDES" in line and "judicial-2016 is the law" in line


def test_an_unknown_quantity_does_not_start():
    with pytest.raises(ValidationError) as caught:
        Settings(rules="research:x", rule_overrides={"extension_minutes": 2})
    assert "extension_minutes" in describe_settings_error(caught.value)


async def test_the_rules_answer_names_the_research_profile(research):
    rules = (await research.client.get("/api/v1/rules")).json()
    assert rules["profile"] == "research:window-2m"
    assert rules["base"] == "sandbox"
    assert rules["overrides"] == WINDOW
    assert rules["extension_seconds"] == 120 and rules["extension_cap"] == 1
    assert (await research.client.get("/api/v1/clock")).json()["rules"] == "research:window-2m"


async def test_bids_follow_the_research_window_and_cap(research):
    s = await scene(research, bidders=2, start_in=timedelta(minutes=10), duration=timedelta(hours=1))
    await go_to(research, s.end_at - timedelta(seconds=150))
    first = await research.api.bid(s.bidders[0], s.id, 7_000_000_00)
    assert first.status_code == 201, first.text
    assert t(first.json()["end_at"]) == s.end_at  # 2.5 min left: outside the window
    await go_to(research, s.end_at - timedelta(seconds=90))
    second = await research.api.bid(s.bidders[1], s.id, 7_005_000_00)
    moved = t(second.json()["end_at"])
    assert moved == research.clock.now() + timedelta(minutes=2)  # the window is two minutes
    await go_to(research, moved - timedelta(seconds=30))
    third = await research.api.bid(s.bidders[0], s.id, 7_010_000_00)
    assert t(third.json()["end_at"]) == moved  # the cap: one extension only
    assert (await research.api.auction(s.id))["extension_count"] == 1


@pytest.fixture
async def three_rounds(db_url: str):
    """A service whose research profile holds three auction rounds before 变卖."""
    async with research_service(db_url, "three", rule_overrides={"auction_rounds": 3}) as svc:
        yield svc


async def test_a_third_round_comes_before_the_sale_when_the_profile_says_so(three_rounds):
    svc = three_rounds
    staff = await svc.api.staff(svc.services)
    lot = await svc.api.lot(staff)
    await end_unsold(svc, staff, lot["id"], **QUICK)
    await end_unsold(svc, staff, lot["id"], starting_price=5_600_000_00, **QUICK)
    nxt = (await svc.client.get(f"/api/v1/lots/{lot['id']}/next-round")).json()
    assert nxt["round"] == 3
    assert nxt["min_start_price_fen"] == 5_600_000_00 * 4 // 5


async def test_statistics_by_round_count_the_third_round(three_rounds):
    """A lot unsold in rounds 1 and 2 and sold in round 3: every statistics answer names round 3, beside
    the law's rounds (a round without an ended auction is 0), and round 3 may be asked for alone."""
    svc = three_rounds
    await sold_in_round_3(svc)

    whole = (await svc.client.get("/api/v1/stats")).json()
    assert whole["ended_by_round"] == {"1": 1, "2": 1, "3": 1, "sale": 0}
    assert whole["sold_by_round"] == {"1": 0, "2": 0, "3": 1, "sale": 0}
    assert whole["share_sold_by_round"]["3"] == 1.0

    by_round = (await svc.client.get("/api/v1/stats/groups", params={"by": "round"})).json()["items"]
    assert {g["group"]["round"]: g["sold"] for g in by_round} == {"1": 0, "2": 0, "3": 1}
    assert all(set(g["ended_by_round"]) == {"1", "2", "3", "sale"} for g in by_round)
    alone = (await svc.client.get("/api/v1/stats/groups", params={"round": "3"})).json()["items"]
    assert [(g["auctions_ended"], g["sold"]) for g in alone] == [(1, 1)]
    assert (await svc.client.get("/api/v1/stats", params={"round": "3"})).json()["sold"] == 1

    text = (await svc.client.get("/api/v1/stats.csv")).content.decode("utf-8-sig")
    [cells] = list(csv.DictReader(io.StringIO(text)))
    assert cells["sold_round_3"] == "1" and cells["ended_round_3"] == "1" and cells["sold_round_2"] == "0"
