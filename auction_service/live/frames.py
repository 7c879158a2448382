"""Live events written to many watchers as pre-built websocket frames, straight to each connection.

Why: a bid on a watched auction is one event for a thousand watchers. Sent the ordinary way, every
copy wakes that watcher's task and goes through Starlette's ``WebSocket.send`` and uvicorn's ASGI
``send`` (~12 µs of CPU each, measured), so 200 bids/s to 1,000 watchers needed more than this
machine's two cores. A server-to-client frame is not masked, so the frame for an event is the same
bytes for every watcher: it is built once (``text_frame``) and written to each watcher's transport
by the bus in one pass, with no task switch per watcher.

``FeedProtocol`` is uvicorn's websockets-sansio protocol plus one ASGI scope extension,
``"auction.frames"``: an object with ``write(data) -> bool`` that writes already-built frames when the
connection is open and its transport is not applying back-pressure (otherwise it writes nothing and
returns False, and the event takes the ordinary, awaiting path). Frames written this way are whole
frames, and so are those uvicorn writes for ordinary sends (its ``send`` writes a frame without
yielding), so they never interleave inside a frame. Under any other server (the in-process test
client, say) the extension is absent and every event takes the ordinary path.

The subclass leans on uvicorn internals (the protocol's attributes read by ``_Writer``), so it is used
only on the uvicorn versions it was written against (``FEED_PROTOCOL_UVICORN``; ``pyproject.toml`` caps
uvicorn below the next minor). On any other uvicorn ``feed_protocol()`` answers None and the server runs
plain websockets-sansio: the same feed, every event on the ordinary path.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from typing import Any, Protocol

import uvicorn

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # a uvicorn that moved or dropped it: the server runs its default websockets
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]

SCOPE_EXTENSION = "auction.frames"
# [first, last) uvicorn versions whose websockets-sansio protocol has every attribute _Writer reads
# (``disconnected`` arrived in 0.53).
FEED_PROTOCOL_UVICORN = ((0, 53), (0, 55))


class FrameWriter(Protocol):
    def write(self, data: bytes) -> bool: ...


def text_frame(payload: bytes) -> bytes:
    """One unfragmented, unmasked text frame (RFC 6455 §5.2) carrying ``payload`` (UTF-8)."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


class _Writer:
    """The extension object handed to the app: writes frames if (and only if) that is safe now."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: FeedProtocol) -> None:
        self._protocol = protocol

    def write(self, data: bytes) -> bool:
        p = self._protocol
        if (
            not p.handshake_complete
            or p.close_sent
            or p.disconnected
            or p.initial_response is not None
            or not p.writable.is_set()
            or p.transport.is_closing()
        ):
            return False
        p.transport.write(data)
        return True


if WebSocketsSansIOProtocol is not None:

    class FeedProtocol(WebSocketsSansIOProtocol):
        """uvicorn's websockets-sansio protocol offering the ``auction.frames`` scope extension."""

        def handle_connect(self, event: Any) -> None:
            super().handle_connect(event)
            scope = getattr(self, "scope", None)
            if scope is not None and not self.close_sent:
                # The app's task was created but has not run yet: it sees the extension.
                scope["extensions"][SCOPE_EXTENSION] = _Writer(self)

else:  # pragma: no cover - only on a uvicorn without websockets-sansio
    FeedProtocol = None  # type: ignore[assignment,misc]


def _version(text: str) -> tuple[int, int]:
    """(major, minor) of a version string such as ``0.54.0`` or ``0.55.0rc1``."""
    major, _, rest = text.partition(".")
    minor = re.match(r"[0-9]*", rest).group()  # type: ignore[union-attr]
    return (int(major), int(minor or 0))


def feed_protocol(uvicorn_version: str = uvicorn.__version__) -> type | None:
    """``FeedProtocol`` when this uvicorn is one it was written against, else None (plain websockets)."""
    first, last = FEED_PROTOCOL_UVICORN
    if FeedProtocol is None or not first <= _version(uvicorn_version) < last:
        return None
    return FeedProtocol


def frame_writer(scope: Mapping[str, Any]) -> FrameWriter | None:
    """The connection's frame writer, when the server offers one."""
    return (scope.get("extensions") or {}).get(SCOPE_EXTENSION)
