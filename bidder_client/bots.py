"""Simulated bidders: agents that act only on what a real bidder sees, through the public API.

Each bot logs in with its own account, finds the live and upcoming auctions it is registered to
(``GET /api/v1/me/registrations``) and follows each of them: it reads the auction's page
(``GET /api/v1/auctions/{id}``: server time, end, current price, leading code, minimum bid), lets the
behaviour model (``bidder_client.behaviour``) decide, and bids through ``POST .../bids``. While it
follows an auction's end it keeps the live feed open, as the web page does, so a rival's bid makes it
look again at once; its answer then comes after the model's response time.

Waits are simulated seconds (the model's) converted to real ones with the clock speed the service
reports (``GET /api/v1/clock``); there is no real-time floor, so at any clock speed a bot can answer
within a five-minute soft close as long as the transport keeps up.

Example (a running service with the demo data)::

    asyncio.run(run_bots("http://127.0.0.1:8000", [("bot01", "demo-pass-123")]))
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx

from .behaviour import Bidder, View
from .client import API, ApiError, AuctionClient, LiveConnection

log = logging.getLogger("bidder_client.bots")

FOLLOWED = ("announced", "live", "suspended")  # registrations worth following
RULE_REFUSALS = 409  # the rules refused the bid (too low, not on an increment, not live...): look again


def epoch(value: str) -> float:
    """RFC 3339 (server time) to epoch seconds."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def view_of(auction: dict[str, Any], my_code: str) -> View:
    """What the bidder with ``my_code`` sees on the auction's page."""
    return View(
        status=auction["status"],
        now=epoch(auction["server_time"]),
        start_at=epoch(auction["start_at"]),
        end_at=epoch(auction["end_at"]),
        starting_price=auction["starting_price"],
        increment=auction["increment"],
        minimum_bid=auction["minimum_bid"],
        current_price=auction.get("current_price"),
        leading=auction.get("leading_code") == my_code,
        seq=auction.get("seq", 0),
    )


async def wait_until_up(base_url: str) -> None:
    """Wait until the service answers ``GET /api/v1/clock`` (it may still be starting); bound it with
    ``asyncio.timeout`` if needed."""
    async with AuctionClient(base_url, timeout=5.0) as client:
        while True:
            try:
                await client.clock()
                return
            except (httpx.TransportError, ApiError):
                await asyncio.sleep(0.2)


async def run_bots(base_url: str, accounts: Sequence[tuple[str, str]], *, seed: int | None = None) -> None:
    """Run one bot per ``(username, password)`` until each is done with every auction it follows."""
    async with asyncio.timeout(120):
        await wait_until_up(base_url)
    rng = random.Random(seed)
    bots = [Bot(base_url, username, password, random.Random(rng.random())) for username, password in accounts]
    tasks = [asyncio.create_task(bot.run(), name=f"bot-{bot.username}") for bot in bots]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class Bot:
    """One bidder account following the auctions it is registered to."""

    def __init__(self, base_url: str, username: str, password: str, rng: random.Random) -> None:
        self.base_url = base_url
        self.username = username
        self.password = password
        self.rng = rng
        self.speed = 1.0

    async def run(self) -> None:
        async with AuctionClient(self.base_url) as client:
            await client.login(self.username, self.password)
            self.speed = float((await client.clock())["speed"])
            registrations = (await client.request("GET", f"{API}/me/registrations", expect=(200,)))["items"]
            mine = [r for r in registrations if r["auction"]["status"] in FOLLOWED]
            await asyncio.gather(
                *(
                    self.follow(client, r["auction_id"], r["bidder_code"], random.Random(self.rng.random()))
                    for r in mine
                )
            )

    def real(self, simulated: float) -> float:
        """Real seconds for ``simulated`` seconds of the service's clock."""
        return max(simulated, 0.0) / self.speed

    async def follow(self, client: AuctionClient, auction_id: int, code: str, rng: random.Random) -> None:
        """Follow one auction until it ends (or gets too dear), bidding as the model says."""
        bidder: Bidder | None = None
        feed = Feed(client, auction_id)
        refusals = 0
        try:
            while True:
                feed.news.clear()  # news from now on wakes the next wait
                try:
                    auction = await client.get_auction(auction_id)
                except (httpx.TransportError, ApiError) as exc:
                    await self._recover(client, exc)
                    continue
                if bidder is None:
                    # latency: simulated seconds a bid takes to get through; answers are planned to land
                    # at least that long before the end
                    bidder = Bidder.for_auction(auction["starting_price"], rng, latency=max(1.0, 0.25 * self.speed))
                action = bidder.observe(view_of(auction, code))
                if action.bid is not None:
                    try:
                        await client.bid(auction_id, action.bid)
                        refusals = 0
                        continue  # look at the page again: the bot now leads
                    except ApiError as exc:
                        if exc.status == RULE_REFUSALS and refusals < 3:
                            refusals += 1
                            continue  # someone was faster: look again
                        await self._recover(client, exc)
                    except httpx.TransportError as exc:
                        await self._recover(client, exc)
                if action.wait is None:
                    return
                if action.following:
                    await feed.open()
                else:
                    await feed.close()
                await feed.wait(self.real(action.wait))
        finally:
            await feed.close()

    async def _recover(self, client: AuctionClient, exc: Exception) -> None:
        """After a failed call: log in again if the token expired, else back off a little."""
        if isinstance(exc, ApiError) and exc.status == 401:
            with contextlib.suppress(ApiError, httpx.TransportError):
                await client.login(self.username, self.password)
                return
        await asyncio.sleep(1.0)


class Feed:
    """The auction page's live updates: ``wait`` returns early when something happens on the page."""

    def __init__(self, client: AuctionClient, auction_id: int) -> None:
        self.client = client
        self.auction_id = auction_id
        self.news = asyncio.Event()
        self.live: LiveConnection | None = None
        self.reader: asyncio.Task | None = None

    async def open(self) -> None:
        if self.reader is not None and not self.reader.done():
            return
        await self.close()
        try:
            self.live = await self.client.connect_live(self.auction_id)
        except Exception as exc:  # the page still works without live updates: the bot just looks later
            log.debug("live feed of auction %s unavailable: %s", self.auction_id, exc)
            return
        self.reader = asyncio.create_task(self._read(self.live))

    async def _read(self, live: LiveConnection) -> None:
        async for event in live.events():
            if event.get("type") in ("bid", "status", "closed"):
                self.news.set()

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader
            self.reader = None
        if self.live is not None:
            with contextlib.suppress(Exception):
                await self.live.close()
            self.live = None

    async def wait(self, seconds: float) -> None:
        """Sleep ``seconds`` (real), or less if news arrived on the live feed since ``news`` was cleared."""
        if self.reader is None or self.reader.done():
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.news.wait(), seconds)
