"""A uvicorn server that closes live-feed sockets with 1001 ("going away") on shutdown.

Why: on shutdown uvicorn itself closes every websocket with 1012 *before* the app's lifespan shutdown
runs, so the lifespan never gets to say goodbye. This server asks the app's bus to close the live
connections first (clients see 1001 and resume with ``after_seq``), then shuts down as usual.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

import uvicorn

from ..config import Settings
from .connection_limits import ConnectionLimits, bounded_protocol
from .frames import feed_protocol

log = logging.getLogger(__name__)

# Keepalive for websockets: a ping every 20 s, and a connection whose peer does not answer within
# 20 s is dropped (uvicorn's websockets-sansio implementation does the pinging).
WS_PING_INTERVAL = 20.0
WS_PING_TIMEOUT = 20.0
# The largest websocket message the protocol accepts (uvicorn's default is 16 MiB, read in full before
# the app could refuse it): a client's messages are tiny JSON (``live/ws.py`` answers anything above
# 4 KiB with an error), so a larger one closes the connection with 1009 before it is buffered.
WS_MAX_MESSAGE_BYTES = 64 * 1024


def connection_limits(settings: Settings | None) -> ConnectionLimits:
    """The bounds on one connection from the service's settings (the defaults without them)."""
    if settings is None:
        return ConnectionLimits()
    return ConnectionLimits(
        max_header_bytes=settings.max_header_bytes,
        max_headers=settings.max_headers,
        header_timeout=settings.header_timeout_seconds,
        body_timeout=settings.body_timeout_seconds,
        per_address=settings.max_connections_per_address,
    )


def server_config(app: Any, host: str, port: int, settings: Settings | None = None, **overrides: Any) -> uvicorn.Config:
    """The uvicorn settings the service runs with (``serve`` and the tests' real servers alike).
    ``settings``: the bounds on connections (``live/connection_limits.py``); the defaults without."""
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "loop": "uvloop",
        # httptools with bounds on heads, bodies' pauses and connections per address
        "http": bounded_protocol(connection_limits(settings)),
        "limit_concurrency": (settings.max_connections or None) if settings is not None else None,
        # websockets-sansio plus pre-built frames written straight to watchers (frames.py); on a uvicorn
        # FeedProtocol was not written against, plain websockets-sansio (every event the ordinary way)
        "ws": feed_protocol() or "websockets-sansio",
        "ws_ping_interval": WS_PING_INTERVAL,
        "ws_ping_timeout": WS_PING_TIMEOUT,
        # Live events are ~200-byte JSON sent to many watchers: compressing each copy per connection
        # costs more CPU than the bytes it saves.
        "ws_per_message_deflate": False,
        "ws_max_size": WS_MAX_MESSAGE_BYTES,
    }
    return uvicorn.Config(app, **(options | overrides))


class LiveServer(uvicorn.Server):
    """``uvicorn.Server`` whose shutdown starts by closing the app's live-feed connections."""

    close_timeout = 5.0

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        services = getattr(getattr(self.config.app, "state", None), "services", None)
        bus = getattr(services, "events", None)
        if bus is not None:
            try:
                await bus.close_all(wait_seconds=self.close_timeout)
            except Exception:
                log.exception("closing live connections failed")
        await super().shutdown(sockets)
