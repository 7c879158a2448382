"""The server's clock: the only source of time in the service.

Simulated time runs ``speed`` times faster than real time from an anchor. The anchor is kept in the
database (``core/clock_store.py``) so that simulated time never runs backwards across restarts. All
times are timezone-aware UTC truncated to whole milliseconds, so that what is stored, compared and
reported is exactly the same value on SQLite and PostgreSQL.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch of an aware datetime."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def truncate_ms(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every time in the service is timezone-aware UTC")
    return from_ms(to_ms(moment.astimezone(UTC)))


def isoformat(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z`` and millisecond precision."""
    if moment is None:
        return None
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"  # "+00:00" -> "Z"


class Clock(Protocol):
    speed: float

    def now(self) -> datetime: ...

    def real_seconds_until(self, moment: datetime) -> float:
        """How long to really wait until the simulated ``moment`` (for sleeping schedulers)."""
        ...


class SimulatedClock:
    """Wall time scaled by ``speed`` from an anchor: ``sim = anchor_sim + (real - anchor_real) * speed``."""

    def __init__(self, speed: float = 1.0, anchor: datetime | None = None, anchor_real_ms: int | None = None) -> None:
        if speed <= 0:
            raise ValueError("clock speed must be positive")
        self.speed = speed
        self._anchor_real = anchor_real_ms / 1000 if anchor_real_ms is not None else time.time()
        self._anchor_sim_ms = to_ms(anchor) if anchor is not None else int(self._anchor_real * 1000)
        self._last_ms = self._anchor_sim_ms

    def now(self) -> datetime:
        elapsed = time.time() - self._anchor_real
        ms = self._anchor_sim_ms + int(elapsed * 1000 * self.speed)
        # time.time() can step back (NTP); the server's clock never does.
        if ms < self._last_ms:
            ms = self._last_ms
        self._last_ms = ms
        return from_ms(ms)

    def real_seconds_until(self, moment: datetime) -> float:
        return max(0.0, (to_ms(moment) - to_ms(self.now())) / 1000 / self.speed)


class ManualClock:
    """A clock that only moves when told to: tests use it to reach any moment without sleeping."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        self._now = truncate_ms(start)
        self.speed = speed
        self._listeners: list = []

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        moment = truncate_ms(moment)
        if moment < self._now:
            raise ValueError("the server's clock never runs backwards")
        self._now = moment
        for listener in list(self._listeners):
            listener()

    def advance(self, **delta: float) -> datetime:
        self.set(self._now + timedelta(**delta))
        return self._now

    def on_change(self, listener) -> None:
        """Schedulers subscribe so that moving a manual clock wakes them at once."""
        self._listeners.append(listener)

    def real_seconds_until(self, moment: datetime) -> float:
        # A manual clock never reaches a moment by itself; the scheduler is woken by ``set``.
        return 0.0 if moment <= self._now else 3600.0


class VirtualClock(ManualClock):
    """The simulator's clock (``auction-service simulate``): it stands still while the market acts and
    jumps straight to the next event (an agent's look, an auction's start or end), so a simulated
    quarter takes seconds and nothing ever waits in real time. The scheduler follows it through
    ``on_change`` like any manual clock."""
