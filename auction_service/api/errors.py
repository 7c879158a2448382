"""Every non-2xx answer is ``{"error": {"code", "message", ...}}`` (the contract's envelope)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ..rules.errors import Kind, RuleViolation

# The one mapping from a refusal's kind to the contract's HTTP status.
STATUS_OF_KIND = {
    Kind.UNAUTHENTICATED: 401,
    Kind.NOT_ALLOWED: 403,
    Kind.NOT_FOUND: 404,
    Kind.CONFLICT: 409,
    Kind.TOO_LARGE: 413,
    Kind.INVALID: 422,
    Kind.UNAVAILABLE: 503,
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
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def status_of(exc: RuleViolation) -> int:
    return STATUS_OF_KIND[exc.kind]


def error_body(code: str, message: str, **extra: Any) -> bytes:
    """The contract's error envelope as JSON bytes."""
    return orjson.dumps({"error": {"code": code, "message": message, **extra}})


def violation_body(exc: RuleViolation) -> bytes:
    return orjson.dumps({"error": {"code": exc.code, "message": exc.message, **exc.extra}})


def violation_response(exc: RuleViolation) -> Response:
    return error_response(status_of(exc), exc.code, exc.message, **exc.extra)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        fields.append({"field": ".".join(loc), "message": err.get("msg", "invalid"), "type": err.get("type")})
    return fields


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RuleViolation)
    async def _rule(_request: Request, exc: RuleViolation) -> Response:
        return violation_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> Response:
        fields = _field_errors(exc)
        first = fields[0] if fields else {"field": "", "message": "invalid request"}
        where = f"{first['field']}: " if first["field"] else ""
        return error_response(422, "validation_error", f"{where}{first['message']}", fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _crash(_request: Request, exc: Exception) -> Response:
        import logging

        logging.getLogger("auction_service").exception("unhandled error", exc_info=exc)
        return error_response(500, "internal_error", "the server failed to handle the request")
