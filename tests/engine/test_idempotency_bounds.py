"""Remembered Idempotency-Keys are bounded per bidder and per auction (``core/bidding/idempotency.py``):
a bidder sending refused bids with fresh keys cannot grow the service's memory, while an honest client's
retries still answer what they first answered (an accepted bid's from the database once dropped)."""

from __future__ import annotations

import pytest

from auction_rules.errors import RuleViolation
from auction_service.core.bidding.book import BidOp
from auction_service.core.bidding.idempotency import KEYS_PER_BIDDER, KeyTable
from tests.engine.test_engine import principals
from tests.support.scenes import INCREMENT, START_PRICE, scene


async def test_refused_bids_with_fresh_keys_do_not_grow_memory_and_retries_answer_the_same(service):
    s = await scene(service)
    alice, _ = await principals(service, s)
    engine = service.services.engine
    won = await engine.place_bid(alice, s.id, START_PRICE, "the-accepted-bid")
    for i in range(KEYS_PER_BIDDER + 100):
        with pytest.raises(RuleViolation) as low:
            await engine.place_bid(alice, s.id, START_PRICE, f"{i:06d}" + "k" * 194)  # 200 characters each
        assert low.value.code == "bid_too_low"
    assert engine.remembered_keys(s.id) <= KEYS_PER_BIDDER

    # The accepted bid's key was dropped from memory: its retry finds it in the database.
    assert await engine.place_bid(alice, s.id, START_PRICE, "the-accepted-bid") == won
    # A recent refusal's retry is answered the same refusal, with the same minimum.
    last = f"{KEYS_PER_BIDDER + 99:06d}" + "k" * 194
    with pytest.raises(RuleViolation) as again:
        await engine.place_bid(alice, s.id, START_PRICE, last)
    assert again.value.code == "bid_too_low" and again.value.extra["minimum"] == START_PRICE + INCREMENT
    assert [b["seq"] for b in await service.api.bids(s.id)] == [1]


def refusal() -> RuleViolation:
    try:
        raise RuleViolation("bid_too_low", "too low", minimum=2)
    except RuleViolation as raised:
        return raised


def test_a_remembered_refusal_keeps_no_traceback_and_the_bounds_hold_per_bidder_and_per_auction():
    table = KeyTable(per_bidder=3, per_auction=5)
    table.remember((1, "a"), 10, refusal())
    amount, kept = table.get((1, "a")) or (0, None)
    assert amount == 10 and isinstance(kept, RuleViolation) and kept.__traceback__ is None
    assert kept.code == "bid_too_low" and kept.extra == {"minimum": 2}
    for key in "bcd":
        table.remember((1, key), 10, refusal())
    assert table.count(1) == 3 and table.get((1, "a")) is None  # the bidder's oldest went first
    for bidder in (2, 3, 4):
        table.remember((bidder, "x"), 10, refusal())
    assert len(table) == 5 and table.count(1) == 2  # the auction's oldest went first
    assert table.forgot == set()  # only refusals were dropped: nothing to look for in the database


def test_a_bid_waiting_for_its_commit_is_never_dropped():
    table = KeyTable(per_bidder=2, per_auction=10)
    waiting = BidOp.__new__(BidOp)
    table.remember((1, "waiting"), 10, waiting)
    for key in "abc":
        table.remember((1, key), 10, refusal())
    assert table.get((1, "waiting")) == (10, waiting) and table.count(1) == 2
