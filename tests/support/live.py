"""Helpers shared by the live-feed tests: a live auction, websocket URLs, bounded receives."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

from .api import parse_time

BID_KEYS = {"type", "seq", "amount", "bidder_code", "placed_at", "end_at", "priority"}
STARTING_PRICE = 1_000_00
INCREMENT = 1_00


def ws_url(service: Any, auction_id: int, **params: Any) -> str:
    base = service.base_url.replace("http://", "ws://", 1)
    query = "&".join(f"{k}={v}" for k, v in params.items() if v is not None)
    return f"{base}/api/v1/auctions/{auction_id}/live" + (f"?{query}" if query else "")


def ws_connect(url: str, **kwargs: Any) -> Any:
    """websockets honours proxy variables even for 127.0.0.1: always proxy=None."""
    kwargs.setdefault("open_timeout", 10)
    kwargs.setdefault("close_timeout", 5)
    return connect(url, proxy=None, **kwargs)


async def recv(ws: ClientConnection, wait: float = 10) -> dict[str, Any]:
    return orjson.loads(await asyncio.wait_for(ws.recv(), wait))


async def recv_type(ws: ClientConnection, kinds: set[str], wait: float = 10) -> dict[str, Any]:
    """The next message of one of ``kinds`` (counters and other events in between are skipped)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        message = await recv(ws, max(0.01, deadline - loop.time()))
        if message["type"] in kinds:
            return message


async def live_auction(service: Any, bidders: int = 2, duration: timedelta = timedelta(hours=2)) -> tuple[dict, list]:
    """A sandbox auction that is live now, with ``bidders`` registered bidders (their auth headers)."""
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff, appraisal=STARTING_PRICE)
    auction = await api.schedule(
        staff,
        lot["id"],
        starting_price=STARTING_PRICE,
        increment=INCREMENT,
        start_in=timedelta(seconds=30),
        duration=duration,
    )
    heads = [await api.bidder() for _ in range(bidders)]
    for head in heads:
        await api.register(head, auction["id"])
    service.clock.set(parse_time(auction["start_at"]))
    await service.settle()
    for _ in range(100):
        if (await api.auction(auction["id"]))["status"] == "live":
            break
        await asyncio.sleep(0.02)
    return auction, heads


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].split(" ", 1)[1]


class Bidding:
    """Concurrent HTTP bidders raising one auction by one increment at a time (some lose races and are
    refused, which is fine): the accepted bids form seq 1..n."""

    def __init__(self, service: Any, auction_id: int, heads: list[dict[str, str]]) -> None:
        self.service = service
        self.auction_id = auction_id
        self.heads = heads
        self._amounts = itertools.count(0)
        self.accepted: list[int] = []
        self.attempts = 0

    async def worker(self, head: dict[str, str], until: asyncio.Event, limit: int) -> None:
        while not until.is_set() and self.attempts < limit:
            self.attempts += 1
            amount = STARTING_PRICE + INCREMENT * next(self._amounts)
            r = await self.service.api.bid(head, self.auction_id, amount)
            if r.status_code == 201:
                self.accepted.append(r.json()["seq"])
            else:
                assert r.status_code == 409, r.text

    async def run(self, attempts: int, stop: asyncio.Event | None = None) -> None:
        until = stop or asyncio.Event()
        await asyncio.gather(*(self.worker(h, until, attempts) for h in self.heads))
