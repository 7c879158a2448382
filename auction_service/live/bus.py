"""The live feed's event bus: core publishes committed domain events here (it implements core's
``EventSink``); live-feed connections subscribe per auction. ``RedisBus`` (``redis_bus.py``) extends it
across service processes.

Why it looks like this:

* Each subscriber has a bounded buffer. A subscriber that falls more than ``queue_size`` events behind
  is ended with close code 1013 and unsubscribed at once: it never slows the publisher (``publish`` is
  synchronous and called from the bid writer) nor the other subscribers. The client resumes with
  ``after_seq`` and the feed refills what it missed from the database.
* The bus is also the registry of every live connection in the process, so the lifespan (or the
  server, before it drops connections itself) can end them all with ``close_all`` (close code 1001).
* It counts watchers (围观) per auction and pushes ``{"type": "watchers", "count": N}`` to them when
  the number changes, at most once per ``watchers_interval`` per auction (a crowd joining at once
  must not turn into a storm of counter messages).
* Fan-out without a task switch per watcher: a subscription that is in step (everything before was
  sent, nothing is queued) and whose server offers a frame writer (``frames.py``) gets each event's
  pre-built frame written straight to its socket by ``deliver``, for all the auction's watchers in one
  pass. Anything the direct path cannot send in order (a seq jump, a resync marker, a connection under
  back-pressure) goes to the bounded buffer instead, and that connection's sender takes over until it
  has caught up again. Both paths keep one ``FeedOrder`` per connection (``feed_order.py``, pure): drop
  bids at or below the last seq sent, never skip one.
* Batching (``batch_seconds``, setting ``AUCTION_FEED_BATCH_MS``): at 200 bids/s the cost of fan-out
  is the number of socket writes, not the bytes (each write is a system call on both ends). Events of
  an auction that come within ``batch_seconds`` of its last batch wait for the next one, so a watcher
  gets one write per batch; an event after a quiet spell goes out at once, so the wait only appears
  when events come faster than one per ``batch_seconds``. Each event is still its own websocket
  message.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from ..contract.events import Message, event_message, watchers_message
from ..core.bidding.events import DomainEvent
from ..metrics import measure
from .feed_order import FeedOrder
from .frames import FrameWriter, text_frame

Event = Message  # what travels on the bus and the wire: a feed message (contract/events.py)
log = logging.getLogger(__name__)

# Close codes used by the live feed.
CLOSE_GOING_AWAY = 1001  # server shutting down: reconnect elsewhere / later with after_seq
CLOSE_TRY_AGAIN = 1013  # too slow (fell behind) or a gap the server could not fill: resume with after_seq


class Encoded(dict):
    """An event plus its JSON text and websocket frame, encoded once and shared by every subscriber
    (read-only)."""

    __slots__ = ("frame", "text")

    def __init__(self, event: Event) -> None:
        super().__init__(event)
        raw = orjson.dumps(event)
        self.text = raw.decode()
        self.frame = text_frame(raw)


class Subscription:
    """One live connection's inbox for one auction: a bounded buffer drained in batches."""

    def __init__(self, bus: EventBus, auction_id: int, maxsize: int) -> None:
        self.bus = bus
        self.auction_id = auction_id
        self.maxsize = maxsize
        self._items: deque[Event] = deque()
        self._ready = asyncio.Event()
        self._ended = asyncio.Event()
        self.close_code: int | None = None
        self.close_reason = ""
        # Where the connection stands in the auction's sequence (``feed_order.py``), kept by its sender
        # and, in direct mode, by ``write_direct``.
        self.order = FeedOrder()
        self.writer: FrameWriter | None = None  # set by the connection when its server offers one
        self.direct = False

    @property
    def ended(self) -> bool:
        return self.close_code is not None

    def __len__(self) -> int:
        return len(self._items)

    def go_direct(self) -> None:
        """The connection's sender has sent everything it was given: later events may be written
        straight to the socket (if the server offers a frame writer)."""
        if self.writer is not None and not self._items and self.close_code is None:
            self.direct = True

    def write_direct(self, events: list[Encoded]) -> Sequence[Encoded]:
        """Write the events this connection can take in order now (``FeedOrder.in_step``); return the
        rest (from the first one it cannot), which must go through the buffer."""
        ready, stop, last_seq, last_status = self.order.in_step(events)
        if ready:
            data = ready[0].frame if len(ready) == 1 else b"".join([event.frame for event in ready])
            if not self.writer.write(data):  # type: ignore[union-attr]
                self.direct = False
                return events  # nothing was written: the sender sends (or fails on) all of them
            self.order.advance(last_seq, last_status)
        if stop == len(events):
            return ()
        self.direct = False  # the sender fills the gap from the database (or resyncs)
        return events[stop:]

    def offer(self, event: Event) -> None:
        """Called synchronously by the publisher: never blocks, never raises."""
        if self.close_code is not None:
            return
        self.direct = False
        if len(self._items) >= self.maxsize:
            measure.slow_consumers.inc()
            self.end(CLOSE_TRY_AGAIN, "too slow: fell behind the live feed; reconnect with after_seq")
            return
        self._items.append(event)
        self._ready.set()

    def end(self, code: int, reason: str = "") -> None:
        """Ask the connection to close with ``code``; it stops receiving events right away."""
        self.direct = False
        if self.close_code is None:
            self.close_code = code
            self.close_reason = reason
            self._items.clear()
        self._ready.set()
        self._ended.set()
        self.bus.unsubscribe(self)

    async def wait_ended(self) -> None:
        await self._ended.wait()

    async def take(self) -> list[Event]:
        """Wait for events and return all buffered ones (empty list once the subscription ended)."""
        while not self._items and self.close_code is None:
            self._ready.clear()
            await self._ready.wait()
        if self.close_code is not None:
            return []
        batch = list(self._items)
        self._items.clear()
        return batch

    def close(self) -> None:
        self.bus.unsubscribe(self)


