"""Experiment files (``auction_sim/experiment.py``): a base scenario, variants of its rules or fields,
common seeds, and the comparison of every figure to the baseline, paired seed by seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from auction_sim.experiment import ExperimentError, Variant, compare, load_experiment, parse_experiment

BASE = {"name": "window", "scenario": "hot-lot", "seeds": 3, "seed": 7}


def test_a_grid_runs_every_combination_under_research_profiles():
    ex = parse_experiment(BASE | {"grid": {"rules.extension_seconds": [0, 120, 300]}})
    assert [v.name for v in ex.variants] == ["extension_seconds=0", "extension_seconds=120", "extension_seconds=300"]
    assert ex.baseline == "extension_seconds=0"
    sc = ex.scenario_of(ex.variants[1])
    assert sc.profile.name.startswith("research:") and sc.profile.extension.total_seconds() == 120
    assert sc.profile.base == "judicial-2016"  # hot-lot runs the law; the variant starts from it


def test_every_variant_runs_the_same_seeds():
    ex = parse_experiment(BASE | {"variants": [{"name": "law"}, {"name": "2m", "rules": {"extension_seconds": 120}}]})
    assert ex.seeds == [7, 7 + 1_000_003, 7 + 2_000_006]
    law = ex.scenario_of(ex.variants[0])
    assert law.profile.name == "judicial-2016"  # a variant that changes no rule runs the law itself


def test_a_variant_may_change_a_scenario_field():
    ex = parse_experiment(BASE | {"variants": [{"name": "a"}, {"name": "b", "scenario": {"horizon_days": 3}}]})
    assert ex.scenario_of(ex.variants[1]).horizon_days == 3
    assert ex.scenario_of(ex.variants[0]).horizon_days != 3


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (BASE | {"variants": [{"name": "x", "rules": {"extension_minutes": 2}}]}, "extension_minutes"),
        (BASE | {"variants": [{"name": "x", "scenario": {"no_such_field": 1}}]}, "no_such_field"),
        (BASE | {"variants": [{"name": "x"}, {"name": "x"}]}, "names must differ"),
        (BASE | {"grid": {"extension_seconds": [1]}}, "must start with 'rules.' or 'scenario.'"),
        (BASE | {"grid": {"rules.extension_seconds": []}}, "non-empty list"),
        (BASE | {"variants": [{"name": "x"}], "grid": {"rules.extension_seconds": [1]}}, "either variants"),
        (BASE | {"variants": [{"name": "x"}], "baseline": "y"}, "baseline"),
        (BASE | {"scenario": "no-such-scenario", "variants": [{"name": "x"}]}, "unknown scenario"),
        (BASE | {"seeds": 0, "variants": [{"name": "x"}]}, "seeds"),
        (BASE | {"colour": "red", "variants": [{"name": "x"}]}, "unknown fields"),
    ],
)
def test_a_wrong_experiment_is_refused_before_anything_runs(data, words):
    with pytest.raises(ExperimentError) as caught:
        parse_experiment(data, "exp.toml")
    assert words in str(caught.value)


def test_differences_are_paired_seed_by_seed():
    ex = parse_experiment(BASE | {"variants": [{"name": "base"}, {"name": "b", "rules": {"extension_seconds": 60}}]})
    seeds = ex.seeds
    # the seeds differ a lot from each other, the variant adds exactly 1 to each: the paired difference
    # is exactly 1 with no width, though the two means' intervals overlap widely
    base = {s: {"price": float(i * 100), "label": "x"} for i, s in enumerate(seeds)}
    other = {s: {"price": float(i * 100 + 1)} for i, s in enumerate(seeds)}
    rows = {(r["variant"], r["figure"]): r for r in compare(ex, {"base": base, "b": other})}
    b = rows[("b", "price")]
    assert b["diff_to_baseline"] == pytest.approx(1.0)
    assert b["diff_low"] == pytest.approx(1.0) and b["diff_high"] == pytest.approx(1.0)
    assert b["low"] < rows[("base", "price")]["high"]
    assert ("base", "label") not in rows  # text figures are not compared
    assert rows[("base", "price")]["diff_to_baseline"] == 0
    assert rows[("base", "price")]["diff_method"] == "the baseline" and rows[("base", "price")]["diff_low"] is None


def test_variants_are_plain_data():
    assert Variant("x") == Variant("x", {}, {})


def _rows(ex, summaries):
    return {(r["variant"], r["figure"]): r for r in compare(ex, summaries)}


TWO = BASE | {"seeds": 20, "variants": [{"name": "base"}, {"name": "b", "rules": {"extension_seconds": 60}}]}


def test_a_rate_near_its_bounds_gets_intervals_inside_them():
    """Sale rates near 0 and near 1 with one outlying run each: Student's t alone reaches below 0 and above
    1, but the mean's interval is clipped to [0, 1] and joined with Wilson's on the pooled counts, and the
    difference's stays in [−1, 1]. Each row names its methods."""
    ex = parse_experiment(TWO)

    def runs(counts: list[int]) -> dict[int, dict[str, float]]:
        pairs = zip(ex.seeds, counts, strict=True)
        return {s: {"transaction_rate": k / 20, "sold": k, "auctions": 20} for s, k in pairs}

    base, other = runs([3] + [0] * 19), runs([17] + [20] * 19)
    rows = _rows(ex, {"base": base, "b": other})
    for row in (rows[("base", "transaction_rate")], rows[("b", "transaction_rate")]):
        assert 0.0 <= row["low"] <= row["mean"] <= row["high"] <= 1.0
    b = rows[("b", "transaction_rate")]
    assert -1.0 <= b["diff_low"] <= b["diff_to_baseline"] <= b["diff_high"] <= 1.0
    assert b["method"] == "Wilson on the pooled counts ∪ Student's t, clipped to [0, 1]"
    assert b["diff_method"] == "paired Student's t, clipped to [-1, 1]"
    assert b["high"] == 1.0 and rows[("base", "transaction_rate")]["low"] == 0.0
    assert rows[("b", "sold")]["method"] == "Student's t, clipped to [0, inf]"  # a count is never negative


