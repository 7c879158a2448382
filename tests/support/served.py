"""The service on a real uvicorn server on 127.0.0.1, for tests that bring their own database (a private
PostgreSQL they stop and start): the same stack as the ``live_server`` fixture and ``serve``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx

from auction_service.app import create_app
from auction_service.clock import ManualClock
from auction_service.live.serving import LiveServer, server_config
from tests.conftest import LOOPBACK_TIMEOUT, START, Service, make_settings


@contextlib.asynccontextmanager
async def served(
    db_url: str, rules: str = "judicial-2016", *, connections: int = 100, **overrides: str
) -> AsyncIterator[Service]:
    """The app on ``db_url`` (already migrated), a ManualClock at ``tests.conftest.START``, served by
    uvicorn on an ephemeral loopback port; an httpx client on it (``connections``: its pool size).
    ``overrides``: settings changed for this server (``rate_limit_*`` in the flood tests). Stops the
    server on the way out."""
    clock = ManualClock(START)
    settings = make_settings(db_url, rules, **overrides)
    app = create_app(settings, clock=clock, migrate_on_start=False)
    server = LiveServer(server_config(app, "127.0.0.1", 0, settings, lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(1000):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        pool = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=base, timeout=LOOPBACK_TIMEOUT, trust_env=False, limits=pool) as client:
            yield Service(app, clock, client, base)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)
