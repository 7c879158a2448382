"""Seed a fresh service through its public API (httpx, concurrent): bidders and their tokens (from the
sign-up's answer; a login where it has none), lots, auctions starting a few seconds later,
registrations. Staff accounts come from ``auction-service staff add`` (run by the runner before the
service starts).

Seeding is set-up, not load: every phase runs as many calls at once as the service takes without queueing
them (``CONCURRENCY``), and the auctions open as soon as their registrations can be in, judged by the rate
at which the service took the lots (the same kind of write), not by a fixed, conservative rate. Each
phase's time is kept (``Seeder.phases``) and printed by the runner."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from auction_rules.listing import first_round_floor_price
from auction_rules.profiles import SANDBOX
from auction_sim.identities import complete_announcement, id_number_for

PASSWORD = "load-test-password"
# A conservative rate of registrations while seeding, where nothing was measured yet (the sniping
# scenario's one auction, the benchmarks): auctions start after this much time for them.
REGISTRATIONS_PER_SECOND = 25.0
# Calls in flight at once: enough to keep the service's password hashing threads and its writer busy, few
# enough for its connection pool (15) and SQLite's one writer (at 16, lots and registrations queued past
# the database timeout: 503 ``storage_unavailable``, and the pool's 30 s wait).
CONCURRENCY = 8
BUSY_TRIES = 5
# The registrations' time is judged from the lots' rate, this many times over (a margin, not a rule): a
# loaded two-core machine took a registration 1-2 times as long as a lot.
MARGIN = 1.5
ID_NUMBER_TRIES = 8  # identity numbers a sign-up draws before giving up


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Seeder:
    """``tag`` prefixes every username it creates: a run against a running deployment (``--url``) must
    not collide with the accounts of earlier runs."""

    def __init__(self, base_url: str, concurrency: int = CONCURRENCY, tag: str = "") -> None:
        self.base = base_url
        self.tag = tag
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.client = httpx.AsyncClient(base_url=base_url, timeout=60, trust_env=False, limits=limits)
        self.sem = asyncio.Semaphore(concurrency)
        self.phases: dict[str, float] = {}  # seconds each phase of the seeding took

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - began

    async def close(self) -> None:
        await self.client.aclose()

    async def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """One call, at most ``CONCURRENCY`` at once; a busy service's 429 or 503 is waited out for its
        ``Retry-After`` and tried again, up to ``BUSY_TRIES`` times (set-up goes at the service's pace)."""
        for _ in range(BUSY_TRIES - 1):
            async with self.sem:
                r = await self.client.request(method, path, **kw)
            if r.status_code not in (429, 503):
                return r
            await asyncio.sleep(float(r.headers.get("Retry-After", "1")))
        async with self.sem:
            return await self.client.request(method, path, **kw)

    async def call(self, method: str, path: str, token: str | None = None, expect=(200, 201), **kw) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = await self.request(method, path, headers=headers, **kw)
        if r.status_code not in expect:
            raise RuntimeError(f"seeding: {method} {path} -> {r.status_code} {r.text[:300]}")
        return r.json()

    async def token(self, username: str, password: str = PASSWORD) -> str:
        body = await self.call("POST", "/api/v1/auth/token", data={"username": username, "password": password})
        return body["access_token"]

    async def bidder(self, username: str) -> dict[str, Any]:
        """Sign up with the identity number the username draws (``auction_sim/identities.py``); one that
        another account holds already (409 ``id_number_taken``) draws the next. The sign-up's answer
        carries the account's token, which saves a login (a second argon2 hash, half the bidders' phase);
        a 409 ``username_taken`` (the account of an earlier run) logs in."""
        for attempt in range(ID_NUMBER_TRIES):
            body = {"username": username, "password": PASSWORD, "real_name": username}
            r = await self.request(
                "POST", "/api/v1/bidders", json=body | {"id_number": id_number_for(username, attempt)}
            )
            code = r.json().get("error", {}).get("code") if r.status_code == 409 else None
            if r.status_code == 201 or code == "username_taken":
                return {"username": username, "token": await self.signed_up_token(username, r), "codes": {}}
            if code != "id_number_taken":
                raise RuntimeError(f"seeding: POST /api/v1/bidders -> {r.status_code} {r.text[:300]}")
        raise RuntimeError(f"seeding: no free identity number for {username} in {ID_NUMBER_TRIES} tries")

    async def signed_up_token(self, username: str, signed_up: httpx.Response) -> str:
        """The token a 201 sign-up answered with; a login when there is none: the account was there
        already (409), or the service predates the token in the sign-up's answer."""
        token = signed_up.json().get("access_token") if signed_up.status_code == 201 else None
        return token if isinstance(token, str) and token else await self.token(username)

    async def bidders(self, prefix: str, count: int) -> list[dict[str, Any]]:
        names = [f"{self.tag}{prefix}{i:05d}" for i in range(count)]
        return list(await asyncio.gather(*(self.bidder(name) for name in names)))

    async def server_now(self) -> tuple[datetime, float]:
        body = await self.call("GET", "/api/v1/clock")
        return parse(body["now"]), float(body["speed"])

    async def lot(self, staff_token: str, title: str, rng: random.Random) -> dict[str, Any]:
        appraisal = rng.choice((80, 120, 250, 400, 900, 1500)) * 10_000 * 100  # fen
        category = rng.choice(("residential", "commercial", "vehicle"))
        body = complete_announcement({"title": title, "category": category, "appraisal": appraisal})
        return await self.call("POST", "/api/v1/lots", staff_token, json=body)

    async def lot_and_auction(
        self, staff_token: str, title: str, start_at: datetime, end_at: datetime, rng: random.Random
    ) -> dict[str, Any]:
        return await self.auction(staff_token, await self.lot(staff_token, title, rng), start_at, end_at)

    async def auction(
        self, staff_token: str, lot: dict[str, Any], start_at: datetime, end_at: datetime
    ) -> dict[str, Any]:
        starting = first_round_floor_price(SANDBOX, lot["appraisal"])
        increment = max(starting // 200, 100)  # ~0.5% of the starting price
        body = {
            "starting_price": starting,
            "increment": increment,
            "deposit": starting // 10,
            "start_at": iso(start_at),
            "end_at": iso(end_at),
        }
        return await self.call("POST", f"/api/v1/lots/{lot['id']}/auctions", staff_token, json=body)

    async def register(self, bidder: dict[str, Any], auction_id: int) -> None:
        body = await self.call("POST", f"/api/v1/auctions/{auction_id}/registrations", bidder["token"])
        bidder["codes"][str(auction_id)] = body["bidder_code"]


def auction_view(a: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "starting_price", "increment", "deposit", "start_at", "end_at", "scheduled_end_at")
    return {k: a[k] for k in keys}


async def seed_sniping(
    base: str, staff: list[dict[str, str]], users: int, lead: float, tag: str = ""
) -> dict[str, Any]:
    """One hot auction whose scheduled end is 2 minutes after its start: every bid extends it."""
    s = Seeder(base, tag=tag)
    try:
        rng = random.Random(1)
        token = await s.token(staff[0]["username"], staff[0]["password"])
        with s.phase("bidders"):
            bidders = await s.bidders("sniper", users)
        with s.phase("lots"):
            lot = await s.lot(token, "hot flat", rng)
        now, speed = await s.server_now()
        start = now + timedelta(seconds=(lead + users / REGISTRATIONS_PER_SECOND) * speed)
        with s.phase("auctions"):
            auction = await s.auction(token, lot, start, start + timedelta(minutes=2))
        with s.phase("registrations"):
            await asyncio.gather(*(s.register(b, auction["id"]) for b in bidders))
        return {
            "host": base,
            "clock_speed": speed,
            "hot_auction": auction["id"],
            "auctions": [auction_view(auction)],
            "bidders": bidders,
            "start_at": iso(start),
            "seeding_seconds": s.phases,
        }
    finally:
        await s.close()


def plan_registrations(rng: random.Random, auctions: int, bidders: int) -> list[tuple[int, list[int]]]:
    """Which bidders register for which auction: ~30% of the auctions draw no bidder, the others 3-12."""
    plan = []
    for i in range(auctions):
        if rng.random() < 0.7:
            plan.append((i, rng.sample(range(bidders), min(bidders, rng.randint(3, 12)))))
    return plan or [(0, list(range(min(3, bidders))))]


async def seed_market(
    base: str, staff: list[dict[str, str]], users: int, auctions: int, lead: float, duration: float, tag: str = ""
) -> dict[str, Any]:
    """Hundreds of auctions with staggered scheduled ends (some end within the run); ~30% draw no bidder,
    the others 3-12 registrants; a pool of late bidders registers during bidding."""
    s = Seeder(base, tag=tag)
    try:
        rng = random.Random(2)
        tokens = [await s.token(st["username"], st["password"]) for st in staff]
        n_late = max(users // 5, 2)
        with s.phase("bidders"):
            bidders = await s.bidders("bidder", users)
            late = await s.bidders("late", n_late)
        plan = plan_registrations(rng, auctions, users)
        with s.phase("lots"):
            lots = await asyncio.gather(*(s.lot(tokens[i % len(tokens)], f"lot {i}", rng) for i in range(auctions)))
        # The auctions open about when their registrations are in: the auctions and the registrations, each
        # write at the rate the service took the lots (the same kind of write), with a margin. A
        # registration a little late is still taken (bidding is open, the end minutes away), and locust
        # starts only after the last one.
        writes = auctions + sum(len(who) for _, who in plan) + users
        lead += MARGIN * writes * s.phases["lots"] / auctions
        now, speed = await s.server_now()
        jobs = []
        for i in range(auctions):
            start = now + timedelta(seconds=(lead + rng.uniform(0, 2)) * speed)
            # scheduled ends spread from early in the run to well after it (simulated seconds)
            length = timedelta(seconds=max(rng.uniform(0.2, 2.5) * duration, 3.0) * speed)
            jobs.append(s.auction(tokens[i % len(tokens)], lots[i], start, start + length))
        with s.phase("auctions"):
            created = list(await asyncio.gather(*jobs))
        contested = [created[i] for i, _ in plan]
        with s.phase("registrations"):
            await asyncio.gather(*(s.register(bidders[b], created[i]["id"]) for i, who in plan for b in who))
            # a registrant of nothing still watches something
            idle = [b for b in bidders if not b["codes"]]
            await asyncio.gather(*(s.register(b, rng.choice(contested)["id"]) for b in idle))
        return {
            "host": base,
            "clock_speed": speed,
            "auctions": [auction_view(a) for a in created],
            "contested": [a["id"] for a in contested],
            "bidders": bidders,
            "late_bidders": late,
            "seeding_seconds": s.phases,
        }
    finally:
        await s.close()


async def seed_office(
    base: str, staff: list[dict[str, str]], users: int, auctions: int, lead: float, duration: float, tag: str = ""
) -> dict[str, Any]:
    """A market (bidding runs) plus staff credentials for the court-office users."""
    seeded = await seed_market(base, staff, users, auctions, lead, duration, tag)
    seeded["staff"] = staff
    return seeded


async def wait_healthy(base: str, within: float = 60.0, proc=None) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=base, timeout=2, trust_env=False) as c:
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"the service exited with {proc.returncode} before answering /healthz")
            try:
                if (await c.get("/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the service at {base} did not answer /healthz within {within:.0f} s")
