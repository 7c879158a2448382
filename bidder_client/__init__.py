"""The bidder side of the platform: the web client (``web/``) and the async Python client library
(``AuctionClient``, in ``client``). The market simulator is a package of its own (``auction_sim``).

Importing the package is light: the client library (httpx, websockets) loads on first use of one of
its names, so serving the web client's files needs neither."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import ApiError, AuctionClient, FeedClosed, LiveConnection

WEB_ROOT = Path(__file__).resolve().parent / "web"  # the web client's static files, served by the service

_CLIENT_NAMES = frozenset({"ApiError", "AuctionClient", "FeedClosed", "LiveConnection"})

__all__ = ["WEB_ROOT", "ApiError", "AuctionClient", "FeedClosed", "LiveConnection"]


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
