"""Password hashing on a bounded pool of its own threads.

An argon2 hash costs tens of milliseconds of CPU by design. Run on the default executor (as many threads
as cores and more), a burst of logins took every core from the event loop: another bidder's bids went
from p50 6 / p99 94 ms to p50 208 / p99 942 ms under 40 concurrent logins. Here hashing has
``workers`` threads (one by default: one core at most, whatever arrives), and at most ``queue`` logins
or sign-ups wait for them; beyond, the request is refused at once (429 ``rate_limited``, retry in a
second) instead of joining a queue that only grows. One pool per process: the CPU it protects is the
process's.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from auction_rules.errors import rate_limited

T = TypeVar("T")

WORKERS = 1
QUEUE = 64


class PasswordPool:
    def __init__(self, workers: int = WORKERS, queue: int = QUEUE) -> None:
        self.workers = workers
        self.queue = queue
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="password-hash")
        self._pending = 0
        self._pid = os.getpid()

    def _own_executor(self) -> ThreadPoolExecutor:
        """The executor of *this* process: a child forked after the pool's threads started (the
        simulator's process pool) inherits an executor whose threads do not exist in it, where work
        would wait forever."""
        if self._pid != os.getpid():
            self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="password-hash")
            self._pending = 0
            self._pid = os.getpid()
        return self._executor

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """``work(*args)`` on the pool's threads; refused (429) when ``queue`` are already waiting."""
        executor = self._own_executor()
        if self._pending >= self.queue + self.workers:
            raise rate_limited("too many logins and sign-ups are being checked; retry in 1 s", retry_after=1)
        self._pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, work, *args)
        finally:
            self._pending -= 1

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


_pool = PasswordPool()


def configure(workers: int, queue: int) -> None:
    """The service's pool, sized from its settings (the lifespan calls this at start)."""
    global _pool
    if (workers, queue) != (_pool.workers, _pool.queue):
        _pool.shutdown()
        _pool = PasswordPool(workers, queue)


async def run(work: Callable[..., T], *args: object) -> T:
    return await _pool.run(work, *args)
