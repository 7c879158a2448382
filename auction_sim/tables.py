"""Tidy tables of a simulation: one row per auction, per bid and per agent, across runs and variants.

Every run's records become rows tagged with the run (``variant``, ``seed``), so a researcher loads a
whole experiment in one call (``load``) and groups as they like. Units are in the column names
(``price_fen``, ``minutes_past_end_min``); ``DICTIONARY`` says what every column holds, and
``data-dictionary.md`` is written beside the tables from it. Parquet keeps the types; CSV is for
everything else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .records import AuctionRecord

TABLES = ("auctions", "bids", "agents")

# A record's field -> its column (units in the name). Fields not named here keep their name.
RENAMES = {
    "top_valuation": "top_valuation_fen",
    "second_valuation": "second_valuation_fen",
    "winner_valuation": "winner_valuation_fen",
    "winner_surplus": "winner_surplus_fen",
    "onset_minutes": "onset_min",
    "appraisal": "appraisal_fen",
    "starting_price": "starting_price_fen",
    "increment": "increment_fen",
    "deposit": "deposit_fen",
    "price": "price_fen",
    "minutes_past_end": "minutes_past_end_min",
    "start_at": "start_at_utc",
    "scheduled_end_at": "scheduled_end_at_utc",
    "end_at": "end_at_utc",
}
AGENT_RENAMES = {"valuation": "valuation_fen", "budget": "budget_fen", "open_limit": "open_limit_fen"}
# list-valued fields that become rows of other tables, not columns
NESTED = frozenset({"extension_gaps", "bid_log", "participants"})
TIMES = ("start_at_utc", "scheduled_end_at_utc", "end_at_utc")

DICTIONARY: dict[str, dict[str, str]] = {
    "auctions": {
        "variant": "the experiment's variant (the scenario's name for a plain run)",
        "seed": "the run's seed: every draw of the run derives from it",
        "auction_id": "the auction's id in the run's service",
        "lot_id": "the lot's id in the run's service",
        "court": "the court's name",
        "province": "the court's province",
        "court_level": "the court's level (basic, intermediate, high)",
        "category": "the lot's asset class (residential, vehicle, vessel, ...)",
        "round": "1, 2 (more under research rules) or sale (变卖)",
        "appraisal_fen": "the lot's appraisal, fen",
        "starting_price_fen": "the auction's starting price (the reserve), fen",
        "increment_fen": "the fixed increment, fen",
        "deposit_fen": "the deposit, fen",
        "start_at_utc": "bidding start, UTC",
        "scheduled_end_at_utc": "bidding end as announced, UTC",
        "end_at_utc": "bidding end after every extension, UTC",
        "outcome": "sold or unsold (流拍)",
        "price_fen": "the final price, fen (empty when unsold)",
        "bids": "accepted bids",
        "bidders": "bidders who placed at least one bid",
        "registrations": "registrations (deposits paid)",
        "extensions": "times a late bid moved the end (soft close)",
        "minutes_past_end_min": "minutes the auction ran past its scheduled end, min",
        "defaulted": "the buyer did not pay the balance (悔拍)",
        "disposition": "after this failed auction the lot was taken by the creditor or returned (empty: neither)",
        "single_increment_bids": "raises of exactly one increment",
        "raises": "bids after the opening bid",
        "top2_bids": "bids placed by the two most active bidders",
        "top3_bids": "bids placed by the three most active bidders",
        "held_out": "registrants who would not open the bidding at this start (waiting for the next round)",
        "top_valuation_fen": "the highest valuation among the buyers who looked at the auction, fen",
        "second_valuation_fen": "the second-highest valuation among them, fen",
        "winner_valuation_fen": "the buyer's valuation (sold auctions), fen",
        "efficient": "the buyer who valued the lot most won it",
        "winner_surplus_fen": "the buyer's valuation minus the price, fen",
        "price_to_second_valuation": "price ÷ the second-highest valuation",
        "onset_min": "the first bid, minutes before the scheduled end (empty: no bid)",
    },
    "bids": {
        "variant": "the experiment's variant",
        "seed": "the run's seed",
        "auction_id": "the auction's id in the run's service",
        "seq": "the bid's place in the auction's order (1 is the first)",
        "placed_at_utc": "server time of the bid, UTC",
        "bidder": "the buyer's pool index (the agents table's bidder; -1: not a simulated buyer)",
        "amount_fen": "the bid, fen",
    },
    "agents": {
        "variant": "the experiment's variant",
        "seed": "the run's seed",
        "auction_id": "the auction the buyer looked at (one row per buyer and auction)",
        "bidder": "the buyer's index in the run's pool of buyers",
        "valuation_fen": "the buyer's valuation of the lot at this auction, fen",
        "budget_fen": "the buyer's budget, fen",
        "strategy": "the buyer's bidding strategy (early, last_minute, jump...)",
        "patience": "how readily the buyer waits for a cheaper round (0-1)",
        "registered": "the buyer paid the deposit",
        "open_limit_fen": "the highest start at which the buyer would open the bidding, fen (empty: not registered)",
        "arrived": "the auction at which the buyer first came",
    },
}


def _auction_row(record: AuctionRecord, tags: Mapping[str, Any]) -> dict[str, Any]:
    row = dict(tags)
    for f in dataclasses.fields(record):
        if f.name in NESTED:
            continue
        row[RENAMES.get(f.name, f.name)] = getattr(record, f.name)
    row["round"] = str(row["round"])
    return row


def _bid_rows(record: AuctionRecord, tags: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            **tags,
            "auction_id": record.auction_id,
            "seq": i + 1,
            "placed_at_utc": at,
            "bidder": bidder,
            "amount_fen": amount,
        }
        for i, (at, bidder, amount) in enumerate(record.bid_log)
    ]


def _agent_rows(record: AuctionRecord, tags: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {**tags, "auction_id": record.auction_id, **{AGENT_RENAMES.get(k, k): v for k, v in agent.items()}}
        for agent in record.participants
    ]


def frames(runs: Iterable[tuple[Mapping[str, Any], Sequence[AuctionRecord]]]) -> dict[str, pd.DataFrame]:
    """The three tables of several runs, each run given as (its tags, e.g. variant and seed; its records)."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for tags, records in runs:
        for record in records:
            rows["auctions"].append(_auction_row(record, tags))
            rows["bids"].extend(_bid_rows(record, tags))
            rows["agents"].extend(_agent_rows(record, tags))
    out = {name: pd.DataFrame(table) for name, table in rows.items()}
    for column in TIMES:
        if column in out["auctions"]:
            out["auctions"][column] = pd.to_datetime(out["auctions"][column], utc=True)
    if "placed_at_utc" in out["bids"]:
        out["bids"]["placed_at_utc"] = pd.to_datetime(out["bids"]["placed_at_utc"], unit="s", utc=True)
    for column in ("price_fen",):
        if column in out["auctions"]:
            out["auctions"][column] = out["auctions"][column].astype("Int64")
    return out


