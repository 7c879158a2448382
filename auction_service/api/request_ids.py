"""Request ids and the access log, at the very front of the ASGI stack.

Every HTTP request and websocket connection gets an id: the caller's ``X-Request-ID`` when it is a sane
one (1-64 characters of letters, digits and ``-_.:``; a proxy's id ties its log to ours), otherwise a new
one. The id is set in ``logs.REQUEST_ID`` for the whole request, so every log line written while serving
it carries it (``logs.RequestIdFilter``), and HTTP responses return it in ``X-Request-ID``.

Why a subclass of ``BidEdge`` rather than a separate middleware: the bid edge is the outermost app (it
answers bids before FastAPI), and callers use its ``state`` and ``api``; extending it keeps one object
at the top and puts bids under the same id and access log as everything else. The cost per request is
a counter, a short string and a context variable: no uuid, no header parsing beyond one scan.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time

from ..logs import ACCESS_LOGGER, REQUEST_ID
from .bids import BidEdge

HEADER = b"x-request-id"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_PREFIX = secrets.token_hex(4)  # per process: ids of several processes do not collide
_counter = itertools.count(1)
access = logging.getLogger(ACCESS_LOGGER)


def new_request_id() -> str:
    return f"{_PREFIX}-{next(_counter):x}"


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's id if it sent a sane one, else a new one."""
    for name, value in headers:
        if name == HEADER:
            text = value.decode("latin-1")
            return text if _SANE.fullmatch(text) else new_request_id()
    return new_request_id()


class RequestIdEdge(BidEdge):
    """``BidEdge`` with a request id around every request (and an access log line, when enabled)."""

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await super().__call__(scope, receive, send)
            return
        rid = request_id_of(scope["headers"])
        token = REQUEST_ID.set(rid)
        logged = access.isEnabledFor(logging.INFO)
        started = time.perf_counter() if logged else 0.0
        status = 0
        rid_header = (HEADER, rid.encode("latin-1"))

        async def send_with_id(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), rid_header]
            elif message["type"] == "websocket.accept":
                status = 101
            elif message["type"] == "websocket.close" and not status:
                status = 403  # closed before the handshake: uvicorn answers 403
            await send(message)

        try:
            await super().__call__(scope, receive, send_with_id if kind == "http" or logged else send)
        finally:
            if logged:
                method = scope.get("method", "WS")
                duration_ms = round((time.perf_counter() - started) * 1000, 3)
                access.info(
                    "%s %s %s %.1fms",
                    method,
                    scope["path"],
                    status,
                    duration_ms,
                    extra={"method": method, "path": scope["path"], "status": status, "duration_ms": duration_ms},
                )
            REQUEST_ID.reset(token)
