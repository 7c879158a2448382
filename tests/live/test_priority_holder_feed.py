"""A priority holder declared after bidding opened is announced to the auction's watchers, with the
grounds and without the holder's identity (real websockets on 127.0.0.1)."""

from __future__ import annotations

import pytest

from tests.conftest import Service
from tests.support.live import live_auction, recv, recv_type, ws_connect, ws_url


@pytest.fixture
def rules() -> str:
    return "sandbox"


async def test_a_late_priority_holder_is_announced_on_the_live_feed(live_server: Service) -> None:
    auction, _ = await live_auction(live_server)
    api = live_server.api
    staff = await api.staff(live_server.services)  # a clerk of the lot's court (the helpers' default court)
    await api.bidder("late_holder")
    url = f"/api/v1/auctions/{auction['id']}/priority-holders"
    async with ws_connect(ws_url(live_server, auction["id"])) as ws:
        assert (await recv(ws))["type"] == "snapshot"
        refused = await live_server.client.post(url, json={"username": "late_holder", "rank": 1}, headers=staff)
        assert refused.status_code == 422, refused.text
        body = {"username": "late_holder", "rank": 1, "reason": "承租人优先购买权经法院补充确认"}
        r = await live_server.client.post(url, json=body, headers=staff)
        assert r.status_code == 201, r.text
        message = await recv_type(ws, {"priority_holder"})
    assert message["rank"] == 1 and message["after_opening"] is True
    assert message["reason"] == "承租人优先购买权经法院补充确认"
    assert "late_holder" not in str(message)


async def test_a_holders_bid_on_the_feed_carries_its_rank(live_server: Service) -> None:
    """Art. 19: the code a holder bids with is shown with the holder's rank, on the live feed as in the
    bid record; other bidders' bids carry a null rank."""
    auction, (plain,) = await live_auction(live_server, bidders=1)
    api = live_server.api
    staff = await api.staff(live_server.services)
    holder = await api.bidder("co_owner_feed")
    body = {"username": "co_owner_feed", "rank": 3, "reason": "共有人优先购买权经法院补充确认"}
    r = await live_server.client.post(f"/api/v1/auctions/{auction['id']}/priority-holders", json=body, headers=staff)
    assert r.status_code == 201, r.text
    await api.register(holder, auction["id"])
    async with ws_connect(ws_url(live_server, auction["id"])) as ws:
        assert (await recv(ws))["type"] == "snapshot"
        assert (await api.bid(plain, auction["id"], auction["starting_price"])).status_code == 201
        assert (await api.bid(holder, auction["id"], auction["starting_price"])).status_code == 201
        first = await recv_type(ws, {"bid"})
        second = await recv_type(ws, {"bid"})
    assert (first["priority"], first["priority_rank"]) == (False, None)
    assert (second["priority"], second["priority_rank"]) == (True, 3)
