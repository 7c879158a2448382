"""Refusals raised by the rules, each with a machine-readable code and the HTTP status it maps to."""

from __future__ import annotations


class RuleViolation(Exception):
    """A request the rules refuse. ``status`` follows the contract: 403 not allowed, 404 unknown,
    409 refused in the current state, 422 malformed or breaking a listing rule."""

    def __init__(self, code: str, message: str, status: int = 409, **extra: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra

    def __repr__(self) -> str:
        return f"RuleViolation({self.code!r}, {self.message!r}, status={self.status})"


def refused(code: str, message: str, **extra: object) -> RuleViolation:
    return RuleViolation(code, message, 409, **extra)


def forbidden(code: str, message: str, **extra: object) -> RuleViolation:
    return RuleViolation(code, message, 403, **extra)


def invalid(code: str, message: str, **extra: object) -> RuleViolation:
    return RuleViolation(code, message, 422, **extra)


def not_found(code: str, message: str, **extra: object) -> RuleViolation:
    return RuleViolation(code, message, 404, **extra)
