"""Figures over many seeds and the targets' verdict (``auction_sim.validation``): bounded figures get
bounded intervals, identical runs are not certainty, and a target is met only when the mean lies in the
band and the interval overlaps it. Pure."""

from __future__ import annotations

import dataclasses
import math

import pytest
from scipy import stats

from auction_sim.records import summarize
from auction_sim.scenario import SUMMARY_FIGURES, Target
from auction_sim.validation import (
    FIGURES,
    PER,
    aggregate,
    difference_bounds,
    estimate,
    evaluate,
    paired_binary_interval,
    paired_difference,
    t_interval,
    verdict,
    wilson_interval,
)
from tests.sim.test_report import record


def test_every_figure_a_target_may_name_states_its_denominator() -> None:
    assert set(SUMMARY_FIGURES) == set(FIGURES)
    assert all(f.per in PER for f in FIGURES.values())


def test_a_proportion_of_counts_names_counts_the_summary_holds() -> None:
    """Each proportion's numerator and denominator are fields of the summary, so the runs can be pooled."""
    summary = summarize([record(1, outcome="sold", price=80_000_000, bids=120, bidders=2)])
    for name, spec in FIGURES.items():
        assert name in summary, name
        if spec.counts is not None:
            assert set(spec.counts) <= set(summary), name


def test_a_rate_near_its_bound_gets_an_interval_inside_the_bounds() -> None:
    """Student's t alone would reach below 0 for a rate of a few percent with a wide spread."""
    runs = [{"share_sold_over_100_bids": v, "sold_over_100_bids": k, "sold": 20} for v, k in [(0.0, 0), (0.15, 3)]]
    student = t_interval([0.0, 0.15])
    assert student is not None and student[0] < 0
    est = estimate("share_sold_over_100_bids", runs)
    assert est["low"] == 0.0 and 0 < est["high"] <= 1
    assert est["pooled"] == [3, 40]


def test_identical_runs_are_not_certainty_for_a_proportion() -> None:
    """Twenty runs that all sold their one auction: the pooled 20 of 20 still leaves a Wilson interval."""
    runs = [{"transaction_rate": 1.0, "sold": 1, "auctions": 1}] * 20
    est = estimate("transaction_rate", runs)
    assert est["mean"] == 1.0 and est["high"] == 1.0
    wilson = stats.binomtest(20, 20).proportion_ci(0.95, method="wilson")
    assert est["low"] == pytest.approx(wilson.low) and est["low"] < 0.9


def test_a_premium_over_the_start_never_gets_a_negative_bound() -> None:
    est = estimate("premium_rate_over_start_median", [{"premium_rate_over_start_median": v} for v in (0.0, 0.0, 0.3)])
    assert est["low"] == 0.0 and est["high"] > 0.1


def test_one_run_of_a_figure_that_is_not_a_proportion_has_no_interval() -> None:
    est = estimate("extension_gap_median", [{"extension_gap_median": 40.0}])
    assert est == {"mean": 40.0, "low": None, "high": None, "runs": 1, "method": "one run: no interval"}


def test_wilson_without_trials_is_no_interval() -> None:
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize(
    ("mean", "low", "high", "met"),
    [
        (0.5, 0.45, 0.55, True),  # mean and interval in the band
        (0.5, 0.1, 0.9, True),  # a wide interval around a mean in the band
        (0.35, 0.3, 0.41, False),  # the interval overlaps the band, the mean does not lie in it
        (0.35, 0.3, 0.38, False),  # neither
        (None, None, None, False),  # no value: not met
        (0.5, None, None, True),  # one run of a non-proportion: the mean decides
    ],
)
def test_the_verdict(mean: float | None, low: float | None, high: float | None, met: bool) -> None:
    assert verdict(mean, low, high, (0.4, 0.6)) is met


def test_a_target_on_one_category_counts_that_category_alone() -> None:
    """ "Sold flats": a target scoped to residential lots ignores the sold cars."""
    flats = [record(1, outcome="sold", price=74_100_000), record(2, lot_id=2)]
    cars = [record(3, lot_id=3, category="vehicle", outcome="sold", price=95_000_000)]
    target = Target("discount_rate", 0.741, 0.05, "auction sold", "2025 trackers", category="residential")
    [evaluated] = evaluate([target], [flats + cars, flats + cars], summarize)
    assert evaluated["values"] == [pytest.approx(0.741)] * 2
    assert evaluated["met"] is True
    unscoped = dataclasses.replace(target, category=None)
    assert evaluate([unscoped], [flats + cars], summarize)[0]["mean"] == pytest.approx((0.741 + 0.95) / 2)


def test_the_aggregate_covers_every_figure_of_the_summaries() -> None:
    summaries = [summarize([record(1, outcome="sold", price=80_000_000)]), summarize([record(1)])]
    agg = aggregate(summaries)
    assert set(agg) == set(summaries[0])
    assert agg["transaction_rate"]["mean"] == 0.5 and agg["transaction_rate"]["pooled"] == [1, 2]


def test_every_summary_figure_is_declared_with_its_bounds() -> None:
    """No figure of a run's summary falls back to an unbounded interval unnoticed: each is in ``FIGURES``."""
    summary = summarize([record(1, outcome="sold", price=80_000_000, bids=3, bidders=2, efficient=True)])
    numeric = {k for k, v in summary.items() if isinstance(v, int | float) or v is None}
    assert numeric - set(FIGURES) == set()


def test_a_difference_of_rates_lies_in_minus_one_to_one() -> None:
    assert difference_bounds("transaction_rate") == (-1.0, 1.0)
    assert difference_bounds("bids_per_auction") == (-math.inf, math.inf)
    wide = paired_difference("top2_share", [({"top2_share": a}, {"top2_share": b}) for a, b in [(1, 0), (0.9, 0.1)]])
    assert wide["high"] == 1.0 and wide["low"] > -1.0 and wide["method"] == "paired Student's t, clipped to [-1, 1]"


def test_the_paired_0_1_interval_is_symmetric_when_nothing_changed_and_never_a_point() -> None:
    low, high = paired_binary_interval(0, 0, 20)
    assert low == pytest.approx(-high) and 0.05 < high < 0.2
    low, high = paired_binary_interval(20, 0, 20)
    assert high == 1.0 and 0.7 < low < 1.0
