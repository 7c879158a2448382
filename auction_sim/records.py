"""One record per simulated auction, and every summary figure computed from those records alone (so a
reader of ``figures.json`` can recompute each one). Pure.

Definitions (``docs/domain.md``, "Statistics"; the denominator is always said):

* a sale later defaulted (悔拍) is not a sale: it counts as ``defaulted``, neither sold nor unsold, with
  nothing in the deal amount, by the service's own rule (``auction_rules.results.counted_outcome``);
* ``transaction_rate``: sold ÷ (sold + unsold) over the auctions that ended; ``transaction_rate_by_lot``:
  lots sold and paid ÷ lots concluded (sold and paid, or disposed of after the last round failed);
  ``transaction_rate_by_lot_listed``: lots sold and paid ÷ lots listed; lots still under way at the
  scenario's horizon (their next round opens after it) are counted apart (``lots_under_way``);
* premium rates over the start and over the appraisal, over sold auctions: median, mean, max; the share
  of sold auctions with more than 100 bids;
  ``discount_rate``: mean price ÷ appraisal over sold auctions;
* ``deal_amount``: prices of sales that were paid; ``deposits_forfeited``: deposits of defaulted sales;
* counts beside each proportion (``sold_round_2``, ``raises``...), so the runs' counts can be pooled
  (``auction_sim.validation``);
* calibration figures over *contested* auctions (two bidders or more), medians per auction, and the
  extension-phase gaps (seconds between consecutive bids after the scheduled end) pooled;
* welfare over sales: ``efficiency`` (share won by the buyer who valued the lot most, of the sales whose
  winner the simulator ran: ``efficient_sales`` ÷ ``judged_sales``), ``winner_to_top_valuation_mean``
  (the winner's valuation ÷ the highest valuation: how much of the value the allocation kept when the
  wrong buyer won), the winners' surplus (total, and mean as a share of the price), the price ÷ the
  second-highest valuation;
  ``unsold_registered_share``: unsold auctions that had registrants (buyers came and chose not to bid).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any

from auction_rules.results import counted_outcome


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
    onset_minutes: float | None = None  # the first bid, minutes before the scheduled end (None: no bid)
    # every accepted bid (server time in epoch seconds, the buyer's pool index as in ``participants``,
    # amount in fen), for the bids table (``tables.py``); not in ``figures.json``, whose figures need none
    bid_log: list[tuple[float, int, int]] = field(default_factory=list, repr=False)

    def row(self) -> dict[str, Any]:
        out = figures_row(self)
        out["extension_gaps"] = ";".join(f"{g:g}" for g in self.extension_gaps)
        return out


# A record's fields as ``figures.json`` and ``auctions.csv`` keep them, in the dataclass's order: all but
# the bid log (the tables hold the bids).
ROW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(AuctionRecord) if f.name != "bid_log")


def figures_row(record: AuctionRecord) -> dict[str, Any]:
    """The record as ``figures.json`` keeps it: every field but the bid log (the tables hold the bids)."""
    return {name: getattr(record, name) for name in ROW_FIELDS}


def bid_record_figures(
    bids: list[tuple[float, str, int]], increment: int, scheduled_end: float, extension: float
) -> dict[str, Any]:
    """Per-auction figures from its bid record (time, bidder code, amount), ascending, under a soft close
    of ``extension`` seconds (the profile's, ``auction_rules.profiles``): the same function reads the
    real records and the simulated ones."""
    if not bids:
        return {
            "bids": 0, "bidders": 0, "extensions": 0, "minutes_past_end": 0.0, "single_increment_bids": 0,
            "raises": 0, "top2_bids": 0, "top3_bids": 0, "extension_gaps": [], "onset_minutes": None,
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
        "onset_minutes": round((scheduled_end - bids[0][0]) / 60, 3),
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


def counted(record: AuctionRecord) -> str | None:
    """How the record counts in the figures: the service's own rule (``auction_rules.results``), so a
    simulated 悔拍 sale is ``defaulted`` here exactly as in the service's statistics."""
    return counted_outcome(record.outcome, "defaulted" if record.defaulted else None)


def lot_figures(records: list[AuctionRecord]) -> dict[str, Any]:
    """Lots over all their rounds. A lot is concluded when it sold and was paid, or was taken or returned
    after its last round failed; a lot whose next round would open after the scenario's horizon is
    neither: it is *under way* at the horizon (censored), counted apart rather than dropped, so the rate
    per lot concluded and the rate per lot listed (every lot under way counted unsold) bracket the truth."""
    listed = {r.lot_id for r in records}
    lots_sold = {r.lot_id for r in records if counted(r) == "sold"}
    concluded = lots_sold | {r.lot_id for r in records if r.disposition is not None}
    under_way = listed - concluded
    return {
        "lots": len({r.lot_id for r in records if counted(r) in ("sold", "unsold", "defaulted")}),
        "lots_listed": len(listed),
        "lots_sold": len(lots_sold),
        "lots_concluded": len(concluded),
        "lots_under_way": len(under_way),
        "transaction_rate_by_lot": _rate(len(lots_sold), len(concluded)),
        "transaction_rate_by_lot_listed": _rate(len(lots_sold), len(listed)),
        "share_lots_under_way": _rate(len(under_way), len(listed)),
    }


def summarize(records: list[AuctionRecord]) -> dict[str, Any]:
    """Every summary figure of a run, from its auction records alone. A sale later defaulted (悔拍) is
    not a sale (``counted``): it is neither sold nor unsold, as in the service's statistics."""
    outcome = [(counted(r), r) for r in records]
    sold = [r for c, r in outcome if c == "sold"]
    defaulted = [r for c, r in outcome if c == "defaulted"]
    ended = [r for c, r in outcome if c in ("sold", "unsold")]
    over_start = [(r.price - r.starting_price) / r.starting_price for r in sold if r.price is not None]
    over_appraisal = [(r.price - r.appraisal) / r.appraisal for r in sold if r.price is not None]
    contested = [r for r in ended if r.bidders >= 2]
    raises = sum(r.raises for r in contested)
    gaps = [g for r in contested for g in r.extension_gaps]
    by_round = Counter(str(r.round) for r in sold)
    judged = [r for r in sold if r.efficient is not None]
    efficient = sum(bool(r.efficient) for r in judged)
    unsold_registered = sum(1 for r in ended if r.outcome == "unsold" and r.registrations > 0)
    over_100 = sum(1 for r in sold if r.bids > 100)
    return {
        "auctions": len(ended),
        "sold": len(sold),
        "unsold": len(ended) - len(sold),
        "defaulted": len(defaulted),
        "hammered": len(sold) + len(defaulted),
        "transaction_rate": _rate(len(sold), len(ended)),
        **lot_figures(records),
        "premium_rate_over_start_median": _median(over_start),
        "premium_rate_over_start_mean": _mean(over_start),
        "premium_rate_over_start_max": max(over_start, default=None),
        "premium_rate_over_appraisal_median": _median(over_appraisal),
        "premium_rate_over_appraisal_mean": _mean(over_appraisal),
        "premium_rate_over_appraisal_max": max(over_appraisal, default=None),
        "discount_rate": _mean([r.price / r.appraisal for r in sold if r.price is not None]),
        "deal_amount": sum(r.price or 0 for r in sold),
        "deposits_forfeited": sum(r.deposit for r in defaulted),
        "default_rate": _rate(len(defaulted), len(sold) + len(defaulted)),
        "bids_per_auction": _mean([r.bids for r in ended]),
        "bidders_per_auction": _mean([r.bidders for r in ended]),
        "registrations_per_auction": _mean([r.registrations for r in ended]),
        "sold_round_1": by_round["1"],
        "sold_round_2": by_round["2"],
        "sold_sale": by_round["sale"],
        "share_sold_round_1": _rate(by_round["1"], len(sold)),
        "share_sold_round_2": _rate(by_round["2"], len(sold)),
        "share_sold_sale": _rate(by_round["sale"], len(sold)),
        "sold_over_100_bids": over_100,
        "share_sold_over_100_bids": _rate(over_100, len(sold)),
        "contested_auctions": len(contested),
        "extensions_per_contested": _median([r.extensions for r in contested]),
        "minutes_past_end_per_contested": _median([r.minutes_past_end for r in contested]),
        "bids_per_contested": _median([r.bids for r in contested]),
        "bidders_per_contested": _median([r.bidders for r in contested]),
        "single_increment_bids": sum(r.single_increment_bids for r in contested),
        "raises": raises,
        "single_increment_share": _rate(sum(r.single_increment_bids for r in contested), raises),
        "top2_share": _median([r.top2_bids / r.bids for r in contested]),
        "top3_share": _median([r.top3_bids / r.bids for r in contested]),
        "extension_gap_median": _median(gaps),
        "extension_gap_p90": quantile(gaps, 0.9),
        "extension_gap_max": max(gaps, default=None),
        # welfare over sales whose winner the simulator ran
        "judged_sales": len(judged),
        "efficient_sales": efficient,
        "efficiency": _rate(efficient, len(judged)),
        "winner_to_top_valuation_mean": _mean(
            [r.winner_valuation / r.top_valuation for r in judged if r.winner_valuation is not None and r.top_valuation]
        ),
        "winner_surplus_total": sum(r.winner_surplus or 0 for r in judged),
        "winner_surplus_to_price_mean": _mean([(r.winner_surplus or 0) / r.price for r in judged if r.price]),
        "price_to_second_valuation_mean": _mean(
            [r.price_to_second_valuation for r in judged if r.price_to_second_valuation is not None]
        ),
        # registered auctions that failed: buyers came and paid the deposit, and chose not to bid
        "unsold_registered": unsold_registered,
        "unsold_registered_share": _rate(unsold_registered, len(ended) - len(sold)),
    }
