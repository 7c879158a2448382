"""Services under a research profile (``AUCTION_RULES=research:<label>``, ``auction_rules/research.py``) and
the scenes their extra rounds need, for every test module that counts a research profile's rounds."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx

from auction_service.app import create_app
from auction_service.clock import ManualClock
from bidder_client import WEB_ROOT
from tests.conftest import START, Service, make_settings

from .scenes import Scene, end_unsold, go_to, scene


def three_rounds_served(monkeypatch: Any) -> str:
    """The rules a browser test's ``live_server`` runs under, for its ``rules`` fixture: a research profile
    of three auction rounds, its overrides from the environment as ``auction-service serve`` takes them."""
    monkeypatch.setenv("AUCTION_RULE_OVERRIDES", json.dumps({"auction_rounds": 3}))
    return "research:three"


# Rounds announced a minute ahead and open for an hour: a lot runs through three rounds in one morning.
QUICK = {"start_in": timedelta(minutes=1), "duration": timedelta(hours=1)}


@asynccontextmanager
async def research_service(db_url: str, label: str, **options: Any) -> AsyncIterator[Service]:
    """An in-process service whose rules are the research profile ``research:<label>`` (``options``:
    ``rule_overrides``, ``rules_base``...), its clock at ``START``."""
    clock = ManualClock(START)
    settings = make_settings(db_url, f"research:{label}", **options)
    app = create_app(settings, clock=clock, migrate_on_start=False, web_root=WEB_ROOT)
    async with app.api.router.lifespan_context(app.api):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            yield Service(app, clock, client, "http://test")


async def sold_in_round_3(svc: Service, staff: dict[str, str] | None = None) -> Scene:
    """A residential lot unsold in rounds 1 and 2 (流拍), then sold in round 3 at its starting price
    (¥4,480,000: 80% of round 2's ¥5,600,000); the clock at round 3's end. The profile must hold three
    auction rounds or more (``rule_overrides={"auction_rounds": 3}``)."""
    staff = staff or await svc.api.staff(svc.services)
    lot = await svc.api.lot(staff)
    await end_unsold(svc, staff, lot["id"], **QUICK)
    await end_unsold(svc, staff, lot["id"], starting_price=5_600_000_00, **QUICK)
    third = await scene(svc, bidders=1, staff=staff, lot=lot, starting_price=4_480_000_00, **QUICK)
    placed = await svc.api.bid(third.bidders[0], third.id, 4_480_000_00)
    assert placed.status_code == 201, placed.text
    await go_to(svc, third.end_at)
    assert (await svc.api.auction(third.id))["status"] == "sold"
    return third
