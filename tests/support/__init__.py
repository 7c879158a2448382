"""What the tests share: an API client that speaks the public contract (``api``), ready-made scenes
(``scenes``: an auction with its clerk and bidders, moving the clock), and live-feed helpers (``live``)."""

from .api import Api, parse_time

__all__ = ["Api", "parse_time"]
