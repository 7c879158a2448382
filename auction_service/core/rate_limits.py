"""Rate limits: one limiter (the ``limits`` library, moving windows) for every transport.

Why one: a bidder's bids count the same whether they come over HTTP or the live feed, and so do the
limits of every other kind; the transports ask this module, which keeps the counters in memory for one
process or on Redis (``AUCTION_REDIS_URL``) so that several service processes share them. A refusal is
``RuleViolation`` of kind ``RATE_LIMITED`` (HTTP 429 ``rate_limited`` with ``Retry-After``; a
``bid_result`` with that code on the socket).

What is limited (``config.Settings``, ``rate_limit_*``): failed logins per account and per address
(a correct password never counts, so a load test logging in hundreds of bidders from one address is not
slowed, while guessing is); sign-ups per address; bids and registrations per bidder; live-feed
connections opened per address. The bid path's check is one in-memory fixed-window hit (a few
microseconds, ``docs/reliability.md``); the others count in moving windows.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter

from auction_rules.errors import rate_limited

from ..config import Settings

log = logging.getLogger(__name__)


def parse_limits(spec: str) -> list[RateLimitItem]:
    """``"25/second;600/minute"`` as ``limits`` items (ValueError on a malformed string)."""
    return list(parse_many(spec))


def storage_for(redis_url: str | None, database_url: str) -> Storage:
    """Counters in this process, or on Redis. On Redis they are kept under a prefix naming the database:
    the processes of one service (one database) share them, another service on the same Redis (a test
    run, a second deployment) does not."""
    if not redis_url:
        return MemoryStorage()
    scheme, _, rest = redis_url.partition("://")
    deployment = hashlib.sha256(database_url.encode()).hexdigest()[:12]
    return RedisStorage(f"async+{scheme}://{rest}", implementation="redispy", key_prefix=f"auction-limits-{deployment}")


class RateLimits:
    """The service's limits, built in the lifespan (``Services.limits``)."""

    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.enabled = settings.rate_limits
        self.storage = storage or storage_for(settings.redis_url, settings.database_url)
        self.limiter = MovingWindowRateLimiter(self.storage)
        # Bids, the hot path, count in fixed windows: one counter per bidder instead of a list of
        # timestamps (a third cheaper at bot rates, measured); a burst across a window's edge may reach
        # twice the limit for an instant, which a per-second bid limit can afford.
        self.bid_limiter = FixedWindowRateLimiter(self.storage)
        self.login_account = parse_limits(settings.rate_limit_login_account)
        self.login_address = parse_limits(settings.rate_limit_login_address)
        self.sign_up_address = parse_limits(settings.rate_limit_sign_up)
        self.bids = parse_limits(settings.rate_limit_bids)
        self.registrations = parse_limits(settings.rate_limit_registrations)
        self.live_connections = parse_limits(settings.rate_limit_live_connections)
        self._storage_failed_at = 0.0

    # ------------------------------------------------------------------ what the transports ask
    async def bid(self, account_id: int) -> None:
        """One bid by this bidder (HTTP or the live feed); refused beyond ``rate_limit_bids``."""
        if self.enabled:
            await self._hit(self.bids, "bid", str(account_id), "bids", self.bid_limiter)

    async def registration(self, account_id: int) -> None:
        if self.enabled:
            await self._hit(self.registrations, "registration", str(account_id), "registrations")

    async def sign_up(self, address: str) -> None:
        if self.enabled:
            await self._hit(self.sign_up_address, "sign-up", address, "sign-ups from this address")

    async def live_connection(self, address: str) -> None:
        if self.enabled:
            await self._hit(self.live_connections, "live", address, "live-feed connections from this address")

    async def login_allowed(self, address: str, username: str) -> None:
        """Before checking a password: refused while this account or this address has used up its
        failed attempts (the check itself counts nothing)."""
        if not self.enabled:
            return
        for items, namespace, key, what in self._login_keys(address, username):
            for item in items:
                if not await self._safe(self.limiter.test(item, namespace, key), True):
                    await self._refuse(item, namespace, key, what)

    async def login_failed(self, address: str, username: str) -> None:
        """A wrong username or password: counts against the account and the address."""
        if not self.enabled:
            return
        for items, namespace, key, _what in self._login_keys(address, username):
            for item in items:
                await self._safe(self.limiter.hit(item, namespace, key), True)

    # ------------------------------------------------------------------ plumbing
    def _login_keys(self, address: str, username: str) -> list[tuple[list[RateLimitItem], str, str, str]]:
        return [
            (self.login_account, "login-account", username.lower(), "failed logins for this account"),
            (self.login_address, "login-address", address, "failed logins from this address"),
        ]

    async def _hit(
        self, items: list[RateLimitItem], namespace: str, key: str, what: str, limiter: RateLimiter | None = None
    ) -> None:
        limiter = limiter or self.limiter
        for item in items:
            if not await self._safe(limiter.hit(item, namespace, key), True):
                await self._refuse(item, namespace, key, what, limiter)

    async def _refuse(
        self, item: RateLimitItem, namespace: str, key: str, what: str, limiter: RateLimiter | None = None
    ) -> None:
        stats = await self._safe((limiter or self.limiter).get_window_stats(item, namespace, key), None)
        wait = max(1, math.ceil(stats.reset_time - time.time())) if stats is not None else 1
        raise rate_limited(f"too many {what} (at most {item}); retry in {wait} s", retry_after=wait)

    async def _safe(self, call, fallback):
        """The limiter's answer, or ``fallback`` when its storage (Redis) fails: a broken counter store
        must not stop bidding, so the limits are not applied until it is back (logged once a minute)."""
        try:
            return await call
        except Exception as exc:
            now = time.monotonic()
            if now - self._storage_failed_at > 60:
                self._storage_failed_at = now
                log.warning("rate limits not applied: their storage failed (%s)", exc)
            return fallback

    async def reset(self) -> None:
        """Forget every counter (tests; an operator clearing a lockout)."""
        await self.storage.reset()
