"""Court statistics as the contract writes them: JSON (``/stats``, ``/stats/monthly``, ``/stats/groups``)
and CSV (the same figures, labelled columns). Each rate names its denominator, in the JSON and in the CSV
header."""

from __future__ import annotations

import io
from typing import Any

from auction_rules.results import RateSummary

from ..core.stats import Figures, Group, YearOnYear, rounds_named
from .csv_cells import SafeWriter

TIMEZONE = "UTC+08:00"
MONTH_OF = "the auction's end (closing time) in China time, UTC+8"
DATING_RULE = (
    "each figure is dated by the moment of the event it counts, in China time (UTC+8): an auction's outcome "
    "at its close, a withdrawal when made, a lot's conclusion at the sale's close, a failed 变卖's close or the "
    "disposition (以物抵债 or return), whichever came first, 以物抵债 at the disposition, a paid balance at the "
    "settlement, a forfeited deposit at the 悔拍; a later event never moves an earlier one: a 悔拍 after the "
    "period of the sale's close has closed leaves that period as reported and shows as a correction in its own"
)


def statistics_json(stats: Figures) -> dict[str, Any]:
    def summary(s: RateSummary, weighted: float | None) -> dict[str, float | None]:
        return {"mean": s.mean, "median": s.median, "max": s.max, "weighted": weighted}

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
        "premium_rate_over_start": summary(stats.premium_rate_over_start, stats.premium_weighted_over_start),
        "premium_rate_over_appraisal": summary(
            stats.premium_rate_over_appraisal, stats.premium_weighted_over_appraisal
        ),
        "discount_rate": summary(stats.discount_rate, stats.discount_weighted),
        "weighted_meaning": "amount-weighted: sum(price - base) / sum(base) over the sales (discount: "
        "sum(price) / sum(appraisal)); mean, median and max are over the sales' own rates",
        "bids_per_auction": stats.bids_per_auction,
        "extensions_per_auction": stats.extensions_per_auction,
        # Beyond the contract's keys (adding is free):
        "defaulted": stats.defaulted,
        "defaulted_note": "sales that ended in 悔拍: neither sold nor unsold, not in the deal amount",
        "highest_price": stats.highest_price,
        "bidders_per_auction": stats.bidders_per_auction,
        "registrations_per_auction": stats.registrations_per_auction,
        "sold_by_round": dict(stats.sold_by_round),
        "share_sold_by_round": stats.share_sold_by_round,
        "share_sold_by_round_denominator": "sold auctions",
        "ended_by_round": dict(stats.ended_by_round),
        "creditor_taken": {"count": stats.creditor_taken, "amount": stats.creditor_taken_amount},
        "proceeds": stats.proceeds,
        "proceeds_note": "执行到位 from sales: the prices of sales whose balance was paid, dated by the payment",
        "paid_sales": stats.paid_sales,
        "forfeited_deposits": {"count": stats.forfeited_deposits, "amount": stats.forfeited_amount},
        "execution_total": stats.execution_total,
        "execution_total_note": "执行到位: paid balances + 以物抵债 (disposition price) + deposits forfeited by 悔拍",
        "corrections": {
            "sales": -stats.corrected_sales,
            "deal_amount": -stats.corrected_amount,
            "lots_sold": -stats.corrected_sales,  # each such sale had concluded its lot, as reported
        },
        "corrections_note": "sales reported as sold in an earlier, closed period and undone by a 悔拍 in this "
        "one: that period stays as reported; add these to it to read it as it stands now",
    }


# CSV columns: (header, how to read it from ``statistics_json``). Every rate names its denominator. The
# two placeholders stand for the columns of each round the table names (``csv_columns``).
SOLD_BY_ROUND, ENDED_BY_ROUND = "{sold by round}", "{ended by round}"
_COLUMNS: list[tuple[str, tuple[str, ...]]] = [
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
    (
        "premium_rate_over_starting_price_weighted = sum(price - start) / sum(start)",
        ("premium_rate_over_start", "weighted"),
    ),
    ("premium_rate_over_appraisal_mean = (price - appraisal) / appraisal", ("premium_rate_over_appraisal", "mean")),
    ("premium_rate_over_appraisal_median", ("premium_rate_over_appraisal", "median")),
    ("premium_rate_over_appraisal_max", ("premium_rate_over_appraisal", "max")),
    (
        "premium_rate_over_appraisal_weighted = sum(price - appraisal) / sum(appraisal)",
        ("premium_rate_over_appraisal", "weighted"),
    ),
    ("discount_rate_mean = price / appraisal", ("discount_rate", "mean")),
    ("bids_per_auction (over sold + unsold)", ("bids_per_auction",)),
    ("extensions_per_auction (over sold + unsold)", ("extensions_per_auction",)),
    ("defaulted (悔拍, not counted as sold)", ("defaulted",)),
    ("highest_price_fen", ("highest_price",)),
    ("bidders_per_auction (over sold + unsold)", ("bidders_per_auction",)),
    ("registrations_per_auction (over sold + unsold)", ("registrations_per_auction",)),
    (SOLD_BY_ROUND, ()),
    ("creditor_taken (以物抵债)", ("creditor_taken", "count")),
    ("creditor_taken_amount_fen", ("creditor_taken", "amount")),
    ("proceeds_fen (执行到位: paid sales)", ("proceeds",)),
    (ENDED_BY_ROUND, ()),
    ("forfeited_deposits (悔拍)", ("forfeited_deposits", "count")),
    ("forfeited_deposits_fen", ("forfeited_deposits", "amount")),
    ("execution_total_fen (执行到位: paid + 以物抵债 + forfeited deposits)", ("execution_total",)),
    ("correction_sales (earlier periods' sales undone by 悔拍 in this one)", ("corrections", "sales")),
    ("correction_deal_amount_fen", ("corrections", "deal_amount")),
    ("correction_lots_sold (lots concluded by those sales)", ("corrections", "lots_sold")),
]


