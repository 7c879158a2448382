"""Bounds on what one HTTP connection may hold, where uvicorn has none: the server's HTTP protocol.

uvicorn's httptools protocol (the fast one the service runs on) reads a request's head with no bound on
its size, its number of headers or its duration, and waits for a body as long as the client likes
(``h11_max_incomplete_event_size`` bounds only the slower h11 protocol; ``timeout_keep_alive`` only the
wait *between* requests). One anonymous connection sent 300 MiB of headers and was answered 200; a
thousand connections trickling partial heads held the service; a body shorter than its Content-Length
waited forever. ``BoundedHttpProtocol`` adds, per connection:

* a head (request line and headers) of at most ``max_header_bytes`` and ``max_headers``: beyond,
  431 and the connection is closed, nothing buffered further;
* a head that must arrive within ``header_timeout`` seconds of its first byte, and a body that may not
  pause for more than ``body_timeout`` seconds: beyond, 408 (or, once the app has the request, the
  connection is closed, which the app's ``receive`` sees as a disconnect);
* at most ``per_address`` open connections per peer address: beyond, 503 at once and closed. The peer
  is the TCP peer, so behind a proxy on this machine every client shares the proxy's address: there the
  proxy bounds clients (``docs/operations.md``: nginx ``limit_conn``) and this bound is off (0).

Websockets are counted by the app once upgraded (``live/ws.py``, per client address and per account).
Every count is this process's own, never shared: several processes behind nginx are bounded together by
nginx's ``limit_conn``, whose count is global (``docs/operations.md``, "Connection caps with several
processes", says why not Redis).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


@dataclass(frozen=True)
class ConnectionLimits:
    max_header_bytes: int = 64 * 1024
    max_headers: int = 100
    header_timeout: float = 10.0
    body_timeout: float = 15.0
    per_address: int = 256  # 0: no bound


def _response(status: bytes) -> bytes:
    return b"HTTP/1.1 " + status + b"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


TOO_LARGE = _response(b"431 Request Header Fields Too Large")
TOO_SLOW = _response(b"408 Request Timeout")
TOO_MANY = _response(b"503 Service Unavailable")


class BoundedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the bounds of ``limits`` (set on a subclass per server)."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()
    open_per_address: ClassVar[Counter[str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._head_count = 0
        self._in_body = False
        self._counted: str | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._deadline: float | None = None  # loop time by which the head or the body's next part is due

    # ------------------------------------------------------------------ the connection
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else None
        if address is not None and self.limits.per_address:
            if self.open_per_address[address] >= self.limits.per_address:
                self._refuse(TOO_MANY)
                return
            self.open_per_address[address] += 1
            self._counted = address

    def connection_lost(self, exc: Exception | None) -> None:
        self._uncount()
        self._cancel_timer()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        self._uncount()  # from here the app counts the socket (per address and per account)
        self._cancel_timer()
        super().handle_websocket_upgrade()

    def _uncount(self) -> None:
        if self._counted is not None:
            self.open_per_address[self._counted] -= 1
            if not self.open_per_address[self._counted]:
                del self.open_per_address[self._counted]
            self._counted = None

    # ------------------------------------------------------------------ reading
    def data_received(self, data: bytes) -> None:
        if not self._in_body:
            if self._deadline is None:
                self._start_timer(self.limits.header_timeout)
            self._head_bytes += len(data)
        super().data_received(data)
        if not self._in_body and self._head_bytes > self.limits.max_header_bytes and not self.transport.is_closing():
            self._refuse(TOO_LARGE)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_count += 1
        if self._head_count > self.limits.max_headers:
            self._refuse(TOO_LARGE)
            return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_body = True
        self._head_bytes = self._head_count = 0
        self._start_timer(self.limits.body_timeout)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._start_timer(self.limits.body_timeout)  # the body may not *pause* longer than this
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._in_body = False
        self._stop_timer()
        super().on_message_complete()

    # ------------------------------------------------------------------ plumbing
    # One deadline per connection and at most one timer behind it: arming and disarming only move the
    # deadline (a float), and the timer, when it fires before the deadline, sets itself again for what
    # is left. Each request would otherwise create and cancel three timers (head, body, each chunk),
    # which on the bid path cost more than the bounds are worth. The timer is set at most ``_tick`` ahead
    # (the shorter of the two bounds), so it never fires after a deadline armed later.
    def _start_timer(self, seconds: float) -> None:
        now = self.loop.time()
        self._deadline = now + seconds
        if self._timer is None:
            self._timer = self.loop.call_at(min(self._deadline, now + self._tick()), self._check_deadline)

    def _stop_timer(self) -> None:
        self._deadline = None

    def _cancel_timer(self) -> None:
        self._deadline = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> float:
        return min(self.limits.header_timeout, self.limits.body_timeout)

    def _check_deadline(self) -> None:
        self._timer = None
        if self._deadline is None:
            return
        now = self.loop.time()
        if now < self._deadline:
            self._timer = self.loop.call_at(min(self._deadline, now + self._tick()), self._check_deadline)
            return
        self._deadline = None
        self._timed_out()

    def _timed_out(self) -> None:
        if self.transport.is_closing():
            return
        if self._in_body:
            self.transport.close()  # the app has the request: it sees a disconnect, not a late answer
        else:
            self._refuse(TOO_SLOW)

    def _refuse(self, response: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(response)
            self.transport.close()


def bounded_protocol(limits: ConnectionLimits) -> type[BoundedHttpProtocol]:
    """The protocol class for one server: its limits, and its own count of connections per address."""
    return type(
        "BoundedHttpProtocol",
        (BoundedHttpProtocol,),
        {"limits": limits, "open_per_address": Counter()},
    )


class OpenSockets:
    """Open live-feed sockets per key (a client address, an account), at most ``cap`` each (0: none).
    Counted in this process: each process bounds what it holds."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.counts: Counter[Any] = Counter()

    def take(self, key: Any) -> bool:
        if self.cap and self.counts[key] >= self.cap:
            return False
        self.counts[key] += 1
        return True

    def give_back(self, key: Any) -> None:
        self.counts[key] -= 1
        if self.counts[key] <= 0:
            del self.counts[key]


@dataclass
class SocketCaps:
    """The app's socket counts (``live/ws.py`` keeps one on the app's state)."""

    by_address: OpenSockets
    by_account: OpenSockets
