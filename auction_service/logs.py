"""The service's logs: one JSON object (or one text line) per record on stderr, each carrying the id of
the request it belongs to, with secrets and identity numbers masked.

Why it looks like this:

* The request id lives in a context variable (``REQUEST_ID``) set by the request-id middleware
  (``api/request_ids.py``) for the whole of a request or websocket connection; ``RequestIdFilter`` copies
  it onto every record, so any ``logging`` call made while serving the request carries it, whoever makes it.
* Masking happens in the formatters, on the finished line (message, extra fields and traceback alike):
  a token in a URL, a password in a repr, a bearer header or an 18-digit resident identity number
  never reach the log, even from a library's message the project does not control.
* ``logging_config`` is a ``logging.config.dictConfig`` dictionary handed to uvicorn as its
  ``log_config``, so uvicorn's own loggers go through the same handler; uvicorn's access log is replaced
  by the middleware's (``auction_service.access``: method, path without the query string, status,
  duration and request id as fields).
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from typing import Any, Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
ACCESS_LOGGER = "auction_service.access"
LogFormat = Literal["json", "text"]

_SECRET = re.compile(
    r"""(?ix)
    (?P<kv>\b(?:access_token|token|password|passwd|secret_key|secret|api_key)
        ["']?\s*[:=]\s*)                       # token=..., "password": "...", secret: ...
        (?: (?P<q>["'])(?:\\.|(?!(?P=q)).)*(?P=q)  # a quoted value, spaces and all
          | [^\s&"',;)}\]]+ )                   # or a bare one
    | (?P<bearer>\bbearer\s+)[A-Za-z0-9._~+/=-]+
    | (?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])   # a resident identity number (GB 11643)
    """
)


def _mask(match: re.Match[str]) -> str:
    if match.group("kv") is not None:
        quote = match.group("q") or ""
        return f"{match.group('kv')}{quote}[redacted]{quote}"
    if match.group("bearer") is not None:
        return match.group("bearer") + "[redacted]"
    return "[id-number]"


def redact(text: str) -> str:
    """``text`` with tokens, passwords, bearer credentials and identity numbers masked."""
    return _SECRET.sub(_mask, text)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or None outside a request) on every record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class ConnectionChatterFilter(logging.Filter):
    """Drops uvicorn's line per websocket handshake (``'%s - "WebSocket %s" [accepted]'``) when the access
    log is off: with thousands of watchers they would be most of the log; the access log (on demand) has
    one line per connection instead, with its request id and duration."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg
        return not (isinstance(msg, str) and msg.startswith('%s - "WebSocket '))


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id and any
    ``extra`` fields; masked (``redact``)."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
            json_ensure_ascii=False,
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],  # uvicorn's copy of the message with ANSI colours
        )

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class TextFormatter(logging.Formatter):
    """A line for people: time, level, logger, [request id], message; masked (``redact``)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return redact(super().format(record))


def logging_config(level: str = "info", fmt: LogFormat = "json", access_log: bool = False) -> dict[str, Any]:
    """The ``dictConfig`` of a service process: everything to stderr at ``level`` in ``fmt``;
    ``access_log``: one line per request from the middleware (uvicorn's own access log stays off)."""
    level = level.upper()
    quiet = max(logging.getLevelName(level), logging.WARNING)  # chatty clients (demo bots) stay quiet
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}, "connections": {"()": ConnectionChatterFilter}},
        "formatters": {"json": {"()": JsonFormatter}, "text": {"()": TextFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": fmt,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {
                "handlers": [],
                "level": level,
                "propagate": True,
                "filters": [] if access_log else ["connections"],
            },
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            ACCESS_LOGGER: {"level": "INFO" if access_log else "CRITICAL", "propagate": True},
            "httpx": {"level": logging.getLevelName(quiet)},
            "httpcore": {"level": logging.getLevelName(quiet)},
        },
    }


def uvicorn_options(level: str = "info", fmt: LogFormat = "json", access_log: bool = False) -> dict[str, Any]:
    """The ``uvicorn.Config`` overrides that put a ``serve`` process's logging in our hands (uvicorn's own
    access log off: the middleware's replaces it)."""
    return {"log_config": logging_config(level, fmt, access_log), "log_level": level.lower(), "access_log": False}
