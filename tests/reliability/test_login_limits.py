"""Logins that cannot be used against anyone (``core/rate_limits.py``, ``core/password_pool.py``):

* every login counts, right or wrong, before any password is hashed: per address and per account;
* a stranger's wrong passwords lock only the stranger's address out of that account, never the owner;
* an address past its failed logins (password spraying, or a shared NAT with one bad actor) is slowed,
  not refused: a correct login from it still goes through;
* hashing runs on a bounded pool, so a burst of logins cannot take every core from the bid path.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from auction_rules.errors import Kind, RuleViolation
from auction_service.core import rate_limits
from auction_service.core.password_pool import PasswordPool
from auction_service.core.rate_limits import RateLimits
from tests.conftest import make_settings

OWNER, STRANGER = "10.0.0.1", "10.0.0.66"


def limits(**overrides: str) -> RateLimits:
    return RateLimits(make_settings("sqlite+aiosqlite:///unused.db", **overrides))


async def test_a_strangers_wrong_passwords_never_lock_the_owner_out() -> None:
    limiter = limits()
    for _ in range(10):
        await limiter.login_allowed(STRANGER, "alice")
        await limiter.login_failed(STRANGER, "alice")
    with pytest.raises(RuleViolation) as locked:
        await limiter.login_allowed(STRANGER, "alice")  # the failing address is locked out of the account
    assert locked.value.kind is Kind.RATE_LIMITED
    await limiter.login_allowed(OWNER, "alice")  # the owner, from elsewhere, is not
    await limiter.login_allowed(STRANGER, "bob")  # nor is the stranger's address from other accounts


async def test_correct_logins_count_too_before_any_hash() -> None:
    limiter = limits(rate_limit_login_attempts_address="5/minute")
    for _ in range(5):
        await limiter.login_allowed(OWNER, "alice")  # each a correct password: no login_failed
    with pytest.raises(RuleViolation) as refused:
        await limiter.login_allowed(OWNER, "alice")
    assert refused.value.kind is Kind.RATE_LIMITED and refused.value.extra["retry_after"] >= 1


async def test_an_account_tried_too_often_refuses_only_the_addresses_that_failed_on_it() -> None:
    limiter = limits(rate_limit_login_attempts_account="3/minute")
    for address in ("10.1.0.1", "10.1.0.2", "10.1.0.3"):
        await limiter.login_allowed(address, "alice")
        await limiter.login_failed(address, "alice")
    with pytest.raises(RuleViolation):
        await limiter.login_allowed("10.1.0.1", "alice")  # over the account's budget, and failed on it
    await limiter.login_allowed(OWNER, "alice")  # over the budget too, but has not failed: the owner


async def test_an_address_past_its_failures_is_slowed_not_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rate_limits, "LOGIN_SLOWDOWN_SECONDS", 0.05)
    limiter = limits(rate_limit_login_address="5/minute")
    for i in range(5):
        await limiter.login_allowed(OWNER, f"nobody{i}")
        await limiter.login_failed(OWNER, f"nobody{i}")
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds: float) -> None:
        slept.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(rate_limits.asyncio, "sleep", recording_sleep)
    await limiter.login_allowed(OWNER, "alice")  # a colleague behind the same NAT still gets in...
    assert slept == [0.05]  # ...after a delay


async def test_password_hashing_runs_on_a_bounded_pool_and_refuses_beyond_its_queue() -> None:
    pool = PasswordPool(workers=1, queue=2)
    running, most = 0, 0
    lock = threading.Lock()
    release = threading.Event()

    def hash_like() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(5)
        time.sleep(0.01)
        with lock:
            running -= 1

    tasks = [asyncio.create_task(pool.run(hash_like)) for _ in range(3)]  # one running, two waiting
    await asyncio.sleep(0.05)
    with pytest.raises(RuleViolation) as busy:
        await pool.run(hash_like)
    assert busy.value.kind is Kind.RATE_LIMITED
    release.set()
    await asyncio.gather(*tasks)
    assert most == 1
    pool.shutdown()
