"""The change between two load runs: ``python -m loadtests.compare A B``, where A and B are report
directories (``loadtests/reports/<run>/``) or their ``summary.json`` files. Prints each figure for A,
for B, and B's change relative to A; request kinds are matched by method and name.

Compare runs from the same machine and the same day only: this machine's speed drifts between runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .summary import read

OVERALL = (
    ("requests", "requests", "{:.0f}"),
    ("failures", "failures", "{:.0f}"),
    ("error_rate", "error rate", "{:.2%}"),
    ("p99_ms", "worst p99 (ms)", "{:.0f}"),
    ("bid_decisions_per_s", "bid decisions/s", "{:.1f}"),
    ("bids_acknowledged", "bids acknowledged", "{:.0f}"),
)
PER_REQUEST = (("rate", "req/s", "{:.1f}"), ("p50", "p50", "{:.0f}"), ("p99", "p99", "{:.0f}"))


def change(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "-"
    if a == 0:
        return "=" if b == 0 else "new"
    return f"{(b - a) / a:+.1%}"


def fmt(template: str, value: Any) -> str:
    return "-" if value is None else template.format(value)


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    lines = [f"A: {_describe(a)}", f"B: {_describe(b)}", ""]
    lines.append(f"{'figure':<48} {'A':>12} {'B':>12} {'change':>9}")
    for key, label, template in OVERALL:
        va, vb = a["overall"].get(key), b["overall"].get(key)
        lines.append(f"{label:<48} {fmt(template, va):>12} {fmt(template, vb):>12} {change(va, vb):>9}")
    rows_a = {(r["method"], r["name"]): r for r in a["requests"]}
    rows_b = {(r["method"], r["name"]): r for r in b["requests"]}
    for key in sorted(set(rows_a) | set(rows_b)):
        ra, rb = rows_a.get(key, {}), rows_b.get(key, {})
        for field, label, template in PER_REQUEST:
            va, vb = ra.get(field), rb.get(field)
            name = f"{key[0]} {key[1]}"[:38]
            lines.append(
                f"{name + ' ' + label:<48} {fmt(template, va):>12} {fmt(template, vb):>12} {change(va, vb):>9}"
            )
    for side, s in (("A", a), ("B", b)):
        inv = s.get("invariants") or {}
        if inv.get("violations"):
            lines.append(f"{side}: invariant violations: {inv['violations']}")
        if s.get("thresholds_missed"):
            lines.append(f"{side}: thresholds missed: {'; '.join(s['thresholds_missed'])}")
    return "\n".join(lines)


def _describe(s: dict[str, Any]) -> str:
    run = s["run"]
    target = run.get("url") or run.get("db")
    return (
        f"{run.get('scenario')} on {target}, {run.get('users')} users, {run.get('duration')} s, "
        f"finished {s.get('finished_at')}, exit {s.get('exit_status')}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m loadtests.compare", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("a", type=Path, help="the earlier run (report directory or summary.json)")
    p.add_argument("b", type=Path, help="the later run")
    args = p.parse_args(argv)
    try:
        a, b = read(args.a), read(args.b)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        print(f"compare: {exc}", file=sys.stderr)
        return 2
    try:
        print(compare(a, b))
    except BrokenPipeError:  # piped into head
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