class SharedReads:
    """Watchers joining one auction at once share one database read of its snapshot.

    A watcher may only use a read that *started after* it subscribed (otherwise a bid committed in
    between could be in neither the snapshot nor its live events): each subscription and each read
    takes a ticket from one counter, and a watcher joins an in-flight read only if the read's ticket is
    newer than its own; otherwise it waits for that read to finish and starts (or joins) the next."""

    def __init__(self) -> None:
        self._tickets = itertools.count()
        self._flights: dict[int, tuple[int, asyncio.Future]] = {}

    def ticket(self) -> int:
        return next(self._tickets)

    async def read(self, key: int, since: int, loader) -> Any:
        while True:
            flight = self._flights.get(key)
            if flight is not None:
                started, future = flight
                if started > since:
                    return await asyncio.shield(future)
                await asyncio.wait([future])  # too old for this watcher: wait for it, then go again
                continue
            started = self.ticket()
            mine: asyncio.Future = asyncio.get_running_loop().create_future()
            self._flights[key] = (started, mine)
            try:
                result = await loader()
            except BaseException as exc:
                mine.set_exception(exc)
                mine.exception()  # retrieved: each waiter re-raises it itself
                raise
            else:
                mine.set_result(result)
                return result
            finally:
                if self._flights.get(key, (None,))[0] == started:
                    del self._flights[key]


