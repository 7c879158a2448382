"""THE calibration test: the shipped ``hot-lot`` scenario against the five real bid records.

Acceptance criterion (the project's issue, ``docs/domain.md`` "Bidder behaviour"): for the shipped
hot-lot scenario over at least 50 seeds, the simulated distribution of extensions per contested lot,
minutes past the scheduled end, bids and distinct bidders per lot, the share of single-increment bids,
the share of bids made by the top 2-3 bidders and the extension-phase gaps (median, p90, maximum) fall
in the ranges of the five real records (``tests/data/real-bid-logs/``); the test prints both side by
side (``pytest -s`` shows the table; a failure carries it in its message).

"Fall in the ranges" means, for every figure: the median over the contested simulated runs lies within
[smallest, largest] of the five real lots, and at least half of the contested runs lie within that
range. Besides, the simulated auctions must obey the soft close the real ones obey: no gap of 300 s or
more between bids in the extension phase (such a gap ends the auction), and an auction that was
extended ends exactly five minutes after its last bid.

Both sides go through the same function (``auction_sim.records.bid_record_figures``), so the
definitions match: a contested lot has two bidders or more; the single-increment share is over raises
(bids after the opening bid); an extension-phase gap is the time between consecutive bids where the
earlier one is at or after the scheduled end.
"""

from __future__ import annotations

import csv
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest

from auction_cli.simulate import SimulationResult, simulate
from auction_rules.profiles import JUDICIAL_2016
from auction_sim.records import AuctionRecord, bid_record_figures, quantile
from tests.rules.test_real_bid_logs import INCREMENT_YUAN, SCHEDULED_END, beijing_time, log_dir, yuan_to_fen

SOFT_CLOSE = JUDICIAL_2016.extension.total_seconds()  # the real records' rules (rule 11)

RUNS = 60  # the issue asks for at least 50 seeds
MIN_CONTESTED = 45  # of the RUNS: hot-lot is meant to be contested
MIN_SHARE_IN_RANGE = 0.5

Figures = dict[str, float | None]


# ----------------------------------------------------------------- the figures of one auction
def _gap_median(gaps: list[float]) -> float | None:
    return statistics.median(gaps) if gaps else None


def _gap_max(gaps: list[float]) -> float | None:
    return max(gaps, default=None)


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    of: Callable[[dict], float | None]  # from bid_record_figures' output (or an AuctionRecord's fields)


METRICS = (
    Metric("extensions per contested lot", "", lambda f: f["extensions"]),
    Metric("minutes past the scheduled end", "min", lambda f: f["minutes_past_end"]),
    Metric("bids per lot", "", lambda f: f["bids"]),
    Metric("distinct bidders per lot", "", lambda f: f["bidders"]),
    Metric("single-increment share of raises", "", lambda f: f["single_increment_bids"] / f["raises"]),
    Metric("share of bids by the top 2", "", lambda f: f["top2_bids"] / f["bids"]),
    Metric("share of bids by the top 3", "", lambda f: f["top3_bids"] / f["bids"]),
    Metric("extension-phase gap, median", "s", lambda f: _gap_median(f["extension_gaps"])),
    Metric("extension-phase gap, p90", "s", lambda f: quantile(f["extension_gaps"], 0.9)),
    Metric("extension-phase gap, maximum", "s", lambda f: _gap_max(f["extension_gaps"])),
)


def figures_of(fields: dict) -> Figures:
    return {m.name: m.of(fields) for m in METRICS}


def record_fields(record: AuctionRecord) -> dict:
    """The fields ``bid_record_figures`` computed for the simulated auction when it closed."""
    return {
        "extensions": record.extensions,
        "minutes_past_end": record.minutes_past_end,
        "bids": record.bids,
        "bidders": record.bidders,
        "single_increment_bids": record.single_increment_bids,
        "raises": record.raises,
        "top2_bids": record.top2_bids,
        "top3_bids": record.top3_bids,
        "extension_gaps": record.extension_gaps,
    }


# ----------------------------------------------------------------- the real side
def real_bids(lot: str) -> list[tuple[float, str, int]]:
    """(epoch seconds, bidder code, fen) of one real lot, oldest first (the file is newest first)."""
    path = log_dir() / f"{lot}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = [(beijing_time(r["时间"]).timestamp(), r["竞买号"], yuan_to_fen(r["价格"])) for r in csv.DictReader(f)]
    rows.reverse()
    return rows


@pytest.fixture(scope="module")
def real() -> dict[str, Figures]:
    """Each of the five real lots' figures."""
    return {
        lot: figures_of(bid_record_figures(real_bids(lot), yuan * 100, SCHEDULED_END.timestamp(), SOFT_CLOSE))
        for lot, yuan in sorted(INCREMENT_YUAN.items())
    }


