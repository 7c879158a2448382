"""Tidy tables (``auction_sim/tables.py``): one row per auction, bid and agent, every row tagged with its
variant and seed, written as Parquet and CSV and loaded back into pandas with one call, across every run
and variant of an output folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from auction_sim import tables
from tests.sim.test_report import record

BUYER = {"bidder": 0, "valuation": 90_000_000, "budget": 95_000_000, "strategy": "early", "patience": 0.5,
         "registered": True, "open_limit": 80_000_000, "arrived": 1}  # fmt: skip


def run(seed: int) -> list:
    """One run's records: a sold auction with two bids and one buyer, and an unsold one."""
    sold = record(
        1, outcome="sold", price=70_350_000, bids=2, bidders=1, participants=[BUYER],
        bid_log=[(1_767_578_400.0 + seed, 0, 70_000_000), (1_767_578_460.0 + seed, 0, 70_350_000)],
    )  # fmt: skip
    return [sold, record(2, lot_id=2)]


RUNS = [({"variant": v, "seed": s}, run(s)) for v in ("none", "5 min") for s in (1, 1_000_004)]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    tables.write(tmp_path / "tables", tables.frames(RUNS))
    return tmp_path


def test_one_call_loads_every_run_and_variant(written: Path) -> None:
    frames = tables.load(written)
    assert set(frames) == set(tables.TABLES)
    runs = {("none", 1), ("none", 1_000_004), ("5 min", 1), ("5 min", 1_000_004)}
    auctions, bids, agents = frames["auctions"], frames["bids"], frames["agents"]
    assert set(zip(auctions["variant"], auctions["seed"], strict=True)) == runs
    assert len(auctions) == 8 and len(bids) == 8 and len(agents) == 4
    assert auctions.groupby("variant")["price_fen"].sum().to_dict() == {"5 min": 2 * 70_350_000, "none": 2 * 70_350_000}
    assert str(auctions["price_fen"].dtype) == "Int64" and auctions["price_fen"].isna().sum() == 4  # unsold: empty
    assert isinstance(bids["placed_at_utc"].dtype, pd.DatetimeTZDtype)
    assert agents["valuation_fen"].tolist() == [90_000_000] * 4


def test_the_tables_folder_itself_loads_too_and_matches_the_csv(written: Path) -> None:
    frames = tables.load(written / "tables")
    from_csv = pd.read_csv(written / "tables" / "agents.csv")
    pd.testing.assert_frame_equal(frames["agents"], from_csv, check_dtype=False)
    assert "valuation_fen" in (written / "tables" / "data-dictionary.md").read_text(encoding="utf-8")


def test_a_folder_without_tables_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as caught:
        tables.load(tmp_path)
    assert "auctions.parquet" in str(caught.value) and "not a simulation's output" in str(caught.value)
