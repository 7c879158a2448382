"""In-process event bus: the bid path publishes committed events here; live-feed connections
subscribe per auction. Each subscriber has a bounded queue: a subscriber that falls behind is told so
(``overflowed``) and dropped, it never slows the publisher or other subscribers."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

Event = dict[str, Any]


class Subscription:
    def __init__(self, bus: EventBus, auction_id: int, maxsize: int) -> None:
        self.bus = bus
        self.auction_id = auction_id
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        self.overflowed = asyncio.Event()

    def offer(self, event: Event) -> None:
        if self.overflowed.is_set():
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed.set()

    def close(self) -> None:
        self.bus.unsubscribe(self)


class EventBus:
    def __init__(self, queue_size: int = 1000) -> None:
        self._subs: dict[int, set[Subscription]] = defaultdict(set)
        self.queue_size = queue_size

    def subscribe(self, auction_id: int) -> Subscription:
        sub = Subscription(self, auction_id, self.queue_size)
        self._subs[auction_id].add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.auction_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.auction_id]

    def watchers(self, auction_id: int) -> int:
        return len(self._subs.get(auction_id, ()))

    def publish(self, auction_id: int, events: list[Event]) -> None:
        """Deliver committed events, in order, to this process's subscribers of the auction."""
        for sub in list(self._subs.get(auction_id, ())):
            for event in events:
                sub.offer(event)
