"""A group commit carries the changes of many auctions in one transaction; a row of one auction that the
database rejects must fail that auction's requests only, never the other auctions' bids that happened
to share its group."""

from __future__ import annotations

import asyncio

from auction_rules.errors import RuleViolation
from auction_service.db.group_writer import GroupWriter
from tests.support.scenes import START_PRICE, go_to, scene


async def test_a_rejected_row_fails_its_own_auction_only(service, monkeypatch):
    bad, good = await scene(service, live=False), await scene(service, live=False)
    await go_to(service, bad.start_at)
    engine = service.services.engine
    engine.commit_linger = 0.05  # both bids land in one group
    original = GroupWriter.commit
    groups: list[list[int]] = []

    async def rejecting(self, writes):
        groups.append(sorted(w.auction_id for w in writes))
        if any(w.auction_id == bad.id for w in writes):
            raise ValueError("the database rejected a row of this auction")
        return await original(self, writes)

    monkeypatch.setattr(GroupWriter, "commit", rejecting)
    r_bad, r_good = await asyncio.gather(
        service.api.bid(bad.bidders[0], bad.id, START_PRICE), service.api.bid(good.bidders[0], good.id, START_PRICE)
    )
    assert groups[0] == sorted([bad.id, good.id])  # they did share a group
    assert r_good.status_code == 201, r_good.text
    assert r_bad.status_code == 503 and r_bad.json()["error"]["code"] == "storage_unavailable"
    assert [b["seq"] for b in await service.api.bids(good.id)] == [1]
    assert await service.api.bids(bad.id) == []


async def test_a_commit_whose_answer_was_lost_is_settled_once(service, monkeypatch):
    """The connection dies at COMMIT after the database committed: the bid is acknowledged (not refused,
    which would invite a duplicate), and the close that follows is announced once, at the true end."""
    s = await scene(service)
    original = GroupWriter.commit

    async def lost_answer(self, writes):
        await original(self, writes)
        raise ConnectionResetError(104, "connection reset at COMMIT (simulated)")

    monkeypatch.setattr(GroupWriter, "commit", lost_answer)
    r = await service.api.bid(s.bidders[0], s.id, START_PRICE)
    assert r.status_code == 201, r.text
    assert r.json()["seq"] == 1
    published = []
    monkeypatch.setattr(service.services.events, "publish", lambda aid, events: published.extend(events))
    await go_to(service, s.end_at)
    assert (await service.api.auction(s.id))["status"] == "sold"
    assert [type(e).__name__ for e in published].count("AuctionClosed") == 1
    assert [b["seq"] for b in await service.api.bids(s.id)] == [1]


async def test_a_text_postgresql_refuses_fails_its_own_change_only(service, db_url):
    """A NUL in a suspension's reason (PostgreSQL refuses NUL in text; the API refuses it earlier, this
    goes round the API) must not take another auction's bid, committed in the same group, down with it."""
    bad, good = await scene(service, live=False), await scene(service, live=False)
    await go_to(service, bad.start_at)
    service.services.engine.commit_linger = 0.05  # the suspension and the bid share a group
    suspension = asyncio.create_task(service.services.lifecycle.suspend(bad.id, "reason\x00with a NUL"))
    r = await service.api.bid(good.bidders[0], good.id, START_PRICE)
    assert r.status_code == 201, r.text
    outcome = (await asyncio.gather(suspension, return_exceptions=True))[0]
    if db_url.startswith("postgresql"):
        assert isinstance(outcome, RuleViolation) and outcome.retryable
        assert (await service.api.auction(bad.id))["status"] == "live"
    else:  # SQLite stores the NUL
        assert not isinstance(outcome, BaseException)
