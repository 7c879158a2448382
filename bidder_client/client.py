"""``AuctionClient``: an async Python client of the platform's public API (``docs/api-contract.md``).

Used by the simulator bots, load tests and scripts, so it is strict about the contract and resilient
on the live feed:

* HTTP through one ``httpx.AsyncClient`` (connection pooling, ``trust_env=False`` so proxy variables
  never reroute loopback traffic). Every non-2xx answer raises ``ApiError`` carrying the contract's
  ``error.code`` and ``message``, so callers branch on codes, not on text.
* ``bid`` sends an ``Idempotency-Key`` (generated unless given) and retries transport errors and 503s
  with the *same* key: a retried bid is never placed twice.
* ``watch`` yields live-feed events and survives dropped connections: it reconnects with
  ``after_seq`` = the last bid seq it yielded, so the caller sees every bid exactly once, in order (the
  server sends the backlog and the client drops anything at or below the last seq).
* ``connect_live`` opens one live-feed websocket whose ``LiveConnection.bid`` places bids over it (the
  same server code path as HTTP), with request ids matched to ``bid_result`` messages.

Example::

    async with AuctionClient("http://127.0.0.1:8000") as client:
        await client.login("alice", "password123")
        await client.register(auction_id)
        placed = await client.bid(auction_id, 7_000_000_00)
        async for event in client.watch(auction_id, after_seq=0):
            print(event)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

API = "/api/v1"
Event = dict[str, Any]


class ApiError(Exception):
    """A refusal or failure reported by the service (contract error envelope), or a live-feed refusal."""

    def __init__(self, status: int, code: str, message: str, body: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.body = body


class FeedClosed(Exception):
    """The live feed ended for good (unknown auction, invalid token or parameters): do not reconnect."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"live feed closed with {code}: {reason}")
        self.code = code
        self.reason = reason


# Close codes after which reconnecting cannot help.
FINAL_CLOSE_CODES = {4400, 4401, 4403, 4404, 1008}


