"""A simulation's report, written into an output folder: the figures as JSON (the machine-readable truth a
reader can recompute every number from), the auction records as CSV (for a spreadsheet) and one
self-contained HTML page for a human (tables plus charts inlined as SVG, so the file can be mailed or
archived and still opens offline, with no CDN and no script).

Pure Python plus matplotlib on the Agg backend: the report is written by batch runs and tests, where no
window may ever open. Nothing here imports the service (the client and the service stay independent).
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeGuard

import matplotlib

matplotlib.use("Agg")  # before pyplot: a batch run must never try to open a window

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from auction_rules.profiles import JUDICIAL_2016, PROFILES, RuleProfile

from .records import ROW_FIELDS

# The CSV columns, in the record's own order, so the file reads like the dataclass documents it.
RECORD_COLUMNS: tuple[str, ...] = ROW_FIELDS

ROUND_ORDER = ("1", "2", "sale")
ROUND_LABELS = {"1": "Round 1", "2": "Round 2", "sale": "Sale (变卖)"}

# How each summary figure is shown: its label (always with the denominator, as docs/domain.md asks) and
# its kind, which picks the formatting. Figures not listed are still shown, under their own name.
RATE, MONEY, COUNT, NUMBER, MINUTES, SECONDS = "rate", "money", "count", "number", "minutes", "seconds"
FIGURES: dict[str, tuple[str, str]] = {
    "auctions": ("Auctions ended (sold + unsold; a 悔拍 sale is neither)", COUNT),
    "sold": ("Auctions sold (悔拍 sales excluded)", COUNT),
    "unsold": ("Auctions unsold", COUNT),
    "defaulted": ("Sales that ended in 悔拍 (not counted as sold, as in the service's statistics)", COUNT),
    "hammered": ("Auctions whose hammer fell (sold + 悔拍)", COUNT),
    "transaction_rate": ("Transaction rate 成交率 (sold ÷ ended auctions)", RATE),
    "lots": ("Lots with an ended auction", COUNT),
    "lots_listed": ("Lots listed", COUNT),
    "lots_sold": ("Lots sold and paid", COUNT),
    "lots_concluded": ("Lots concluded (sold and paid, or taken/returned after the last round)", COUNT),
    "lots_under_way": ("Lots still under way at the horizon (next round after it: censored, not dropped)", COUNT),
    "transaction_rate_by_lot": ("Transaction rate by lot (lots sold and paid ÷ lots concluded)", RATE),
    "transaction_rate_by_lot_listed": ("Transaction rate by lot listed (lots sold and paid ÷ lots listed)", RATE),
    "share_lots_under_way": ("Lots still under way at the horizon (÷ lots listed)", RATE),
    "premium_rate_over_start_median": ("Premium over starting price, median (over sold auctions)", RATE),
    "premium_rate_over_start_mean": ("Premium over starting price, mean (over sold auctions)", RATE),
    "premium_rate_over_start_max": ("Premium over starting price, max (over sold auctions)", RATE),
    "premium_rate_over_appraisal_median": ("Premium over appraisal, median (over sold auctions)", RATE),
    "premium_rate_over_appraisal_mean": ("Premium over appraisal, mean (over sold auctions)", RATE),
    "premium_rate_over_appraisal_max": ("Premium over appraisal, max (over sold auctions)", RATE),
    "discount_rate": ("Discount rate 折价率 (price ÷ appraisal, mean over sold auctions)", RATE),
    "deal_amount": ("Deal amount (prices of paid sales)", MONEY),
    "deposits_forfeited": ("Deposits forfeited (deposits of defaulted sales)", MONEY),
    "default_rate": ("Default rate 悔拍 (defaulted ÷ sold auctions)", RATE),
    "bids_per_auction": ("Bids per auction (mean over ended auctions)", NUMBER),
    "bidders_per_auction": ("Bidders per auction (mean over ended auctions)", NUMBER),
    "registrations_per_auction": ("Registrations per auction (mean over ended auctions)", NUMBER),
    "share_sold_round_1": ("Share sold in round 1 (round-1 sales ÷ sold auctions)", RATE),
    "share_sold_round_2": ("Share sold in round 2 (round-2 sales ÷ sold auctions)", RATE),
    "share_sold_sale": ("Share sold in the sale phase (sale-phase sales ÷ sold auctions)", RATE),
    "share_sold_over_100_bids": ("Sales with more than 100 bids (÷ sold auctions)", RATE),
    "sold_round_1": ("Sales in round 1", COUNT),
    "sold_round_2": ("Sales in round 2", COUNT),
    "sold_sale": ("Sales in the sale phase (变卖)", COUNT),
    "sold_over_100_bids": ("Sales with more than 100 bids", COUNT),
    "contested_auctions": ("Contested auctions (two bidders or more)", COUNT),
    "extensions_per_contested": ("Extensions per contested auction (median)", NUMBER),
    "minutes_past_end_per_contested": ("Time past the scheduled end per contested auction (median)", MINUTES),
    "bids_per_contested": ("Bids per contested auction (median)", NUMBER),
    "bidders_per_contested": ("Bidders per contested auction (median)", NUMBER),
    "single_increment_bids": ("Single-increment raises in contested auctions", COUNT),
    "raises": ("Raises in contested auctions (bids after the opening bid)", COUNT),
    "single_increment_share": ("Single-increment raises (÷ all raises in contested auctions)", RATE),
    "top2_share": ("Bids by the top 2 bidders (÷ the auction's bids, median over contested)", RATE),
    "top3_share": ("Bids by the top 3 bidders (÷ the auction's bids, median over contested)", RATE),
    "extension_gap_median": ("Gap between bids after the scheduled end, median (pooled, contested)", SECONDS),
    "extension_gap_p90": ("Gap between bids after the scheduled end, 90th percentile (pooled, contested)", SECONDS),
    "extension_gap_max": ("Gap between bids after the scheduled end, max (pooled, contested)", SECONDS),
}


# ----------------------------------------------------------------------------------------- public API
def write_report(out_dir: Path, figures: dict[str, Any]) -> dict[str, Path]:
    """Write figures.json, auctions.csv and report.html into out_dir (created if missing); return their paths
    by name (``figures``, ``auctions``, ``report``)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "figures": out_dir / "figures.json",
        "auctions": out_dir / "auctions.csv",
        "report": out_dir / "report.html",
    }
    paths["figures"].write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    _write_csv(paths["auctions"], figures.get("auctions") or [])
    paths["report"].write_text(render_html(figures), encoding="utf-8")
    return paths


