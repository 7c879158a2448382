"""Rate limits: one limiter (the ``limits`` library, moving windows) for every transport.

Why one: a bidder's bids count the same whether they come over HTTP or the live feed, and so do the
limits of every other kind; the transports ask this module, which keeps the counters in memory for one
process or on Redis (``AUCTION_REDIS_URL``) so that several service processes share them. A refusal is
``RuleViolation`` of kind ``RATE_LIMITED`` (HTTP 429 ``rate_limited`` with ``Retry-After``; a
``bid_result`` with that code on the socket).

What is limited (``config.Settings``, ``rate_limit_*``): every login per address and per account, right
or wrong, before any password is hashed; failed logins per account *from one address* (the lock is that
address's alone) and per address (which slows the address down rather than locking a shared NAT out);
sign-ups per address; bids and registrations per bidder; live-feed
connections opened per address. The bid path's check is one in-memory fixed-window hit (a few
microseconds, ``docs/reliability.md``); the others count in moving windows.
"""

from __future__ import annotations

import asyncio
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
# How long a login from an address past its failed logins waits before its password is checked.
LOGIN_SLOWDOWN_SECONDS = 2.0


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
        self.login_attempts_address = parse_limits(settings.rate_limit_login_attempts_address)
        self.login_attempts_account = parse_limits(settings.rate_limit_login_attempts_account)
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
        """Before any password is hashed: counts this attempt, right or wrong, and refuses it (429) when

        * this address has made too many logins of any kind (``rate_limit_login_attempts_address``), or
        * this account has been tried too often from anywhere (``rate_limit_login_attempts_account``) and
          this address has failed on it lately: the owner's own address, which has not, still gets in;
        * this address has failed on this account too often (``rate_limit_login_account``): the lock
          is the failing address's alone, so a stranger's guesses never lock the owner out.

        An address past its failed logins over all accounts (``rate_limit_login_address``, password
        spraying) is slowed, not refused: each of its logins waits ``LOGIN_SLOWDOWN_SECONDS`` first, so
        a shared NAT behind it still signs in."""
        if not self.enabled:
            return
        await self._hit(self.login_attempts_address, "login-attempts-address", address, "logins from this address")
        pair = f"{username.lower()}|{address}"
        failed_here = await self._failures(self.login_account, "login-failed-pair", pair)
        if failed_here:
            for item in self.login_account:
                if not await self._safe(self.limiter.test(item, "login-failed-pair", pair), True):
                    await self._refuse(item, "login-failed-pair", pair, "failed logins for this account")
        for item in self.login_attempts_account:
            if not await self._safe(self.limiter.hit(item, "login-attempts-account", username.lower()), True):
                if failed_here:
                    await self._refuse(item, "login-attempts-account", username.lower(), "logins to this account")
        for item in self.login_address:
            if not await self._safe(self.limiter.test(item, "login-failed-address", address), True):
                await asyncio.sleep(LOGIN_SLOWDOWN_SECONDS)
                break

    async def login_failed(self, address: str, username: str) -> None:
        """A wrong username or password: counts against this address on this account, and this address."""
        if not self.enabled:
            return
        pair = f"{username.lower()}|{address}"
        for item in self.login_account:
            await self._safe(self.limiter.hit(item, "login-failed-pair", pair), True)
        for item in self.login_address:
            await self._safe(self.limiter.hit(item, "login-failed-address", address), True)

    async def _failures(self, items: list[RateLimitItem], namespace: str, key: str) -> bool:
        """Whether ``key`` has any failure counted in the windows of ``items``."""
        for item in items:
            stats = await self._safe(self.limiter.get_window_stats(item, namespace, key), None)
            if stats is not None and stats.remaining < item.amount:
                return True
        return False

    # ------------------------------------------------------------------ plumbing
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