def _round_columns(placeholder: str, rounds: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """The columns a placeholder of ``_COLUMNS`` stands for: one per round (``sold_round_1``,
    ``sold_sale (变卖)``...)."""

    def name(r: str) -> str:
        return "sale" if r == "sale" else f"round_{r}"

    def note(r: str) -> str:
        return " (变卖)" if r == "sale" else ""

    def words(r: str) -> str:
        return "变卖" if r == "sale" else f"round {r}"

    if placeholder == ENDED_BY_ROUND:
        return [(f"ended_{name(r)}{note(r)}", ("ended_by_round", r)) for r in rounds]
    return [
        *((f"sold_{name(r)}{note(r)}", ("sold_by_round", r)) for r in rounds),
        *((f"share_sold_{name(r)} = sold in {words(r)} / sold", ("share_sold_by_round", r)) for r in rounds),
    ]


def csv_columns(figures: list[Figures]) -> list[tuple[str, tuple[str, ...]]]:
    """The labelled columns of a table of ``figures``: by round, the law's rounds and every other round
    one of them names (a research profile's third round)."""
    rounds = rounds_named([f.ended_by_round for f in figures])
    out: list[tuple[str, tuple[str, ...]]] = []
    for header, path in _COLUMNS:
        out += _round_columns(header, rounds) if not path else [(header, path)]
    return out


def _cell(figures: dict[str, Any], path: tuple[str, ...]) -> str:
    value: Any = figures
    for key in path:
        value = value.get(key)
        if value is None:
            break
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


def statistics_csv(rows: list[tuple[str | None, Figures]], first_column: str | None = None) -> str:
    """CSV text: a header row of labelled columns, then one row per (label, figures)."""
    out = io.StringIO()
    writer = SafeWriter(out, lineterminator="\r\n")
    columns = csv_columns([f for _, f in rows])
    writer.writerow(([first_column] if first_column else []) + [h for h, _ in columns])
    for label, stats in rows:
        figures = statistics_json(stats)
        writer.writerow(([label or ""] if first_column else []) + [_cell(figures, p) for _, p in columns])
    return out.getvalue()


def monthly_statistics_json(series: list[tuple[str, Figures]]) -> dict[str, Any]:
    """The figures per calendar month (``YYYY-MM``, China time) of the auctions' end."""
    return {
        "timezone": TIMEZONE,
        "month_of": MONTH_OF,
        "items": [{"month": month, **statistics_json(figures)} for month, figures in series],
    }


def monthly_statistics_csv(series: list[tuple[str, Figures]]) -> str:
    return statistics_csv(list(series), first_column="month (UTC+8)")


# ----------------------------------------------------------------------------- /stats/groups


def _yoy_json(yoy: YearOnYear | None) -> dict[str, Any] | None:
    if yoy is None:
        return None
    return {
        "compared_with": yoy.period,
        "sold": yoy.sold,
        "auctions_ended": yoy.auctions_ended,
        "deal_amount": yoy.deal_amount,
        "proceeds": yoy.proceeds,
        "creditor_taken_amount": yoy.creditor_taken_amount,
        "execution_total": yoy.execution_total,
        "transaction_rate_points": yoy.transaction_rate_points,
        "transaction_rate_difference": yoy.transaction_rate_difference,
    }


def groups_json(dims: list[str], groups: list[Group]) -> dict[str, Any]:
    """Every group's key, figures (the keys of ``/stats``) and year-on-year change."""
    return {
        "by": dims,
        "timezone": TIMEZONE,
        "period_of": DATING_RULE,
        "yoy_meaning": "(this - a year before) / a year before; transaction_rate_points: the difference of the "
        "two rates in percentage points (14.23 for 48.23% against 34.00%), transaction_rate_difference: the "
        "same as a fraction (0.1423)",
        "items": [{"group": g.key, **statistics_json(g.figures), "yoy": _yoy_json(g.yoy)} for g in groups],
    }


YOY_COLUMNS: list[tuple[str, str]] = [
    ("yoy_compared_with", "compared_with"),
    ("yoy_sold = (sold - a year before) / a year before", "sold"),
    ("yoy_deal_amount", "deal_amount"),
    ("yoy_proceeds", "proceeds"),
    ("yoy_transaction_rate_points (percentage points)", "transaction_rate_points"),
    ("yoy_transaction_rate_difference (fraction)", "transaction_rate_difference"),
]


def groups_csv(dims: list[str], groups: list[Group]) -> str:
    """The table as CSV: the group's dimensions, then the figures' labelled columns, then the yoy."""
    out = io.StringIO()
    writer = SafeWriter(out, lineterminator="\r\n")
    columns = csv_columns([g.figures for g in groups])
    writer.writerow([*dims, *(h for h, _ in columns), *(h for h, _ in YOY_COLUMNS)])
    for g in groups:
        figures = statistics_json(g.figures)
        yoy = _yoy_json(g.yoy) or {}
        writer.writerow(
            [
                *("" if g.key[d] is None else str(g.key[d]) for d in dims),
                *(_cell(figures, p) for _, p in columns),
                *(_cell(yoy, (k,)) if k in yoy else "" for _, k in YOY_COLUMNS),
            ]
        )
    return out.getvalue()
