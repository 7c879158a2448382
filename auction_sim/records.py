"""One record per simulated auction, and every summary figure computed from those records alone (so a
reader of ``figures.json`` can recompute each one). Pure.

Definitions (``docs/domain.md``, "Statistics"; the denominator is always said):

* ``transaction_rate``: sold ÷ (sold + unsold) over the auctions that ended (a sale later defaulted
  still ended sold); ``transaction_rate_by_lot``: lots sold and paid ÷ lots concluded (sold and paid,
  or disposed of after the last round failed);
* premium rates over the start and over the appraisal, over sold auctions: median, mean, max;
  ``discount_rate``: mean price ÷ appraisal over sold auctions;
* ``deal_amount``: prices of sales that were paid; ``deposits_forfeited``: deposits of defaulted sales;
* calibration figures over *contested* auctions (two bidders or more), medians per auction, and the
  extension-phase gaps (seconds between consecutive bids after the scheduled end) pooled;
* welfare over sales: ``efficiency`` (share won by the buyer who valued the lot most), the winners'
  surplus (total, and mean as a share of the price), the price ÷ the second-highest valuation;
  ``unsold_registered_share``: unsold auctions that had registrants (buyers came and chose not to bid).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class AuctionRecord:
    auction_id: int
    lot_id: int
    court: str
    province: str
    court_level: str
    category: str
    round: int | str  # 1, 2 or "sale"
    appraisal: int
    starting_price: int
    increment: int
    deposit: int
    start_at: str
    scheduled_end_at: str
    end_at: str
    outcome: str  # "sold" / "unsold"
    price: int | None
    bids: int
    bidders: int
    registrations: int
    extensions: int
    minutes_past_end: float
    defaulted: bool
    disposition: str | None = None  # after this failed auction the lot was taken or returned
    single_increment_bids: int = 0  # raises of exactly one increment (the opening bid is not a raise)
    raises: int = 0
    top2_bids: int = 0
    top3_bids: int = 0
    extension_gaps: list[float] = field(default_factory=list)
    # Who looked at the auction: per buyer its pool index, valuation here (fen), budget, strategy,
    # patience, whether it registered, its opening limit and the auction at which it first came.
    participants: list[dict[str, Any]] = field(default_factory=list)
    held_out: int = 0  # registrants who would not open the bidding at this start (waiting for the next round)
    # welfare of a sale (``welfare``): the highest and second-highest valuations among those who looked,
    # the winner's, whether the buyer who valued it most won, the winner's surplus, price ÷ 2nd valuation
    top_valuation: int | None = None
    second_valuation: int | None = None
    winner_valuation: int | None = None
    efficient: bool | None = None
    winner_surplus: int | None = None
    price_to_second_valuation: float | None = None

    def row(self) -> dict[str, Any]:
        out = asdict(self)
        out["extension_gaps"] = ";".join(f"{g:g}" for g in self.extension_gaps)
        return out


def bid_record_figures(
    bids: list[tuple[float, str, int]], increment: int, scheduled_end: float, extension: float
) -> dict[str, Any]:
    """Per-auction figures from its bid record (time, bidder code, amount), ascending, under a soft close
    of ``extension`` seconds (the profile's, ``auction_rules.profiles``): the same function reads the
    real records and the simulated ones."""
    if not bids:
        return {
            "bids": 0, "bidders": 0, "extensions": 0, "minutes_past_end": 0.0, "single_increment_bids": 0,
            "raises": 0, "top2_bids": 0, "top3_bids": 0, "extension_gaps": [],
        }  # fmt: skip
    end = scheduled_end
    extensions = 0
    for at, _code, _amount in bids:
        if end - at < extension:
            extensions += 1
            end = at + extension
    steps = [(b[2] - a[2]) / increment for a, b in itertools.pairwise(bids)]
    counts = [n for _, n in Counter(code for _, code, _ in bids).most_common()]
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(bids) if a[0] >= scheduled_end]
    return {
        "bids": len(bids),
        "bidders": len(counts),
        "extensions": extensions,
        "minutes_past_end": round(max(end - scheduled_end, 0.0) / 60, 3),
        "single_increment_bids": sum(1 for s in steps if abs(s - 1) < 1e-9),
        "raises": len(steps),
        "top2_bids": sum(counts[:2]),
        "top3_bids": sum(counts[:3]),
        "extension_gaps": [round(g, 3) for g in gaps],
    }


def welfare(valuations: dict[int, int], winner: int | None, price: int | None) -> dict[str, Any]:
    """The welfare figures of one auction from the valuations (fen) of the buyers who looked at it,
    keyed by buyer, its winner and price (None: unsold): whether the buyer who valued it most won
    (``efficient``), the winner's surplus (valuation − price), and the price against the second-highest
    valuation (what an efficient second-price auction would have raised)."""
    ranked = sorted(valuations.values(), reverse=True)
    top = ranked[0] if ranked else None
    second = ranked[1] if len(ranked) > 1 else None
    out: dict[str, Any] = {"top_valuation": top, "second_valuation": second}
    if price is None or winner is None or winner not in valuations:
        return out
    mine = valuations[winner]
    return {
        **out,
        "winner_valuation": mine,
        "efficient": mine == top,
        "winner_surplus": mine - price,
        "price_to_second_valuation": price / second if second else None,
    }


def _rate(num: float, den: float) -> float | None:
    return num / den if den else None


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def quantile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile by linear interpolation (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarize(records: list[AuctionRecord]) -> dict[str, Any]:
    """Every summary figure of a run, from its auction records alone."""
    ended = [r for r in records if r.outcome in ("sold", "unsold")]
    sold = [r for r in ended if r.outcome == "sold"]
    lots_sold = {r.lot_id for r in sold if not r.defaulted}
    lots_concluded = lots_sold | {r.lot_id for r in ended if r.disposition is not None}
    over_start = [(r.price - r.starting_price) / r.starting_price for r in sold if r.price is not None]
    over_appraisal = [(r.price - r.appraisal) / r.appraisal for r in sold if r.price is not None]
    contested = [r for r in ended if r.bidders >= 2]
    raises = sum(r.raises for r in contested)
    gaps = [g for r in contested for g in r.extension_gaps]
    by_round = Counter(str(r.round) for r in sold)
    judged = [r for r in sold if r.efficient is not None]
    return {
        "auctions": len(ended),
        "sold": len(sold),
        "unsold": len(ended) - len(sold),
        "transaction_rate": _rate(len(sold), len(ended)),
        "lots": len({r.lot_id for r in ended}),
        "lots_sold": len(lots_sold),
        "lots_concluded": len(lots_concluded),
        "transaction_rate_by_lot": _rate(len(lots_sold), len(lots_concluded)),
        "premium_rate_over_start_median": _median(over_start),
        "premium_rate_over_start_mean": _mean(over_start),
        "premium_rate_over_start_max": max(over_start, default=None),
        "premium_rate_over_appraisal_median": _median(over_appraisal),
        "premium_rate_over_appraisal_mean": _mean(over_appraisal),
        "premium_rate_over_appraisal_max": max(over_appraisal, default=None),
        "discount_rate": _mean([r.price / r.appraisal for r in sold if r.price is not None]),
        "deal_amount": sum(r.price or 0 for r in sold if not r.defaulted),
        "deposits_forfeited": sum(r.deposit for r in sold if r.defaulted),
        "default_rate": _rate(sum(r.defaulted for r in sold), len(sold)),
        "bids_per_auction": _mean([r.bids for r in ended]),
        "bidders_per_auction": _mean([r.bidders for r in ended]),
        "registrations_per_auction": _mean([r.registrations for r in ended]),
        "share_sold_round_1": _rate(by_round["1"], len(sold)),
        "share_sold_round_2": _rate(by_round["2"], len(sold)),
        "share_sold_sale": _rate(by_round["sale"], len(sold)),
        "contested_auctions": len(contested),
        "extensions_per_contested": _median([r.extensions for r in contested]),
        "minutes_past_end_per_contested": _median([r.minutes_past_end for r in contested]),
        "bids_per_contested": _median([r.bids for r in contested]),
        "bidders_per_contested": _median([r.bidders for r in contested]),
        "single_increment_share": _rate(sum(r.single_increment_bids for r in contested), raises),
        "top2_share": _median([r.top2_bids / r.bids for r in contested]),
        "top3_share": _median([r.top3_bids / r.bids for r in contested]),
        "extension_gap_median": _median(gaps),
        "extension_gap_p90": quantile(gaps, 0.9),
        "extension_gap_max": max(gaps, default=None),
        # welfare over sales whose winner the simulator ran
        "efficiency": _rate(sum(bool(r.efficient) for r in judged), len(judged)),
        "winner_surplus_total": sum(r.winner_surplus or 0 for r in judged),
        "winner_surplus_to_price_mean": _mean([(r.winner_surplus or 0) / r.price for r in judged if r.price]),
        "price_to_second_valuation_mean": _mean(
            [r.price_to_second_valuation for r in judged if r.price_to_second_valuation is not None]
        ),
        # registered auctions that failed: buyers came and paid the deposit, and chose not to bid
        "unsold_registered_share": _rate(
            sum(1 for r in ended if r.outcome == "unsold" and r.registrations > 0), len(ended) - len(sold)
        ),
    }


# ----------------------------------------------------------------- several runs
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
         15: 2.131, 20: 2.086, 30: 2.042}  # fmt: skip


def t_quantile(df: int) -> float:
    """Student's t 97.5% quantile (a 95% two-sided interval) for ``df`` degrees of freedom."""
    if df > 30:
        return 1.96
    known = max(k for k in _T975 if k <= df)
    return _T975[known]


def aggregate(summaries: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Each numeric figure over several runs: mean and its 95% confidence interval."""
    out: dict[str, dict[str, float | None]] = {}
    for name in summaries[0]:
        values = [s[name] for s in summaries if isinstance(s.get(name), int | float)]
        if not values:
            out[name] = {"mean": None, "low": None, "high": None, "runs": 0}
            continue
        mean = statistics.fmean(values)
        half = (
            t_quantile(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
        )
        out[name] = {"mean": mean, "low": mean - half, "high": mean + half, "runs": len(values)}
    return out


def evaluate(targets: list[Any], summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Each published target beside the run's value."""
    return [
        {
            "name": t.name,
            "target": t.target,
            "tolerance": t.tolerance,
            "value": summary.get(t.name),
            "within": t.within(summary.get(t.name)),
            "source": t.source,
        }
        for t in targets
    ]
