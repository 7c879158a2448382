"""Figures over many seeds, and the scenario's targets held against them. Pure.

A published figure is one number; a simulated one is a distribution over seeds. So every figure of a
multi-run simulation is reported as the mean over the runs with a 95% interval for that mean, and a
target is **met** when the mean lies in the target's tolerance band *and* the interval overlaps the band
(``docs/domain.md``, "Published market figures": the band is the published figure ± the tolerance the
scenario states, with its source).

The interval respects the figure's bounds (a rate never gets an interval below 0 or above 1):

* a figure that is a proportion of counted things (a rate or a share with a stated denominator: sold ÷
  ended auctions, lots sold ÷ lots concluded...) gets the hull of two intervals: Wilson's score interval
  on the counts pooled over the runs (``scipy.stats.binomtest(...).proportion_ci``), which is honest when
  every run gives the same value (20 of 20 sold is not certainty), and Student's t interval on the
  per-run values, which carries the variation between runs (a market-wide factor per period) that
  pooling hides; then clipped to [0, 1];
* any other figure: Student's t interval on the per-run values (``scipy.stats.t.interval``), clipped to
  the figure's bounds (a premium over the start is never below 0, a count never below 0); one run gives
  no interval.

Every figure says what it is divided by (``FIGURES``): targets name that denominator in the scenario file,
and a target may restrict its figure to one category (``category = "residential"``: "sold flats").
Everything here is computed from the auction records (``records.summarize``), so a reader can recompute
the aggregate and each target's verdict from ``figures.json``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

CONFIDENCE = 0.95
UNIT = (0.0, 1.0)
NON_NEGATIVE = (0.0, math.inf)
ANY = (-math.inf, math.inf)


@dataclass(frozen=True)
class Figure:
    """What a summary figure is divided by (``per``), its bounds, and for a proportion of counted things
    the summary's count fields it is made of (numerator, denominator)."""

    per: str
    bounds: tuple[float, float] = NON_NEGATIVE
    counts: tuple[str, str] | None = None


# What a figure is divided by: the key a scenario's target names (``per = "lot listed"``) and what it means.
PER: dict[str, str] = {
    "auction ended": "auctions ended (sold + unsold; a 悔拍 sale is neither)",
    "auction sold": "auctions sold (the hammer fell and the buyer did not default)",
    "auction hammered": "auctions whose hammer fell (sold + 悔拍)",
    "lot listed": "lots listed in the run",
    "lot concluded": "lots concluded (sold and paid, or taken/returned after the last round)",
    "contested auction": "contested auctions (two bidders or more), median over them",
    "raise": "raises (bids after the opening bid) in contested auctions",
    "extension gap": "gaps between bids after the scheduled end, contested auctions pooled",
    "auction unsold": "auctions that ended unsold (流拍)",
    "sale judged": "sales whose buyer the simulator ran (its valuation is known)",
    "run": "one run (a count, a sum or a maximum over the run's auctions)",
}
FIGURES: dict[str, Figure] = {
    "transaction_rate": Figure("auction ended", UNIT, ("sold", "auctions")),
    "transaction_rate_by_lot": Figure("lot concluded", UNIT, ("lots_sold", "lots_concluded")),
    "transaction_rate_by_lot_listed": Figure("lot listed", UNIT, ("lots_sold", "lots_listed")),
    "share_lots_under_way": Figure("lot listed", UNIT, ("lots_under_way", "lots_listed")),
    "premium_rate_over_start_median": Figure("auction sold", NON_NEGATIVE),
    "premium_rate_over_start_mean": Figure("auction sold", NON_NEGATIVE),
    "premium_rate_over_start_max": Figure("run", NON_NEGATIVE),
    "premium_rate_over_appraisal_median": Figure("auction sold", (-1.0, math.inf)),
    "premium_rate_over_appraisal_mean": Figure("auction sold", (-1.0, math.inf)),
    "premium_rate_over_appraisal_max": Figure("run", (-1.0, math.inf)),
    "discount_rate": Figure("auction sold", NON_NEGATIVE),
    "share_sold_round_1": Figure("auction sold", UNIT, ("sold_round_1", "sold")),
    "share_sold_round_2": Figure("auction sold", UNIT, ("sold_round_2", "sold")),
    "share_sold_sale": Figure("auction sold", UNIT, ("sold_sale", "sold")),
    "share_sold_over_100_bids": Figure("auction sold", UNIT, ("sold_over_100_bids", "sold")),
    "default_rate": Figure("auction hammered", UNIT, ("defaulted", "hammered")),
    "lots": Figure("run"),
    "lots_listed": Figure("run"),
    "lots_sold": Figure("run"),
    "lots_concluded": Figure("run"),
    "lots_under_way": Figure("run"),
    "auctions": Figure("run"),
    "sold": Figure("run"),
    "bids_per_auction": Figure("auction ended"),
    "bidders_per_auction": Figure("auction ended"),
    "registrations_per_auction": Figure("auction ended"),
    "extensions_per_contested": Figure("contested auction"),
    "minutes_past_end_per_contested": Figure("contested auction"),
    "bids_per_contested": Figure("contested auction"),
    "bidders_per_contested": Figure("contested auction"),
    "single_increment_share": Figure("raise", UNIT, ("single_increment_bids", "raises")),
    "top2_share": Figure("contested auction", UNIT),
    "top3_share": Figure("contested auction", UNIT),
    "extension_gap_median": Figure("extension gap"),
    "extension_gap_p90": Figure("extension gap"),
    "extension_gap_max": Figure("extension gap"),
    # counts and sums of a run (the numerators and denominators above, amounts in fen)
    "unsold": Figure("run"),
    "defaulted": Figure("run"),
    "hammered": Figure("run"),
    "deal_amount": Figure("run"),
    "deposits_forfeited": Figure("run"),
    "sold_round_1": Figure("run"),
    "sold_round_2": Figure("run"),
    "sold_sale": Figure("run"),
    "sold_over_100_bids": Figure("run"),
    "contested_auctions": Figure("run"),
    "single_increment_bids": Figure("run"),
    "raises": Figure("run"),
    "judged_sales": Figure("run"),
    "efficient_sales": Figure("run"),
    "unsold_registered": Figure("run"),
    # welfare (``records.welfare``): a surplus may be negative (a buyer's valuation fell after the hammer)
    "efficiency": Figure("sale judged", UNIT, ("efficient_sales", "judged_sales")),
    "winner_to_top_valuation_mean": Figure("sale judged", UNIT),
    "winner_surplus_total": Figure("run", ANY),
    "winner_surplus_to_price_mean": Figure("sale judged", (-1.0, math.inf)),
    "price_to_second_valuation_mean": Figure("sale judged"),
    "unsold_registered_share": Figure("auction unsold", UNIT, ("unsold_registered", "unsold")),
}
UNKNOWN = Figure("run", ANY)


