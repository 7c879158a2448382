"""``POST /api/v1/auctions/{id}/bids``, the platform's hot path, answered by a raw ASGI edge in front of
FastAPI.

Why raw: FastAPI's route matching, dependency machinery and pydantic cost several times what deciding
the bid costs (``docs/performance-budget.md``). ``BidEdge`` wraps the FastAPI app once, in
``app.create_app``, so every way of running the service (``serve``, the tests' uvicorn servers, the
in-process test client) runs this same stack. The FastAPI route below only documents the operation in
OpenAPI: the edge answers every request to that path before routing.

The bid's whole path: ``BidEdge`` reads the bounded body → ``answer_bid`` parses it with the contract
(``contract/bids.py``) and authenticates the caller → ``BidEngine.place_bid`` (``core/engine.py``)
decides it in the auction's book (``core/book.py``) and answers once the group commit is done.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI

from ..contract.bids import MAX_BID_BODY_BYTES, check_idempotency_key, parse_bid_body, placed_bid_json
from ..rules.errors import RuleViolation
from .errors import error_body, status_of, violation_body
from .schemas import BidIn

log = logging.getLogger(__name__)
PREFIX = "/api/v1/auctions/"
SUFFIX = "/bids"
_TOO_LARGE = error_body("payload_too_large", f"a bid body is a few bytes of JSON (at most {MAX_BID_BODY_BYTES})")
_NOT_FOUND = error_body("auction_not_found", "no such auction")
_CRASHED = error_body("internal_error", "the server failed to handle the request; the bid may be retried")

router = APIRouter(prefix="/api/v1", tags=["auctions"])


async def answer_bid(
    services: Any, auction_id: int, authorization: str | None, idempotency_key: str | None, raw: bytes
) -> tuple[int, bytes]:
    """Place a bid from the request's parts: (status, JSON body)."""
    try:
        principal = services.tokens.from_header(authorization)
        amount = parse_bid_body(raw)
        if idempotency_key is not None:
            check_idempotency_key(idempotency_key)
        placed = await services.engine.place_bid(principal, auction_id, amount, idempotency_key)
    except RuleViolation as refusal:
        return status_of(refusal), violation_body(refusal)
    return 201, orjson.dumps(placed_bid_json(placed))


def _auction_id(path: str) -> int | None:
    """The id of ``/api/v1/auctions/{id}/bids``; None for any other path. Only ASCII digits count
    (``"١".isdigit()`` is true), and ids beyond the database's integer range are unknown auctions."""
    middle = path[len(PREFIX) : -len(SUFFIX)]
    if not (middle.isascii() and middle.isdigit()):
        return None
    return int(middle) if len(middle) < 10 else -1


class BidEdge:
    """ASGI app: bid requests are answered here, everything else goes on to the FastAPI app."""

    def __init__(self, api: FastAPI) -> None:
        self.api = api

    @property
    def state(self) -> Any:
        """The FastAPI app's state (``state.services`` once the lifespan has started)."""
        return self.api.state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            path: str = scope["path"]
            if path.startswith(PREFIX) and path.endswith(SUFFIX):
                auction_id = _auction_id(path)
                if auction_id is not None:
                    await self._bid(scope, receive, send, auction_id)
                    return
        await self.api(scope, receive, send)

    async def _bid(self, scope, receive, send, auction_id: int) -> None:
        authorization = key = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"idempotency-key":
                key = value.decode("latin-1")
        raw = await read_bounded(receive, MAX_BID_BODY_BYTES)
        close = False
        if raw is None:
            status, body = 413, _TOO_LARGE
        elif auction_id < 0:
            status, body = 404, _NOT_FOUND
        else:
            try:
                status, body = await answer_bid(self.api.state.services, auction_id, authorization, key, raw)
            except Exception:
                # Anything unexpected still answers the contract's envelope, and the connection is
                # closed cleanly (the client's next request must not land on a broken one).
                log.exception("bid on auction %s failed", auction_id)
                status, body, close = 500, _CRASHED, True
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        if close:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def read_bounded(receive, limit: int) -> bytes | None:
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


_BID_DOCS = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": BidIn.model_json_schema()}}},
    "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}}],
}


@router.post("/auctions/{auction_id}/bids", status_code=201, openapi_extra=_BID_DOCS)
async def place_bid(auction_id: int) -> None:
    """Place a bid: 201 once it is committed. Answered by ``BidEdge`` in front of the router; this
    operation exists for the OpenAPI document, and is reached only by a request the edge did not take
    (which cannot happen in the stack ``create_app`` builds)."""
    raise RuntimeError("POST .../bids is answered by BidEdge; the app was built without it")
