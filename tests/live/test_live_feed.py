"""The live feed over real websockets (uvicorn on 127.0.0.1), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import orjson
import pytest
from websockets.exceptions import ConnectionClosed

from auction_service.app import create_app
from auction_service.clock import ManualClock
from auction_service.live.serving import LiveServer, server_config
from bidder_client import WEB_ROOT
from tests.conftest import START, Service, make_settings
from tests.support.live import (
    BID_KEYS,
    INCREMENT,
    STARTING_PRICE,
    Bidding,
    live_auction,
    recv,
    recv_type,
    token_of,
    ws_connect,
    ws_url,
)


@pytest.fixture
def rules() -> str:
    return "sandbox"


async def test_snapshot_then_bids_in_order(live_server: Service) -> None:
    auction, (alice, bob) = await live_auction(live_server)
    aid = auction["id"]
    async with ws_connect(ws_url(live_server, aid)) as ws:
        snapshot = await recv(ws)
        assert snapshot["type"] == "snapshot"
        assert snapshot["seq"] == 0
        got = await live_server.api.auction(aid)
        for key in ("id", "lot_id", "status", "starting_price", "increment", "end_at", "current_price", "bid_count"):
            assert snapshot["auction"][key] == got[key], key
        assert set(got) <= set(snapshot["auction"])
        for i in range(6):
            r = await live_server.api.bid((alice, bob)[i % 2], aid, STARTING_PRICE + i * INCREMENT)
            assert r.status_code == 201, r.text
        bids = [await recv_type(ws, {"bid"}) for _ in range(6)]
    assert [b["seq"] for b in bids] == [1, 2, 3, 4, 5, 6]
    assert all(BID_KEYS <= set(b) for b in bids)
    assert [b["amount"] for b in bids] == [STARTING_PRICE + i * INCREMENT for i in range(6)]
    stored = await live_server.api.bids(aid)
    for sent, row in zip(bids, stored, strict=True):
        assert {k: sent[k] for k in ("seq", "amount", "bidder_code", "placed_at", "priority")} == {
            k: row[k] for k in ("seq", "amount", "bidder_code", "placed_at", "priority")
        }


async def test_watchers_in_step_get_bids_written_straight_to_their_sockets(live_server: Service) -> None:
    """Under the real server the bus writes each bid's frame to in-step watchers itself (frames.py);
    they see exactly what the ordinary path would send."""
    auction, (alice, bob) = await live_auction(live_server)
    aid = auction["id"]
    bus = live_server.app.state.services.events
    async with ws_connect(ws_url(live_server, aid)) as one, ws_connect(ws_url(live_server, aid)) as two:
        for ws in (one, two):
            assert (await recv(ws))["type"] == "snapshot"
        for _ in range(100):
            subs = list(bus.subscriptions(aid))
            if len(subs) == 2 and all(sub.direct for sub in subs):
                break
            await asyncio.sleep(0.01)
        assert len(subs) == 2 and all(sub.writer is not None and sub.direct for sub in subs)
        for i in range(4):
            assert (
                await live_server.api.bid((alice, bob)[i % 2], aid, STARTING_PRICE + i * INCREMENT)
            ).status_code == 201
        for ws in (one, two):
            got = [await recv_type(ws, {"bid"}) for _ in range(4)]
            assert [b["seq"] for b in got] == [1, 2, 3, 4]
            assert all(BID_KEYS <= set(b) for b in got)
        assert all(sub.direct and sub.order.last_seq == 4 for sub in bus.subscriptions(aid))


async def test_backlog_after_seq_and_unknown_auction(live_server: Service) -> None:
    auction, (alice, bob) = await live_auction(live_server)
    aid = auction["id"]
    for i in range(5):
        assert (await live_server.api.bid((alice, bob)[i % 2], aid, STARTING_PRICE + i * INCREMENT)).status_code == 201
    async with ws_connect(ws_url(live_server, aid, after_seq=2)) as ws:
        snapshot = await recv(ws)
        assert snapshot["type"] == "snapshot" and snapshot["seq"] == 5
        assert [(await recv_type(ws, {"bid"}))["seq"] for _ in range(3)] == [3, 4, 5]
    async with ws_connect(ws_url(live_server, aid)) as ws:  # no after_seq: no backlog
        assert (await recv(ws))["type"] == "snapshot"
        assert (await live_server.api.bid(alice, aid, STARTING_PRICE + 5 * INCREMENT)).status_code == 201
        assert (await recv_type(ws, {"bid"}))["seq"] == 6
    async with ws_connect(ws_url(live_server, 999_999)) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await recv(ws)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


async def test_resume_after_dropped_connection_under_concurrent_bidding(live_server: Service) -> None:
    auction, heads = await live_auction(live_server, bidders=4)
    aid = auction["id"]
    bidding = Bidding(live_server, aid, heads)
    stop = asyncio.Event()
    # The reader takes 120 bids over five connections. Of the four bidders' bids in flight the highest is
    # always accepted, so 4 x 120 attempts place at least 120 bids: the reader never waits for silence.
    bidder_task = asyncio.create_task(bidding.run(attempts=480, stop=stop))
    seen: list[int] = []
    last = 0
    try:
        for round_ in range(5):  # connect, read a few bids, drop the connection, resume with after_seq
            async with ws_connect(ws_url(live_server, aid, after_seq=last)) as ws:
                assert (await recv(ws))["type"] == "snapshot"
                for _ in range(10 + round_ * 7):
                    event = await recv_type(ws, {"bid"}, wait=60)
                    seen.append(event["seq"])
                    last = event["seq"]
                ws.transport.abort()  # dropped: no closing handshake (the server may be busy sending)
    finally:
        stop.set()
        await asyncio.wait_for(bidder_task, 60)
    total = (await live_server.api.auction(aid))["bid_count"]
    async with ws_connect(ws_url(live_server, aid, after_seq=last)) as ws:
        assert (await recv(ws))["type"] == "snapshot"
        while last < total:
            event = await recv_type(ws, {"bid"}, wait=5)
            seen.append(event["seq"])
            last = event["seq"]
    assert total >= 20
    assert seen == list(range(1, total + 1)), "every bid exactly once, in order, across reconnects"


async def test_bids_over_the_socket(live_server: Service) -> None:
    auction, (alice, bob) = await live_auction(live_server)
    aid = auction["id"]
    async with ws_connect(ws_url(live_server, aid, token=token_of(alice))) as ws:
        assert (await recv(ws))["type"] == "snapshot"
        await ws.send(orjson.dumps({"type": "bid", "amount": STARTING_PRICE, "request_id": "r1"}).decode())
        result = await recv_type(ws, {"bid_result"})
        assert result["request_id"] == "r1" and result["ok"] is True and result["seq"] == 1
        await ws.send(orjson.dumps({"type": "bid", "amount": STARTING_PRICE, "request_id": "r2"}).decode())
        refused = await recv_type(ws, {"bid_result"})
        assert refused["request_id"] == "r2" and refused["ok"] is False and refused["code"] == "bid_too_low"
        assert refused["message"]
        # idempotency: the same key and amount replays the original result and places nothing
        for request_id in ("k1", "k2"):
            msg = {"type": "bid", "amount": STARTING_PRICE + INCREMENT, "request_id": request_id}
            await ws.send(orjson.dumps(msg | {"idempotency_key": "same-key"}).decode())
        first, second = await recv_type(ws, {"bid_result"}), await recv_type(ws, {"bid_result"})
        assert first["ok"] and second["ok"] and first["seq"] == second["seq"] == 2
        # the same key through HTTP: same code path, same semantics
        r = await live_server.api.bid(alice, aid, STARTING_PRICE + INCREMENT, **{"Idempotency-Key": "same-key"})
        assert r.status_code == 201 and r.json()["seq"] == 2

    async with ws_connect(ws_url(live_server, aid)) as ws:  # anonymous, then authenticated by message
        assert (await recv(ws))["type"] == "snapshot"
        await ws.send(orjson.dumps({"type": "bid", "amount": STARTING_PRICE + 9 * INCREMENT, "request_id": 7}).decode())
        refused = await recv_type(ws, {"bid_result"})
        assert refused == refused | {"request_id": 7, "ok": False, "code": "unauthorized"}
        await ws.send(orjson.dumps({"type": "auth", "token": "not-a-token"}).decode())
        assert (await recv_type(ws, {"auth_result"}))["ok"] is False
        await ws.send(orjson.dumps({"type": "auth", "token": token_of(bob)}).decode())
        assert (await recv_type(ws, {"auth_result"}))["ok"] is True
        await ws.send(orjson.dumps({"type": "bid", "amount": STARTING_PRICE + 2 * INCREMENT, "request_id": 8}).decode())
        result, event = await _result_and_event(ws)
        assert result["request_id"] == 8 and result["ok"] is True and result["seq"] == event["seq"] == 3
        for key in BID_KEYS - {"type"}:
            assert result[key] == event[key], key
    assert [b["seq"] for b in await live_server.api.bids(aid)] == [1, 2, 3]


async def _result_and_event(ws) -> tuple[dict, dict]:
    """The bid_result and the bid event of one bid, whichever comes first."""
    result = event = None
    while result is None or event is None:
        message = await recv_type(ws, {"bid_result", "bid"})
        if message["type"] == "bid":
            event = message
        else:
            result = message
    return result, event


async def test_malformed_messages_get_error_frames(live_server: Service) -> None:
    auction, (alice, _bob) = await live_auction(live_server)
    aid = auction["id"]
    async with ws_connect(ws_url(live_server, aid, token=token_of(alice))) as ws:
        assert (await recv(ws))["type"] == "snapshot"
        for raw, code in [
            ("not json", "invalid_json"),
            ("[1, 2]", "invalid_message"),
            ('{"no": "type"}', "invalid_message"),
            ('{"type": "launch"}', "unknown_type"),
            ('{"type": "bid", "amount": 1}' + " " * 5000, "message_too_large"),
            (b"\x00\xff binary", "invalid_json"),
        ]:
            await ws.send(raw)
            error = await recv_type(ws, {"error"})
            assert error["code"] == code and error["message"], raw
        for bad in ("12", 1.5, True, None, 0, 10**16):
            await ws.send(orjson.dumps({"type": "bid", "amount": bad, "request_id": "x"}).decode())
            result = await recv_type(ws, {"bid_result"})
            assert result["ok"] is False and result["code"] == "validation_error", bad
        await ws.send('{"type": "ping"}')
        assert (await recv_type(ws, {"pong"}))["type"] == "pong"
    async with ws_connect(ws_url(live_server, aid, after_seq="abc")) as ws:
        assert (await recv(ws))["code"] == "invalid_after_seq"
        with pytest.raises(ConnectionClosed) as closed:
            await recv(ws)
        assert closed.value.rcvd.code == 4400


async def test_watchers_and_registrations_are_pushed(live_server: Service) -> None:
    auction, _heads = await live_auction(live_server)
    aid = auction["id"]
    async with ws_connect(ws_url(live_server, aid)) as first:
        assert (await recv(first))["type"] == "snapshot"
        async with ws_connect(ws_url(live_server, aid)) as second:
            snapshot = await recv(second)
            assert snapshot["auction"]["watchers"] == 2
            for _ in range(5):
                counter = await recv_type(first, {"watchers"}, wait=5)
                if counter["count"] == 2:
                    break
            assert counter["count"] == 2
            newcomer = await live_server.api.bidder()
            await live_server.api.register(newcomer, aid)
            registrations = await recv_type(second, {"registrations"})
            assert registrations["count"] == 3
        for _ in range(5):
            counter = await recv_type(first, {"watchers"}, wait=5)
            if counter["count"] == 1:
                break
        assert counter["count"] == 1


async def test_a_slow_consumer_is_dropped_and_never_delays_others(own_server) -> None:
    service, server = own_server
    auction, heads = await live_auction(service, bidders=4)
    aid = auction["id"]
    bus = service.services.events
    bus.queue_size = 64
    # The slow client never reads: a tiny receive buffer and a client-side queue of one message.
    slow_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    slow_sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    slow_sock.connect(("127.0.0.1", int(service.base_url.rsplit(":", 1)[1])))
    slow_sock.setblocking(False)
    async with (
        ws_connect(ws_url(service, aid), sock=slow_sock, max_queue=1, ping_interval=None) as slow,
        ws_connect(ws_url(service, aid)) as fast,
    ):
        assert (await recv(fast))["type"] == "snapshot"
        # Loopback buffers grow to megabytes; shrink the server's side of the slow client's connection
        # (a constrained link) so that "stopped reading" shows within a few hundred events.
        for _ in range(100):
            protocols = [p for p in server.server_state.connections if p.client[1] == slow_sock.getsockname()[1]]
            if protocols and bus.local_watchers(aid) == 2:
                break
            await asyncio.sleep(0.02)
        (protocol,) = protocols
        protocol.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        protocol.transport.set_write_buffer_limits(high=4096)
        received: list[int] = []

        async def read_fast() -> None:
            while True:
                event = await recv_type(fast, {"bid"}, wait=30)
                received.append(event["seq"])

        reader = asyncio.create_task(read_fast())
        stop = asyncio.Event()
        bidding = Bidding(service, aid, heads)
        bids = asyncio.create_task(bidding.run(attempts=5000, stop=stop))
        drained: asyncio.Task | None = None
        try:
            for _ in range(1200):  # until the slow watcher is dropped (bounded: 60 s)
                if bus.local_watchers(aid) == 1 or bids.done():
                    break
                await asyncio.sleep(0.05)
            assert bus.local_watchers(aid) == 1, "the slow consumer was not dropped"
            drained = asyncio.create_task(drain(slow))  # it reads now: the buffered events, then 1013
            for _ in range(50):  # bidding goes on after the drop
                if bidding.attempts > len(received) + 100:
                    break
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await asyncio.wait_for(bids, 60)
        total = (await service.api.auction(aid))["bid_count"]
        for _ in range(400):
            if received and received[-1] >= total:
                break
            await asyncio.sleep(0.05)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        assert total > bus.queue_size
        assert received == list(range(1, total + 1)), "the fast watcher got every bid, in order"
        assert drained is not None
        closed = await asyncio.wait_for(drained, 30)
        assert closed.rcvd is not None and closed.rcvd.code == 1013, closed


async def drain(ws) -> ConnectionClosed:
    """Read until the connection closes; the ConnectionClosed that ended it."""
    try:
        while True:
            await ws.recv()
    except ConnectionClosed as closed:
        return closed


async def test_lifespan_close_all_closes_sockets_with_1001(live_server: Service) -> None:
    auction, _ = await live_auction(live_server)
    async with ws_connect(ws_url(live_server, auction["id"])) as ws:
        assert (await recv(ws))["type"] == "snapshot"
        await asyncio.wait_for(live_server.services.events.close_all(), 5)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await recv(ws, wait=5)
        assert closed.value.rcvd.code == 1001


@pytest.fixture
async def own_server(db_url: str, rules: str) -> AsyncIterator[tuple[Service, LiveServer]]:
    """Like ``live_server`` but served by ``LiveServer`` (what ``auction-service serve`` runs)."""
    import httpx

    clock = ManualClock(START)
    app = create_app(make_settings(db_url, rules), clock=clock, migrate_on_start=False, web_root=WEB_ROOT)
    config = server_config(app, "127.0.0.1", 0)
    server = LiveServer(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as client:
        yield Service(app, clock, client, base), server
    server.should_exit = True
    await asyncio.wait_for(task, timeout=15)


async def test_server_shutdown_closes_sockets_promptly_with_1001(own_server) -> None:
    service, server = own_server
    auction, _ = await live_auction(service)
    async with (
        ws_connect(ws_url(service, auction["id"])) as one,
        ws_connect(ws_url(service, auction["id"])) as two,
    ):
        for ws in (one, two):
            assert (await recv(ws))["type"] == "snapshot"
        loop = asyncio.get_running_loop()
        began = loop.time()
        server.should_exit = True
        codes = []
        for ws in (one, two):
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await recv(ws, wait=5)
            codes.append(closed.value.rcvd.code)
        assert codes == [1001, 1001]
        assert loop.time() - began < 5
