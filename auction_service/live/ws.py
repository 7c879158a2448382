"""``WS /api/v1/auctions/{id}/live``: the live feed of one auction.

Protocol (``docs/api-contract.md``, "Live feed"):

* server → client, first: ``{"type": "snapshot", "auction": {...as GET /auctions/{id}...}, "seq": S}``;
  then every stored bid with ``seq > after_seq`` in seq order (none when ``after_seq`` is omitted);
  then live events: ``bid``, ``status``, ``closed``, ``registrations`` and ``watchers`` (the counters).
* client → server: ``{"type": "auth", "token"}`` (or ``?token=`` in the URL), then
  ``{"type": "bid", "amount", "request_id", "idempotency_key"?}`` answered by ``{"type": "bid_result",
  "request_id", "ok": true, "seq", ...}`` or ``{..., "ok": false, "code", "message"}``; ``{"type":
  "ping"}`` is answered by ``{"type": "pong"}`` (browsers cannot send websocket pings). A malformed or
  oversized message gets ``{"type": "error", "code", "message"}`` and the connection stays up.
* close codes: 4404 unknown auction (after the handshake, so browsers can read it), 4400 bad query
  parameters, 4401 invalid token in the URL, 4429 too many connections from one address, 1013 fell
  behind (resume with ``after_seq``), 1001 server shutting down, 1009 a message above 64 KiB (refused by
  the protocol, unread). Keepalive pings are the server's job (uvicorn ``ws_ping_interval``/``ws_ping_timeout``).

No gap and no duplicate: the connection subscribes to the bus *before* it reads the snapshot and the
backlog from the database; its ``FeedOrder`` (``feed_order.py``, pure: the rules are there) remembers
the last bid seq it sent, drops live bids at or below it and says which jumps to fill from the bids
table; this module only reads storage and writes to the socket as it says. Events on the bus are
committed events only.

What the client sends (auth, bids, pings) is read and answered by ``client_messages.py``, alongside;
a bid there takes the HTTP bid's use-case (``intake/bids.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from auction_rules.errors import Kind, RuleViolation

from ..clock import isoformat
from ..contract.auctions import auction_json
from ..contract.events import (
    bid_message,
    error_message,
    event_message,
    snapshot_message,
)
from ..contract.numbers import parse_count
from ..core.auction_queries import auction_view
from ..core.bidding.events import AuctionClosed, StatusChanged
from ..core.feed import committed_state, stored_bids
from ..core.health import storage_errors
from ..core.services import Services
from .bus import CLOSE_TRY_AGAIN, Encoded, Event, EventBus, Subscription
from .client_messages import ClientMessages
from .connection_limits import OpenSockets, SocketCaps
from .feed_order import AHEAD, SENT, GapError
from .frames import frame_writer

router = APIRouter(tags=["live feed"])
log = logging.getLogger(__name__)

CLOSE_RATE_LIMITED = 4429  # too many connections from this address: retry after a while
BACKLOG_PAGE = 1000
ENDED_STATUSES = ("sold", "unsold")
CLOSE_INTERNAL_ERROR = 1011  # an unexpected failure on the server (RFC 6455)


@router.websocket("/api/v1/auctions/{auction_id}/live")
async def live_feed(websocket: WebSocket, auction_id: str) -> None:
    """Snapshot, backlog since ``after_seq``, then live events; bids over the same socket."""
    services: Services = websocket.app.state.services
    await websocket.accept()  # refusals below come after the handshake, so browsers can read them
    if not await connection_allowed(websocket, services):
        return
    caps = socket_caps(websocket, services)
    address = websocket.client.host if websocket.client else "unknown"
    if not caps.by_address.take(address):
        await refuse_socket(websocket, f"at most {caps.by_address.cap} open live-feed connections per address")
        return
    try:
        await _serve_feed(websocket, services, auction_id, caps)
    finally:
        caps.by_address.give_back(address)


async def _serve_feed(websocket: WebSocket, services: Services, auction_id: str, caps: SocketCaps) -> None:
    the_id = parse_count(auction_id, lowest=1)  # ASCII digits within the id column, like HTTP's ids
    if the_id is None:
        await websocket.send_text(orjson.dumps(error_message("auction_not_found", "no such auction")).decode())
        await websocket.close(4404, "unknown auction")
        return
    feed = LiveFeed(websocket, services, the_id)
    feed.inbox.account_sockets = caps.by_account
    bus = feed.bus
    bus.connection_opened()
    try:
        await feed.run()
    finally:
        bus.connection_closed()


async def connection_allowed(websocket: WebSocket, services: Services) -> bool:
    """Live-feed connections opened per address are limited (``rate_limit_live_connections``): beyond,
    an ``error`` message ``rate_limited`` with ``retry_after`` and close code 4429."""
    address = websocket.client.host if websocket.client else "unknown"
    try:
        await services.limits.live_connection(address)
    except RuleViolation as exc:
        message = error_message(exc.code, exc.message) | {"retry_after": exc.extra.get("retry_after")}
        with contextlib.suppress(Exception):
            await websocket.send_text(orjson.dumps(message).decode())
            await websocket.close(CLOSE_RATE_LIMITED, "too many connections; retry later")
        return False
    return True


def socket_caps(websocket: WebSocket, services: Services) -> SocketCaps:
    """The app's counts of open sockets per address and per account (made on first use)."""
    state = websocket.app.state
    caps = getattr(state, "socket_caps", None)
    if caps is None:
        settings = services.settings
        caps = SocketCaps(
            OpenSockets(settings.max_websockets_per_address), OpenSockets(settings.max_websockets_per_account)
        )
        state.socket_caps = caps
    return caps


