"""THE calibration test: the shipped ``hot-lot`` scenario against the five real bid records, by distribution
tests on records the model was not fitted to.

**The split.** The five records (``tests/data/real-bid-logs/``, all sold on 2026-05-26) are split before
any test: ``FITTED`` (lot1, lot3, lot4) is what the bidder model may be fitted to; ``HELD_OUT`` (lot2,
lot5) is what it is judged on. The split is stratified by onset, the shape the records show most
clearly: two lots were bid on from the day before (lot1, lot2), three had no bid until 14-71 minutes
before the scheduled end (lot3, lot4, lot5); each set holds both kinds, so the fitted set can fit the
mixture and the held-out set can test it. Within each kind the last record by number is held out.

**The tests** (``scipy.stats``), per figure, real against the simulated contested runs (two bidders or
more): the two-sample Kolmogorov-Smirnov test and the k-sample Anderson-Darling test; the figure passes
when both p-values exceed ``ALPHA`` (0.01: a model that is right fails one figure's pair of tests by
chance at most about 2% of the time). The figures:

* the extension-phase gaps (seconds between consecutive bids after the scheduled end), pooled: the
  response times, where the data are richest (43 held-out gaps);
* the number of extensions per contested lot;
* the onset: minutes before the scheduled end of the lot's first bid (bimodal in the records);
* a price figure: the premium over the start, (final price − first bid) ÷ first bid (the records do not
  state the starting price; the first bid is taken as it).

Each figure is tested on the held-out records (the verdict) and on all five (in sample: a model that
does not reproduce the data it was fitted to is wrong in shape, whatever the held-out set says). The
per-lot figures have two and five real values: their tests have little power, and a pass says only
that the records do not contradict the model. ``pytest -s`` prints the table of real against simulated
with every statistic and p-value; a failure carries it in its message.

**A wrong model fails.** The same test with the bidders' response times replaced by uniform(1, 294 s)
must reject it: a calibration that cannot fail checks nothing.

Both sides go through the same function (``auction_sim.records.bid_record_figures``), so the definitions
match. Besides, the simulated auctions must obey the soft close the real ones obey: no gap of 300 s or
more in the extension phase, and an extended auction ends exactly five minutes after its last bid.
"""

from __future__ import annotations

import csv
import multiprocessing
import random
import statistics
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from scipy import stats

import auction_sim.agents
from auction_cli.simulate import SimulationResult, simulate
from auction_rules.profiles import JUDICIAL_2016
from auction_sim.records import AuctionRecord, bid_record_figures, quantile
from tests.rules.test_real_bid_logs import INCREMENT_YUAN, SCHEDULED_END, beijing_time, log_dir, yuan_to_fen

SOFT_CLOSE = JUDICIAL_2016.extension.total_seconds()  # the real records' rules (rule 11)

FITTED = ("lot1", "lot3", "lot4")
HELD_OUT = ("lot2", "lot5")
EVERY = tuple(sorted(INCREMENT_YUAN))
LATE_ONSET_MINUTES = 120.0  # a lot with no bid until this close to the scheduled end has a late onset

RUNS = 60
WRONG_RUNS = 30  # enough to reject a wrong model on the held-out gaps many times over
MIN_CONTESTED = 45  # of the RUNS: hot-lot is meant to be contested
ALPHA = 0.01

Lot = dict[str, Any]  # one auction's figures (bid_record_figures' keys, plus ``premium``)


# ----------------------------------------------------------------- the figures
@dataclass(frozen=True)
class Figure:
    name: str
    unit: str
    pooled: bool  # one value per bid gap (pooled over lots), else one per lot
    of: Callable[[Lot], list[float]]


FIGURES = {
    "gaps": Figure("extension-phase gap", "s", True, lambda f: list(f["extension_gaps"])),
    "extensions": Figure("extensions per lot", "", False, lambda f: [f["extensions"]]),
    "onset": Figure("first bid before the end", "min", False, lambda f: [f["onset_minutes"]]),
    "premium": Figure("premium over the start", "", False, lambda f: [f["premium"]]),
}


def values(figure: Figure, lots: list[Lot]) -> list[float]:
    return [float(v) for lot in lots for v in figure.of(lot) if v is not None]


# ----------------------------------------------------------------- the real side
def real_bids(lot: str) -> list[tuple[float, str, int]]:
    """(epoch seconds, bidder code, fen) of one real lot, oldest first (the file is newest first)."""
    path = log_dir() / f"{lot}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = [(beijing_time(r["时间"]).timestamp(), r["竞买号"], yuan_to_fen(r["价格"])) for r in csv.DictReader(f)]
    rows.reverse()
    return rows


