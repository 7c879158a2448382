"""The service's dependencies and what their failures mean.

Two things live here, both about storage being down rather than the request being wrong:

* ``storage_outage`` is the one place that decides whether an exception means "the database cannot be
  reached right now" (a refused connection, a connection dropped mid-query, a server shutting down, a
  locked SQLite file). The transports answer such failures with 503 ``storage_unavailable`` and
  ``Retry-After`` (never a 500), and the scheduler retries the work that hit them.
* ``check_dependencies`` answers the health check: each configured dependency (the database, and Redis
  when the service fans events out through it) is asked a trivial question with a short deadline, so a
  hung dependency makes ``/healthz`` say so instead of hanging it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from auction_rules.errors import RuleViolation, unavailable

from ..db.connection import Database

STORAGE_UNAVAILABLE = "storage_unavailable"
# What a client is told to wait before retrying during an outage (the ``Retry-After`` header, seconds).
RETRY_AFTER_SECONDS = 2
# How long the health check waits for each dependency before calling it down.
CHECK_TIMEOUT_SECONDS = 2.0

try:  # the PostgreSQL driver's own connection errors (raised raw by a few code paths)
    import asyncpg

    _DRIVER_OUTAGES: tuple[type[Exception], ...] = (
        asyncpg.PostgresConnectionError,
        asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, "cannot connect now"
        asyncpg.InterfaceError,
    )
except ImportError:  # pragma: no cover - asyncpg is a dependency; kept optional for SQLite-only installs
    _DRIVER_OUTAGES = ()

# Exceptions that may signal an outage; ``storage_outage`` then looks closer. The transports register
# their handlers on these classes.
STORAGE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.DBAPIError,
    sa_exc.TimeoutError,  # the connection pool had nothing to give within its timeout
    OSError,  # connection refused / reset, DNS failure (``ConnectionError`` and ``TimeoutError`` included)
    *_DRIVER_OUTAGES,
)


def storage_outage(exc: BaseException) -> bool:
    """True if ``exc`` (or what caused it) says the database is unreachable or refusing work for now:
    nothing was decided, the same request may succeed later. Constraint violations, bad SQL and bad
    values are *not* outages (they would fail again)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, RuleViolation):
            return current.code == STORAGE_UNAVAILABLE
        if isinstance(current, sa_exc.DBAPIError):
            if current.connection_invalidated:
                return True
            if isinstance(current, sa_exc.OperationalError | sa_exc.InterfaceError):
                return True  # PEP 249: disconnects, shutdowns, a locked SQLite file, out of resources
        elif isinstance(current, (sa_exc.TimeoutError, OSError, *_DRIVER_OUTAGES)):
            return True
        current = current.__cause__ or current.__context__
    return False


def outage_refusal(what: str = "the database") -> RuleViolation:
    """The refusal every transport answers during an outage (503 over HTTP)."""
    return unavailable(
        STORAGE_UNAVAILABLE, f"{what} is unavailable; nothing was recorded, retry in a few seconds",
        retry_after=RETRY_AFTER_SECONDS,
    )  # fmt: skip


@contextlib.contextmanager
def storage_errors(what: str = "the database") -> Iterator[None]:
    """Turn an outage raised inside the block into ``outage_refusal`` (a ``RuleViolation`` every
    transport already knows how to answer); any other failure goes through unchanged."""
    try:
        yield
    except RuleViolation:
        raise
    except Exception as exc:
        if storage_outage(exc):
            raise outage_refusal(what) from exc
        raise


@dataclass(frozen=True)
class Dependency:
    name: str
    ok: bool
    detail: str = ""


async def check_database(db: Database) -> None:
    """Raises unless the database answers a trivial query."""
    async with db.read.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def check_redis(url: str) -> None:
    """Raises unless Redis answers a PING."""
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS)
    try:
        await client.ping()
    finally:
        await client.aclose()


async def _probe(name: str, check) -> Dependency:
    try:
        await asyncio.wait_for(check, timeout=CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure means "down": the detail says which
        detail = f"no answer within {CHECK_TIMEOUT_SECONDS:.0f} s" if isinstance(exc, TimeoutError) else str(exc)
        return Dependency(name, False, f"{type(exc).__name__}: {detail}"[:300])
    return Dependency(name, True)


async def check_dependencies(db: Database, redis_url: str | None) -> list[Dependency]:
    """Every configured dependency, checked concurrently, each within ``CHECK_TIMEOUT_SECONDS``."""
    probes = [_probe("database", check_database(db))]
    if redis_url:
        probes.append(_probe("redis", check_redis(redis_url)))
    return list(await asyncio.gather(*probes))
