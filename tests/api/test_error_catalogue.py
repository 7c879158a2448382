"""Every error code the service can answer is catalogued (``contract/errors.py``), so the OpenAPI
document can list it with its meaning: a new ``refused("some_code", ...)`` anywhere in the service
without its catalogue entry fails here."""

from __future__ import annotations

import re
from pathlib import Path

from auction_service.contract.errors import ERROR_CODES

SERVICE = Path(__file__).resolve().parents[2] / "auction_service"
RAISED = re.compile(
    r"\b(?:refused|forbidden|invalid|not_found|unauthenticated|unavailable|RuleViolation|error_body|error_response)"
    r"\(\s*(?:\d{3},\s*)?\"([a-z][a-z0-9_]*)\"",
    re.S,
)
NOT_IN_HTTP = {"invalid_after_seq", "invalid_message", "unknown_type", "message_too_large", "invalid_request_id"}


def raised_codes() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for source in SERVICE.rglob("*.py"):
        for code in RAISED.findall(source.read_text(encoding="utf-8")):
            found.setdefault(code, set()).add(str(source.relative_to(SERVICE)))
    return found


def test_every_code_the_service_raises_is_catalogued():
    raised = raised_codes()
    assert {"bid_too_low", "auction_not_found", "validation_error"} & set(raised)  # the scan finds them
    missing = {code: sorted(where) for code, where in raised.items() if code not in ERROR_CODES.keys() | NOT_IN_HTTP}
    assert not missing, f"add these codes to contract/errors.py ERROR_CODES: {missing}"