def figure(name: str) -> Figure:
    """A figure's denominator and bounds; a figure not listed (one added later) is unbounded."""
    return FIGURES.get(name, UNKNOWN)


# ----------------------------------------------------------------- intervals
def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def t_interval(values: Sequence[float]) -> tuple[float, float] | None:
    """Student's t 95% interval for the mean of ``values``; None for fewer than two."""
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    sd = statistics.stdev(values)
    if sd == 0:
        return mean, mean
    from scipy import stats  # here, not at the top: loading a scenario must not pay for scipy

    low, high = stats.t.interval(CONFIDENCE, len(values) - 1, loc=mean, scale=sd / math.sqrt(len(values)))
    return float(low), float(high)


def wilson_interval(successes: int, trials: int) -> tuple[float, float] | None:
    """Wilson's score 95% interval for a proportion of ``trials``; None without trials."""
    if trials <= 0:
        return None
    from scipy import stats

    ci = stats.binomtest(int(successes), int(trials)).proportion_ci(CONFIDENCE, method="wilson")
    return float(ci.low), float(ci.high)


def _clip(interval: tuple[float, float], bounds: tuple[float, float]) -> tuple[float, float]:
    low, high = bounds
    return max(low, min(high, interval[0])), max(low, min(high, interval[1]))


def _bounds_text(bounds: tuple[float, float]) -> str:
    """``clipped to [0, 1]``; nothing for a figure without bounds."""
    if bounds == ANY:
        return ""

    def number(x: float) -> str:
        return "inf" if x == math.inf else "-inf" if x == -math.inf else f"{x:g}"

    return f", clipped to [{number(bounds[0])}, {number(bounds[1])}]"


