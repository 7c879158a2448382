"""A lean HTTP client for an ASGI app in the same process: the simulator's way in to the service.

The simulator calls the service's public API tens of thousands of times a run. Through httpx's ASGI
transport most of each call's time was httpx's own (building the request and its URL, the auth and
redirect machinery, the response model): about three quarters of a bid's cost in a profile of
court-month, where the service's whole answer was the last quarter. This client hands the app the same
ASGI request a server (uvicorn) hands it, a method, a path, a query string, headers and a body, and
reads the answer; nothing of the service is skipped: the same ASGI app, request ids, body limits,
middleware, routing, validation and answers as ``serve``.

Only what the simulated market uses: ``request`` and ``post`` with ``json``, ``data`` (a form),
``params`` and ``headers``; the answer has ``status_code``, ``headers``, ``text`` and ``json()``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import orjson

Scope = dict[str, Any]
Message = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

CLIENT = ("127.0.0.1", 123)  # where the request comes from, as httpx's ASGI transport says too


class AsgiResponse:
    """The app's answer: status, headers (names in lower case) and body."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; a body that is not JSON raises ``ValueError``, as httpx's does."""
        return orjson.loads(self.content)


class AsgiClient:
    """Requests to ``app`` (an ASGI application), each awaited in the caller's task."""

    def __init__(self, app: ASGIApp, host: str = "simulation") -> None:
        self.app = app
        self.host = host.encode("latin-1")

    async def post(self, url: str, **kwargs: Any) -> AsgiResponse:
        return await self.request("POST", url, **kwargs)

    async def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsgiResponse:
        head = [(b"host", self.host), (b"accept", b"*/*")]
        body = b""
        if json is not None:
            body = orjson.dumps(json)
            head.append((b"content-type", b"application/json"))
        elif data is not None:
            body = urlencode(data).encode("ascii")
            head.append((b"content-type", b"application/x-www-form-urlencoded"))
        if body or method in ("POST", "PUT", "PATCH"):
            head.append((b"content-length", str(len(body)).encode("ascii")))
        for name, value in (headers or {}).items():
            head.append((name.lower().encode("latin-1"), value.encode("latin-1")))
        path, _, query = url.partition("?")
        if params:
            query = "&".join(filter(None, (query, urlencode(params))))
        return await self._send(method, path, query, head, body)

    async def _send(
        self, method: str, path: str, query: str, head: list[tuple[bytes, bytes]], body: bytes
    ) -> AsgiResponse:
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode("ascii"),
            "root_path": "",
            "query_string": query.encode("ascii"),
            "headers": head,
            "client": CLIENT,
            "server": (self.host.decode("latin-1"), 80),
            "extensions": {},
        }
        done = asyncio.Event()
        sent_body = False
        status = 0
        answer_headers: dict[str, str] = {}
        chunks: list[bytes] = []

        async def receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()  # asked again: the client stays until the answer is complete
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    answer_headers[name.decode("latin-1").lower()] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    done.set()

        try:
            await self.app(scope, receive, send)
        finally:
            done.set()
        return AsgiResponse(status, answer_headers, b"".join(chunks))