# ----------------------------------------------------------------- the simulated side
@pytest.fixture(scope="module")
def result() -> SimulationResult:
    """The shipped scenario, RUNS seeds, in process on a virtual clock (about 15 s on two workers)."""
    return simulate("hot-lot", runs=RUNS, workers=2)


@pytest.fixture(scope="module")
def contested(result: SimulationResult) -> list[Figures]:
    """The figures of each run's auction that drew two bidders or more."""
    return [figures_of(record_fields(r)) for run in result.records for r in run if r.bidders >= 2]


# ----------------------------------------------------------------- side by side
@dataclass(frozen=True)
class Row:
    metric: Metric
    real: list[float]
    simulated: list[float]  # the contested runs that have the figure
    runs: int  # contested runs (the denominator of the share in range)

    @property
    def low(self) -> float:
        return min(self.real)

    @property
    def high(self) -> float:
        return max(self.real)

    @property
    def median(self) -> float | None:
        return statistics.median(self.simulated) if self.simulated else None

    @property
    def share_in_range(self) -> float:
        """Runs without the figure (no two bids after the scheduled end) count as outside the range."""
        inside = sum(1 for v in self.simulated if self.low <= v <= self.high)
        return inside / self.runs if self.runs else 0.0

    @property
    def problems(self) -> list[str]:
        out = []
        if self.median is None or not self.low <= self.median <= self.high:
            out.append(f"{self.metric.name}: simulated median {_fmt(self.median)} outside [{_fmt(self.low)}, "
                       f"{_fmt(self.high)}]")  # fmt: skip
        if self.share_in_range < MIN_SHARE_IN_RANGE:
            out.append(f"{self.metric.name}: only {self.share_in_range:.0%} of {self.runs} contested runs in "
                       f"[{_fmt(self.low)}, {_fmt(self.high)}] (at least {MIN_SHARE_IN_RANGE:.0%} wanted)")  # fmt: skip
        return out


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def rows(real: dict[str, Figures], contested: list[Figures]) -> list[Row]:
    out = []
    for m in METRICS:
        real_values = [f[m.name] for f in real.values() if f[m.name] is not None]
        simulated = [f[m.name] for f in contested if f[m.name] is not None]
        out.append(Row(m, real_values, simulated, len(contested)))
    return out


def table(rows_: list[Row], runs: int, contested: int) -> str:
    head = (
        f"hot-lot: {runs} runs, {contested} contested, against the five real records\n"
        f"{'figure':36s} | {'real min':>8s} {'median':>8s} {'max':>8s} | {'sim p10':>8s} {'p25':>8s} "
        f"{'median':>8s} {'p75':>8s} {'p90':>8s} | {'in range':>8s}"
    )
    lines = [head, "-" * len(head.splitlines()[1])]
    for r in rows_:
        name = f"{r.metric.name} ({r.metric.unit})" if r.metric.unit else r.metric.name
        sim = [quantile(r.simulated, q) for q in (0.1, 0.25, 0.5, 0.75, 0.9)]
        lines.append(
            f"{name:36s} | {_fmt(r.low):>8s} {_fmt(statistics.median(r.real)):>8s} {_fmt(r.high):>8s} | "
            + " ".join(f"{_fmt(v):>8s}" for v in sim)
            + f" | {r.share_in_range:>8.0%}"
        )
    return "\n".join(lines)


# ----------------------------------------------------------------- the acceptance criterion
def test_the_real_records_give_every_figure(real: dict[str, Figures]) -> None:
    """Every real lot was contested and ran into the extension phase, so every figure exists for it."""
    assert len(real) == 5
    for lot, figures in real.items():
        assert all(v is not None for v in figures.values()), f"{lot}: {figures}"


def test_hot_lot_is_contested_in_most_runs(result: SimulationResult, contested: list[Figures]) -> None:
    """The scenario is the kind of lot the real records come from: a contested flat. A run whose only
    auction drew fewer than two bidders says nothing about the soft-close dynamics."""
    assert len(result.records) == RUNS
    assert all(len(run) == 1 for run in result.records), "hot-lot is one lot, one round"
    assert len(contested) >= MIN_CONTESTED, f"only {len(contested)} of {RUNS} runs were contested"


def test_hot_lot_falls_in_the_ranges_of_the_five_real_records(
    real: dict[str, Figures], contested: list[Figures], result: SimulationResult
) -> None:
    """For each figure, the simulated median and at least half of the contested runs lie within the
    range of the five real lots."""
    rows_ = rows(real, contested)
    shown = table(rows_, len(result.records), len(contested))
    print("\n" + shown)
    problems = [p for r in rows_ for p in r.problems]
    assert not problems, "\n".join(problems) + "\n\n" + shown


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
