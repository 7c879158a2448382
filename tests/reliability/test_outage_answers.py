"""Degraded, never broken: while storage is unreachable every request answers 503 ``storage_unavailable``
in the envelope with ``Retry-After``, the health check names the database, live-feed sockets get a
close frame with a code, and a close that fails is retried until it is done. Once storage answers
again, everything works without a restart.

The outage here is every database connection being refused (the connection pool's checkout raises, as
it does when the server is down), so the same checks run on SQLite and PostgreSQL; the real thing, a
PostgreSQL server crashed and restarted across an auction's end, is ``test_outage_postgres.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import timedelta

import httpx
import orjson
import pytest
from sqlalchemy.pool import Pool
from websockets.exceptions import ConnectionClosed

from auction_service.core import auction_queries as auction_service
from tests.support.identity import id_number
from tests.support.live import recv, recv_type, token_of, ws_connect, ws_url
from tests.support.private_postgres import free_port
from tests.support.scenes import START_PRICE, go_to, scene, settle

pytestmark = pytest.mark.realtime  # an outage and the closes' backoff, in real seconds


@contextlib.contextmanager
def storage_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every new checkout of a database connection is refused, as when the server is down."""

    def refused(_pool: Pool):
        raise ConnectionRefusedError(111, "Connect call failed (simulated outage)")

    with monkeypatch.context() as patch:
        patch.setattr(Pool, "connect", refused)
        yield


