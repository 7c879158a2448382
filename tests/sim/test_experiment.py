"""Experiment files (``auction_sim/experiment.py``): a base scenario, variants of its rules or fields,
common seeds, and the comparison of every figure to the baseline, paired seed by seed."""

from __future__ import annotations

import pytest

from auction_sim.experiment import ExperimentError, Variant, compare, parse_experiment

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


def test_variants_are_plain_data():
    assert Variant("x") == Variant("x", {}, {})
