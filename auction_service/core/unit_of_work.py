"""One unit of work per request: services only ``flush()``; whoever owns the session commits it once
(the API's write-session dependency, ``api/deps.py``), or rolls it back.

Some consequences of a change may only happen once it is committed: the bid engine learning of a new
registration, the scheduler hearing of a new auction, watchers hearing of a new registration count.
Done before the commit they would announce something that may still be rolled back. A service
therefore registers them with ``after_commit``, and ``commit`` runs them, in order, only after the
commit succeeded; a rollback drops them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from inspect import isawaitable

from sqlalchemy.ext.asyncio import AsyncSession

AfterCommit = Callable[[], Awaitable[None] | None]
_KEY = "after_commit"


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run ``callback`` once the session's current unit of work has committed (never if it rolls back)."""
    session.info.setdefault(_KEY, []).append(callback)


async def commit(session: AsyncSession) -> None:
    """Commit, then run the callbacks registered for this unit of work. They run outside the committed
    transaction; a callback that reads through ``session`` starts a new one, which the session's owner
    ends when it closes the session."""
    await session.commit()
    callbacks: list[AfterCommit] = session.info.pop(_KEY, [])
    for callback in callbacks:
        outcome = callback()
        if isawaitable(outcome):
            await outcome


async def rollback(session: AsyncSession) -> None:
    """Roll back and forget the callbacks of the abandoned unit of work."""
    session.info.pop(_KEY, None)
    await session.rollback()
