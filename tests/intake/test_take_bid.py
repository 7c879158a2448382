"""The bid's use-case (``auction_service/intake/bids.py``) on its own, with stand-ins for the services:
one order for both transports (who → rate limit → parse → engine → answer) and one mapping of every
outcome. The transports' own answers are covered by ``tests/api/test_api_bids.py`` and ``tests/live``."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from auction_rules.errors import RuleViolation, rate_limited
from auction_service.core.security import Principal, unauthorized
from auction_service.intake.bids import take_bid

ALICE = Principal(account_id=7, username="alice", role="bidder", court_id=None, expires_at=float("inf"))


class Answers:
    """Records the outcome the use-case chose."""

    def placed(self, placed: Any) -> tuple:
        return ("placed", placed)

    def refused(self, refusal: RuleViolation) -> tuple:
        return ("refused", refusal.code)

    def failed(self) -> tuple:
        return ("failed",)


class Stand:
    """Services with a limiter that allows ``allowed`` bids and an engine that answers ``outcome``."""

    def __init__(self, allowed: int = 100, outcome: Any = "bid-7") -> None:
        self.steps: list[str] = []
        self.allowed = allowed
        self.outcome = outcome
        self.tokens = SimpleNamespace(from_header=self.from_header)
        self.limits = SimpleNamespace(bid=self.limit)
        self.engine = SimpleNamespace(place_bid=self.place)

    def from_header(self, authorization: str | None) -> Principal:
        self.steps.append("who")
        if authorization != "Bearer alice":
            raise unauthorized()
        return ALICE

    async def limit(self, account_id: int) -> None:
        self.steps.append("limit")
        self.allowed -= 1
        if self.allowed < 0:
            raise rate_limited("too many bids", retry_after=1)

    async def place(self, principal: Principal, auction_id: int, amount: int, key: str | None) -> Any:
        self.steps.append(f"engine {amount} {key}")
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


async def take(stand: Stand, caller: Any, raw: Any, key: str | None = None) -> tuple:
    return await take_bid(stand, caller, 1, raw, key, Answers())  # type: ignore[arg-type]


# Both transports' raw bids, well formed and not.
HTTP_BID, SOCKET_BID = b'{"amount": 500}', {"type": "bid", "amount": 500, "idempotency_key": "k"}
HTTP_MALFORMED, SOCKET_MALFORMED = b'{"amount": "500"}', {"type": "bid", "amount": "500"}


@pytest.mark.parametrize(
    ("caller", "raw", "key", "engine_step"),
    [("Bearer alice", HTTP_BID, "k", "engine 500 k"), (ALICE, SOCKET_BID, None, "engine 500 k")],
    ids=["http", "socket"],
)
async def test_a_bid_goes_who_then_limit_then_parse_then_engine(caller, raw, key, engine_step) -> None:
    stand = Stand()
    assert await take(stand, caller, raw, key) == ("placed", "bid-7")
    verified_here = ["who"] if isinstance(caller, str) else []  # the socket authenticated its caller already
    assert stand.steps == [*verified_here, "limit", engine_step]


@pytest.mark.parametrize(("caller", "raw"), [("Bearer alice", HTTP_MALFORMED), (ALICE, SOCKET_MALFORMED)])
async def test_malformed_bids_count_against_the_limit_before_they_are_parsed(caller, raw) -> None:
    stand = Stand(allowed=2)
    answers = [await take(stand, caller, raw) for _ in range(4)]
    assert answers == [("refused", "validation_error")] * 2 + [("refused", "rate_limited")] * 2
    assert not any(step.startswith("engine") for step in stand.steps)


@pytest.mark.parametrize(
    ("caller", "whole", "fraction"),
    [
        ("Bearer alice", b'{"amount": 500.0}', b'{"amount": 500.5}'),
        (ALICE, SOCKET_BID | {"amount": 5e2}, SOCKET_BID | {"amount": 500.5}),
    ],
    ids=["http", "socket"],
)
async def test_a_whole_number_written_with_a_fraction_is_that_integer(caller, whole, fraction) -> None:
    stand = Stand()
    assert await take(stand, caller, whole) == ("placed", "bid-7")
    assert stand.steps[-1].startswith("engine 500 ")  # the int 500 reaches the engine, not the float 500.0
    assert await take(Stand(), caller, fraction) == ("refused", "validation_error")


async def test_an_unknown_caller_is_refused_before_anything_is_counted() -> None:
    stand = Stand()
    assert await take(stand, "Bearer mallory", HTTP_BID) == ("refused", "unauthorized")
    assert stand.steps == ["who"]


async def test_a_bad_idempotency_key_is_refused_by_both_transports_alike() -> None:
    for caller, raw, key in (("Bearer alice", HTTP_BID, ""), (ALICE, SOCKET_BID | {"idempotency_key": ""}, None)):
        assert await take(Stand(), caller, raw, key) == ("refused", "invalid_idempotency_key")


async def test_a_refusal_of_the_rules_is_answered_as_refused() -> None:
    refusal = RuleViolation("bid_too_low", "too low")
    assert await take(Stand(outcome=refusal), ALICE, SOCKET_BID) == ("refused", "bid_too_low")


async def test_storage_down_is_the_contracts_outage_refusal(caplog) -> None:
    down = OperationalError("SELECT 1", {}, Exception("connection refused"))
    with caplog.at_level(logging.WARNING, "auction_service.intake.bids"):
        assert await take(Stand(outcome=down), ALICE, SOCKET_BID) == ("refused", "storage_unavailable")
    assert "storage unavailable" in caplog.text


async def test_anything_unexpected_is_logged_once_and_answered_as_a_failure(caplog) -> None:
    with caplog.at_level(logging.ERROR, "auction_service.intake.bids"):
        assert await take(Stand(outcome=ZeroDivisionError()), "Bearer alice", HTTP_BID) == ("failed",)
    assert [r.levelno for r in caplog.records] == [logging.ERROR] and caplog.records[0].exc_info
