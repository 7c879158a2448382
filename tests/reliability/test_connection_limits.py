"""Bounded connections (``live/connection_limits.py``, ``live/ws.py``), over raw sockets against the real
server on 127.0.0.1: a head too large or with too many headers is refused 431 and closed; a head that
trickles is answered 408 and closed; a body shorter than its Content-Length does not hold the connection
forever; one address holds at most so many connections and live-feed sockets, an account so many
authenticated sockets. Every bound here is set low in the test's settings, and every read has a deadline
(``WAIT`` in ``tests/support/connections.py``) far above the bound it checks: on a server without the
bound the read times out instead."""

from __future__ import annotations

import asyncio
import contextlib

import orjson
import pytest

from tests.support.connections import exchange, refused_socket
from tests.support.live import recv, token_of, ws_connect, ws_url
from tests.support.scenes import scene
from tests.support.served import served

pytestmark = pytest.mark.realtime

BOUNDS = {
    "max_header_bytes": "16384",
    "max_headers": "50",
    "header_timeout_seconds": "1",
    "body_timeout_seconds": "1",
    "max_connections_per_address": "8",
    "max_websockets_per_address": "3",
    "max_websockets_per_account": "2",
}


def port_of(svc) -> int:
    return int(svc.base_url.rsplit(":", 1)[1])


async def test_a_head_too_large_or_with_too_many_headers_is_refused_431(db_url) -> None:
    async with served(db_url, **BOUNDS) as svc:
        port = port_of(svc)
        huge = b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Filler: " + b"a" * (1024 * 1024) + b"\r\n\r\n"
        assert (await exchange(port, huge)).startswith(b"HTTP/1.1 431")
        many = b"GET /livez HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(60)) + b"\r\n"
        assert (await exchange(port, many)).startswith(b"HTTP/1.1 431")
        fine = b"GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        assert (await exchange(port, fine)).startswith(b"HTTP/1.1 200")


async def test_a_trickling_head_is_answered_408_and_a_short_body_does_not_hold_the_connection(db_url) -> None:
    async with served(db_url, **BOUNDS) as svc:
        port = port_of(svc)
        head = b"GET /livez HTTP/1.1\r\nHost: x\r\n"  # never finished
        assert (await exchange(port, head[:10], head[10:], pause=0.2)).startswith(b"HTTP/1.1 408")
        short = (
            b"POST /api/v1/bidders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n" + b'{"username"'
        )
        answer = await exchange(port, short)  # the connection ends (closed) instead of waiting forever
        assert b" 201 " not in answer


async def test_one_address_holds_a_bounded_number_of_connections(db_url) -> None:
    async with served(db_url, **BOUNDS) as svc:
        port = port_of(svc)
        idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(8)]
        try:
            await asyncio.sleep(0.2)
            refused = await exchange(port, b"GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert refused.startswith(b"HTTP/1.1 503")
        finally:
            for _, writer in idle:
                writer.close()
        await asyncio.sleep(0.2)
        fine = await exchange(port, b"GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert fine.startswith(b"HTTP/1.1 200")  # the count goes down as connections close


async def test_live_feed_sockets_are_bounded_per_address_and_per_account(db_url) -> None:
    async with served(db_url, **BOUNDS) as svc:
        s = await scene(svc, bidders=1)
        token = token_of(s.bidders[0])
        async with contextlib.AsyncExitStack() as stack:
            for _ in range(2):
                ws = await stack.enter_async_context(ws_connect(ws_url(svc, s.id, token=token)))
                assert (await recv(ws))["type"] == "snapshot"
            await refused_socket(ws_url(svc, s.id, token=token))  # a third socket of the same account
            anonymous = await stack.enter_async_context(ws_connect(ws_url(svc, s.id)))
            assert (await recv(anonymous))["type"] == "snapshot"
            await refused_socket(ws_url(svc, s.id))  # a fourth socket from the address
            await anonymous.send(orjson.dumps({"type": "auth", "token": token}).decode())
            answer = await recv(anonymous)
            while answer["type"] != "auth_result":
                answer = await recv(anonymous)
            assert answer["ok"] is False and answer["code"] == "rate_limited"
