"""The bidder side of the platform: the web client (``web/``) and the async Python client library
(``AuctionClient``) used by bots, load tests and scripts."""

from .client import ApiError, AuctionClient, FeedClosed, LiveConnection

__all__ = ["ApiError", "AuctionClient", "FeedClosed", "LiveConnection"]
