"""``POST /api/v1/auctions/{id}/bids``, the platform's hot path, answered by a raw ASGI edge in front of
FastAPI.

Why raw: FastAPI's route matching, dependency machinery and pydantic cost several times what deciding
the bid costs (``docs/performance-budget.md``). ``BidEdge`` wraps the FastAPI app once, in
``app.create_app``, so every way of running the service (``serve``, the tests' uvicorn servers, the
in-process test client) runs this same stack. The FastAPI route below only documents the operation in
OpenAPI: the edge answers every request to that path before routing.

The bid's whole path: ``BidEdge`` reads the bounded body → ``answer_bid`` parses it with the contract
(``contract/bids.py``) and authenticates the caller → ``BidEngine.place_bid`` (``core/bidding/engine.py``)
decides it in the auction's book (``core/bidding/book.py``) and answers once the group commit is done.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI

from auction_rules.errors import RuleViolation

from ..contract.answers import PlacedBid
from ..contract.bids import MAX_BID_BODY_BYTES, MAX_KEY_LENGTH, check_idempotency_key, parse_bid_body, placed_bid_json
from ..contract.errors import INTERNAL_ERROR
from ..contract.numbers import parse_count
from ..core.health import RETRY_AFTER_SECONDS, outage_refusal, storage_outage
from .body_limit import LARGER_BODIES, BodyLimit, read_bounded
from .errors import error_body, status_of, violation_body
from .responses import AUTH, BODY, NO_AUCTION, answers
from .schemas import BidIn, Id

log = logging.getLogger(__name__)
PREFIX = "/api/v1/auctions/"
SUFFIX = "/bids"
_TOO_LARGE = error_body("payload_too_large", f"a bid body is a few bytes of JSON (at most {MAX_BID_BODY_BYTES})")
_NOT_JSON = error_body("unsupported_media_type", "a bid is sent as JSON: Content-Type: application/json")
_RETRY_AFTER = str(RETRY_AFTER_SECONDS).encode()
_CRASHED = error_body("internal_error", "the server failed to handle the request; the bid may be retried")

router = APIRouter(prefix="/api/v1", tags=["auctions"])


async def answer_bid(
    services: Any, auction_id: int, authorization: str | None, idempotency_key: str | None, raw: bytes
) -> tuple[int, bytes]:
    """Place a bid from the request's parts: (status, JSON body)."""
    try:
        principal = services.tokens.from_header(authorization)
        await services.limits.bid(principal.account_id)  # counted with the bids over the live feed
        amount = parse_bid_body(raw)
        if idempotency_key is not None:
            check_idempotency_key(idempotency_key)
        placed = await services.engine.place_bid(principal, auction_id, amount, idempotency_key)
    except RuleViolation as refusal:
        return status_of(refusal), violation_body(refusal)
    return 201, orjson.dumps(placed_bid_json(placed))


def _auction_id(path: str) -> int | None:
    """The id of ``/api/v1/auctions/{id}/bids``; None for any other path. Only ASCII digits count
    (``"١".isdigit()`` is true) and only ids in the column's range (1..2^31-1): anything else goes on to
    the documenting route, whose ``Id`` parameter answers 422 like every other route's."""
    return parse_count(path[len(PREFIX) : -len(SUFFIX)], lowest=1)


def _json_media_type(content_type: bytes | None) -> bool:
    """``application/json``, with or without parameters (``; charset=utf-8``)."""
    return content_type is not None and content_type.split(b";", 1)[0].strip().lower() == b"application/json"


class BidEdge:
    """ASGI app: bid requests are answered here, everything else goes on to the FastAPI app."""

    def __init__(self, api: FastAPI) -> None:
        self.api = api
        self.rest = BodyLimit(api, larger=LARGER_BODIES)  # every other request: bodies bounded unread

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
        await self.rest(scope, receive, send)

    async def _bid(self, scope, receive, send, auction_id: int) -> None:
        authorization = key = content_type = None
        declared = 0
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"idempotency-key":
                key = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value
            elif name == b"content-length" and value.isdigit():
                declared = int(value)
        # A declared length above the bound is refused unread (and the connection closed: its body
        # would otherwise be taken for the next request).
        raw = await read_bounded(receive, MAX_BID_BODY_BYTES) if declared <= MAX_BID_BODY_BYTES else None
        close = False
        if raw is None:
            status, body, close = 413, _TOO_LARGE, True
        elif not _json_media_type(content_type):
            status, body = 415, _NOT_JSON
        else:
            try:
                status, body = await answer_bid(self.api.state.services, auction_id, authorization, key, raw)
            except Exception as exc:
                if storage_outage(exc):  # the database is down (the book could not even be loaded): 503
                    log.warning("bid on auction %s: storage unavailable (%s)", auction_id, exc)
                    status, body = 503, violation_body(outage_refusal())
                else:
                    # Anything unexpected still answers the contract's envelope, and the connection is
                    # closed cleanly (the client's next request must not land on a broken one).
                    log.exception("bid on auction %s failed", auction_id)
                    status, body, close = 500, _CRASHED, True
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        elif status == 503:
            headers.append((b"retry-after", _RETRY_AFTER))
        elif status == 429:
            headers.append((b"retry-after", str(orjson.loads(body)["error"]["retry_after"]).encode()))
        if close:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


_BID_DOCS = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": BidIn.model_json_schema()}}},
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "a repeat with the same key from the same bidder returns the original result",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
        }
    ],
    "security": [{"HTTPBearer": []}],
}
# Every refusal the edge can answer (``answer_bid`` and the engine, the body bound, an unexpected failure).
BID_REFUSALS = (
    *AUTH, *NO_AUCTION, *BODY, "invalid_json", "duplicate_key", "invalid_idempotency_key", "idempotency_key_reused",
    "not_registered", "staff_cannot_bid", "auction_not_live", "bid_too_low", "bid_not_on_increment",
    "shutting_down", "rate_limited", "unsupported_media_type", INTERNAL_ERROR,
)  # fmt: skip


@router.post(
    "/auctions/{auction_id}/bids",
    status_code=201,
    openapi_extra=_BID_DOCS,
    **answers(PlacedBid, status=201, description="the bid is committed", errors=BID_REFUSALS),
)
async def place_bid(auction_id: Id) -> None:
    """Place a bid: 201 once it is committed. Answered by ``BidEdge`` in front of the router; this
    operation exists for the OpenAPI document, and is reached only by a request whose id the edge did
    not take (not ASCII digits, out of range), which the ``Id`` parameter refuses with 422 first."""
    raise RuntimeError("POST .../bids is answered by BidEdge; the app was built without it")
