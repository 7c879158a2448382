"""``POST /api/v1/auctions/{id}/bids``, the platform's hot path, answered by a raw ASGI edge in front of
FastAPI.

Why raw: FastAPI's route matching, dependency machinery and pydantic cost several times what deciding
the bid costs (``docs/performance-budget.md``). ``BidEdge`` wraps the FastAPI app once, in
``app.create_app``, so every way of running the service (``serve``, the tests' uvicorn servers, the
in-process test client) runs this same stack. The FastAPI route below only documents the operation in
OpenAPI: the edge answers every request to that path before routing.

The bid's whole path: ``BidEdge`` reads the bounded body (413) of JSON (415) → ``intake.bids.take_bid``,
the use-case the live feed shares, authenticates the caller, counts the bid against the bidder's rate
limit, parses the body with the contract (``contract/bids.py``) and calls ``BidEngine.place_bid``
(``core/bidding/engine.py``), which decides it in the auction's book (``core/bidding/book.py``) and
answers once the group commit is done; ``HTTP_ANSWERS`` shapes each outcome as a status and a body.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, FastAPI

from auction_rules.bidding import PlacedBid as PlacedBidValue
from auction_rules.errors import RuleViolation

from ..contract.answers import PlacedBid
from ..contract.bids import MAX_BID_BODY_BYTES, MAX_KEY_LENGTH, placed_bid_json
from ..contract.errors import INTERNAL_ERROR
from ..contract.numbers import parse_count
from ..core.health import RETRY_AFTER_SECONDS
from ..core.services import Services
from ..intake.bids import take_bid
from .body_limit import LARGER_BODIES, BodyLimit, read_bounded
from .errors import error_body, status_of, violation_body
from .responses import AUTH, BODY, NO_AUCTION, answers
from .schemas import BidIn, Id

PREFIX = "/api/v1/auctions/"
SUFFIX = "/bids"
_TOO_LARGE = error_body("payload_too_large", f"a bid body is a few bytes of JSON (at most {MAX_BID_BODY_BYTES})")
_NOT_JSON = error_body("unsupported_media_type", "a bid is sent as JSON: Content-Type: application/json")
_RETRY_AFTER = str(RETRY_AFTER_SECONDS).encode()
_CRASHED = error_body("internal_error", "the server failed to handle the request; the bid may be retried")

router = APIRouter(prefix="/api/v1", tags=["auctions"])


class _HttpAnswers:
    """A bid's outcome over HTTP: (status, JSON body, close the connection afterwards?)."""

    __slots__ = ()

    def placed(self, placed: PlacedBidValue) -> tuple[int, bytes, bool]:
        return 201, orjson.dumps(placed_bid_json(placed)), False

    def refused(self, refusal: RuleViolation) -> tuple[int, bytes, bool]:
        return status_of(refusal), violation_body(refusal), False

    def failed(self) -> tuple[int, bytes, bool]:
        # The contract's envelope still, and the connection closed cleanly: the client's next request
        # must not land on a connection left in an unknown state.
        return 500, _CRASHED, True


HTTP_ANSWERS = _HttpAnswers()  # one for every request: the hot path allocates none


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
        authorization, key, content_type, declared = _bid_headers(scope["headers"])
        # A declared length above the bound is refused unread (and the connection closed: its body
        # would otherwise be taken for the next request).
        raw = await read_bounded(receive, MAX_BID_BODY_BYTES) if declared <= MAX_BID_BODY_BYTES else None
        close = False
        if raw is None:
            status, body, close = 413, _TOO_LARGE, True
        elif not _json_media_type(content_type):
            status, body = 415, _NOT_JSON
        else:  # who → rate limit → parse → engine → answer, as over the socket (intake/bids.py)
            services: Services = self.api.state.services
            status, body, close = await take_bid(services, authorization, auction_id, raw, key, HTTP_ANSWERS)
        await send({"type": "http.response.start", "status": status, "headers": _answer_headers(status, body, close)})
        await send({"type": "http.response.body", "body": body})


def _bid_headers(headers: list[tuple[bytes, bytes]]) -> tuple[str | None, str | None, bytes | None, int]:
    """The four request headers a bid reads (authorization, idempotency key, media type, declared
    length), in one pass over the raw ASGI headers."""
    authorization = key = None
    content_type = None
    declared = 0
    for name, value in headers:
        if name == b"authorization":
            authorization = value.decode("latin-1")
        elif name == b"idempotency-key":
            key = value.decode("latin-1")
        elif name == b"content-type":
            content_type = value
        elif name == b"content-length" and value.isdigit():
            declared = int(value)
    return authorization, key, content_type, declared


def _answer_headers(status: int, body: bytes, close: bool) -> list[tuple[bytes, bytes]]:
    """The answer's headers: the body's type and length, and what a refusal tells the client to do next
    (authenticate, retry after a pause, reconnect)."""
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    elif status == 503:
        headers.append((b"retry-after", _RETRY_AFTER))
    elif status == 429:
        headers.append((b"retry-after", str(orjson.loads(body)["error"]["retry_after"]).encode()))
    if close:
        headers.append((b"connection", b"close"))
    return headers


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
# Every refusal the edge can answer (``intake.bids.take_bid`` and the engine, the body bound, an unexpected failure).
BID_REFUSALS = (
    *AUTH, *NO_AUCTION, *BODY, "invalid_json", "duplicate_key", "invalid_idempotency_key", "idempotency_key_reused",
    "not_registered", "debtor_cannot_bid", "bidder_restricted", "staff_cannot_bid", "auction_not_live",
    "bid_too_low", "bid_not_on_increment",
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
