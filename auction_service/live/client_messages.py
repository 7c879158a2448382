"""What a live-feed client sends (``docs/live-feed.md``, "Client → server"): ``auth``, ``bid``, ``ping``.

The reading half of a connection (``ws.py``'s ``LiveFeed`` is the sending half, and runs this
alongside): each message is checked (size, JSON, a string ``type``) and answered; nothing a client sends
ends the connection. A bid takes the HTTP bid's use-case (``intake/bids.py``: who → rate limit → parse
→ engine → answer) in its own task, so waiting for the group commit never stops the reading; this
module adds only what a socket has: the ``request_id`` echoed in the ``bid_result``, "authenticate
first" (``auth`` or ``?token=``), and at most ``MAX_BIDS_IN_FLIGHT`` bids in flight per connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect

from auction_rules.bidding import PlacedBid
from auction_rules.errors import RuleViolation

from ..contract.events import Message, bid_result_message, error_message
from ..core.security import Principal
from ..core.services import Services
from ..intake.bids import take_bid
from .connection_limits import OpenSockets

MAX_MESSAGE_BYTES = 4096  # client messages are tiny; anything bigger is refused with an error frame
MAX_BIDS_IN_FLIGHT = 32  # per connection: a client cannot pile up unbounded work on the server


class ClientMessages:
    """One connection's client messages: its caller (once authenticated) and its bids in flight."""

    def __init__(self, services: Services, auction_id: int, send: Callable[[Message], Awaitable[None]]) -> None:
        self.services = services
        self.auction_id = auction_id
        self.send = send  # the connection's ``LiveFeed.send``: one whole frame per message
        self.principal: Principal | None = None
        self.bid_tasks: set[asyncio.Task] = set()
        self.account_sockets = OpenSockets(0)  # the app's per-account count (``live/ws.py`` sets it)
        self._counted: int | None = None  # the account this socket is counted against

    def adopt(self, principal: Principal) -> bool:
        """Authenticate the socket as ``principal``, unless the account holds its cap of open sockets."""
        if principal.account_id != self._counted:
            if not self.account_sockets.take(principal.account_id):
                return False
            self.release()
            self._counted = principal.account_id
        self.principal = principal
        return True

    def release(self) -> None:
        """The socket closes (or changes account): it no longer counts against its account."""
        if self._counted is not None:
            self.account_sockets.give_back(self._counted)
            self._counted = None

    async def send_error(self, code: str, message: str) -> None:
        await self.send(error_message(code, message))

    async def cancel_bids(self) -> None:
        """The connection ends: its bids still waiting are cancelled (nobody is left to answer)."""
        for task in list(self.bid_tasks):
            task.cancel()
        if self.bid_tasks:
            await asyncio.gather(*self.bid_tasks, return_exceptions=True)

    async def read(self, websocket: WebSocket) -> None:
        """Read client messages until the client leaves; never raises on bad input."""
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            raw = message.get("text")
            if raw is None:
                raw = message.get("bytes")
            if raw is None:
                continue
            size = len(raw.encode() if isinstance(raw, str) else raw)
            if size > MAX_MESSAGE_BYTES:
                await self.send_error("message_too_large", f"messages are limited to {MAX_MESSAGE_BYTES} bytes")
                continue
            try:
                body = orjson.loads(raw)
            except orjson.JSONDecodeError:
                await self.send_error("invalid_json", 'send JSON objects like {"type": "bid", "amount": 123400}')
                continue
            if not isinstance(body, dict) or not isinstance(body.get("type"), str):
                await self.send_error("invalid_message", 'a message is a JSON object with a string "type"')
                continue
            await self.handle(body)

    async def handle(self, body: dict[str, Any]) -> None:
        kind = body["type"]
        if kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "auth":
            await self.authenticate(body)
        elif kind == "bid":
            await self.start_bid(body)
        else:
            await self.send_error("unknown_type", f"unknown message type {kind[:40]!r}; use auth, bid or ping")

    async def authenticate(self, body: dict[str, Any]) -> None:
        token = body.get("token")
        if not isinstance(token, str) or not token:
            await self.send({"type": "auth_result", "ok": False, "code": "unauthorized", "message": "token missing"})
            return
        try:
            principal = self.services.tokens.verify(token)
        except RuleViolation as exc:
            self.principal = None
            await self.send({"type": "auth_result", "ok": False, "code": exc.code, "message": exc.message})
            return
        if not self.adopt(principal):
            cap = self.account_sockets.cap
            message = f"at most {cap} open live-feed connections per account; close one and retry"
            await self.send({"type": "auth_result", "ok": False, "code": "rate_limited", "message": message})
            return
        await self.send({"type": "auth_result", "ok": True, "role": principal.role})

    async def start_bid(self, body: dict[str, Any]) -> None:
        """What only a socket has (the ``request_id``, "authenticate first", the bound on bids in flight),
        then the bid's use-case (``intake/bids.py``) in its own task: waiting for the group commit must
        not stop this connection reading, or its other bids."""
        request_id = body.get("request_id")
        if request_id is not None and not (isinstance(request_id, str | int) and len(str(request_id)) <= 200):
            await self.send_error("invalid_request_id", "request_id must be a string or integer of at most 200 chars")
            return
        if self.principal is None:
            message = 'send {"type": "auth", "token": ...} (or ?token=) to bid'
            await self.send(bid_result_message(request_id, code="unauthorized", text=message))
            return
        if len(self.bid_tasks) >= MAX_BIDS_IN_FLIGHT:
            message = f"at most {MAX_BIDS_IN_FLIGHT} bids in flight per connection"
            await self.send(bid_result_message(request_id, code="too_many_requests", text=message))
            return
        task = asyncio.create_task(self.place_bid(self.principal, body, request_id))
        self.bid_tasks.add(task)
        task.add_done_callback(self.bid_tasks.discard)

    async def place_bid(self, principal: Principal, body: dict[str, Any], request_id: Any) -> None:
        result = await take_bid(self.services, principal, self.auction_id, body, None, SocketAnswers(request_id))
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await self.send(result)


class SocketAnswers:
    """A bid's outcome over the socket: its ``bid_result`` message, echoing the ``request_id``."""

    __slots__ = ("request_id",)

    def __init__(self, request_id: Any) -> None:
        self.request_id = request_id

    def placed(self, placed: PlacedBid) -> Message:
        return bid_result_message(self.request_id, placed)

    def refused(self, refusal: RuleViolation) -> Message:
        return bid_result_message(self.request_id, code=refusal.code, text=refusal.message)

    def failed(self) -> Message:
        return bid_result_message(self.request_id, code="internal_error", text="the bid could not be placed; retry")
