"""The bounds on a connection's head and body (``live/connection_limits.py``) cost next to nothing per
request: a keep-alive connection that sends request after request keeps at most one pending timer for
them, instead of creating and cancelling one for its head, its body and every chunk of it. (Three timers
a request were 17 µs of the bid path's ~60: ``docs/benchmarks.md``, "Bounded connections".) The bounds
themselves are held by ``tests/reliability/test_connection_limits.py`` against a real server."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import uvicorn
from uvicorn.server import ServerState

from auction_service.live.connection_limits import ConnectionLimits, bounded_protocol

REQUESTS = 50


async def app(scope: dict, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass


async def test_a_busy_keep_alive_connection_does_not_churn_timers(monkeypatch) -> None:
    loop = asyncio.get_running_loop()
    made: list[float] = []
    call_at, call_later = loop.call_at, loop.call_later

    def by_the_bounds() -> bool:  # uvicorn's own timers (keep-alive) are its business, not counted
        return sys._getframe(2).f_code.co_filename.endswith("connection_limits.py")

    def counting_call_at(when: float, *args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        if by_the_bounds():
            made.append(when)
        return call_at(when, *args, **kwargs)

    def counting_call_later(delay: float, *args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        if by_the_bounds():
            made.append(delay)
        return call_later(delay, *args, **kwargs)

    config = uvicorn.Config(app, lifespan="off", log_level="warning")
    config.load()
    protocol_class = bounded_protocol(ConnectionLimits(header_timeout=10.0, body_timeout=15.0))
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={}, _loop=loop)
    transport = Transport()
    protocol.connection_made(transport)
    monkeypatch.setattr(loop, "call_at", counting_call_at)
    monkeypatch.setattr(loop, "call_later", counting_call_later)
    body = b'{"amount": 100}'
    request = (
        b"POST /api/v1/auctions/1/bids HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    for _ in range(REQUESTS):
        protocol.data_received(request)
        protocol.data_received(body)  # the body in a chunk of its own, as a slow client sends it
        for _ in range(20):
            await asyncio.sleep(0)
    monkeypatch.undo()
    assert transport.written.count(b"HTTP/1.1 201") == REQUESTS
    assert len(made) <= 2, f"{len(made)} timers for {REQUESTS} requests"
    protocol.connection_lost(None)