class AuctionClient:
    """One user's session with the platform (anonymous until ``login`` or ``sign_up``)."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        max_connections: int = 100,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.ws_base = self.base_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        self.token = token
        self.role: str | None = None
        self.retries = retries
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            trust_env=False,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )

    async def __aenter__(self) -> AuctionClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    # ----------------------------------------------------------------- HTTP plumbing
    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def request(self, method: str, path: str, *, expect: tuple[int, ...] = (200, 201), **kwargs: Any) -> Any:
        """Send one request; the decoded JSON body, or ``ApiError`` for any status not in ``expect``."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = await self.http.request(method, path, headers=headers, **kwargs)
        return _decode(response, expect)

    # ----------------------------------------------------------------- accounts
    async def sign_up(self, username: str, password: str, real_name: str, id_number: str) -> dict[str, Any]:
        """Sign up by real name: ``id_number`` is the resident identity number (18 characters with its
        check character), one account per number (409 ``id_number_taken``). The answer carries the new
        account's token, kept as ``login`` keeps one (``login`` after it is not needed, and would cost the
        service a second password hash); from a service whose answer has none, ``login`` as before."""
        body = {"username": username, "password": password, "real_name": real_name, "id_number": id_number}
        answer = await self.request("POST", f"{API}/bidders", json=body)
        if answer.get("access_token"):
            self._keep_token(answer)
        return answer

    async def login(self, username: str, password: str) -> str:
        """Get a token (kept on the client for later calls) and return it."""
        body = await self.request(
            "POST", f"{API}/auth/token", data={"username": username, "password": password}, expect=(200,)
        )
        return self._keep_token(body)

    def _keep_token(self, answer: dict[str, Any]) -> str:
        """The calls that follow go as the account the answer's token names."""
        self.token = answer["access_token"]
        self.role = answer.get("role")
        return self.token

    # ----------------------------------------------------------------- auctions
    async def list_auctions(self, **filters: Any) -> dict[str, Any]:
        """``{"items", "total"}``; filters: status, court, category, round, limit, offset."""
        params = {k: v for k, v in filters.items() if v is not None}
        return await self.request("GET", f"{API}/auctions", params=params, expect=(200,))

    async def get_auction(self, auction_id: int) -> dict[str, Any]:
        return await self.request("GET", f"{API}/auctions/{auction_id}", expect=(200,))

    async def register(self, auction_id: int) -> dict[str, Any]:
        """Freeze the deposit; calling again returns the same registration."""
        return await self.request("POST", f"{API}/auctions/{auction_id}/registrations")

    async def bid(self, auction_id: int, amount: int, idempotency_key: str | None = None) -> dict[str, Any]:
        """Place a bid; returns ``{"seq", "amount", "bidder_code", "placed_at", "end_at", "priority"}``.

        Transport errors and 503s are retried with the same ``Idempotency-Key`` (generated if not given),
        so a bid is placed at most once however often it is retried. Refusals raise ``ApiError``."""
        key = idempotency_key or uuid.uuid4().hex
        delay = 0.05
        for attempt in range(self.retries + 1):
            try:
                return await self.request(
                    "POST",
                    f"{API}/auctions/{auction_id}/bids",
                    json={"amount": amount},
                    headers={"Idempotency-Key": key},
                    expect=(201,),
                )
            except ApiError as exc:
                if exc.status != 503 or attempt == self.retries:
                    raise
            except httpx.TransportError:
                if attempt == self.retries:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
        raise AssertionError("unreachable")

    async def bids(self, auction_id: int, after_seq: int = 0) -> list[dict[str, Any]]:
        """The bid record in ascending seq, from ``after_seq`` on."""
        body = await self.request(
            "GET", f"{API}/auctions/{auction_id}/bids", params={"after_seq": after_seq}, expect=(200,)
        )
        return body["items"]

    async def result(self, auction_id: int) -> dict[str, Any]:
        return await self.request("GET", f"{API}/auctions/{auction_id}/result", expect=(200,))

    async def clock(self) -> dict[str, Any]:
        return await self.request("GET", f"{API}/clock", expect=(200,))

    # ----------------------------------------------------------------- live feed
    def live_url(self, auction_id: int, after_seq: int | None = None, with_token: bool = False) -> str:
        params = []
        if after_seq is not None:
            params.append(f"after_seq={after_seq}")
        if with_token and self.token:
            params.append(f"token={self.token}")
        return f"{self.ws_base}{API}/auctions/{auction_id}/live" + ("?" + "&".join(params) if params else "")

    async def connect_live(self, auction_id: int, after_seq: int | None = None) -> LiveConnection:
        """Open one live-feed connection (no reconnection; see ``watch`` for that). If the client has a
        token it is sent in the first message (not in the URL, which may end up in logs)."""
        ws = await connect(self.live_url(auction_id, after_seq), proxy=None, open_timeout=10, close_timeout=5)
        live = LiveConnection(ws, auction_id)
        if self.token:
            await live.authenticate(self.token)
        return live

    async def watch(
        self,
        auction_id: int,
        after_seq: int | None = None,
        *,
        snapshots: bool = True,
        max_backoff: float = 5.0,
        stop_when_closed: bool = True,
    ) -> AsyncIterator[Event]:
        """Yield live-feed events for ever (until the auction's ``closed`` event when
        ``stop_when_closed``), reconnecting on any drop with ``after_seq`` = the last bid seq yielded.

        Bids are yielded exactly once and in seq order across reconnections. With ``after_seq=None`` the
        first connection starts at the snapshot (no history); later ones resume where the feed stopped.
        Each (re)connection's snapshot is yielded too when ``snapshots`` (it carries the current state:
        useful after an outage). Raises ``FeedClosed`` when reconnecting cannot help (unknown auction...).
        """
        last = after_seq
        backoff = 0.1
        while True:
            try:
                async with connect(self.live_url(auction_id, last), proxy=None, open_timeout=10, close_timeout=5) as ws:
                    backoff = 0.1
                    async for raw in ws:
                        event = orjson.loads(raw)
                        last, wanted = _after(event, last, snapshots)
                        if wanted:
                            yield event
                        if event.get("type") == "closed" and stop_when_closed:
                            return
            except (ConnectionClosed, OSError, InvalidHandshake, TimeoutError) as exc:
                final = _final_refusal(exc)
                if final is not None:
                    raise final from None
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)