def dictionary_markdown(tables: Mapping[str, pd.DataFrame]) -> str:
    """The data dictionary of the tables written: each table's columns, type and meaning."""
    lines = ["# Data dictionary", "", "Money is in fen (1 yuan = 100 fen); times are UTC.", ""]
    for name, frame in tables.items():
        lines += [f"## {name}", "", "| column | type | meaning |", "|---|---|---|"]
        meanings = DICTIONARY.get(name, {})
        for column in frame.columns:
            lines.append(f"| `{column}` | {frame[column].dtype} | {meanings.get(column, '')} |")
        lines.append("")
    return "\n".join(lines)


def write(folder: Path, tables: Mapping[str, pd.DataFrame]) -> dict[str, Path]:
    """Each table as ``<name>.parquet`` and ``<name>.csv``, and ``data-dictionary.md``."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        frame.to_csv(folder / f"{name}.csv", index=False)
        written[name] = folder / f"{name}.parquet"
    (folder / "data-dictionary.md").write_text(dictionary_markdown(tables), encoding="utf-8")
    written["dictionary"] = folder / "data-dictionary.md"
    return written


def load(folder: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of a run's or an experiment's output folder (its ``tables/``, or the folder itself),
    as pandas DataFrames: ``load("sim-out")["auctions"]``."""
    path = Path(folder)
    if (path / "tables").is_dir():
        path = path / "tables"
    missing = [name for name in TABLES if not (path / f"{name}.parquet").exists()]
    if missing:
        raise FileNotFoundError(f"{path}: no {', '.join(m + '.parquet' for m in missing)} (not a simulation's output)")
    return {name: pd.read_parquet(path / f"{name}.parquet") for name in TABLES}
