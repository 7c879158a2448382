"""Request bodies are bounded before they are read into memory.

Why: Starlette (and uvicorn under it) buffers a whole request body when a route asks for it, so four
anonymous 100 MB ``POST /bidders`` once took the process from 243 MiB to 1.2 GiB. ``BodyLimit`` is a raw
ASGI middleware in front of the FastAPI app: a declared ``Content-Length`` above the route's limit is
answered 413 without reading a byte, and a body without one (chunked) is counted as it arrives, the
request failing with 413 as soon as the count passes the limit. Every JSON body of this API fits in the
default limit many times over; uploads (``api/documents.py``) get their larger one. The bid edge
(``api/bids.py``) reads its few bytes with ``read_bounded`` and the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.documents import MAX_DOCUMENT_BYTES
from .documents import MULTIPART_OVERHEAD
from .errors import error_body

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB: a lot's four long texts, each 20,000 characters \u-escaped, fit
# Routes that take more: (method, path pattern, bytes). The upload route checks its own 10 MiB bound
# (``document_too_large``); this one only stops a body far beyond it from being read at all.
LARGER_BODIES = (("POST", r"/api/v1/lots/[^/]+/documents", MAX_DOCUMENT_BYTES + MULTIPART_OVERHEAD),)


class BodyTooLarge(HTTPException):
    """Raised by the counting ``receive`` once a body passes its limit; FastAPI's exception handlers
    answer it with the envelope (``payload_too_large``) and ``Connection: close`` (the rest of the body
    is never read, so the connection cannot carry another request)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit), headers={"Connection": "close"})
        self.limit = limit


def too_large_message(limit: int) -> str:
    return f"the request body is larger than this route accepts ({limit} bytes)"


def declared_length(scope: Scope) -> int | None:
    """The request's ``Content-Length``, if it declares one (the server has checked it is a number)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def send_too_large(send: Send, limit: int) -> None:
    body = error_body("payload_too_large", too_large_message(limit))
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: at most ``limit`` bytes of body per request; ``larger`` lists (method, path
    pattern, limit) for the routes that take more (uploads)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES, larger: Sequence[tuple[str, str, int]] = ()) -> None:
        self.app = app
        self.limit = limit
        self.larger = [(method, re.compile(pattern), size) for method, pattern, size in larger]

    def limit_for(self, scope: Scope) -> int:
        for method, pattern, size in self.larger:
            if scope["method"] == method and pattern.fullmatch(scope["path"]):
                return size
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            await send_too_large(send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            # Raised where no exception handler runs (a middleware reading the body): answer here.
            if started:
                raise
            await send_too_large(send, limit)


async def read_bounded(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None once it exceeds ``limit`` bytes (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
