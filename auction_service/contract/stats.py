"""Court statistics as the contract writes them: JSON (``/stats``, ``/stats/monthly``) and CSV (the same
figures, labelled columns). Each rate names its denominator, in the JSON and in the CSV header."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..rules.results import RateSummary, Statistics

TIMEZONE = "UTC+08:00"
MONTH_OF = "the auction's end (closing time) in China time, UTC+8"


def statistics_json(stats: Statistics) -> dict[str, Any]:
    def summary(s: RateSummary) -> dict[str, float | None]:
        return {"mean": s.mean, "median": s.median, "max": s.max}

    return {
        "auctions_ended": stats.auctions_ended,
        "sold": stats.sold,
        "unsold": stats.unsold,
        "withdrawn": stats.withdrawn,
        "transaction_rate": stats.transaction_rate,
        "transaction_rate_denominator": "sold + unsold auctions ended in the window",
        "lots_concluded": stats.lots_concluded,
        "lots_sold": stats.lots_sold,
        "lot_transaction_rate": stats.lot_transaction_rate,
        "lot_transaction_rate_denominator": "lots whose fate was settled (sold, or unsold after every round)",
        "deal_amount": stats.deal_amount,
        "premium_rate_over_start": summary(stats.premium_rate_over_start),
        "premium_rate_over_appraisal": summary(stats.premium_rate_over_appraisal),
        "discount_rate": summary(stats.discount_rate),
        "bids_per_auction": stats.bids_per_auction,
        "extensions_per_auction": stats.extensions_per_auction,
    }


# CSV columns: (header, how to read it from ``statistics_json``). Every rate names its denominator.
CSV_COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    ("auctions_ended (sold + unsold)", ("auctions_ended",)),
    ("sold", ("sold",)),
    ("unsold (流拍)", ("unsold",)),
    ("withdrawn", ("withdrawn",)),
    ("transaction_rate = sold / (sold + unsold auctions)", ("transaction_rate",)),
    ("lots_concluded", ("lots_concluded",)),
    ("lots_sold", ("lots_sold",)),
    ("lot_transaction_rate = lots sold / lots concluded", ("lot_transaction_rate",)),
    ("deal_amount_fen", ("deal_amount",)),
    ("premium_rate_over_starting_price_mean = (price - start) / start", ("premium_rate_over_start", "mean")),
    ("premium_rate_over_starting_price_median", ("premium_rate_over_start", "median")),
    ("premium_rate_over_starting_price_max", ("premium_rate_over_start", "max")),
    ("premium_rate_over_appraisal_mean = (price - appraisal) / appraisal", ("premium_rate_over_appraisal", "mean")),
    ("premium_rate_over_appraisal_median", ("premium_rate_over_appraisal", "median")),
    ("premium_rate_over_appraisal_max", ("premium_rate_over_appraisal", "max")),
    ("discount_rate_mean = price / appraisal", ("discount_rate", "mean")),
    ("bids_per_auction (over sold + unsold)", ("bids_per_auction",)),
    ("extensions_per_auction (over sold + unsold)", ("extensions_per_auction",)),
]


def _cell(figures: dict[str, Any], path: tuple[str, ...]) -> str:
    value: Any = figures
    for key in path:
        value = value[key]
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


def statistics_csv(rows: list[tuple[str | None, Statistics]], first_column: str | None = None) -> str:
    """CSV text: a header row of labelled columns, then one row per (label, figures)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(([first_column] if first_column else []) + [h for h, _ in CSV_COLUMNS])
    for label, stats in rows:
        figures = statistics_json(stats)
        writer.writerow(([label or ""] if first_column else []) + [_cell(figures, p) for _, p in CSV_COLUMNS])
    return out.getvalue()


def monthly_statistics_json(series: list[tuple[str, Statistics]]) -> dict[str, Any]:
    """The figures per calendar month (``YYYY-MM``, China time) of the auctions' end."""
    return {
        "timezone": TIMEZONE,
        "month_of": MONTH_OF,
        "items": [{"month": month, **statistics_json(figures)} for month, figures in series],
    }


def monthly_statistics_csv(series: list[tuple[str, Statistics]]) -> str:
    return statistics_csv(list(series), first_column="month (UTC+8)")