def _after(event: dict[str, Any], last: int | None, snapshots: bool) -> tuple[int | None, bool]:
    """The last bid seq yielded once ``event`` is seen, and whether to yield it: a snapshot starts the
    count on a first connection (yielded when ``snapshots``); a bid at or below ``last`` was yielded
    before a reconnection."""
    kind = event.get("type")
    if kind == "snapshot":
        return (event.get("seq", 0) if last is None else last), snapshots
    if kind == "bid":
        if last is not None and event["seq"] <= last:
            return last, False
        return event["seq"], True
    return last, True


def _final_refusal(exc: Exception) -> FeedClosed | None:
    """The feed's answer when reconnecting cannot help (a final close code, a refused handshake), or
    None for a drop worth another try."""
    if isinstance(exc, ConnectionClosed):
        code = exc.rcvd.code if exc.rcvd is not None else 1006
        return FeedClosed(code, exc.rcvd.reason if exc.rcvd else "") if code in FINAL_CLOSE_CODES else None
    if isinstance(exc, InvalidStatus) and exc.response.status_code in (401, 403, 404):
        return FeedClosed(exc.response.status_code, "handshake refused")
    return None


class LiveConnection:
    """One open live-feed websocket: events through ``events()``, bids through ``bid()``.

    A background reader routes ``bid_result``/``auth_result`` messages to their waiting callers and
    everything else to a queue that ``events()`` drains, so bidding and watching share one socket.
    """

    def __init__(self, ws: ClientConnection, auction_id: int, queue_size: int = 10_000) -> None:
        self.ws = ws
        self.auction_id = auction_id
        self.snapshot: Event | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[Any, asyncio.Future] = {}
        self._auth: asyncio.Future | None = None
        self._events: asyncio.Queue[Event | None] = asyncio.Queue(queue_size)
        self.closed: ConnectionClosed | None = None
        self._reader = asyncio.create_task(self._read(), name=f"live-client-{auction_id}")

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = orjson.loads(raw)
                kind = message.get("type")
                if kind == "bid_result":
                    future = self._waiting.pop(message.get("request_id"), None)
                    if future is not None and not future.done():
                        future.set_result(message)
                    continue
                if kind == "auth_result" and self._auth is not None and not self._auth.done():
                    self._auth.set_result(message)
                    continue
                if kind == "snapshot" and self.snapshot is None:
                    self.snapshot = message
                if self._events.full():
                    self._events.get_nowait()  # an unread backlog: keep the newest
                self._events.put_nowait(message)
        except ConnectionClosed as closed:
            self.closed = closed
        finally:
            for future in [*self._waiting.values(), self._auth]:
                if future is not None and not future.done():
                    future.set_exception(ConnectionError("the live feed connection closed"))
            self._waiting.clear()
            with contextlib.suppress(asyncio.QueueFull):
                self._events.put_nowait(None)

    async def authenticate(self, token: str, wait: float = 10.0) -> None:
        self._auth = asyncio.get_running_loop().create_future()
        await self.ws.send(orjson.dumps({"type": "auth", "token": token}).decode())
        result = await asyncio.wait_for(self._auth, wait)
        if not result.get("ok"):
            raise ApiError(401, result.get("code", "unauthorized"), result.get("message", ""), result)

    async def bid(self, amount: int, idempotency_key: str | None = None, wait: float = 30.0) -> dict[str, Any]:
        """Send ``{"type": "bid"}`` and wait for its ``bid_result``; raises ``ApiError`` on a refusal."""
        request_id = f"r{next(self._ids)}"
        future = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        message: dict[str, Any] = {"type": "bid", "amount": amount, "request_id": request_id}
        if idempotency_key is not None:
            message["idempotency_key"] = idempotency_key
        try:
            await self.ws.send(orjson.dumps(message).decode())
            result = await asyncio.wait_for(future, wait)
        finally:
            self._waiting.pop(request_id, None)
        if not result.get("ok"):
            raise ApiError(409, result.get("code", "refused"), result.get("message", ""), result)
        return result

    async def events(self) -> AsyncIterator[Event]:
        """Events in arrival order (snapshot, bids, status...) until the connection closes."""
        while True:
            event = await self._events.get()
            if event is None:
                return
            yield event

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reader


def _decode(response: httpx.Response, expect: tuple[int, ...]) -> Any:
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    if response.status_code in expect:
        return body
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        raise ApiError(response.status_code, str(error.get("code")), str(error.get("message", "")), body)
    raise ApiError(response.status_code, "http_error", response.text[:200], body)