# ---------------------------------------------------------------------------------------------- CSV
def _csv_cell(name: str, value: Any) -> Any:
    """One cell: gaps as ``;``-joined numbers (a list does not fit a cell), None as empty."""
    if value is None:
        return ""
    if name == "extension_gaps" and isinstance(value, list | tuple):
        return ";".join(f"{g:g}" for g in value)
    return value


# Money columns are integer fen (1/100 yuan); their headers say so, since a spreadsheet shows no units.
MONEY_COLUMNS = ("appraisal", "starting_price", "increment", "deposit", "price")


def csv_header(column: str) -> str:
    """The CSV header of a record field: ``price`` is ``price_fen``."""
    return f"{column}_fen" if column in MONEY_COLUMNS else column


def _write_csv(path: Path, records: Sequence[dict[str, Any]]) -> None:
    """One row per record; keys beyond the dataclass's are kept at the end rather than silently dropped.
    ``utf-8-sig`` because Excel only reads the Chinese court names right with a BOM."""
    tags = [k for k in ("run", "seed") if any(k in r for r in records)]  # which run of several, first
    columns = tags + list(RECORD_COLUMNS)
    for record in records:
        columns.extend(k for k in record if k not in columns)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([csv_header(c) for c in columns])
        for record in records:
            writer.writerow([_csv_cell(c, record.get(c)) for c in columns])


# ------------------------------------------------------------------------------------------ formatting
def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def format_value(kind: str, value: Any) -> str:
    """A figure for a human: rates as percentages, money in yuan (fen ÷ 100) with thousands separators."""
    if not _is_number(value):
        return "—"
    if kind == RATE:
        return f"{value * 100:.1f}%"
    if kind == MONEY:
        return f"{value / 100:,.2f} yuan"
    if kind == COUNT:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if kind == MINUTES:
        return f"{value:,.1f} min"
    if kind == SECONDS:
        return f"{value:,.1f} s"
    return f"{value:,.2f}"


