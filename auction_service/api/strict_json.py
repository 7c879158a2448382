"""Every JSON body is read strictly: a key that appears twice in one object is refused (422
``duplicate_key``) on every route, not only on the bid edge (which has its own parser, ``api/bids.py``).

Why: ``json.loads`` keeps the *last* of two equal keys, so ``POST /bidders`` with two ``username`` keys
created the second, while a log or a proxy that reads the first saw another request. A raw ASGI
middleware in front of the FastAPI app (behind ``BodyLimit``, so the body is already bounded) reads a
JSON body, looks for a repeated key, and hands the same bytes on; a body that is not JSON at all is left
to the route, which answers it 422 (``api/errors.py``).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .body_limit import BodyTooLarge, send_too_large
from .errors import error_response


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen[key] = value
    return seen


def duplicate_key(body: bytes) -> str | None:
    """The first key repeated inside one object of ``body``, or None (also when it is not JSON)."""
    try:
        json.loads(body, object_pairs_hook=_no_duplicates)
    except DuplicateKey as repeated:
        return repeated.key
    except (ValueError, RecursionError):
        return None  # not JSON: the route answers that
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return False


class StrictJson:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS") or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = b""
        while True:
            try:
                message = await receive()
            except BodyTooLarge as too_large:
                # Read here, outside the routes' exception handlers: answer the 413 the route would.
                await send_too_large(send, too_large.limit)
                return
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        key = duplicate_key(body) if body else None
        if key is not None:
            response = error_response(
                422, "duplicate_key", f"the key {key[:100]!r} appears more than once in one object of the body"
            )
            await response(scope, receive, send)
            return
        replay = iter(messages)

        async def again() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, again, send)
