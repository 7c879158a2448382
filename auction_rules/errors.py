"""Refusals raised by the rules and the services, each with a machine-readable code and a kind.

The kind says *why* something was refused, in the domain's words; what that means on the wire (an HTTP
status, a websocket answer) is decided once, by the transports (``api/errors.py`` maps kinds to HTTP
statuses). Nothing below the transports knows about HTTP.
"""

from __future__ import annotations

from enum import Enum


class Kind(Enum):
    """Why a request was refused."""

    UNAUTHENTICATED = "unauthenticated"  # no valid credentials
    NOT_ALLOWED = "not_allowed"  # this caller may not do this
    NOT_FOUND = "not_found"  # an unknown id
    CONFLICT = "conflict"  # refused by the rules in the current state
    INVALID = "invalid"  # malformed input, or a listing rule broken by the request itself
    TOO_LARGE = "too_large"  # the request is bigger than anything this service accepts
    UNAVAILABLE = "unavailable"  # a passing failure (storage down, shutting down): retry
    RATE_LIMITED = "rate_limited"  # this caller asked too often: retry after the wait it is told


class RuleViolation(Exception):
    """A request the rules (or a service) refuse: ``code`` names the rule, ``kind`` the class of refusal,
    ``extra`` carries structured details (``fields`` of a validation error, ``minimum`` of a low bid)."""

    def __init__(self, code: str, message: str, kind: Kind = Kind.CONFLICT, **extra: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.kind = kind
        self.extra = extra

    @property
    def retryable(self) -> bool:
        """A passing failure: nothing was decided, the same request may succeed later."""
        return self.kind is Kind.UNAVAILABLE

    def __repr__(self) -> str:
        return f"RuleViolation({self.code!r}, {self.message!r}, kind={self.kind.value})"


def refused(code: str, message: str, **extra: object) -> RuleViolation:
    return RuleViolation(code, message, Kind.CONFLICT, **extra)


def forbidden(code: str, message: str, **extra: object) -> RuleViolation:
    return RuleViolation(code, message, Kind.NOT_ALLOWED, **extra)


def invalid(code: str, message: str, **extra: object) -> RuleViolation:
    return RuleViolation(code, message, Kind.INVALID, **extra)


def not_found(code: str, message: str, **extra: object) -> RuleViolation:
    return RuleViolation(code, message, Kind.NOT_FOUND, **extra)


def unauthenticated(code: str, message: str, **extra: object) -> RuleViolation:
    return RuleViolation(code, message, Kind.UNAUTHENTICATED, **extra)


def unavailable(code: str, message: str, **extra: object) -> RuleViolation:
    return RuleViolation(code, message, Kind.UNAVAILABLE, **extra)


def rate_limited(message: str, retry_after: int) -> RuleViolation:
    """Too many requests of one kind from one caller; ``retry_after`` (seconds) goes to the client."""
    return RuleViolation("rate_limited", message, Kind.RATE_LIMITED, retry_after=retry_after)
