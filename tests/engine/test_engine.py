"""The bid engine (``core/bidding/engine.py``) driven directly, below every transport, on both databases:
one decision order per auction, acknowledgements only after the commit, idempotency, failed commits."""

from __future__ import annotations

import asyncio

import pytest

from auction_rules.errors import Kind, RuleViolation
from auction_service.db.group_writer import GroupWriter
from tests.support.scenes import INCREMENT, START_PRICE, scene


async def principals(service, s):
    return [service.services.tokens.from_header(headers["Authorization"]) for headers in s.bidders]


async def stored_seqs(service, auction_id: int) -> list[tuple[int, int]]:
    return [(b["seq"], b["amount"]) for b in await service.api.bids(auction_id)]


async def test_of_two_bids_at_the_same_price_exactly_one_is_acknowledged_and_stored(service):
    s = await scene(service)
    alice, bob = await principals(service, s)
    engine = service.services.engine
    outcomes = await asyncio.gather(
        engine.place_bid(alice, s.id, START_PRICE),
        engine.place_bid(bob, s.id, START_PRICE),
        return_exceptions=True,
    )
    placed = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, RuleViolation)]
    assert len(placed) == 1 and len(refused) == 1 and refused[0].code == "bid_too_low"
    assert await stored_seqs(service, s.id) == [(1, START_PRICE)]


async def test_a_repeated_idempotency_key_gets_the_original_bid_even_while_it_is_being_committed(service):
    s = await scene(service)
    alice, _ = await principals(service, s)
    engine = service.services.engine
    first, again = await asyncio.gather(
        engine.place_bid(alice, s.id, START_PRICE, "key-1"),
        engine.place_bid(alice, s.id, START_PRICE, "key-1"),
    )
    assert first == again and first.seq == 1
    with pytest.raises(RuleViolation) as reused:
        await engine.place_bid(alice, s.id, START_PRICE + INCREMENT, "key-1")
    assert reused.value.code == "idempotency_key_reused"
    assert await stored_seqs(service, s.id) == [(1, START_PRICE)]


async def test_a_failed_commit_acknowledges_nothing_and_a_retry_with_the_same_key_is_decided_anew(service, monkeypatch):
    s = await scene(service)
    alice, _ = await principals(service, s)
    engine = service.services.engine
    real_commit = GroupWriter.commit
    failures = []

    async def failing_once(self, writes):
        if not failures:
            failures.append(writes)
            raise OSError("the database went away")
        return await real_commit(self, writes)

    monkeypatch.setattr(GroupWriter, "commit", failing_once)
    with pytest.raises(RuleViolation) as down:
        await engine.place_bid(alice, s.id, START_PRICE, "retry-me")
    assert down.value.kind is Kind.UNAVAILABLE and down.value.retryable
    assert await stored_seqs(service, s.id) == []
    placed = await engine.place_bid(alice, s.id, START_PRICE, "retry-me")
    assert placed.seq == 1 and await stored_seqs(service, s.id) == [(1, START_PRICE)]


async def test_staff_cannot_bid_and_an_unregistered_bidder_is_told_to_register(service):
    s = await scene(service, bidders=1)
    engine = service.services.engine
    staff = service.services.tokens.from_header(s.staff["Authorization"])
    with pytest.raises(RuleViolation) as staff_refused:
        await engine.place_bid(staff, s.id, START_PRICE)
    assert staff_refused.value.kind is Kind.NOT_ALLOWED
    stranger = await service.api.bidder()
    who = service.services.tokens.from_header(stranger["Authorization"])
    with pytest.raises(RuleViolation) as unregistered:
        await engine.place_bid(who, s.id, START_PRICE)
    assert unregistered.value.code == "not_registered"