def assert_unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, (r.request.method, r.request.url.path, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["error"]["code"] == "storage_unavailable" and r.json()["error"]["message"]
    assert int(r.headers["retry-after"]) >= 1


async def test_every_request_answers_503_with_retry_after_while_storage_is_down(live_server, monkeypatch):
    s = await scene(live_server)
    bidder = s.bidders[0]
    client = live_server.client
    with storage_down(monkeypatch):
        live_server.services.engine.forget(s.id)  # the next bid must load the book from storage
        assert_unavailable(await live_server.api.bid(bidder, s.id, START_PRICE))
        assert_unavailable(await client.get(f"/api/v1/auctions/{s.id}"))
        assert_unavailable(await client.get("/api/v1/auctions"))
        assert_unavailable(await client.get("/api/v1/lots"))
        assert_unavailable(await client.get(f"/api/v1/auctions/{s.id}/bids"))
        assert_unavailable(await client.post("/api/v1/auth/token", data={"username": "x1", "password": "password123"}))
        sign_up = {"username": "outage2", "password": "password123", "real_name": "王五", "id_number": id_number()}
        assert_unavailable(await client.post("/api/v1/bidders", json=sign_up))
        assert_unavailable(await client.post(f"/api/v1/auctions/{s.id}/registrations", headers=bidder))
        assert (await client.get("/livez")).status_code == 200  # alive: a restart would not help
        health = await client.get("/healthz")
        assert_unavailable(health)
        assert "database" in health.json()["error"]["dependencies"]
    # Storage is back: the same keep-alive client, no restart, and the book reloads cleanly.
    assert (await client.get("/healthz")).status_code == 200
    r = await live_server.api.bid(bidder, s.id, START_PRICE)
    assert r.status_code == 201, r.text
    assert r.json()["seq"] == 1


async def test_a_bid_whose_commit_fails_answers_503_and_the_next_one_reloads_the_book(live_server, monkeypatch):
    s = await scene(live_server)
    first, second = s.bidders
    assert (await live_server.api.bid(first, s.id, START_PRICE)).status_code == 201
    with storage_down(monkeypatch):
        # The book is cached: the bid is decided, then its group commit fails (and so does the reload).
        assert_unavailable(await live_server.api.bid(second, s.id, START_PRICE + s.auction["increment"]))
        assert_unavailable(await live_server.api.bid(second, s.id, START_PRICE + s.auction["increment"]))
    r = await live_server.api.bid(second, s.id, START_PRICE + s.auction["increment"])
    assert r.status_code == 201, r.text
    assert [b["seq"] for b in await live_server.api.bids(s.id)] == [1, 2]


async def test_a_live_feed_opened_during_an_outage_is_closed_with_try_again_later(live_server, monkeypatch):
    s = await scene(live_server)
    with storage_down(monkeypatch):
        async with ws_connect(ws_url(live_server, s.id)) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
    async with ws_connect(ws_url(live_server, s.id)) as ws:
        assert (await recv(ws))["type"] == "snapshot"


async def test_a_bid_over_the_websocket_during_an_outage_answers_storage_unavailable(live_server, monkeypatch):
    s = await scene(live_server)
    async with ws_connect(ws_url(live_server, s.id, token=token_of(s.bidders[0]))) as ws:
        await recv_type(ws, {"snapshot"})
        with storage_down(monkeypatch):
            live_server.services.engine.forget(s.id)
            await ws.send(orjson.dumps({"type": "bid", "amount": START_PRICE, "request_id": "r1"}).decode())
            answer = await recv_type(ws, {"bid_result"})
        assert answer["ok"] is False and answer["code"] == "storage_unavailable"
        await ws.send(orjson.dumps({"type": "bid", "amount": START_PRICE, "request_id": "r2"}).decode())
        answer = await recv_type(ws, {"bid_result"})
        assert answer["ok"] is True and answer["seq"] == 1


async def test_a_close_that_fails_while_storage_is_down_is_retried_until_done(live_server, monkeypatch):
    s = await scene(live_server)
    assert (await live_server.api.bid(s.bidders[0], s.id, START_PRICE)).status_code == 201
    scheduler = live_server.services.scheduler
    async with ws_connect(ws_url(live_server, s.id)) as watcher:
        await recv_type(watcher, {"snapshot"})
        with storage_down(monkeypatch):
            live_server.clock.set(s.end_at + timedelta(seconds=1))
            await asyncio.sleep(1.0)  # the close is due and fails (a few times, with backoff)
            assert (await live_server.client.get("/healthz")).status_code == 503
        closed = await recv_type(watcher, {"closed"}, wait=15)  # no restart, nobody asked again
    assert closed["outcome"] == "sold" and closed["end_at"] == s.auction["end_at"]
    await settle(live_server)
    assert (await live_server.api.auction(s.id))["status"] == "sold"
    assert scheduler.retrying() == {}


async def test_an_opening_that_fails_is_retried_too(live_server, monkeypatch):
    s = await scene(live_server, live=False)
    with storage_down(monkeypatch):
        live_server.clock.set(s.start_at + timedelta(seconds=1))
        for _ in range(200):
            if live_server.services.scheduler.retrying().get(s.id, 0) >= 1:
                break
            await asyncio.sleep(0.05)
        assert live_server.services.scheduler.retrying().get(s.id, 0) >= 1
    await go_to(live_server, s.start_at + timedelta(seconds=2))
    for _ in range(200):
        if (await live_server.api.auction(s.id))["status"] == "live":
            break
        await asyncio.sleep(0.05)
    assert (await live_server.api.auction(s.id))["status"] == "live"


async def test_a_crash_in_a_route_answers_500_in_the_envelope_with_connection_close(live_server, monkeypatch):
    s = await scene(live_server)

    def crash(*_args, **_kwargs):
        raise RuntimeError("a bug nobody expected")

    monkeypatch.setattr(auction_service, "auction_view", crash)
    r = await live_server.client.get(f"/api/v1/auctions/{s.id}")
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "internal_error"
    assert r.headers["connection"] == "close"
    monkeypatch.undo()
    assert (await live_server.client.get(f"/api/v1/auctions/{s.id}")).status_code == 200  # the client goes on


async def test_redis_down_is_degraded_not_unavailable_while_bids_work(service, monkeypatch):
    """With ``AUCTION_REDIS_URL`` set, the health checks ask Redis too and say it is down, but answer 200
    ``degraded``: bids work without Redis, and a load balancer must not take every process out for it."""
    s = await scene(service)
    monkeypatch.setattr(service.services.settings, "redis_url", f"redis://127.0.0.1:{free_port()}/0")
    for path in ("/healthz", "/readyz"):
        r = await service.client.get(path)
        assert r.status_code == 200, r.text
        health = r.json()
        assert health["status"] == "degraded" and health["dependencies"]["database"] == "ok"
        assert health["dependencies"]["redis"] != "ok"
    assert (await service.api.bid(s.bidders[0], s.id, START_PRICE)).status_code == 201
    assert (await service.client.get("/livez")).json() == {"status": "alive"}


async def test_liveness_asks_no_dependency_and_readiness_drains_a_stopping_process(service, monkeypatch):
    monkeypatch.setattr(service.services.engine, "_closing", True)
    assert (await service.client.get("/livez")).status_code == 200
    r = await service.client.get("/readyz")
    assert r.status_code == 503 and r.json()["error"]["code"] == "shutting_down"
    assert int(r.headers["retry-after"]) >= 1


async def test_a_crash_while_a_live_feed_starts_closes_it_with_1011(live_server, monkeypatch):
    s = await scene(live_server)

    def crash(*_args, **_kwargs):
        raise ValueError("a bug nobody expected")

    monkeypatch.setattr("auction_service.live.ws.auction_view", crash)
    async with ws_connect(ws_url(live_server, s.id)) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