def test_equal_one_auction_runs_are_not_certainty_in_the_difference():
    """Twenty runs of one auction each, the highest-valuation buyer winning in all of them in both
    variants: the paired difference is 0, but its interval is not a point (Agresti-Min on the 2×2 table
    of runs, not a t interval of twenty zeros)."""
    ex = parse_experiment(TWO)
    one = {s: {"efficiency": 1.0, "efficient_sales": 1, "judged_sales": 1} for s in ex.seeds}
    row = _rows(ex, {"base": one, "b": dict(one)})[("b", "efficiency")]
    assert row["diff_to_baseline"] == 0.0 and row["pairs"] == 20
    assert -0.2 < row["diff_low"] < 0 < row["diff_high"] < 0.2
    assert row["diff_method"].startswith("Agresti-Min paired 0/1")
    assert 0.8 < row["low"] < 1.0 == row["high"]  # Wilson: 20 of 20 is not certainty either


def test_paired_outcomes_that_all_changed_give_a_difference_near_its_bound():
    ex = parse_experiment(TWO)
    lost = {s: {"efficiency": 0.0, "efficient_sales": 0, "judged_sales": 1} for s in ex.seeds}
    won = {s: {"efficiency": 1.0, "efficient_sales": 1, "judged_sales": 1} for s in ex.seeds}
    row = _rows(ex, {"base": lost, "b": won})[("b", "efficiency")]
    assert row["diff_to_baseline"] == 1.0 and row["diff_high"] == 1.0 and 0.7 < row["diff_low"] < 1.0


def test_a_seed_without_the_figure_on_either_side_is_left_out_of_the_pairs():
    ex = parse_experiment(TWO)
    base = {s: {"efficiency": 1.0, "efficient_sales": 1, "judged_sales": 1} for s in ex.seeds}
    other = {s: ({"efficiency": None, "judged_sales": 0} if i < 5 else base[s]) for i, s in enumerate(ex.seeds)}
    row = _rows(ex, {"base": base, "b": other})[("b", "efficiency")]
    assert (row["runs"], row["pairs"]) == (15, 15)


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[2] / "docs" / "experiments").glob("*.toml")), ids=str)
def test_every_shipped_experiment_file_is_valid_and_its_variants_build(path: Path) -> None:
    """The experiments `docs/policy-lab.md` runs (deposit, soft-close, rounds, window-quick): each parses
    and builds every variant's scenario, research profile included."""
    experiment = load_experiment(path)
    assert len(experiment.variants) >= 2 and experiment.baseline in {v.name for v in experiment.variants}
