"""What each operation answers, for the OpenAPI document: its success model and the error codes it can
answer, grouped by HTTP status, each with an example of the envelope.

A route declares its answers in its decorator::

    @router.get("/auctions/{auction_id}/result", **answers(AuctionResult, errors=(*NOT_FOUND_AUCTION,
                "auction_not_ended")))

``answers`` documents without changing what is answered: it sets ``response_model=None`` (the route's
dict goes out as the contract's function built it, never filtered or re-validated through a model, which
also costs nothing on the request path) and puts the models in ``responses``. FastAPI's default 422
(``HTTPValidationError``, a shape this service never answers) is replaced by the error envelope.
``tests/api/test_openapi_truth.py`` holds every answer of a whole flow to these declarations.
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from ..contract.errors import ERROR_CODES, STORAGE_UNAVAILABLE, VALIDATION_ERROR, ErrorEnvelope
from .errors import STATUS_OF_KIND

ENVELOPE_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
# The headers an error answer carries besides its body (``api/errors.error_headers``).
_WAIT = {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}}
HEADERS = {401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}, 429: _WAIT, 503: _WAIT}

Code = str | tuple[str, int]  # a catalogued code, or one with the status it has on this route

# Codes most operations share, to spread into ``errors=``.
AUTH = ("unauthorized",)
STAFF = (*AUTH, "staff_only")
STAFF_OF_COURT = (*STAFF, "wrong_court")
INVALID = (VALIDATION_ERROR,)
BODY = (VALIDATION_ERROR, "payload_too_large")  # a route that reads a body (``api/body_limit.py``)
NO_AUCTION = ("auction_not_found", VALIDATION_ERROR)
NO_LOT = ("lot_not_found", VALIDATION_ERROR)
NO_COURT = ("court_not_found", VALIDATION_ERROR)
# A staff action on an auction through the bid engine (suspend, resume, withdraw).
STAFF_ACTION = (*STAFF_OF_COURT, *NO_AUCTION, *BODY, "shutting_down")
CSV = "text/csv"
CSV_BODY = {"requestBody": {"required": True, "content": {CSV: {"schema": {"type": "string"}}}}}  # openapi_extra
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/webp")
# Scheduling a round (``auction_rules/listing.py``): the lot's state (409) and the listing rules (422).
LISTING_RULES = (
    "lot_concluded", "auction_open", "lot_already_sold", "starting_price_below_floor", "deposit_out_of_range",
    "increment_not_positive", "increment_too_large", "announcement_too_short", "bidding_period_too_short",
    "start_in_past", "price_cut_too_deep", "reauction_announced_too_late", "sale_price_mismatch",
    "sale_deposit_must_be_full_price", "sale_window_too_long", "sale_window_too_short",
    "announcement_incomplete",
)  # fmt: skip


# Codes no refusal carries: the HTTP transport answers them itself (``api/errors.py``, ``api/bids.py``).
TRANSPORT_STATUS = {"not_found": 404, "method_not_allowed": 405, "unsupported_media_type": 415, "internal_error": 500}


def status_of_code(code: str) -> int:
    """The HTTP status a catalogued error code is answered with."""
    kind = ERROR_CODES[code].kind
    return TRANSPORT_STATUS[code] if kind is None else STATUS_OF_KIND[kind]


def _example(code: str) -> dict[str, Any]:
    meaning = ERROR_CODES[code].meaning
    error: dict[str, Any] = {"code": code, "message": meaning}
    if code == VALIDATION_ERROR:
        error["message"] = "amount: Input should be a valid integer"
        error["fields"] = [{"field": "amount", "message": "Input should be a valid integer", "type": "int_type"}]
    elif code in ("bid_too_low", "bid_not_on_increment"):
        error["minimum"] = 1_250_000
    elif code in ("rate_limited", STORAGE_UNAVAILABLE):
        error["retry_after"] = 2
    return {"summary": meaning, "value": {"error": error}}


def error_responses(codes: Iterable[Code], *, json_route: bool = True) -> dict[int | str, dict[str, Any]]:
    """The envelope under each status the codes map to, the codes listed and exemplified. A code that
    two services raise with different kinds is given with its status here: ``("not_a_bidder", 403)``."""
    by_status: dict[int, list[str]] = {}
    for item in dict.fromkeys(codes):
        code, status = item if isinstance(item, tuple) else (item, status_of_code(item))
        by_status.setdefault(status, []).append(code)
    responses: dict[int | str, dict[str, Any]] = {}
    for status, group in sorted(by_status.items()):
        lines = "\n".join(f"- `{code}`: {ERROR_CODES[code].meaning}" for code in group)
        content: dict[str, dict[str, Any]] = {
            "application/json": {"examples": {code: _example(code) for code in group}}
        }
        response: dict[str, Any] = {"description": f"{HTTPStatus(status).phrase}. `error.code` is one of:\n\n{lines}"}
        if status in HEADERS:
            response["headers"] = HEADERS[status]
        if json_route:
            response["model"] = ErrorEnvelope
        else:  # a non-JSON route: FastAPI would file the model under the route's media type
            content["application/json"]["schema"] = ENVELOPE_REF
        response["content"] = content
        responses[status] = response
    return responses


def answers(
    model: Any = None,
    *,
    status: int = 200,
    errors: Iterable[Code] = (),
    also: dict[int, str] | None = None,
    media_type: str | tuple[str, ...] | None = None,
    description: str | None = None,
    storage: bool = True,
    extra: dict[int, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for a route decorator: ``model`` answered with ``status`` (and with each status
    of ``also``, whose value describes when), or, for a non-JSON answer (``model`` ``str`` for text,
    ``bytes`` for binary), its ``media_type`` (or types); then the error envelope under every status
    ``errors`` (catalogued codes, ``contract/errors.py``) can answer. ``storage``: the route reads or
    writes the database, so it answers 503 ``storage_unavailable`` during an outage. ``extra``: more to
    say under a status (a description, headers), merged over what is built here."""
    responses: dict[int | str, dict[str, Any]] = {}
    types = (media_type,) if isinstance(media_type, str) else media_type
    for each, when in {status: description or HTTPStatus(status).phrase, **(also or {})}.items():
        if types is not None:
            schema = {"type": "string", "format": "binary"} if model is bytes else {"type": "string"}
            responses[each] = {"description": when, "content": {t: {"schema": schema} for t in types}}
        elif model is not None:
            responses[each] = {"description": when, "model": model}
    codes = [*errors, STORAGE_UNAVAILABLE] if storage else errors
    responses.update(error_responses(codes, json_route=types is None))
    for each, more in (extra or {}).items():
        responses.setdefault(each, {}).update(more)
    return {"response_model": None, "responses": responses}