@pytest.fixture(scope="module")
def real() -> dict[str, Lot]:
    """Each real lot's figures, by the simulator's own function."""
    out = {}
    for lot, yuan in sorted(INCREMENT_YUAN.items()):
        bids = real_bids(lot)
        figures = bid_record_figures(bids, yuan * 100, SCHEDULED_END.timestamp(), SOFT_CLOSE)
        out[lot] = {**figures, "premium": (bids[-1][2] - bids[0][2]) / bids[0][2]}
    return out


# ----------------------------------------------------------------- the simulated side
def simulated_lot(record: AuctionRecord) -> Lot:
    return {
        "extension_gaps": record.extension_gaps,
        "extensions": record.extensions,
        "onset_minutes": record.onset_minutes,
        "premium": (record.price - record.starting_price) / record.starting_price if record.price else None,
    }


def contested_lots(result: SimulationResult) -> list[Lot]:
    return [simulated_lot(r) for run in result.records for r in run if r.bidders >= 2]


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    """The shipped scenario, RUNS seeds, in process on a virtual clock, on two workers."""
    return simulate("hot-lot", runs=RUNS, workers=2)


@pytest.fixture(scope="module")
def contested(result: SimulationResult) -> list[Lot]:
    return contested_lots(result)


# ----------------------------------------------------------------- the tests, side by side
@dataclass(frozen=True)
class Comparison:
    figure: Figure
    lots: tuple[str, ...]
    real: list[float]
    simulated: list[float]

    @property
    def ks(self) -> Any:
        return stats.ks_2samp(self.real, self.simulated)

    @property
    def ad(self) -> Any:
        with warnings.catch_warnings():  # scipy says when the p-value is capped to [0.001, 0.25]
            warnings.simplefilter("ignore")
            return stats.anderson_ksamp([self.real, self.simulated])

    @property
    def passes(self) -> bool:
        return bool(self.ks.pvalue > ALPHA and self.ad.pvalue > ALPHA)


def compare(figure: Figure, real: dict[str, Lot], lots: tuple[str, ...], contested: list[Lot]) -> Comparison:
    return Comparison(figure, lots, values(figure, [real[lot] for lot in lots]), values(figure, contested))


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def table(comparisons: list[Comparison], title: str) -> str:
    head = (
        f"{'figure':30s} {'real lots':24s} | {'n':>4s} {'median':>8s} | {'sim n':>6s} {'p10':>7s} {'median':>7s} "
        f"{'p90':>7s} | {'KS D':>6s} {'KS p':>7s} | {'AD':>6s} {'AD p':>6s} | verdict"
    )
    lines = [title, head, "-" * len(head)]
    for c in comparisons:
        name = f"{c.figure.name} ({c.figure.unit})" if c.figure.unit else c.figure.name
        sim = [quantile(c.simulated, q) for q in (0.1, 0.5, 0.9)]
        lines.append(
            f"{name:30s} {','.join(c.lots):24s} | {len(c.real):>4d} {_fmt(statistics.median(c.real)):>8s} | "
            f"{len(c.simulated):>6d} " + " ".join(f"{_fmt(v):>7s}" for v in sim) + " | "
            f"{c.ks.statistic:>6.3f} {c.ks.pvalue:>7.4f} | {c.ad.statistic:>6.2f} {c.ad.pvalue:>6.3f} | "
            + ("pass" if c.passes else f"FAIL (p <= {ALPHA})")
        )
    return "\n".join(lines)


def every_comparison(real: dict[str, Lot], contested: list[Lot]) -> list[Comparison]:
    return [compare(f, real, lots, contested) for lots in (HELD_OUT, EVERY) for f in FIGURES.values()]


# ----------------------------------------------------------------- the records and the split
def test_the_real_records_give_every_figure(real: dict[str, Lot]) -> None:
    """Every real lot was contested and ran into the extension phase, so every figure exists for it."""
    assert len(real) == 5
    for lot, figures in real.items():
        assert all(values(f, [figures]) for f in FIGURES.values()), f"{lot}: {figures}"


def test_the_split_holds_both_onsets_on_each_side(real: dict[str, Lot]) -> None:
    """The fitted and held-out records are disjoint, cover the five, and each holds an early-onset and a
    late-onset lot (the stratification the module's docstring explains)."""
    assert set(FITTED).isdisjoint(HELD_OUT) and set(FITTED) | set(HELD_OUT) == set(EVERY)
    for side in (FITTED, HELD_OUT):
        late = [real[lot]["onset_minutes"] < LATE_ONSET_MINUTES for lot in side]
        assert any(late) and not all(late), side


