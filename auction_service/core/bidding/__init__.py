"""The bidding machinery: the pure book, the asyncio engine that drives it, its events, the
lifecycle (open, close, suspend, resume, withdraw) and the scheduler of due transitions."""
