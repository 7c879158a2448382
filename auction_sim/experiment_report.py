"""An experiment's report (``report.html``): every variant against the baseline on every figure, with
the mean's interval and the paired difference's interval, and a chart per headline figure.

Self-contained HTML (inline SVG charts, no script, nothing from a CDN), like a run's report.
"""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

from .report import _chart, _svg

# the figures charted first (the rest are in the table)
HEADLINE = (
    "transaction_rate",
    "transaction_rate_by_lot",
    "discount_rate",
    "premium_rate_over_start_median",
    "registrations_per_auction",
    "bidders_per_auction",
    "default_rate",
    "extensions_per_contested",
    "minutes_past_end_per_contested",
    "premium_rate_over_start_mean",
    "efficiency",
    "winner_to_top_valuation_mean",
    "price_to_second_valuation_mean",
)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


def _error(value: float, low: float | None, high: float | None) -> list[list[float]]:
    """An error bar's lengths below and above ``value`` (none without an interval)."""
    if low is None or high is None:
        return [[0.0], [0.0]]
    return [[value - low], [high - value]]


def _chart_figure(figure: str, rows: list[dict[str, Any]], baseline: str) -> str:
    """Mean and 95% interval per variant (left) and the paired difference to the baseline (right)."""
    with _chart(f"exp-{figure}", width=8.0, height=0.5 + 0.32 * len(rows)) as (fig, ax):
        ax.remove()
        left, right = fig.subplots(1, 2, sharey=True)
        names = [r["variant"] for r in rows]
        ys = list(range(len(rows)))[::-1]
        for y, r in zip(ys, rows, strict=True):
            left.errorbar(r["mean"], y, xerr=_error(r["mean"], r["low"], r["high"]), fmt="o", capsize=3)
            if r["diff_to_baseline"] is not None:
                d = r["diff_to_baseline"]
                right.errorbar(d, y, xerr=_error(d, r["diff_low"], r["diff_high"]), fmt="o", capsize=3)
        left.set_yticks(ys, names)
        left.set_title(f"{figure}: mean, 95% interval", fontsize=9)
        right.axvline(0, color="grey", linewidth=1)
        right.set_title(f"difference to {baseline} (paired)", fontsize=9)
        return _svg(fig, f"exp-{figure}")


def render_experiment(document: dict[str, Any]) -> str:
    by_figure: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in document["comparison"]:
        by_figure[row["figure"]].append(row)
    charted = [f for f in HEADLINE if f in by_figure and any(r["runs"] for r in by_figure[f])]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Experiment {html.escape(document['experiment'])}</title>",
        "<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th:first-child,td:first-child"
        "{text-align:left}</style></head><body>",
        f"<h1>Experiment {html.escape(document['experiment'])}</h1>",
        f"<p>{html.escape(document.get('description', ''))}</p>",
        f"<p>Scenario <code>{html.escape(document['scenario'])}</code>; {len(document['seeds'])} seeds per variant "
        f"(the same seeds in every variant); baseline <b>{html.escape(document['baseline'])}</b>; "
        f"{document['wall_seconds']} s on {html.escape(document['where'])}.</p>",
        "<h2>Variants</h2><table><tr><th>variant</th><th>rules profile</th><th>rule overrides</th>"
        "<th>scenario fields</th></tr>",
    ]
    for v in document["variants"]:
        parts.append(
            f"<tr><td>{html.escape(v['name'])}</td><td>{html.escape(v['profile'])}</td>"
            f"<td>{html.escape(str(v['rules'] or ''))}</td><td>{html.escape(str(v['scenario'] or ''))}</td></tr>"
        )
    parts.append("</table><h2>Headline figures</h2>")
    parts += [_chart_figure(f, by_figure[f], document["baseline"]) for f in charted]
    parts.append(
        "<h2>Every figure</h2><p>Each interval lies inside the figure's bounds (a rate's in [0, 1], a "
        "difference of rates in [−1, 1]); its method is named in the row, as in <code>comparison.csv</code>.</p>"
        "<table><tr><th>figure</th><th>variant</th><th>runs</th><th>mean</th><th>95% low</th>"
        "<th>95% high</th><th>method</th><th>difference</th><th>diff. low</th><th>diff. high</th><th>pairs</th>"
        "<th>method of the difference</th></tr>"
    )
    for figure in sorted(by_figure):
        for r in by_figure[figure]:
            cells = [
                r["runs"], r["mean"], r["low"], r["high"], r.get("method"),
                r["diff_to_baseline"], r["diff_low"], r["diff_high"], r.get("pairs"), r.get("diff_method"),
            ]  # fmt: skip
            parts.append(
                f"<tr><td>{html.escape(figure)}</td><td>{html.escape(r['variant'])}</td>"
                + "".join(f"<td>{_fmt(c)}</td>" for c in cells)
                + "</tr>"
            )
    parts.append("</table></body></html>")
    return "\n".join(parts) + "\n"
