"""A bid as the contract states it: ``{"amount"}`` in integer fen from 1 to 10^15, an optional
Idempotency-Key, and the placed-bid answer. HTTP (``api/bids.py``) and the websocket (``live/ws.py``)
both parse and answer through these functions."""

from __future__ import annotations

import json
from typing import Any

import orjson

from auction_rules.bidding import PlacedBid
from auction_rules.errors import invalid

from ..clock import isoformat
from .numbers import whole_number

MAX_MONEY = 10**15  # the contract's bound on every amount of money, in fen
MAX_KEY_LENGTH = 200
MAX_BID_BODY_BYTES = 4096  # a bid is a few bytes of JSON; anything bigger is refused unread
AMOUNT_RULE = "amount must be an integer number of fen from 1 to 10^15"


def check_amount(amount: Any) -> int:
    """The amount of a bid: an integer of fen in [1, 10^15]. Booleans, strings and numbers with a fraction
    are refused; a whole number written with one (``700500000.0``) is that integer (``contract/numbers.py``)."""
    amount = whole_number(amount)
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
    if raw.count(b":") > 1:  # one key and an integer have one colon: only then can a key be repeated
        _refuse_repeated_keys(raw)
    return check_amount(body["amount"])


def _refuse_repeated_keys(raw: bytes) -> None:
    """JSON parsers keep the last of repeated keys (``{"amount": 1, "amount": 9}`` would be a bid of 9
    that a log or a proxy reads as 1): a repeated key is refused. Only bodies that might repeat one get
    this slower parse."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        if len(set(keys)) != len(keys):
            repeated = next(k for k in keys if keys.count(k) > 1)
            raise invalid(
                "duplicate_key",
                f"the key {repeated!r} appears more than once",
                fields=[{"field": repeated, "message": "repeated"}],
            )
        return dict(items)

    json.loads(raw, object_pairs_hook=pairs)


def placed_bid_json(placed: PlacedBid) -> dict[str, Any]:
    """The answer to an accepted bid (HTTP 201 body; the websocket's ``bid_result`` adds to it)."""
    return {
        "seq": placed.seq,
        "amount": placed.amount,
        "bidder_code": placed.bidder_code,
        "placed_at": isoformat(placed.placed_at),
        "end_at": isoformat(placed.end_at),
        "priority": placed.priority,
        "priority_rank": placed.priority_rank,
    }
