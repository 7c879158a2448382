#!/usr/bin/env python3
"""Run a scenario under variants of its listing terms with the same seeds (common random numbers: the
same lots and buyers in every variant) and print the market's figures side by side: sale rate, round
split, price ÷ appraisal, median premium, sold lots over 100 bids, 悔拍, registrations, auctions that
failed with registrants, efficiency. Shows what a policy change does (docs/model-card.md, section 8).

Usage (from the repository, with its venv):

    .venv/bin/python scripts/market_variants.py housing-2025 --lots 120 --seeds 1,2,3 \\
        --variant deposit_ratio=0.05 --variant deposit_ratio=0.20 --variant round2_ratio=0.95

``--lots N`` scales the scenario's courts down to about N lots in all (keep runs cheap); the first
column is always the scenario as shipped. In-process runs through the real service, like
``auction-service simulate``.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
from typing import Any

from auction_cli.simulate import simulate
from auction_sim.records import AuctionRecord, summarize
from auction_sim.scenario import Scenario, load, scaled


def variant(scenario: Scenario, change: str) -> Scenario:
    """``name=value`` of a numeric listing term (``deposit_ratio=0.2``); keep it within the rules in force
    (``auction_rules.profiles``), the service refuses terms outside them."""
    name, _, value = change.partition("=")
    if not isinstance(getattr(scenario.listing, name, None), float):
        raise SystemExit(f"--variant {change}: not a numeric listing term")
    changes: dict[str, Any] = {name: float(value)}
    return dataclasses.replace(scenario, listing=dataclasses.replace(scenario.listing, **changes))


def figures(records: list[AuctionRecord]) -> dict[str, float | None]:
    ended = [r for r in records if r.outcome in ("sold", "unsold")]
    sold = [r for r in ended if r.outcome == "sold" and r.price is not None]
    unsold = [r for r in ended if r.outcome == "unsold"]

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return {
        "auctions": len(ended),
        "sold ÷ auctions": share(len(sold), len(ended)),
        "round 1 share of sales": share(sum(r.round == 1 for r in sold), len(sold)),
        "round 2 share of sales": share(sum(r.round == 2 for r in sold), len(sold)),
        "变卖 share of sales": share(sum(r.round == "sale" for r in sold), len(sold)),
        "price ÷ appraisal": statistics.fmean(r.price / r.appraisal for r in sold) if sold else None,  # type: ignore[operator]
        "median premium over start": (
            statistics.median((r.price - r.starting_price) / r.starting_price for r in sold) if sold else None  # type: ignore[operator]
        ),
        "sold with > 100 bids": share(sum(r.bids > 100 for r in sold), len(sold)),
        "悔拍 ÷ sales": share(sum(r.defaulted for r in sold), len(sold)),
        "registrations per auction": statistics.fmean(r.registrations for r in ended) if ended else None,
        "held out (round 1) per auction": (
            statistics.fmean(r.held_out for r in ended if r.round == 1) if any(r.round == 1 for r in ended) else None
        ),
        "unsold with registrants": share(sum(r.registrations > 0 for r in unsold), len(unsold)),
        "efficiency": summarize(records)["efficiency"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("--lots", type=int, help="scale the courts down to about this many lots")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds, pooled")
    parser.add_argument("--variant", action="append", default=[], help="a listing term: name=value")
    args = parser.parse_args()
    base = scaled(load(args.scenario), args.lots)
    seeds = [int(s) for s in args.seeds.split(",")]
    columns = {"as shipped": base} | {change: variant(base, change) for change in args.variant}
    table: dict[str, dict[str, float | None]] = {}
    for label, scenario in columns.items():
        records: list[AuctionRecord] = []
        for seed in seeds:
            records += simulate(scenario, seed=seed).records[0]
        table[label] = figures(records)
    rows = list(next(iter(table.values())))
    print(f"{args.scenario}, {base.lots} lots, seeds {args.seeds} pooled")
    print("| figure | " + " | ".join(table) + " |")
    print("|---|" + "---|" * len(table))
    for row in rows:
        cells = [table[label][row] for label in table]
        print(
            f"| {row} | "
            + " | ".join("-" if c is None else f"{c:.3f}" if isinstance(c, float) else str(c) for c in cells)
            + " |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