async def refuse_socket(websocket: WebSocket, why: str) -> None:
    """Too many open sockets: an ``error`` message ``rate_limited`` and close code 4429."""
    message = error_message("rate_limited", f"{why}; close one and retry") | {"retry_after": 1}
    with contextlib.suppress(Exception):
        await websocket.send_text(orjson.dumps(message).decode())
        await websocket.close(CLOSE_RATE_LIMITED, "too many open connections")


def bus_of(services: Services) -> EventBus:
    """The live feed's bus: the service's ``EventSink`` (core knows it only by that port) is an
    ``EventBus`` (``app.py`` builds it)."""
    bus = services.events
    if not isinstance(bus, EventBus):
        raise TypeError(f"the live feed needs an EventBus, the service has {type(bus).__name__}")
    return bus


class LiveFeed:
    """One websocket connection: a sender (bus → socket, in the order its ``FeedOrder`` says) and a
    reader (``ClientMessages``: socket → auth, bids, pings) running concurrently, so a client that
    leaves is noticed even when no event is flowing."""

    def __init__(self, websocket: WebSocket, services: Services, auction_id: int) -> None:
        self.ws = websocket
        self.services = services
        self.bus = bus_of(services)
        self.auction_id = auction_id
        self.sub: Subscription  # set in run(): its ``order`` holds the last seq and status sent
        self.inbox = ClientMessages(services, auction_id, self.send)  # socket → auth, bids, pings
        self.subscribed = -1  # the bus ticket taken when this connection subscribed

    # ----------------------------------------------------------------- plumbing
    async def send(self, message: Event) -> None:
        # Events from the bus come encoded once for all watchers (``Encoded``); the rest is encoded here.
        # Each ASGI send is one whole frame, so the sender and bid tasks may send concurrently.
        text = message.text if isinstance(message, Encoded) else orjson.dumps(message).decode()
        await self.ws.send({"type": "websocket.send", "text": text})

    async def send_error(self, code: str, message: str) -> None:
        await self.send(error_message(code, message))

    async def close(self, code: int, reason: str = "") -> None:
        # A client that stopped reading may never let the close frame out: give up after a while (the
        # server then drops the TCP connection).
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(code, reason[:120]), timeout=10)

    # ----------------------------------------------------------------- the connection
    async def run(self) -> None:
        accepted, after_seq = await self._read_query()
        if not accepted:
            return
        self.sub = sub = self.bus.subscribe(self.auction_id)  # before reading the database: no gap
        sub.writer = frame_writer(self.ws.scope)
        self.subscribed = self.bus.snapshots.ticket()
        try:
            if sub.ended:
                await self.close(sub.close_code or 1001, sub.close_reason)
                return
            if await self._start(after_seq):
                await self.serve(sub)
        finally:
            sub.close()
            await self.inbox.cancel_bids()
            self.inbox.release()

    async def _read_query(self) -> tuple[bool, int | None]:
        """The query's ``after_seq`` and ``token``; (False, None) once a bad one was answered and the
        socket closed."""
        params = self.ws.query_params
        after_seq: int | None = None
        raw_after = params.get("after_seq")
        if raw_after not in (None, ""):
            after_seq = parse_count(raw_after)  # ASCII digits, within the seq column
            if after_seq is None:
                await self.send_error("invalid_after_seq", "after_seq must be a non-negative integer")
                await self.close(4400, "invalid after_seq")
                return False, None
        token = params.get("token")
        if token:
            try:
                principal = self.services.tokens.verify(token)
            except RuleViolation as exc:
                await self.send_error(exc.code, exc.message)
                await self.close(4401, "invalid token")
                return False, None
            if not self.inbox.adopt(principal):
                await refuse_socket(
                    self.ws, f"at most {self.inbox.account_sockets.cap} open live-feed connections per account"
                )
                return False, None
        return True, after_seq

    async def _start(self, after_seq: int | None) -> bool:
        """The snapshot and the backlog; False once the socket was closed with the reason it cannot go on
        (no such auction, missed events, storage down, the watcher gone, an unexpected error)."""
        try:
            if not await self.send_start(after_seq):
                await self.close(4404, "unknown auction")
                return False
        except GapError:
            await self.close(CLOSE_TRY_AGAIN, "missed events; reconnect with after_seq")
            return False
        except RuleViolation as exc:  # storage down (``core.health.storage_errors``): try again later
            await self.close(*_close_for(exc))
            return False
        except (WebSocketDisconnect, RuntimeError, OSError):
            return False
        except Exception:
            log.exception("live feed of auction %s failed to start", self.auction_id)
            await self.close(CLOSE_INTERNAL_ERROR, "internal error")
            return False
        return True

    async def send_start(self, after_seq: int | None) -> bool:
        """Send the snapshot and the backlog; False if the auction does not exist."""
        try:
            shared = await self.bus.snapshots.read(self.auction_id, self.subscribed, self._read_snapshot)
        except RuleViolation as exc:
            if exc.kind is Kind.NOT_FOUND:
                return False
            raise
        auction = dict(shared, server_time=isoformat(self.services.clock.now()))
        seq = auction.get("seq", auction.get("bid_count", 0)) or 0
        await self.send(snapshot_message(auction, seq))
        backlog_after = self.sub.order.start(seq, auction.get("status"), after_seq)
        if backlog_after is not None:
            await self.send_stored_bids(after=backlog_after)
        return True

    async def _read_snapshot(self) -> dict[str, Any]:
        with storage_errors():
            async with self.services.read_sessions() as session:
                view = await auction_view(session, self.auction_id)
        now = self.services.clock.now()
        return auction_json(view, now=now, watchers=self.services.events.watchers(self.auction_id))

    async def send_stored_bids(self, after: int, before: int | None = None) -> int:
        """Send stored bids with ``after < seq`` (``< before`` if given), in pages; returns how many."""
        sent = 0
        order = self.sub.order
        while True:
            with storage_errors():
                rows = await stored_bids(self.services.db, self.auction_id, after, before, BACKLOG_PAGE)
            for row in rows:
                if order.stored(row.seq):
                    await self.send(bid_message(self.auction_id, row))
                    sent += 1
            if len(rows) < BACKLOG_PAGE:
                return sent
            after = rows[-1].seq

    async def serve(self, sub: Subscription) -> None:
        """Run the sender and the reader together; whichever ends first ends the connection. A third
        waiter notices the subscription ending (fell behind, shutdown) even while the sender is stuck
        on a client that stopped reading."""
        sender = asyncio.create_task(self.pump(sub), name=f"live-send-{self.auction_id}")
        reader = asyncio.create_task(self.inbox.read(self.ws), name=f"live-read-{self.auction_id}")
        ender = asyncio.create_task(sub.wait_ended(), name=f"live-end-{self.auction_id}")
        tasks = (sender, reader, ender)
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if reader in done:
            return  # the client left (or the socket failed): nothing to close
        close: tuple[int, str] | None = None
        if sender in done and not sender.cancelled() and sender.exception() is not None:
            log.error("live feed of auction %s failed", self.auction_id, exc_info=sender.exception())
            close = (CLOSE_INTERNAL_ERROR, "internal error")
        elif sender in done and not sender.cancelled():
            close = sender.result()
        elif sub.ended:
            close = (sub.close_code or CLOSE_TRY_AGAIN, sub.close_reason)
        if close is not None:
            await self.close(*close)

    # ----------------------------------------------------------------- bus → socket
    async def pump(self, sub: Subscription) -> tuple[int, str] | None:
        """Forward live events in seq order until the subscription ends or the socket fails; returns
        the close code and reason to send, if any."""
        try:
            while True:
                if not len(sub):
                    sub.go_direct()  # in step: the bus may write the next events straight to the socket
                batch = await sub.take()
                if not batch:
                    return (sub.close_code or CLOSE_TRY_AGAIN, sub.close_reason)
                for event in batch:
                    await self.forward(event)
                    if sub.ended:
                        return (sub.close_code or CLOSE_TRY_AGAIN, sub.close_reason)
        except GapError as exc:
            log.warning("live feed of auction %s: %s", self.auction_id, exc)
            return (CLOSE_TRY_AGAIN, "missed events; reconnect with after_seq")
        except RuleViolation as exc:
            return _close_for(exc)
        except (WebSocketDisconnect, RuntimeError, OSError):
            return None

    async def forward(self, event: Event) -> None:
        """Send one live event where ``FeedOrder`` puts it: dropped, or after the bids it follows."""
        if event.get("type") == "_resync":
            await self.resync()
            return
        order = self.sub.order
        place = order.place(event)
        if place == SENT:
            return
        if place == AHEAD:
            await self.send_stored_bids(after=order.last_seq, before=order.fill_bound(event))
            order.filled(event)
        await self.send(event)
        order.sent(event)

    async def resync(self) -> None:
        """The cross-process transport lost messages (an outage): send what the database holds that this
        client has not seen (bids, then a status change and the close, if any)."""
        await self.send_stored_bids(after=self.sub.order.last_seq)
        with storage_errors():
            state = await committed_state(self.services.db, self.auction_id)
        if state is None or not self.sub.order.status_changed(state.status):
            return
        await self.send(event_message(StatusChanged.of(state, state.status_reason)))
        if state.status in ENDED_STATUSES:
            await self.send(event_message(AuctionClosed.of(state)))


def _close_for(refusal: RuleViolation) -> tuple[int, str]:
    """The close frame of a connection that cannot go on: 1013 ("try again later") when the failure
    passes by itself (storage down), 1011 otherwise."""
    if refusal.retryable:
        return (CLOSE_TRY_AGAIN, f"{refusal.code}: reconnect with after_seq shortly")
    return (CLOSE_INTERNAL_ERROR, refusal.code)
