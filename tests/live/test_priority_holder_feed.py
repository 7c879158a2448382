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