def format_tolerance(kind: str, value: Any) -> str:
    """A tolerance is a difference: for a rate, percentage points, not a percentage of the target."""
    if kind == RATE and _is_number(value):
        return f"{value * 100:.1f} pp"
    return format_value(kind, value)


def _figure(name: str) -> tuple[str, str]:
    return FIGURES.get(name, (name, NUMBER))


def _ordered(names: Sequence[str]) -> list[str]:
    """Known figures in their documented order, then any others as given."""
    known = [n for n in FIGURES if n in names]
    return known + [n for n in names if n not in FIGURES]


# ----------------------------------------------------------------------------------------------- HTML
_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;
 margin:2em auto;max-width:1000px;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0;font-size:.92em}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th{background:#f4f4f4}.ok{color:#1a7f37;font-weight:bold}.bad{color:#cf222e;font-weight:bold}
.meta{color:#555}figure{margin:1.5em 0}figcaption{font-size:.9em;color:#555}
figure svg{max-width:100%;height:auto}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _table(head: Sequence[str], rows: Sequence[Sequence[tuple[str, str]]]) -> str:
    """Rows of (escaped html, css class) cells."""
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f'<td class="{c}">{h}</td>' if c else f"<td>{h}</td>" for h, c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _seeds_text(figures: dict[str, Any]) -> str:
    seeds = figures.get("seeds") or ([figures["seed"]] if figures.get("seed") is not None else [])
    if len(seeds) > 1:
        return "seeds " + ", ".join(str(s) for s in seeds)
    return f"seed {seeds[0]}" if seeds else "no seed"


def _summary_section(summary: dict[str, Any]) -> str:
    if not summary:
        return "<p>No summary figures.</p>"
    rows = []
    for name in _ordered(list(summary)):
        label, kind = _figure(name)
        rows.append([(_e(label), ""), (_e(format_value(kind, summary[name])), "n"), (f"<code>{_e(name)}</code>", "")])
    return _table(["Figure", "Value", "Name"], rows)


def _interval_text(kind: str, low: Any, high: Any) -> str:
    if not (_is_number(low) and _is_number(high)):
        return "—"
    return f"[{format_value(kind, low)}, {format_value(kind, high)}]"


def _targets_section(targets: Sequence[dict[str, Any]], runs: Any) -> str:
    if not targets:
        return "<p>This scenario sets no targets.</p>"
    rows = []
    for t in targets:
        label, kind = _figure(str(t.get("name")))
        met = bool(t.get("met"))
        band = t.get("band") or [None, None]
        scope = f"<br>category: {_e(t['category'])}" if t.get("category") else ""
        rows.append(
            [
                (f"{_e(label)}<br><code>{_e(t.get('name'))}</code>{scope}<br>per {_e(t.get('per', ''))}", ""),
                (_e(f"{format_value(kind, t.get('target'))} ± {format_tolerance(kind, t.get('tolerance'))}"), "n"),
                (_e(_interval_text(kind, band[0], band[1])), "n"),
                (_e(format_value(kind, t.get("mean"))), "n"),
                (_e(_interval_text(kind, t.get("low"), t.get("high"))), "n"),
                (_e(t.get("runs", "")), "n"),
                ("met" if met else "missed", "ok" if met else "bad"),
                (_e(t.get("source") or ""), ""),
            ]
        )
    hits = sum(1 for t in targets if t.get("met"))
    intro = (
        f"<p>{hits} of {len(targets)} targets met over {_e(runs)} run(s). Each figure is computed per run (over "
        "the target's category when it names one); the mean over the runs and its 95% interval (proportions: "
        "Wilson's interval on the pooled counts joined with Student's t on the runs; other figures: Student's "
        "t; always within the figure's bounds). A target is met when the mean lies in the band and the "
        "interval overlaps it.</p>"
    )
    head = ["Figure", "Target ± tolerance", "Band", "Mean", "95% interval", "Runs", "Verdict", "Source"]
    return intro + _table(head, rows)


def _censoring_section(summary: dict[str, Any], aggregate: dict[str, Any] | None) -> str:
    """Lots still under way at the horizon, apart: they are neither sold nor concluded."""
    if not _is_number(summary.get("lots_listed")):
        return ""
    text = (
        f"{summary['lots_listed']:,} lots listed; {summary.get('lots_concluded', 0):,} concluded "
        f"({summary.get('lots_sold', 0):,} sold and paid); {summary.get('lots_under_way', 0):,} still under way "
        "at the scenario's horizon (their next round would open after it): reported apart, neither sold nor "
        "concluded. The rate per lot concluded leaves them out; the rate per lot listed counts them unsold"
    )
    if aggregate and _is_number((aggregate.get("share_lots_under_way") or {}).get("mean")):
        text += f"; over the runs, {format_value(RATE, aggregate['share_lots_under_way']['mean'])} of lots listed"
    return f"<p>{_e(text)}.</p>"


def _aggregate_section(aggregate: dict[str, dict[str, Any]], runs: Any) -> str:
    rows = []
    for name in _ordered(list(aggregate)):
        label, kind = _figure(name)
        a = aggregate[name] or {}
        rows.append(
            [
                (_e(label), ""),
                (_e(format_value(kind, a.get("mean"))), "n"),
                (_e(_interval_text(kind, a.get("low"), a.get("high"))), "n"),
                (_e(a.get("runs", "")), "n"),
            ]
        )
    intro = (
        f"<p>Over {_e(runs)} runs: the mean of each figure and its 95% confidence interval (proportions: Wilson "
        "on the pooled counts joined with Student's t; others: Student's t; clipped to the figure's bounds); "
        "“runs” counts the runs where the figure had a value.</p>"
    )
    return intro + _table(["Figure", "Mean", "95% interval", "Runs"], rows)


def render_html(figures: dict[str, Any]) -> str:
    """The whole report as one self-contained page: inline CSS, inline SVG, no external reference."""
    scenario = str(figures.get("scenario", "?"))
    seeds = _seeds_text(figures)
    runs = figures.get("runs", 1)
    records = figures.get("auctions") or []
    aggregate = figures.get("aggregate")
    several = _is_number(runs) and runs > 1
    meta = [
        f"Runs: {_e(runs)}",
        f"generated at {_e(figures.get('generated_at', '?'))}",
    ]
    if _is_number(figures.get("wall_seconds")):
        meta.append(f"wall time {figures['wall_seconds']:.1f} s")
    meta.append(f"{len(records)} auction records" + (" (all runs)" if _is_number(runs) and runs > 1 else ""))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(scenario)} ({_e(seeds)}) simulation report</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Simulation report: {_e(scenario)} ({_e(seeds)})</h1>",
        f"<p>{_e(figures.get('description', ''))}</p>",
        f'<p class="meta">{"; ".join(meta)}.</p>',
        "<h2>Targets</h2>",
        _targets_section(figures.get("targets") or [], runs),
        "<h2>Summary figures" + (" (first run)" if several else "") + "</h2>",
        _censoring_section(figures.get("summary") or {}, aggregate if several else None),
        _summary_section(figures.get("summary") or {}),
    ]
    if aggregate and several:
        parts += ["<h2>Across runs</h2>", _aggregate_section(aggregate, runs)]
    parts.append("<h2>Charts</h2>")
    # the profile the run was under (``figures["rules"]`` when the runner records it)
    rules = PROFILES.get(str(figures.get("rules")), JUDICIAL_2016)
    charts = render_charts(records, figures.get("targets") or [], rules)
    if not charts:
        parts.append("<p>No data to chart.</p>")
    for caption, svg in charts:
        parts.append(f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------------------------- charts
_ID = re.compile(r'(?<![\w:-])id="([^"]+)"')


def _svg(fig: Figure, prefix: str) -> str:
    """The figure as an inline ``<svg>`` element: no XML prologue or DOCTYPE (invalid inside HTML), no
    metadata, and every id prefixed so several charts on one page never share an id."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    ids = set(_ID.findall(text))
    text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
    return re.sub(
        r'(url\(#|href="#)([^")]+)',
        lambda m: m.group(1) + (f"{prefix}-{m.group(2)}" if m.group(2) in ids else m.group(2)),
        text,
    )


@contextmanager
def _chart(name: str, width: float = 7.0, height: float = 3.2) -> Iterator[tuple[Figure, Any]]:
    """A figure that is always closed (pyplot keeps every open figure alive otherwise), with a fixed hash
    salt so the SVG is the same from run to run."""
    with plt.rc_context({"svg.hashsalt": name, "svg.fonttype": "none", "font.size": 9}):
        fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
        try:
            yield fig, ax
        finally:
            plt.close(fig)


def _int_bins(values: Sequence[float]) -> Any:
    """One bar per integer when the range is small, so counts are not smeared across bins."""
    low, high = math.floor(min(values)), math.ceil(max(values))
    if high - low <= 60:
        return [x - 0.5 for x in range(low, high + 2)]
    return 40


def _ended(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r.get("outcome") in ("sold", "unsold")]


def _chart_rounds(records: Sequence[dict[str, Any]]) -> tuple[str, str] | None:
    ended = _ended(records)
    if not ended:
        return None
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in ended:
        state = "unsold" if r["outcome"] == "unsold" else ("sold, defaulted" if r.get("defaulted") else "sold, paid")
        counts[str(r.get("round"))][state] += 1
    rounds = [k for k in ROUND_ORDER if k in counts] + sorted(k for k in counts if k not in ROUND_ORDER)
    labels = [ROUND_LABELS.get(k, k).replace(" (变卖)", "") for k in rounds]
    with _chart("rounds") as (fig, ax):
        bottom = [0] * len(rounds)
        for state, colour in (("sold, paid", "#2da44e"), ("sold, defaulted", "#bf8700"), ("unsold", "#afb8c1")):
            heights = [counts[k][state] for k in rounds]
            if any(heights):
                ax.bar(labels, heights, bottom=bottom, label=state, color=colour)
                bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.set_ylabel("Auctions")
        ax.set_title("Auctions by round and outcome")
        ax.legend(frameon=False)
        return "Ended auctions by round (1, 2, sale) and outcome.", _svg(fig, "c1")


def _chart_premium(records: Sequence[dict[str, Any]]) -> tuple[str, str] | None:
    premiums = [
        (r["price"] - r["starting_price"]) / r["starting_price"] * 100
        for r in records
        if r.get("outcome") == "sold" and _is_number(r.get("price")) and r.get("starting_price")
    ]
    if not premiums:
        return None
    with _chart("premium") as (fig, ax):
        ax.hist(premiums, bins=min(40, max(5, len(premiums))), color="#0969da")
        ax.set_xlabel("Premium over starting price (%)")
        ax.set_ylabel("Sold auctions")
        ax.set_title("Premium over starting price, sold auctions")
        return f"Premium rate (price − start) ÷ start over the {len(premiums)} sold auctions.", _svg(fig, "c2")


def _int_histogram(
    key: str, values: list[float], xlabel: str, ylabel: str, title: str, caption: str
) -> tuple[str, str] | None:
    if not values:
        return None
    with _chart(key) as (fig, ax):
        ax.hist(values, bins=_int_bins(values), color="#8250df")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        return caption, _svg(fig, key)


def _chart_gaps(records: Sequence[dict[str, Any]], rules: RuleProfile) -> tuple[str, str] | None:
    window = rules.extension.total_seconds()
    gaps = [float(g) for r in records for g in _gaps(r.get("extension_gaps"))]
    if not gaps:
        return None
    with _chart("gaps") as (fig, ax):
        ax.hist(gaps, bins=40, range=(0, max(max(gaps), window) * 1.02), color="#1f883d")
        ax.axvline(window, color="#cf222e", linestyle="--", label=f"{window:.0f} s soft close")
        ax.set_xlabel("Seconds between consecutive bids after the scheduled end")
        ax.set_ylabel("Gaps")
        ax.set_title("Extension-phase gaps (all auctions pooled)")
        ax.legend(frameon=False)
        caption = (
            f"{len(gaps)} gaps between bids after the scheduled end; a gap of {window:.0f} s or more would end the "
            "auction."
        )
        return caption, _svg(fig, "c5")


def _gaps(value: Any) -> list[float]:
    """Gaps as a list, whether the record holds the list or the CSV's ``;``-joined text."""
    if isinstance(value, str):
        return [float(g) for g in value.split(";") if g]
    return [float(g) for g in value or []]


def _chart_categories(records: Sequence[dict[str, Any]]) -> tuple[str, str] | None:
    ended = _ended(records)
    if not ended:
        return None
    total = Counter(str(r.get("category")) for r in ended)
    sold = Counter(str(r.get("category")) for r in ended if r["outcome"] == "sold")
    categories = [c for c, _ in total.most_common()]
    rates = [sold[c] / total[c] * 100 for c in categories]
    with _chart("categories") as (fig, ax):
        bars = ax.bar(categories, rates, color="#0969da")
        ax.bar_label(bars, labels=[f"{sold[c]}/{total[c]}" for c in categories], padding=2)
        ax.set_ylim(0, 110)
        ax.set_ylabel("Transaction rate (%)")
        ax.set_title("Transaction rate by category (sold ÷ ended auctions)")
        return "Transaction rate per category; each bar is labelled sold/ended.", _svg(fig, "c6")


def _chart_targets(targets: Sequence[dict[str, Any]]) -> tuple[str, str] | None:
    """One small row per target, each on its own scale (the figures mix rates, counts and seconds)."""
    usable = [t for t in targets if _is_number(t.get("target"))]
    if not usable:
        return None
    with plt.rc_context({"svg.hashsalt": "targets", "svg.fonttype": "none", "font.size": 8}):
        fig, axes = plt.subplots(
            len(usable), 1, figsize=(7.0, 0.55 * len(usable) + 0.6), layout="constrained", squeeze=False
        )
        try:
            for ax, t in zip(axes[:, 0], usable, strict=True):
                name = str(t.get("name"))
                k = 100.0 if _figure(name)[1] == RATE else 1.0  # rates read as percentages
                tol = float(t["tolerance"]) * k if _is_number(t.get("tolerance")) else 0.0
                ax.errorbar([t["target"] * k], [0], xerr=[tol], fmt="|", color="#57606a", capsize=6, markersize=12)
                mean = t.get("mean")
                if _is_number(mean):
                    colour = "#1a7f37" if t.get("met") else "#cf222e"
                    low_, high_ = t.get("low"), t.get("high")
                    if _is_number(low_) and _is_number(high_):
                        ax.plot([low_ * k, high_ * k], [0, 0], "-", color=colour, linewidth=3, alpha=0.5)
                    else:
                        low_, high_ = mean, mean
                    low = min(t["target"] * k - tol, low_ * k)
                    high = max(t["target"] * k + tol, high_ * k)
                    ax.plot([mean * k], [0], "o", color=colour)
                else:
                    low, high = t["target"] * k - tol, t["target"] * k + tol
                pad = (high - low) * 0.15 or abs(t["target"] * k) * 0.1 or 1.0
                ax.set_xlim(low - pad, high + pad)
                ax.set_yticks([])
                ax.set_ylabel(name + (" (%)" if k == 100.0 else ""), rotation=0, ha="right", va="center")
                for side in ("left", "right", "top"):
                    ax.spines[side].set_visible(False)
            axes[0, 0].set_title("Targets: mean and 95% interval (green met, red missed) vs target ± tolerance")
            return (
                "Each target's mean over the runs (dot) and its 95% interval (line) against the published target "
                "and its tolerance (bar).",
                _svg(fig, "c7"),
            )
        finally:
            plt.close(fig)


def render_charts(
    records: Sequence[dict[str, Any]], targets: Sequence[dict[str, Any]], rules: RuleProfile = JUDICIAL_2016
) -> list[tuple[str, str]]:
    """Every chart that has data, as (caption, inline svg); a chart without data is left out."""
    ended = _ended(records)
    contested = [r for r in ended if (r.get("bidders") or 0) >= 2]
    charts = [
        _chart_rounds(records),
        _chart_premium(records),
        _int_histogram(
            "c3",
            [float(r.get("bids") or 0) for r in ended],
            "Bids",
            "Auctions",
            "Bids per auction",
            f"Bids per ended auction ({len(ended)} auctions; many lots draw no bidder at all).",
        ),
        _int_histogram(
            "c4",
            [float(r.get("extensions") or 0) for r in contested],
            "Extensions",
            "Contested auctions",
            "Extensions per contested auction (2+ bidders)",
            f"{rules.extension.total_seconds() / 60:g}-minute extensions per contested auction ({len(contested)} "
            "auctions with two bidders or more).",
        ),
        _chart_gaps(records, rules),
        _chart_categories(records),
        _chart_targets(targets),
    ]
    return [c for c in charts if c is not None]
