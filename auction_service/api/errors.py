"""Every non-2xx answer is ``{"error": {"code", "message", ...}}`` (the contract's envelope)."""

from __future__ import annotations

import logging
import re
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from auction_rules.errors import Kind, RuleViolation

from ..core.health import RETRY_AFTER_SECONDS, STORAGE_ERRORS, outage_refusal, storage_outage

# The one mapping from a refusal's kind to the contract's HTTP status.
# FastAPI's answer to a body its JSON reader raised on with anything but a decode error.
BODY_NOT_PARSED = "There was an error parsing the body"

STATUS_OF_KIND = {
    Kind.UNAUTHENTICATED: 401,
    Kind.NOT_ALLOWED: 403,
    Kind.NOT_FOUND: 404,
    Kind.CONFLICT: 409,
    Kind.TOO_LARGE: 413,
    Kind.INVALID: 422,
    Kind.UNAVAILABLE: 503,
    Kind.RATE_LIMITED: 429,
}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    body = {"error": {"code": code, "message": message, **extra}}
    headers = dict(error_headers(status, extra.get("retry_after")))
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers or None)


def error_headers(status: int, retry_after: Any = None) -> list[tuple[str, str]]:
    """The headers an error answer carries besides its body: ``WWW-Authenticate`` on 401,
    ``Retry-After`` on 503 (storage down, shutting down: the client should come back), and
    ``Connection: close`` on 500 (the server may be in a bad state for this connection; a client that
    reused it would see its next request reset)."""
    if status == 401:
        return [("WWW-Authenticate", "Bearer")]
    if status in (429, 503):  # 429: the wait the limiter computed (``retry_after`` in the envelope)
        return [("Retry-After", str(retry_after if isinstance(retry_after, int) else RETRY_AFTER_SECONDS))]
    if status == 500:
        return [("Connection", "close")]
    return []


def status_of(exc: RuleViolation) -> int:
    return STATUS_OF_KIND[exc.kind]


def error_body(code: str, message: str, **extra: Any) -> bytes:
    """The contract's error envelope as JSON bytes."""
    return orjson.dumps({"error": {"code": code, "message": message, **extra}})


def violation_body(exc: RuleViolation) -> bytes:
    return orjson.dumps({"error": {"code": exc.code, "message": exc.message, **exc.extra}})


def violation_response(exc: RuleViolation) -> Response:
    return error_response(status_of(exc), exc.code, exc.message, **exc.extra)


def allowed_methods(request: Request) -> str:
    """Every method the API takes at this path, from its OpenAPI document (Starlette's own ``Allow``
    names only the first route that matched the path: ``GET`` of ``/auctions/{id}/bids`` without the
    ``POST`` beside it)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template)), request.url.path):
            methods |= {m.upper() for m in operations if m in ("get", "post", "put", "patch", "delete")}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        fields.append({"field": ".".join(loc), "message": err.get("msg", "invalid"), "type": err.get("type")})
    return fields


def install_error_handlers(app: FastAPI) -> None:
    """Every failure answers the contract's error envelope (``docs/api-contract.md``)."""
    app.exception_handler(RuleViolation)(_rule)
    app.exception_handler(RequestValidationError)(_validation)
    app.exception_handler(StarletteHTTPException)(_http)
    for error_class in STORAGE_ERRORS:
        app.exception_handler(error_class)(_storage)
    app.exception_handler(Exception)(_crash)


async def _rule(_request: Request, exc: RuleViolation) -> Response:
    return violation_response(exc)


async def _validation(_request: Request, exc: RequestValidationError) -> Response:
    fields = _field_errors(exc)
    first = fields[0] if fields else {"field": "", "message": "invalid request"}
    where = f"{first['field']}: " if first["field"] else ""
    return error_response(422, "validation_error", f"{where}{first['message']}", fields=fields)


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    status, detail = exc.status_code, str(exc.detail)
    allowed = allowed_methods(request) if status in (404, 405) else ""
    if status == 404 and allowed and request.method not in allowed.split(", "):
        # Not a missing page: an API path asked with a method it does not take (the web client's
        # files, mounted at ``/``, would otherwise answer every GET with their 404).
        status, detail = 405, "Method Not Allowed"
    code = _HTTP_CODES.get(status, "error")
    if status == 400 and detail == BODY_NOT_PARSED:
        # Not JSON at all (bytes that are not UTF-8, nesting too deep, an integer of thousands of digits):
        # malformed input is 422 across the API, whatever failed to read it.
        status, code, detail = 422, "invalid_json", "the body is not JSON that this service can read"
    elif status == 400:
        # The framework's only other 400: a form it could not read (Starlette's multipart parser: no
        # boundary, a part without its headers, too many parts). Malformed input: 422 as well.
        status, code, detail = 422, "invalid_form", f"the body is not a form this service can read ({detail})"
    response = error_response(status, code, detail)
    for name, value in (exc.headers or {}).items():  # 413's ``Connection: close``
        response.headers[name] = value
    if status == 405:
        response.headers["Allow"] = allowed
    return response


async def _storage(_request: Request, exc: Exception) -> Response:
    """A database failure: during an outage 503 ``storage_unavailable`` with ``Retry-After``
    (``core/health.storage_outage`` decides), anything else a 500."""
    if storage_outage(exc):
        logging.getLogger("auction_service").warning("storage unavailable: %s", exc)
        return violation_response(outage_refusal())
    return _internal_error(exc)


async def _crash(_request: Request, exc: Exception) -> Response:
    if storage_outage(exc):
        response = violation_response(outage_refusal())
        response.headers["Connection"] = "close"  # the server closes this connection after it
        return response
    return _internal_error(exc)


def _internal_error(exc: BaseException) -> Response:
    """The envelope of an unexpected failure (logged with its traceback), with ``Connection: close``."""
    logging.getLogger("auction_service").error("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "the server failed to handle the request")