def test_hot_lot_is_contested_in_most_runs(result: SimulationResult, contested: list[Lot]) -> None:
    """The scenario is the kind of lot the real records come from: a contested flat. A run whose only
    auction drew fewer than two bidders says nothing about the soft-close dynamics."""
    assert len(result.records) == RUNS
    assert all(len(run) == 1 for run in result.records), "hot-lot is one lot, one round"
    assert len(contested) >= MIN_CONTESTED, f"only {len(contested)} of {RUNS} runs were contested"


def test_the_table_of_real_against_simulated(real: dict[str, Lot], contested: list[Lot]) -> None:
    """The whole comparison, printed (``pytest -s``): every figure on the held-out records and on all
    five, with both tests' statistics and p-values."""
    comparisons = every_comparison(real, contested)
    shown = table(comparisons, f"hot-lot: {RUNS} runs, {len(contested)} contested; held out {HELD_OUT}")
    print("\n" + shown)
    assert len(shown.splitlines()) == 3 + 2 * len(FIGURES)


# ----------------------------------------------------------------- the verdicts
@pytest.mark.parametrize("name", list(FIGURES))
def test_the_model_fits_the_held_out_records(name: str, real: dict[str, Lot], contested: list[Lot]) -> None:
    c = compare(FIGURES[name], real, HELD_OUT, contested)
    assert c.passes, table([c], f"held out {HELD_OUT}: the simulated distribution differs")


@pytest.mark.parametrize("name", list(FIGURES))
def test_the_model_fits_all_five_records(name: str, real: dict[str, Lot], contested: list[Lot]) -> None:
    """In sample: the shape must hold on the records the model was fitted to as well."""
    c = compare(FIGURES[name], real, EVERY, contested)
    assert c.passes, table([c], "all five records: the simulated distribution differs")


def uniform_response_time(rng: random.Random, extension: float) -> float:
    """A deliberately wrong model: any answer from 1 s to just inside the window, equally likely."""
    return rng.uniform(1.0, extension - 6.0)  # 294 s under the 300 s soft close


def test_a_model_with_wrong_response_times_fails_the_calibration(
    real: dict[str, Lot], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Response times uniform over (1 s, 294 s) instead of the fitted shape: the held-out gaps reject it.
    (Worker processes are forked, so they carry the replaced function; otherwise the runs go serially.)"""
    monkeypatch.setattr(auction_sim.agents, "response_time", uniform_response_time)
    workers = 2 if multiprocessing.get_start_method() == "fork" else 1
    wrong = contested_lots(simulate("hot-lot", runs=WRONG_RUNS, workers=workers))
    c = compare(FIGURES["gaps"], real, HELD_OUT, wrong)
    shown = table([c], "uniform(1, 294 s) response times, held-out gaps")
    print("\n" + shown)
    assert not c.passes, "a wrong model passed the calibration:\n" + shown


# ----------------------------------------------------------------- the soft close
def test_no_extension_phase_gap_reaches_five_minutes(result: SimulationResult) -> None:
    """A gap of 300 s or more after the scheduled end would have ended the auction: no bid can follow
    it. Every run, contested or not."""
    long_gaps = [(r.auction_id, max(r.extension_gaps)) for run in result.records for r in run if r.extension_gaps]
    assert long_gaps, "no simulated auction reached the extension phase"
    too_long = [(i, g) for i, g in long_gaps if g >= SOFT_CLOSE]
    assert not too_long, f"extension-phase gaps of 300 s or more: {too_long}"


def _seconds_between(later: str, earlier: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


# minutes_past_end is kept to 3 decimals of a minute (steps of 0.06 s): it agrees with the end time to
# half a step.
ROUNDING = 0.0005 * 60 + 1e-6


def test_every_auction_ends_five_minutes_after_its_last_bid(result: SimulationResult) -> None:
    """The service's end time agrees with the soft close worked out from the bid record: an auction with
    an extension ends at its last bid + 300 s (``minutes_past_end`` is computed that way from the bids),
    one without ends at its scheduled end."""
    wrong = []
    for run in result.records:
        for r in run:
            past = _seconds_between(r.end_at, r.scheduled_end_at)
            if r.extensions > 0:
                if abs(r.minutes_past_end * 60 - past) > ROUNDING:
                    wrong.append(f"auction {r.auction_id}: ended {past} s past the scheduled end, the bid record "
                                 f"says {r.minutes_past_end * 60:.3f} s")  # fmt: skip
            elif past != 0:
                wrong.append(f"auction {r.auction_id}: no extension, yet ended {past} s past the scheduled end")
    assert not wrong, "\n".join(wrong)
