"""A run's figures, from what the run itself recorded: locust's final statistics (``--json-file``,
written once when locust stops, so never a stale periodic CSV) and the bids the run saw acknowledged
(``acks-*.jsonl``). ``loadtests.run`` prints them, checks the thresholds and writes ``summary.json``;
``loadtests.compare`` reads two of those.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUMMARY_FILE = "summary.json"
LOCUST_JSON = "locust_final"  # locust appends ".json"


@dataclass(frozen=True)
class Row:
    """One request kind's figures over the whole run (latencies in ms)."""

    method: str
    name: str
    requests: int
    failures: int
    rate: float
    p50: float
    p95: float
    p99: float
    max: float

    @property
    def is_bid(self) -> bool:
        return self.name.startswith("POST bid")


def percentile(histogram: dict[str, int] | dict[int, int], fraction: float) -> float:
    """The response time below which ``fraction`` of the requests fell, from locust's histogram of
    rounded milliseconds (the same method as locust's own table)."""
    total = sum(histogram.values())
    if total == 0:
        return 0.0
    wanted = int(total * fraction)
    seen = 0
    for ms, count in sorted(((float(k), v) for k, v in histogram.items()), reverse=True):
        seen += count
        if total - seen <= wanted:
            return ms
    return 0.0


def locust_rows(report_dir: Path, duration: float) -> list[Row]:
    """Rates are over the run's whole duration (locust's own divide by the span between a kind's first
    and last request, which inflates a kind seen only in a burst)."""
    path = report_dir / f"{LOCUST_JSON}.json"
    if not path.exists():
        return []
    rows = []
    for e in json.loads(path.read_text()):
        rows.append(
            Row(
                method=e["method"] or "",
                name=e["name"],
                requests=e["num_requests"],
                failures=e["num_failures"],
                rate=e["num_requests"] / duration if duration > 0 else 0.0,
                p50=percentile(e["response_times"], 0.50),
                p95=percentile(e["response_times"], 0.95),
                p99=percentile(e["response_times"], 0.99),
                max=float(e["max_response_time"] or 0),
            )
        )
    return sorted(rows, key=lambda r: (r.method, r.name))


def count_acks(report_dir: Path) -> int:
    return sum(1 for f in report_dir.glob("acks-*.jsonl") for line in f.read_text().splitlines() if line.strip())


def overall(rows: list[Row]) -> dict[str, float]:
    """Requests, failures, error rate and the worst p99 over every request kind."""
    requests = sum(r.requests for r in rows)
    failures = sum(r.failures for r in rows)
    return {
        "requests": requests,
        "failures": failures,
        "error_rate": failures / requests if requests else 0.0,
        "p99_ms": max((r.p99 for r in rows), default=0.0),
        "bid_decisions_per_s": sum(r.rate for r in rows if r.is_bid),
    }


def table(rows: list[Row], acks: int) -> str:
    lines = [f"{'type':<5} {'name':<38} {'reqs':>8} {'fails':>6} {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6} (ms)"]
    for r in rows:
        lines.append(
            f"{r.method:<5} {r.name[:38]:<38} {r.requests:>8} {r.failures:>6} {r.rate:>8.1f} "
            f"{r.p50:>6.0f} {r.p95:>6.0f} {r.p99:>6.0f}"
        )
    if not rows:
        lines.append("(locust wrote no final statistics)")
    total = overall(rows)
    lines.append(
        f"bids acknowledged (201, from the run's own log): {acks}; bid decisions/s (accepted + refused): "
        f"{total['bid_decisions_per_s']:.1f}; error rate {total['error_rate']:.2%}"
    )
    return "\n".join(lines)


def thresholds_missed(total: dict[str, float], max_p99_ms: float | None, max_error_rate: float | None) -> list[str]:
    """Each threshold the run missed, as a sentence (empty: all met or none set)."""
    missed = []
    if max_p99_ms is not None and total["p99_ms"] > max_p99_ms:
        missed.append(f"p99 {total['p99_ms']:.0f} ms > --max-p99-ms {max_p99_ms:g}")
    if max_error_rate is not None and total["error_rate"] > max_error_rate:
        missed.append(f"error rate {total['error_rate']:.2%} > --max-error-rate {max_error_rate:.2%}")
    return missed


def build(
    *,
    run: dict[str, Any],
    rows: list[Row],
    acks: int,
    invariants: dict[str, Any] | None,
    missed: list[str],
    status: int,
) -> dict[str, Any]:
    return {
        "run": run,
        "machine": {"python": platform.python_version(), "system": platform.platform(), "cpus": os.cpu_count()},
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "overall": overall(rows) | {"bids_acknowledged": acks},
        "requests": [r.__dict__ for r in rows],
        "invariants": invariants,
        "thresholds_missed": missed,
        "exit_status": status,
    }


def write(report_dir: Path, summary: dict[str, Any]) -> Path:
    path = report_dir / SUMMARY_FILE
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return path


def read(path: Path) -> dict[str, Any]:
    """A summary from its file or from the run's report directory."""
    if path.is_dir():
        path = path / SUMMARY_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path}: no summary.json (runs write one since this version)")
    return json.loads(path.read_text())
