"""Live progress while locust runs: a line every few seconds, so a ten-minute run is never silent.

It reads what the run is writing anyway: the acknowledgement logs (line-buffered, so current to the
bid) and locust's periodic statistics CSV (flushed by locust every ten seconds, so its figures lag by
up to that much; the final figures come from ``summary.py``, never from this file).
"""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Callable
from pathlib import Path


class AckCounter:
    """Counts acknowledged bids in ``acks-*.jsonl`` incrementally (each file read from where it was left)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.offsets: dict[Path, int] = {}
        self.count = 0

    def update(self) -> int:
        for path in self.directory.glob("acks-*.jsonl"):
            with path.open("rb") as f:
                f.seek(self.offsets.get(path, 0))
                chunk = f.read()
            complete = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written is counted next time
            self.offsets[path] = self.offsets.get(path, 0) + len(complete)
            self.count += complete.count(b"\n")
        return self.count


def locust_aggregate(report_dir: Path) -> dict[str, str] | None:
    path = report_dir / "locust_stats.csv"
    try:
        rows = list(csv.DictReader(path.open()))
    except (OSError, csv.Error):
        return None
    return next((r for r in rows if r.get("Name") == "Aggregated"), None)


class Progress:
    """Prints a progress line every ``interval`` seconds until stopped (a daemon thread)."""

    def __init__(
        self, report_dir: Path, duration: float, interval: float = 5.0, out: Callable[[str], None] = print
    ) -> None:
        self.report_dir = report_dir
        self.duration = duration
        self.interval = interval
        self.out = out
        self.acks = AckCounter(report_dir)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="load-progress", daemon=True)

    def __enter__(self) -> Progress:
        self._start = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def line(self, elapsed: float, acked: int, rate: float) -> str:
        text = f"[progress {elapsed:5.0f}/{self.duration:.0f} s] bids acknowledged {acked} ({rate:.1f}/s)"
        agg = locust_aggregate(self.report_dir)
        if agg and agg.get("Request Count", "0") != "0":
            text += (
                f"; locust (≤10 s old): {agg['Request Count']} requests, {agg['Failure Count']} failures, "
                f"p99 {agg.get('99%', '?')} ms"
            )
        return text

    def _loop(self) -> None:
        last_count, last_time = 0, self._start
        while not self._stop.wait(self.interval):
            now = time.monotonic()
            acked = self.acks.update()
            rate = (acked - last_count) / (now - last_time) if now > last_time else 0.0
            self.out(self.line(now - self._start, acked, rate))
            last_count, last_time = acked, now
