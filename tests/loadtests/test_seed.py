"""The load tests' seeding is set-up, not load: bidders, lots, auctions and registrations go through the
public API many calls at once, and the auctions open as soon as their registrations can be in, judged by
the rate at which the service took the lots, not by a fixed 25 registrations a second (which made the
market scenario's 200 bidders wait longer than a 30 s run). Every planned registration is made, and each
phase's time is reported. A bidder costs one password hash, not two: its token comes with the sign-up's
answer, and the seeding logs in only where there is none."""

from __future__ import annotations

import time

import httpx
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


async def test_bidders_are_seeded_with_the_sign_ups_token_without_logging_in(live_server):
    """Each bidder's token is the one its sign-up answered with, and names that bidder; one whose account
    an earlier run made (409 ``username_taken``) logs in."""
    s = seed.Seeder(live_server.base_url)
    paths: list[str] = []

    async def record(request: httpx.Request) -> None:
        paths.append(request.url.path)

    s.client.event_hooks["request"].append(record)
    try:
        bidders = await s.bidders("token", 4)
        assert paths == ["/api/v1/bidders"] * 4
        paths.clear()
        again = await s.bidder(bidders[0]["username"])
        assert paths == ["/api/v1/bidders", "/api/v1/auth/token"]
    finally:
        await s.close()
    for bidder in [*bidders, again]:
        me = await live_server.client.get("/api/v1/me", headers={"Authorization": f"Bearer {bidder['token']}"})
        assert me.status_code == 200 and me.json()["username"] == bidder["username"]


async def test_a_sign_up_answer_without_a_token_logs_in() -> None:
    """A service from before the token in the sign-up's answer: the seeding logs in, as it used to."""
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/api/v1/bidders":
            return httpx.Response(201, json={"id": 7, "username": "old00000"})
        return httpx.Response(200, json={"access_token": "t0k", "token_type": "bearer", "role": "bidder"})

    s = seed.Seeder("http://service")
    await s.client.aclose()
    s.client = httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://service")
    try:
        bidder = await s.bidder("old00000")
    finally:
        await s.close()
    assert bidder["token"] == "t0k"
    assert calls == ["/api/v1/bidders", "/api/v1/auth/token"]
