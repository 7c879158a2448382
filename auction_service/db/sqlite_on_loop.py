"""aiosqlite without its thread: every call on the event loop's own thread, done as it is made.

aiosqlite hands each call to a thread of its connection and wakes the event loop with the answer: about
90 µs a call on a quiet machine (``docs/performance-budget.md``), far more when the cores are busy, and an
ORM unit of work makes ten calls or so. A served service needs that thread (a slow statement must not
stall every other request), but a process that is its database's only client, with nothing else to
serve while a statement runs, does not: the in-process simulator (``auction-service simulate``), whose
market waits for every answer anyway. There the hop is pure cost, and this connection removes it while
keeping everything above the driver the same: the same SQLAlchemy dialect (``sqlite+aiosqlite``), the
same SQL, the same SQLite file, pragmas and transactions.

The connection is aiosqlite's own, with its queue to the thread replaced by one that runs each call at
once and settles its future before ``put_nowait`` returns, so awaiting it never suspends.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine, Generator
from functools import partial
from typing import Any

import aiosqlite


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its connection's thread: each call runs as it is queued."""

    def put_nowait(self, item: tuple[asyncio.Future | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to the caller, as aiosqlite's thread hands it
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


class OnLoopConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run on the caller's thread (no thread is ever started)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # aiosqlite starts its thread here; there is none


def on_loop_creator(path: str, timeout: float) -> Callable[[], Coroutine[Any, Any, aiosqlite.Connection]]:
    """``create_async_engine``'s ``async_creator`` for the SQLite file at ``path``: connections that
    wait at most ``timeout`` seconds for SQLite's lock, as the threaded ones do."""

    async def connect() -> aiosqlite.Connection:
        return await OnLoopConnection(partial(sqlite3.connect, path, timeout=timeout, check_same_thread=False))

    return connect
