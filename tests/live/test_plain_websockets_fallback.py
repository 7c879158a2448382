"""The live feed on a uvicorn that ``FeedProtocol`` was not written against: the server runs plain
websockets-sansio and every event takes the ordinary path, with the same messages (frames.py)."""

from __future__ import annotations

import asyncio
import re
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from auction_service.app import create_app
from auction_service.clock import ManualClock
from auction_service.live import frames
from auction_service.live.serving import LiveServer, server_config
from bidder_client import WEB_ROOT
from tests.conftest import START, Service, make_settings
from tests.support.live import BID_KEYS, INCREMENT, STARTING_PRICE, live_auction, recv, recv_type, ws_connect, ws_url

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


@pytest.fixture
def rules() -> str:
    return "sandbox"


def test_feed_protocol_only_on_the_uvicorn_versions_it_was_written_for() -> None:
    assert frames.feed_protocol("0.54.0") is frames.FeedProtocol
    assert frames.feed_protocol("0.53.1") is frames.FeedProtocol
    for other in ("0.52.0", "0.35.0", "0.55.0", "0.55.0rc1", "1.0.0"):
        assert frames.feed_protocol(other) is None, other


def test_the_uvicorn_pin_matches_the_range_feed_protocol_was_written_for() -> None:
    """pyproject caps uvicorn where FeedProtocol stops being known to work, and this uvicorn is inside."""
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    (pin,) = [d for d in dependencies if d.startswith("uvicorn")]
    cap = re.search(r"<\s*([0-9]+)\.([0-9]+)", pin)
    assert cap, f"uvicorn has no upper bound in pyproject.toml: {pin}"
    assert (int(cap[1]), int(cap[2])) == frames.FEED_PROTOCOL_UVICORN[1]
    assert frames.feed_protocol(uvicorn.__version__) is frames.FeedProtocol


@pytest.fixture
async def plain_server(db_url: str, rules: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Service]:
    """The service on a real uvicorn as ``serve`` builds it, with this uvicorn taken for an unknown one."""
    monkeypatch.setattr(frames, "FEED_PROTOCOL_UVICORN", ((99, 0), (99, 1)))
    clock = ManualClock(START)
    app = create_app(make_settings(db_url, rules), clock=clock, migrate_on_start=False, web_root=WEB_ROOT)
    config = server_config(app, "127.0.0.1", 0, lifespan="on")
    assert config.ws == "websockets-sansio"
    server = LiveServer(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as client:
        yield Service(app, clock, client, base)
    server.should_exit = True
    await asyncio.wait_for(task, timeout=15)


async def test_plain_websockets_deliver_the_same_feed(plain_server: Service) -> None:
    auction, (alice, bob) = await live_auction(plain_server)
    aid = auction["id"]
    bus = plain_server.app.state.services.events
    async with ws_connect(ws_url(plain_server, aid)) as one, ws_connect(ws_url(plain_server, aid)) as two:
        for ws in (one, two):
            assert (await recv(ws))["type"] == "snapshot"
        for _ in range(100):
            subs = list(bus.subscriptions(aid))
            if len(subs) == 2:
                break
            await asyncio.sleep(0.01)
        assert len(subs) == 2 and all(sub.writer is None for sub in subs)  # no frames extension offered
        for i in range(4):
            amount = STARTING_PRICE + i * INCREMENT
            assert (await plain_server.api.bid((alice, bob)[i % 2], aid, amount)).status_code == 201
        for ws in (one, two):
            got = [await recv_type(ws, {"bid"}) for _ in range(4)]
            assert [b["seq"] for b in got] == [1, 2, 3, 4]
            assert all(BID_KEYS <= set(b) for b in got)