def estimate(name: str, summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One figure over several runs: the mean of the per-run values, its 95% interval (``low``, ``high``;
    None when there is none), how many runs had the figure, the interval's ``method``, and for a
    proportion the pooled counts."""
    spec = figure(name)
    values = [float(s[name]) for s in summaries if _number(s.get(name))]
    out: dict[str, Any] = {"mean": None, "low": None, "high": None, "runs": len(values), "method": "no run"}
    if not values:
        return out
    out["mean"] = statistics.fmean(values)
    intervals = {"Student's t": t_interval(values)}
    if spec.counts is not None:
        num, den = spec.counts
        k = sum(int(s.get(num) or 0) for s in summaries)
        n = sum(int(s.get(den) or 0) for s in summaries)
        out["pooled"] = [k, n]
        intervals = {"Wilson on the pooled counts": wilson_interval(k, n), **intervals}
    present = {method: i for method, i in intervals.items() if i is not None}
    if not present:
        out["method"] = "one run: no interval"
        return out
    low, high = _clip((min(i[0] for i in present.values()), max(i[1] for i in present.values())), spec.bounds)
    out["low"], out["high"] = low, high
    out["method"] = " ∪ ".join(present) + _bounds_text(spec.bounds)
    return out


def difference_bounds(name: str) -> tuple[float, float]:
    """Where a difference of two values of the figure can lie: a rate's in [−1, 1], a count's anywhere."""
    low, high = figure(name).bounds
    return low - high, high - low


def _binary_pairs(name: str, pairs: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> bool:
    """Every run of both sides counted one thing (one auction, one sale): each value is 0 or 1."""
    counts = figure(name).counts
    return counts is not None and all(int(a.get(counts[1]) or 0) == 1 == int(b.get(counts[1]) or 0) for a, b in pairs)


def paired_binary_interval(gained: int, lost: int, pairs: int) -> tuple[float, float]:
    """The 95% interval of a difference of two paired proportions from its discordant pairs (``gained``:
    1 in the variant, 0 in the baseline; ``lost``: the reverse): Agresti and Min's adjusted Wald interval
    (half a pair added to each cell of the 2×2 table), which stays honest when no pair differs (20 equal
    pairs are not certainty) and where the paired t interval of 0/1 values is not; clipped to [−1, 1]."""
    from scipy import stats

    n = pairs + 2
    p_gained, p_lost = (gained + 0.5) / n, (lost + 0.5) / n
    centre = p_gained - p_lost
    half = float(stats.norm.ppf(0.5 + CONFIDENCE / 2)) * math.sqrt((p_gained + p_lost - centre**2) / n)
    return max(-1.0, centre - half), min(1.0, centre + half)


def paired_difference(name: str, pairs: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """A variant's figure minus the baseline's, paired run by run over common seeds (``pairs``: each
    seed's (variant summary, baseline summary); seeds where either lacks the figure are left out): the
    mean difference, its 95% interval inside the difference's bounds, how many pairs, and the method.

    A proportion every run of which counts one thing (one auction: sold or not; one sale: efficient or
    not) is a table of paired 0/1 outcomes: ``paired_binary_interval``. Anything else: Student's t on the
    per-seed differences, clipped to ``difference_bounds``."""
    both = [(a, b) for a, b in pairs if _number(a.get(name)) and _number(b.get(name))]
    diffs = [float(a[name]) - float(b[name]) for a, b in both]
    out: dict[str, Any] = {"diff": None, "low": None, "high": None, "pairs": len(diffs), "method": "no pair"}
    if not diffs:
        return out
    out["diff"] = mean = statistics.fmean(diffs)
    if _binary_pairs(name, both):
        gained = sum(1 for d in diffs if d > 0)
        lost = sum(1 for d in diffs if d < 0)
        interval: tuple[float, float] | None = paired_binary_interval(gained, lost, len(diffs))
        method = "Agresti-Min paired 0/1 (adjusted Wald)" + _bounds_text(difference_bounds(name))
    else:
        interval = t_interval(diffs)
        method = "paired Student's t" + _bounds_text(difference_bounds(name))
    if interval is None:
        out["method"] = "one pair: no interval"
        return out
    low, high = _clip(interval, difference_bounds(name))
    out["low"], out["high"], out["method"] = min(low, mean), max(high, mean), method
    return out


def aggregate(summaries: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every figure of the runs' summaries: mean over the runs and its 95% interval (``estimate``)."""
    names: list[str] = []
    for s in summaries:
        names.extend(n for n in s if n not in names)
    return {name: estimate(name, summaries) for name in names}


# ----------------------------------------------------------------- targets
class TargetLike(Protocol):
    """A scenario's target (``scenario.Target``), as far as the evaluation reads it."""

    @property
    def name(self) -> str: ...
    @property
    def target(self) -> float: ...
    @property
    def tolerance(self) -> float: ...
    @property
    def source(self) -> str: ...
    @property
    def per(self) -> str: ...
    @property
    def category(self) -> str | None: ...


Summarize = Callable[[list[Any]], dict[str, Any]]


def verdict(mean: float | None, low: float | None, high: float | None, band: tuple[float, float]) -> bool:
    """Met: the mean lies in the band and the interval (when there is one) overlaps it."""
    eps = 1e-12
    if mean is None or not band[0] - eps <= mean <= band[1] + eps:
        return False
    return low is None or high is None or (low <= band[1] + eps and high >= band[0] - eps)


def evaluate(
    targets: Sequence[TargetLike], runs: Sequence[Sequence[Any]], summarize: Summarize
) -> list[dict[str, Any]]:
    """Each target over the runs (``runs``: each run's auction records): its figure per run (over the
    target's category when it names one), the mean, the 95% interval, the band and whether it is met."""
    out = []
    for t in targets:
        scoped = [[r for r in run if t.category is None or r.category == t.category] for run in runs]
        summaries = [summarize(list(run)) for run in scoped]
        est = estimate(t.name, summaries)
        band = (t.target - t.tolerance, t.target + t.tolerance)
        out.append(
            {
                "name": t.name,
                "category": t.category,
                "per": t.per,
                "source": t.source,
                "target": t.target,
                "tolerance": t.tolerance,
                "band": list(band),
                **est,
                "values": [s.get(t.name) for s in summaries],
                "met": verdict(est["mean"], est["low"], est["high"], band),
            }
        )
    return out
