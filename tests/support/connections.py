"""Raw connections for the connection-limit tests: an exchange over a bare TCP socket, read until the
server closes it, and a live-feed socket the server must refuse. Every read has a deadline (``WAIT``) far
above the bounds the tests set: on a server without the bound the read times out instead."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from websockets.exceptions import ConnectionClosed

from .live import recv, ws_connect

WAIT = 20.0


async def exchange(port: int, *chunks: bytes, pause: float = 0.0) -> bytes:
    """Send ``chunks`` (``pause`` seconds apart) and read until the server closes; what it answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for chunk in chunks:
            writer.write(chunk)
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            await asyncio.sleep(pause)
        answer = b""
        async with asyncio.timeout(WAIT):
            while chunk := await reader.read(65536):
                answer += chunk
        return answer
    except ConnectionError:
        return answer if "answer" in locals() else b""
    finally:
        writer.close()


async def refused_socket(url: str) -> None:
    """A live-feed socket at ``url`` is refused for a cap: an ``error`` ``rate_limited``, then close 4429."""
    async with ws_connect(url) as ws:
        message = await recv(ws)
        assert message["type"] == "error" and message["code"] == "rate_limited", message
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), WAIT)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
