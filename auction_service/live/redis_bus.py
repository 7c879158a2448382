"""Fan-out of live events across service processes through Redis pub/sub.

Design (why):

* One channel for all auctions (``auction:live``): a process subscribes once at start, so a new
  watcher never waits for a SUBSCRIBE round trip and cannot miss events published meanwhile.
* ``publish`` is called synchronously by the bid writer after each group commit: it only appends to a
  bounded in-memory queue; a background task sends the queue to Redis in pipelined batches, in order.
* Local watchers get events *only* through Redis (this process's own events too), so every process
  sees each publisher's events in the same order. Two processes writing one auction may still interleave
  their publishes out of seq order; the websocket layer reorders by seq and fills jumps from the database.
* Outages: the publisher keeps unsent events and retries them after reconnecting (the feed drops
  duplicates by seq); if its queue overflows it drops the oldest and, once Redis is back, publishes a
  ``_resync`` marker for the affected auctions. The subscriber reconnects with backoff and, after
  resubscribing, hands a ``_resync`` marker to every local watcher: each connection then sends the bids
  it missed from the database and, if the auction's status changed meanwhile, the status (and close).
  So watchers never silently miss events: they catch up from the database, by seq.
* Eligibility: a process that commits a change to the restriction list or a lot's debtor announces it
  on the same channel (``{"x": "eligibility", "lot": id|null}``); every other process's books read their
  ineligible bidders again. After a lost subscription a process cannot know what it missed, so its
  books re-read them all (``lot`` null), as its watchers refill from the database.
* Watchers (围观) are counted across processes: each process announces its own per-auction counts on
  the same channel (on change, throttled, and every few seconds as a heartbeat); counts of a process
  not heard from for ``presence_ttl`` seconds are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from .bus import Event, EventBus

log = logging.getLogger(__name__)

CHANNEL = "auction:live"


class RedisBus(EventBus):
    """An ``EventBus`` whose events travel through Redis pub/sub (see the module docstring)."""

    max_pending = 100_000  # events waiting for Redis before the oldest are dropped (and a resync sent)
    presence_interval = 5.0  # seconds between two presence heartbeats
    presence_ttl = 15.0  # a process silent for this long no longer counts towards watchers
    max_backoff = 2.0

    def __init__(self, url: str, channel: str = CHANNEL, queue_size: int = 1000, batch_seconds: float = 0.0) -> None:
        super().__init__(queue_size, batch_seconds)
        self.url = url
        self.channel = channel
        self.node = uuid.uuid4().hex[:12]
        self._pending: deque[tuple[int, list[Event]]] = deque()
        self._pending_events = 0
        self._lost: set[int] = set()  # auctions whose events were dropped: resync them after reconnecting
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._stopping = False
        self._subscribed = asyncio.Event()
        self.connected = False
        # presence of the other processes: node -> (auction id -> watchers, last heard)
        self._remote: dict[str, tuple[dict[int, int], float]] = {}

    def _client(self) -> Redis:
        # No silent retries: a lost connection must surface here, so the bus knows it may have missed
        # messages and resyncs its watchers.
        return Redis.from_url(
            self.url,
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=2,
            socket_keepalive=True,
            health_check_interval=5,
        )

    # ----------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        """Start the subscriber, the publisher and the presence heartbeat; wait (briefly) until the
        subscription is live so events committed right after start reach this process's watchers."""
        if self._tasks:
            return
        self._stopping = False
        self._tasks = [
            asyncio.create_task(self._subscribe_loop(), name="redis-bus-subscriber"),
            asyncio.create_task(self._publish_loop(), name="redis-bus-publisher"),
            asyncio.create_task(self._presence_loop(), name="redis-bus-presence"),
        ]
        try:
            await asyncio.wait_for(self._subscribed.wait(), timeout=5)
        except TimeoutError:
            log.warning("Redis at %s is not reachable yet; live events will flow once it is", self.url)

    async def stop(self) -> None:
        """Close the watchers, flush what is queued (briefly), then stop the background tasks."""
        await self.close_all()
        self._stopping = True
        self._wake.set()
        publisher = self._tasks[1] if len(self._tasks) > 1 else None
        if publisher is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(publisher), timeout=2)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await super().stop()

    # ----------------------------------------------------------------- publishing
    def send(self, auction_id: int, events: list[Event]) -> None:
        """Queue committed events for Redis (never blocks the writer); every process, this one included,
        delivers them to its watchers when they come back from Redis."""
        if not events:
            return
        self._pending.append((auction_id, events))
        self._pending_events += len(events)
        while self._pending_events > self.max_pending and len(self._pending) > 1:
            dropped_id, dropped = self._pending.popleft()
            self._pending_events -= len(dropped)
            if dropped_id:
                self._lost.add(dropped_id)
        self._wake.set()

    async def _publish_loop(self) -> None:
        backoff = 0.05
        client: Redis | None = None
        try:
            while True:
                if not self._pending and not self._lost:
                    if self._stopping:
                        return
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                try:
                    if client is None:
                        client = self._client()
                    await self._flush(client)
                    backoff = 0.05
                except Exception as exc:
                    log.warning("publishing live events to Redis failed (%s); retrying", exc)
                    if client is not None:
                        with contextlib.suppress(Exception):
                            await client.aclose()
                        client = None
                    if self._stopping:
                        return
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.aclose()

    async def _flush(self, client: Redis) -> None:
        """Send everything queued, in order; on failure the unsent batch stays at the queue's head."""
        batch = list(self._pending)
        lost = set(self._lost)
        if batch:
            async with client.pipeline(transaction=False) as pipe:
                for auction_id, events in batch:
                    # auction id 0 carries a control message (presence) as is
                    payload = events[0] if auction_id == 0 else {"a": auction_id, "e": events}
                    pipe.publish(self.channel, _encode(payload))
                await pipe.execute()
            # Only now drop what was sent (publish() may have appended meanwhile).
            for _ in batch:
                _auction_id, events = self._pending.popleft()
                self._pending_events -= len(events)
        if lost:
            async with client.pipeline(transaction=False) as pipe:
                for auction_id in lost:
                    pipe.publish(self.channel, _encode({"a": auction_id, "e": [_resync(auction_id)]}))
                await pipe.execute()
            self._lost -= lost

    # ----------------------------------------------------------------- subscribing
    async def _subscribe_loop(self) -> None:
        backoff = 0.05
        ever = False
        while True:
            client = self._client()
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                # Wait for the confirmation: from here on no message is missed.
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message["type"] == "subscribe":
                        break
                self.connected = True
                self._subscribed.set()
                backoff = 0.05
                if ever:
                    self._resync_local()
                    self._eligibility_changed_elsewhere(None)  # announcements may have been missed
                ever = True
                self._announce_watchers(self.local_auctions(), full=True)
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message["type"] == "message":
                        self._receive(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.connected or not ever:
                    log.warning("Redis subscription lost (%s); reconnecting", exc)
                self.connected = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()

    def _receive(self, data: bytes) -> None:
        try:
            message = orjson.loads(data)
        except orjson.JSONDecodeError:
            log.warning("ignoring a malformed message on %s", self.channel)
            return
        if "p" in message:
            self._presence(message)
            return
        if message.get("x") == "eligibility":
            lot_id = message.get("lot")
            if message.get("n") != self.node and (lot_id is None or isinstance(lot_id, int)):
                self._eligibility_changed_elsewhere(lot_id)
            return
        auction_id = message.get("a")
        events = message.get("e")
        if isinstance(auction_id, int) and isinstance(events, list):
            self.deliver(auction_id, events)

    def _resync_local(self) -> None:
        """After an outage: every local watcher catches up from the database."""
        for auction_id in self.local_auctions():
            self.deliver(auction_id, [_resync(auction_id)])

    # ----------------------------------------------------------------- watchers across processes
    def watchers(self, auction_id: int) -> int:
        now = time.monotonic()
        total = self.local_watchers(auction_id)
        for counts, heard in self._remote.values():
            if now - heard <= self.presence_ttl:
                total += counts.get(auction_id, 0)
        return total

    def _announce_watchers(self, auction_ids: list[int], full: bool = False) -> None:
        """Tell the other processes this process's watcher counts (all of them when ``full``)."""
        if not auction_ids and not full:
            return
        ids = self.local_auctions() if full else auction_ids
        counts = {str(a): self.local_watchers(a) for a in ids}
        self._send_control({"p": self.node, "full": full, "w": counts})

    def eligibility_changed(self, lot_id: int | None) -> None:
        """Tell the other processes (this one has re-read its own books already)."""
        self._send_control({"x": "eligibility", "n": self.node, "lot": lot_id})

    def _send_control(self, message: dict[str, Any]) -> None:
        # Presence rides the same ordered publisher queue (auction id 0: never a real auction).
        self._pending.append((0, [message]))
        self._pending_events += 1
        self._wake.set()

    def _presence(self, message: dict[str, Any]) -> None:
        node = message.get("p")
        if not isinstance(node, str) or node == self.node:
            return
        counts_in = message.get("w") or {}
        try:
            counts = {int(k): int(v) for k, v in counts_in.items()}
        except (TypeError, ValueError, AttributeError):
            return
        old, _heard = self._remote.get(node, ({}, 0.0))
        merged = dict(counts) if message.get("full") else {**old, **counts}
        merged = {a: n for a, n in merged.items() if n > 0}
        self._remote[node] = (merged, time.monotonic())
        for auction_id in set(old) | set(counts):
            if old.get(auction_id, 0) != merged.get(auction_id, 0) and self.local_watchers(auction_id):
                self._watchers_changed(auction_id)

    async def _presence_loop(self) -> None:
        """Heartbeat: re-announce local counts and forget processes that went silent."""
        while True:
            await asyncio.sleep(self.presence_interval)
            self._announce_watchers(self.local_auctions(), full=True)
            now = time.monotonic()
            for node, (counts, heard) in list(self._remote.items()):
                if now - heard > self.presence_ttl:
                    del self._remote[node]
                    for auction_id in counts:
                        if self.local_watchers(auction_id):
                            self._watchers_changed(auction_id)


def _resync(auction_id: int) -> Event:
    return {"type": "_resync", "auction_id": auction_id}


def _encode(message: dict[str, Any]) -> bytes:
    return orjson.dumps(message)
