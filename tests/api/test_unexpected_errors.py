"""An unexpected failure anywhere still answers the contract's envelope, on every transport, through the
stack ``serve`` runs (``create_app`` on a real uvicorn): never a bare 500, never a dropped connection
without ``Connection: close``."""

from __future__ import annotations

import orjson

from auction_service.core import auction_queries as auction_service
from auction_service.core.bidding.engine import BidEngine
from tests.support.live import recv_type, token_of, ws_connect, ws_url
from tests.support.scenes import START_PRICE, scene


def crash(*_args, **_kwargs):
    raise RuntimeError("a bug nobody expected")


async def test_a_crash_on_the_bid_path_answers_the_envelope_and_closes_the_connection(live_server, monkeypatch):
    s = await scene(live_server)
    monkeypatch.setattr(BidEngine, "place_bid", crash)
    r = await live_server.api.bid(s.bidders[0], s.id, START_PRICE)
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/json" and r.headers["connection"] == "close"
    assert r.json()["error"]["code"] == "internal_error" and r.json()["error"]["message"]


async def test_a_crash_in_a_route_answers_the_envelope(live_server, monkeypatch):
    s = await scene(live_server)
    monkeypatch.setattr(auction_service, "auction_view", crash)
    r = await live_server.client.get(f"/api/v1/auctions/{s.id}/result")
    assert r.status_code in (404, 409, 200)  # an untouched route still answers normally
    r = await live_server.client.get(f"/api/v1/auctions/{s.id}")
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "internal_error"


async def test_a_crash_on_a_bid_over_the_websocket_answers_a_refusal_and_keeps_the_feed(live_server, monkeypatch):
    s = await scene(live_server)
    monkeypatch.setattr(BidEngine, "place_bid", crash)
    url = ws_url(live_server, s.id, token=token_of(s.bidders[0]))
    async with ws_connect(url) as ws:
        await recv_type(ws, {"snapshot"})
        await ws.send(orjson.dumps({"type": "bid", "amount": START_PRICE, "request_id": "r1"}).decode())
        answer = await recv_type(ws, {"bid_result"})
        assert answer == {
            "type": "bid_result",
            "request_id": "r1",
            "ok": False,
            "code": "internal_error",
            "message": "the bid could not be placed; retry",
        }
        await ws.send('{"type": "ping"}')
        assert (await recv_type(ws, {"pong"}))["type"] == "pong"
