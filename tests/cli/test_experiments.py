"""Running an experiment (``auction_cli/experiments.py``): every variant over common seeds, locally or on
a Dask cluster, with the same tables either way; the tables load into pandas with one call."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from auction_cli.experiments import recompare, run_experiment, write_experiment
from auction_sim import tables, validation
from auction_sim.experiment import parse_experiment

WINDOW = {"name": "window", "scenario": "hot-lot", "seeds": 1, "seed": 3, "grid": {"rules.extension_seconds": [0, 300]}}


@pytest.fixture(scope="module")
def local(tmp_path_factory) -> tuple[Path, dict[str, pd.DataFrame]]:
    out = tmp_path_factory.mktemp("local")
    result = run_experiment(parse_experiment(WINDOW), workers=1)
    write_experiment(out, result)
    return out, tables.load(out)


def test_the_tables_load_with_one_call_and_carry_units_in_their_names(local):
    out, frames = local
    auctions = frames["auctions"]
    assert set(auctions["variant"]) == {"extension_seconds=0", "extension_seconds=300"}
    assert {"price_fen", "appraisal_fen", "start_at_utc"} <= set(auctions.columns)
    assert "price" not in auctions.columns
    assert (out / "tables" / "auctions.csv").exists() and (out / "tables" / "data-dictionary.md").exists()
    assert (out / "report.html").read_text(encoding="utf-8").count("<svg") >= 1


def test_a_zero_window_gives_no_extensions(local):
    _, frames = local
    by_variant = frames["auctions"].groupby("variant")["extensions"].sum()
    assert by_variant["extension_seconds=0"] == 0
    assert by_variant["extension_seconds=300"] > 0


def test_a_two_worker_dask_cluster_writes_the_same_tables(local, tmp_path):
    distributed = pytest.importorskip("distributed")
    _, frames = local
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        result = run_experiment(parse_experiment(WINDOW), scheduler=cluster.scheduler_address)
    write_experiment(tmp_path, result)
    on_cluster = tables.load(tmp_path)
    for name in tables.TABLES:
        pd.testing.assert_frame_equal(frames[name], on_cluster[name])


def test_every_column_of_every_table_is_in_the_data_dictionary(local):
    _, frames = local
    for name, frame in frames.items():
        assert len(frame) > 0, name
        missing = [c for c in frame.columns if c not in tables.DICTIONARY[name]]
        assert not missing, f"{name}: {missing}"


def test_the_comparison_table_names_each_rows_methods_and_keeps_rates_in_bounds(local):
    out, _ = local
    comparison = pd.read_csv(out / "comparison.csv")
    assert {"method", "diff_method", "per", "pairs"} <= set(comparison.columns)
    assert comparison["method"].notna().all() and comparison["diff_method"].notna().all()
    rates = comparison[[validation.figure(f).bounds == validation.UNIT for f in comparison["figure"]]]
    assert len(rates) > 0
    assert ((rates["low"].isna()) | ((rates["low"] >= 0) & (rates["high"] <= 1))).all()
    assert ((rates["diff_low"].isna()) | ((rates["diff_low"] >= -1) & (rates["diff_high"] <= 1))).all()


def test_an_experiment_is_compared_anew_from_its_runs_summaries(local, tmp_path):
    """``recompare`` rebuilds the comparison and the report from ``experiment.json`` alone, as written."""
    out, _ = local
    for name in ("experiment.json", "comparison.csv"):
        (tmp_path / name).write_bytes((out / name).read_bytes())
    paths = recompare(tmp_path)
    assert paths["comparison"].read_text(encoding="utf-8") == (out / "comparison.csv").read_text(encoding="utf-8")
    assert paths["report"].exists()


def test_an_experiment_in_the_rules_lane_writes_the_same_tables(local, tmp_path):
    """``simulate experiment FILE --lane rules``: the runs in the rules lane, the same tables."""
    result = run_experiment(parse_experiment(WINDOW), workers=1, lane="rules")
    write_experiment(tmp_path, result)
    _, frames = local
    for name, frame in tables.load(tmp_path).items():
        pd.testing.assert_frame_equal(frame, frames[name], check_like=True)
