"""A bid as the contract states it: ``{"amount"}`` in integer fen from 1 to 10^15, an optional
Idempotency-Key, and the placed-bid answer. HTTP (``api/bids.py``) and the websocket (``live/ws.py``)
both parse and answer through these functions."""

from __future__ import annotations

from typing import Any

import orjson

from ..clock import isoformat
from ..rules.bidding import PlacedBid
from ..rules.errors import invalid

MAX_MONEY = 10**15  # the contract's bound on every amount of money, in fen
MAX_KEY_LENGTH = 200
MAX_BID_BODY_BYTES = 4096  # a bid is a few bytes of JSON; anything bigger is refused unread
AMOUNT_RULE = "amount must be an integer number of fen from 1 to 10^15"


def check_amount(amount: Any) -> int:
    """The amount of a bid: an integer (not a bool, float or string) of fen in [1, 10^15]."""
    if type(amount) is not int or not 1 <= amount <= MAX_MONEY:
        raise invalid(
            "validation_error", f"amount: {AMOUNT_RULE}", fields=[{"field": "amount", "message": AMOUNT_RULE}]
        )
    return amount


def check_idempotency_key(key: Any) -> str | None:
    """An Idempotency-Key: absent, or a string of 1 to 200 characters."""
    if key is None:
        return None
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise invalid(
            "invalid_idempotency_key", f"Idempotency-Key must be a string of 1 to {MAX_KEY_LENGTH} characters"
        )
    return key


def parse_bid_body(raw: bytes) -> int:
    """The HTTP body of a bid: a JSON object whose only key is ``amount``; returns the amount."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise invalid("invalid_json", 'the body must be a JSON object like {"amount": 123400}') from None
    if not isinstance(body, dict) or "amount" not in body:
        raise invalid("validation_error", "amount: field required", fields=[{"field": "amount", "message": "required"}])
    if len(body) > 1:
        extra = sorted(k for k in body if k != "amount")[0]
        raise invalid("validation_error", f"unknown field {extra!r}", fields=[{"field": extra, "message": "unknown"}])
    return check_amount(body["amount"])


def placed_bid_json(placed: PlacedBid) -> dict[str, Any]:
    """The answer to an accepted bid (HTTP 201 body; the websocket's ``bid_result`` adds to it)."""
    return {
        "seq": placed.seq,
        "amount": placed.amount,
        "bidder_code": placed.bidder_code,
        "placed_at": isoformat(placed.placed_at),
        "end_at": isoformat(placed.end_at),
        "priority": placed.priority,
    }
