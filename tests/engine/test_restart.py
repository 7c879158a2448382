"""Restarts: what was acknowledged survives, and an auction whose end passed while the service was down
closes at its true end (rules 11, 13-15)."""

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select

from auction_service.app import create_app
from auction_service.clock import ManualClock
from auction_service.db.models import Auction
from bidder_client import WEB_ROOT
from tests.conftest import START, Service, make_settings
from tests.support.scenes import INCREMENT, START_PRICE, assert_error, go_to, scene, t

P, INC = START_PRICE, INCREMENT


@contextlib.asynccontextmanager
async def running(db_url: str, now: datetime) -> AsyncIterator[Service]:
    """One service process on ``db_url`` with a manual clock at ``now``."""
    clock = ManualClock(now)
    app = create_app(make_settings(db_url), clock=clock, migrate_on_start=False, web_root=WEB_ROOT)
    async with app.api.router.lifespan_context(app.api):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Service(app, clock, client, "http://test")


async def _closed_at(service, auction_id):
    """The stored close time, once the close job (run on start for overdue auctions) has committed it."""
    for _ in range(200):
        async with service.services.read_sessions() as session:
            row = (
                await session.execute(select(Auction.closed_at, Auction.status).where(Auction.id == auction_id))
            ).one()
        if row.closed_at is not None:
            assert row.status in ("sold", "unsold")
            return row.closed_at
        await service.settle()
    return None


async def test_an_auction_that_ended_while_the_service_was_down_closes_at_its_true_end(db_url):
    async with running(db_url, START) as first:
        s = await scene(first, bidders=2, live=True)
        a, b = s.bidders
        assert (await first.api.bid(a, s.id, P)).status_code == 201
        first.clock.set(s.end_at - timedelta(minutes=2))  # an extension: the end moves to +3 minutes
        r = await first.api.bid(b, s.id, P + INC)
        assert r.status_code == 201, r.text
        true_end = t(r.json()["end_at"])
        assert true_end == s.end_at + timedelta(minutes=3)
        down_at = first.clock.now()
        tokens = (a, b)

    # the service is down for an hour of simulated time, well past the end
    async with running(db_url, down_at + timedelta(hours=1)) as second:
        await go_to(second, second.clock.now())
        state = await second.api.auction(s.id)
        assert state["status"] == "sold"
        assert t(state["end_at"]) == true_end
        assert t(state["scheduled_end_at"]) == s.end_at
        assert (state["current_price"], state["leading_code"], state["bid_count"]) == (P + INC, s.codes[1], 2)
        assert await _closed_at(second, s.id) == true_end
        result = (await second.client.get(f"/api/v1/auctions/{s.id}/result")).json()
        assert (result["outcome"], result["price"], result["winner_code"]) == ("sold", P + INC, s.codes[1])
        # the tokens are still good (one secret per deployment) and the bid is refused on the rules
        assert_error(await second.api.bid(tokens[0], s.id, P + 2 * INC), 409, "auction_not_live")
        assert [x["seq"] for x in await second.api.bids(s.id)] == [1, 2]


async def test_an_auction_with_no_bid_that_ended_while_down_is_unsold_at_its_scheduled_end(db_url):
    async with running(db_url, START) as first:
        s = await scene(first, bidders=1, live=True)
        down_at = first.clock.now()
    async with running(db_url, down_at + timedelta(days=3)) as second:
        await go_to(second, second.clock.now())
        state = await second.api.auction(s.id)
        assert (state["status"], t(state["end_at"])) == ("unsold", s.end_at)
        assert await _closed_at(second, s.id) == s.end_at
        assert_error(await second.api.bid(s.bidders[0], s.id, P), 409, "auction_not_live")


async def test_bidding_continues_after_a_restart_with_the_same_record_and_idempotency(db_url):
    async with running(db_url, START) as first:
        s = await scene(first, bidders=2, live=True)
        a, b = s.bidders
        original = await first.api.bid(a, s.id, P, **{"Idempotency-Key": "before-restart"})
        assert original.status_code == 201, original.text
        assert (await first.api.bid(b, s.id, P + INC)).status_code == 201
        down_at = first.clock.now()

    async with running(db_url, down_at + timedelta(minutes=10)) as second:
        await go_to(second, second.clock.now())
        state = await second.api.auction(s.id)
        assert (state["status"], state["current_price"], state["bid_count"]) == ("live", P + INC, 2)
        # a retry of the acknowledged bid is still recognised: same answer, nothing placed
        again = await second.api.bid(a, s.id, P, **{"Idempotency-Key": "before-restart"})
        assert (again.status_code, again.json()) == (201, original.json())
        r = await second.api.bid(a, s.id, P + 2 * INC)
        assert r.status_code == 201, r.text
        assert r.json()["seq"] == 3
        assert [x["seq"] for x in await second.api.bids(s.id)] == [1, 2, 3]
        # registrations survive too: the same code on repeat
        reg = await second.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=b)
        assert (reg.status_code, reg.json()["bidder_code"]) == (200, s.codes[1])
