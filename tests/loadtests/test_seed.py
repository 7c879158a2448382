"""The load tests' seeding is set-up, not load: bidders, lots, auctions and registrations go through the
public API many calls at once, and the auctions open as soon as their registrations can be in, judged by
the rate at which the service took the lots, not by a fixed 25 registrations a second (which made the
market scenario's 200 bidders wait longer than a 30 s run). Every planned registration is made, and each
phase's time is reported."""

from __future__ import annotations

import time

import pytest

from loadtests import seed
from tests.support import parse_time

BIDDERS = 60
AUCTIONS = 60
LEAD = 2.0


@pytest.mark.parametrize("rules", ["sandbox"])
async def test_the_market_is_seeded_at_the_services_pace_and_opens_once_registered(live_server):
    await live_server.api.staff(live_server.services, username="seed-clerk")
    staff = [{"username": "seed-clerk", "password": "password123"}]
    began = time.perf_counter()
    seeded = await seed.seed_market(live_server.base_url, staff, BIDDERS, AUCTIONS, LEAD, duration=30)
    took = time.perf_counter() - began
    clock = (await live_server.client.get("/api/v1/clock")).json()
    now, speed = parse_time(clock["now"]), float(clock["speed"])

    registrations = sum(len(b["codes"]) for b in seeded["bidders"])
    planned = sum(1 for a in seeded["auctions"] if a["id"] in seeded["contested"])
    assert registrations >= 3 * planned and all(b["codes"] for b in seeded["bidders"])
    assert set(seeded["seeding_seconds"]) == {"bidders", "lots", "auctions", "registrations"}

    first = min(parse_time(a["start_at"]) for a in seeded["auctions"])
    wait = (first - now).total_seconds() / speed
    assert wait < LEAD + 1.5 * took, f"the opening waits {wait:.1f} s after a seeding of {took:.1f} s"
