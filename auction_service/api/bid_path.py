"""``POST /api/v1/auctions/{id}/bids`` without FastAPI's routing and validation layers.

The bid is the platform's hot path: FastAPI's route matching, dependency machinery and pydantic cost
several times what deciding the bid costs (``shared/performance-budget.md``). A raw ASGI middleware
therefore answers bid requests itself; the FastAPI route of the same path stays for the OpenAPI docs
and answers identically, because both call ``bid_response`` (which calls ``BookManager.place_bid``).
"""

from __future__ import annotations

import orjson

from ..clock import isoformat
from ..rules.errors import RuleViolation, invalid
from .errors import violation_body
from .schemas import MAX_MONEY

PREFIX = "/api/v1/auctions/"
SUFFIX = "/bids"
JSON_HEADERS = [(b"content-type", b"application/json")]


async def bid_response(
    services, auction_id: int, authorization: str | None, idempotency_key: str | None, raw: bytes
) -> tuple[int, bytes, dict[str, str] | None]:
    """Place a bid from raw request parts: (status, JSON body, extra headers)."""
    try:
        principal = services.tokens.from_header(authorization)
        amount = amount_of(raw)
        if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
            raise invalid("invalid_idempotency_key", "Idempotency-Key must be 1 to 200 characters")
        placed = await services.books.place_bid(principal, auction_id, amount, idempotency_key)
    except RuleViolation as refusal:
        headers = {"www-authenticate": "Bearer"} if refusal.status == 401 else None
        return refusal.status, violation_body(refusal), headers
    body = {
        "seq": placed.seq,
        "amount": placed.amount,
        "bidder_code": placed.bidder_code,
        "placed_at": isoformat(placed.placed_at),
        "end_at": isoformat(placed.end_at),
        "priority": placed.priority,
    }
    return 201, orjson.dumps(body), None


def amount_of(raw: bytes) -> int:
    """The body must be a JSON object whose only key ``amount`` is an integer of fen in [1, 10^15]."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise invalid("invalid_json", 'the body must be a JSON object like {"amount": 123400}') from None
    if not isinstance(body, dict) or "amount" not in body:
        raise invalid("validation_error", "amount: field required", fields=[{"field": "amount", "message": "required"}])
    if len(body) > 1:
        extra = sorted(k for k in body if k != "amount")[0]
        raise invalid("validation_error", f"unknown field {extra!r}", fields=[{"field": extra, "message": "unknown"}])
    amount = body["amount"]
    if type(amount) is not int or not 1 <= amount <= MAX_MONEY:
        raise invalid(
            "validation_error",
            "amount: must be an integer number of fen from 1 to 10^15",
            fields=[{"field": "amount", "message": "integer fen from 1 to 10^15"}],
        )
    return amount


class BidFastPath:
    """ASGI middleware: bid requests are answered here, everything else goes on to the app.

    Installed inside the FastAPI app (so every way of running it has it) and, by ``serve``, also
    around it (``BidFastPath(app, fastapi_app=app)``), which skips FastAPI's outer middlewares too."""

    def __init__(self, app, fastapi_app=None) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            path: str = scope["path"]
            if path.startswith(PREFIX) and path.endswith(SUFFIX):
                middle = path[len(PREFIX) : -len(SUFFIX)]
                if middle.isdigit() and len(middle) < 19:
                    await self._bid(scope, receive, send, int(middle))
                    return
        await self.app(scope, receive, send)

    async def _bid(self, scope, receive, send, auction_id: int) -> None:
        authorization = key = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"idempotency-key":
                key = value.decode("latin-1")
        chunks = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > 4096:
                status, body, headers = (
                    413,
                    orjson.dumps(
                        {"error": {"code": "payload_too_large", "message": "a bid body is a few bytes of JSON"}}
                    ),
                    None,
                )
                break
            chunks.append(chunk)
            more = message.get("more_body", False)
        else:
            services = (self.fastapi_app or scope["app"]).state.services
            status, body, headers = await bid_response(services, auction_id, authorization, key, b"".join(chunks))
        response_headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
        if headers:
            response_headers += [(k.encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})