class EventBus:
    """Local fan-out (subclasses add cross-process transport); see the module docstring."""

    watchers_interval = 1.0  # seconds between two watcher-count pushes for one auction

    def __init__(self, queue_size: int = 1000, batch_seconds: float = 0.0) -> None:
        self._subs: dict[int, set[Subscription]] = defaultdict(set)
        self.queue_size = queue_size
        self.batch_seconds = batch_seconds
        self._batches: dict[int, list[Event]] = {}  # auction -> events waiting for its next batch
        self._batch_sent_at: dict[int, float] = {}  # auction -> loop time its last batch went out
        self._batch_since: dict[int, float] = {}  # auction -> loop time its waiting batch began (metrics)
        self._closing = False
        self._live_connections = 0
        self._drained = asyncio.Event()
        self._drained.set()
        # watcher-count pushes: auctions whose count may have changed, last count pushed, last push time
        self._dirty_watchers: set[int] = set()
        self._eligibility_listeners: list[Callable[[int | None], None]] = []
        self._pushed_watchers: dict[int, int] = {}
        self._pushed_at: dict[int, float] = {}
        self._flush_handle: asyncio.TimerHandle | None = None
        self.snapshots = SharedReads()

    # ----------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        await self.close_all()
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None

    async def close_all(self, code: int = CLOSE_GOING_AWAY, wait_seconds: float = 5.0) -> None:
        """End every live connection of this process (and refuse new ones), then wait up to
        ``wait_seconds`` for their handlers to send the close frame and unsubscribe."""

        self._closing = True
        for subs in list(self._subs.values()):
            for sub in list(subs):
                sub.end(code, "server shutting down; reconnect with after_seq")
        if self._live_connections:
            try:
                await asyncio.wait_for(self._drained.wait(), wait_seconds)
            except TimeoutError:
                log.warning("%d live connection(s) did not close in %.1fs", self._live_connections, wait_seconds)

    # The handlers register themselves (connection_opened/closed) so close_all can wait until their
    # close frames are out.
    def connection_opened(self) -> None:
        self._live_connections += 1
        measure.live_connections.inc()
        self._drained.clear()

    def connection_closed(self) -> None:
        self._live_connections -= 1
        measure.live_connections.dec()
        if self._live_connections <= 0:
            self._live_connections = 0
            self._drained.set()

    # ----------------------------------------------------------------- subscriptions
    def subscribe(self, auction_id: int) -> Subscription:
        sub = Subscription(self, auction_id, self.queue_size)
        if self._closing:
            sub.end(CLOSE_GOING_AWAY, "server shutting down; reconnect with after_seq")
            return sub
        self._subs[auction_id].add(sub)
        self._watchers_changed(auction_id)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.auction_id)
        if subs is not None and sub in subs:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.auction_id]
                self._batch_sent_at.pop(sub.auction_id, None)
            self._watchers_changed(sub.auction_id)

    def subscriptions(self, auction_id: int) -> list[Subscription]:
        """This process's live connections to the auction (for tests and diagnostics)."""
        return list(self._subs.get(auction_id, ()))

    def local_watchers(self, auction_id: int) -> int:
        return len(self._subs.get(auction_id, ()))

    def watchers(self, auction_id: int) -> int:
        """Watchers of the auction (across processes when the bus spans them)."""
        return self.local_watchers(auction_id)

    def local_auctions(self) -> list[int]:
        return list(self._subs)

    # ----------------------------------------------------------------- eligibility across processes
    def eligibility_changed(self, lot_id: int | None) -> None:
        """``EventSink``: one process has no other to tell (``RedisBus`` tells them)."""

    def on_eligibility_changed(self, listener: Callable[[int | None], None]) -> None:
        self._eligibility_listeners.append(listener)

    def _eligibility_changed_elsewhere(self, lot_id: int | None) -> None:
        for listener in self._eligibility_listeners:
            try:
                listener(lot_id)
            except Exception:
                log.exception("an eligibility listener failed")

    # ----------------------------------------------------------------- events
    def publish(self, auction_id: int, events: list[DomainEvent]) -> None:
        """Deliver committed events, in order, to the auction's watchers (``EventSink``: called
        synchronously by the bid writer after each group commit; must not block)."""
        self.send(auction_id, [event_message(event) for event in events])

    def send(self, auction_id: int, messages: list[Event]) -> None:
        """Messages for the auction's watchers: this process's (a bus spanning processes overrides it)."""
        self.deliver(auction_id, messages)

    def deliver(self, auction_id: int, events: list[Event]) -> None:
        """Hand events to this process's subscribers of the auction, in the auction's next batch."""
        if not self._subs.get(auction_id):
            return
        waiting = self._batches.get(auction_id)
        if waiting is not None:
            waiting.extend(events)  # a batch is already due: these go with it, in order
            return
        if self.batch_seconds <= 0:
            started = time.monotonic()
            self._fan_out(auction_id, events)
            measure.broadcast_seconds.observe(time.monotonic() - started)
            return
        loop = asyncio.get_running_loop()
        self._batches[auction_id] = list(events)
        self._batch_since[auction_id] = loop.time()
        wait = self._batch_sent_at.get(auction_id, float("-inf")) + self.batch_seconds - loop.time()
        if wait > 0:
            loop.call_later(wait, self._send_batch, auction_id)
        else:  # after a quiet spell: at once, but after the callers of the bids (their answers go first)
            loop.call_soon(self._send_batch, auction_id)

    def _send_batch(self, auction_id: int) -> None:
        events = self._batches.pop(auction_id, None)
        since = self._batch_since.pop(auction_id, None)
        if not events:
            return
        self._fan_out(auction_id, events)
        if since is not None:  # from the batch's first event reaching the bus to the end of its fan-out
            measure.broadcast_seconds.observe(asyncio.get_running_loop().time() - since)
        # the window runs from the end of the fan-out: with many watchers the writes themselves take
        # milliseconds, and the loop must get time for bids in between
        if auction_id in self._subs:
            self._batch_sent_at[auction_id] = asyncio.get_running_loop().time()

    def _fan_out(self, auction_id: int, events: list[Event]) -> None:
        """Each event is encoded to JSON and to a frame once here, not once per subscriber: with a
        thousand watchers that is most of the fan-out's cost."""
        subs = self._subs.get(auction_id)
        if not subs:
            return
        encoded = [Encoded(event) for event in events]
        for sub in list(subs):
            rest = sub.write_direct(encoded) if sub.direct else encoded
            for item in rest:
                sub.offer(item)

    # ----------------------------------------------------------------- watcher counts
    def _watchers_changed(self, auction_id: int) -> None:
        """Schedule a (throttled) push of the auction's watcher count."""
        self._dirty_watchers.add(auction_id)
        if self._flush_handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        now = time.monotonic()
        due = min(self._pushed_at.get(a, 0.0) for a in self._dirty_watchers) + self.watchers_interval
        self._flush_handle = loop.call_later(max(0.0, due - now), self._flush_watchers)

    def _flush_watchers(self) -> None:
        self._flush_handle = None
        now = time.monotonic()
        later: set[int] = set()
        pushed: list[int] = []
        for auction_id in self._dirty_watchers:
            if now - self._pushed_at.get(auction_id, 0.0) < self.watchers_interval:
                later.add(auction_id)
                continue
            pushed.append(auction_id)
            count = self.watchers(auction_id)
            if count == self._pushed_watchers.get(auction_id, 0):
                continue
            self._pushed_at[auction_id] = now
            if count:
                self._pushed_watchers[auction_id] = count
            else:
                self._pushed_watchers.pop(auction_id, None)
                self._pushed_at.pop(auction_id, None)
            self.deliver(auction_id, [watchers_message(auction_id, count)])
        self._announce_watchers(pushed)
        self._dirty_watchers = later
        if later:
            self._dirty_watchers = set()
            for auction_id in later:
                self._watchers_changed(auction_id)

    def _announce_watchers(self, auction_ids: list[int]) -> None:
        """Hook for buses that span processes: tell the others this process's counts changed."""
        return None
