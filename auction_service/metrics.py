"""Prometheus metrics of one service process (served at ``GET /metrics``, ``api/monitoring.py``).

Why it looks like this:

* Per process: every ``serve`` process has its own registry (prometheus-client's default one, with its
  process and garbage-collector metrics) and answers its own ``/metrics``; Prometheus scrapes each
  process and tells them apart by its ``instance`` label. No multiprocess mode, no shared files.
* Bounded labels only: an outcome code, an engine role, never an auction, an account or a path, so the
  number of series does not grow with traffic.
* Cheap on the bid path: the code calls ``measure``, whose attributes are label children bound once
  (``BIDS.labels("accepted")``), so a bid costs one counter increment and one histogram observation, no
  label lookup and no allocation. With ``AUCTION_METRICS=0`` the same attributes are ``OFF``, whose
  methods do nothing, and ``/metrics`` answers 404.
* Nothing of the project is imported here, so core, db and live can all import it (the rules do not:
  import-linter's ``rules-pure`` contract).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

# Latencies of a commit or a broadcast are milliseconds when healthy; the tail buckets catch a stall.
_FAST_SECONDS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_GROUP_BIDS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
disable_created_metrics()  # no ``*_created`` series: Prometheus needs none of them, and they double the output
_LAG_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

BIDS = Counter(
    "auction_bids",
    "Bid decisions by outcome: 'accepted' (committed), or the code of the refusal (bid_too_low, ...)",
    ["outcome"],
)
BID_SECONDS = Histogram(
    "auction_bid_seconds",
    "An accepted bid from its decision to its committed answer (waiting for and riding a group commit)",
    buckets=_FAST_SECONDS,
)
GROUP_COMMIT_SECONDS = Histogram(
    "auction_group_commit_seconds", "One group commit's transaction, start to commit", buckets=_FAST_SECONDS
)
GROUP_COMMIT_BIDS = Histogram("auction_group_commit_bids", "Bids written by one group commit", buckets=_GROUP_BIDS)
GROUP_COMMIT_FAILURES = Counter(
    "auction_group_commit_failures", "Group commits that failed (their auctions were rebased on the database)"
)
GROUP_COMMIT_CONFLICTS = Counter(
    "auction_group_commit_conflicts",
    "Auctions left out of a group commit because another service process had changed them (rebased)",
)
BROADCAST_SECONDS = Histogram(
    "auction_live_broadcast_seconds",
    "Committed events from reaching this process's live bus (after Redis, when used) to their frames handed "
    "to every watcher; includes the feed batch wait (AUCTION_FEED_BATCH_MS)",
    buckets=_FAST_SECONDS,
)
LIVE_CONNECTIONS = Gauge("auction_live_connections", "Open live-feed websocket connections (watchers) of this process")
SLOW_CONSUMERS = Counter(
    "auction_live_slow_consumers_closed",
    "Live-feed connections closed with 1013 because they fell behind the feed",
)
SCHEDULER_LAG = Histogram(
    "auction_scheduler_lag_seconds",
    "How late the scheduler picked up a due open or close, in server-clock seconds",
    buckets=_LAG_SECONDS,
)


class _Off:
    """Stands in for every instrument while metrics are off: each call does nothing."""

    def inc(self, amount: float = 1) -> None:
        return None

    def dec(self, amount: float = 1) -> None:
        return None

    def observe(self, amount: float) -> None:
        return None


OFF = _Off()


class Instruments:
    """What the code calls (``measure.bid_accepted.inc()``): label children bound once, or ``OFF``."""

    def __init__(self) -> None:
        self.enable(True)

    def enable(self, on: bool) -> None:
        """Switch every instrument on or off (``AUCTION_METRICS``; set once per process at start)."""
        self.on = on
        self.bid_accepted: Any = BIDS.labels("accepted") if on else OFF
        self.bid_seconds: Any = BID_SECONDS if on else OFF
        self.group_seconds: Any = GROUP_COMMIT_SECONDS if on else OFF
        self.group_bids: Any = GROUP_COMMIT_BIDS if on else OFF
        self.group_failures: Any = GROUP_COMMIT_FAILURES if on else OFF
        self.group_conflicts: Any = GROUP_COMMIT_CONFLICTS if on else OFF
        self.broadcast_seconds: Any = BROADCAST_SECONDS if on else OFF
        self.live_connections: Any = LIVE_CONNECTIONS if on else OFF
        self.slow_consumers: Any = SLOW_CONSUMERS if on else OFF
        self.scheduler_lag: Any = SCHEDULER_LAG if on else OFF
        self._refused: dict[str, Any] = {}

    def bid_refused(self, code: str) -> None:
        """Count a refusal by its code (the rules' codes are a fixed set; each child is bound once)."""
        child = self._refused.get(code)
        if child is None:
            child = self._refused[code] = BIDS.labels(code) if self.on else OFF
        child.inc()


measure = Instruments()


class PoolCollector(Collector):
    """Database connection pools, read when scraped (nothing is counted per query).

    ``watch`` registers a SQLAlchemy pool under a role (``write``, ``read``); pools without counters
    (SQLite's in-memory ``StaticPool``, ``NullPool``) are skipped."""

    def __init__(self) -> None:
        self.pools: dict[str, Any] = {}

    def watch(self, role: str, pool: Any) -> None:
        if measure.on and callable(getattr(pool, "checkedout", None)) and callable(getattr(pool, "size", None)):
            self.pools[role] = pool

    def forget(self, role: str, pool: Any) -> None:
        if self.pools.get(role) is pool:
            del self.pools[role]

    def watch_database(self, db: Any) -> None:
        """The pools of a ``db.connection.Database``: ``write``, ``read`` (when it is a separate engine, as on
        SQLite) and SQLite's bid-writer engine ``writer``."""
        for role, pool in _pools_of(db):
            self.watch(role, pool)

    def forget_database(self, db: Any) -> None:
        for role, pool in _pools_of(db):
            self.forget(role, pool)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        in_use = GaugeMetricFamily(
            "auction_db_pool_in_use", "Database connections checked out of the pool", labels=["engine"]
        )
        idle = GaugeMetricFamily(
            "auction_db_pool_idle", "Open database connections idle in the pool", labels=["engine"]
        )
        size = GaugeMetricFamily(
            "auction_db_pool_size", "The pool's size (connections kept; overflow may add more)", labels=["engine"]
        )
        overflow = GaugeMetricFamily(
            "auction_db_pool_overflow",
            "Connections beyond the pool's size (negative: not all opened yet)",
            labels=["engine"],
        )
        for role, pool in list(self.pools.items()):
            in_use.add_metric([role], pool.checkedout())
            size.add_metric([role], pool.size())
            if callable(getattr(pool, "checkedin", None)):
                idle.add_metric([role], pool.checkedin())
            if callable(getattr(pool, "overflow", None)):
                overflow.add_metric([role], pool.overflow())
        yield from (in_use, idle, size, overflow)


def _pools_of(db: Any) -> list[tuple[str, Any]]:
    found = [("write", db.write.pool)]
    if db.read is not db.write:
        found.append(("read", db.read.pool))
    if getattr(db, "sync_write", None) is not None:
        found.append(("writer", db.sync_write.pool))
    return found


pools = PoolCollector()
REGISTRY.register(pools)
