"""The monthly court report (``core/court_report.py``) as the contract writes it: JSON, and CSV with the
labelled columns of every statistics table (``contract/stats.py``) after the court and the category."""

from __future__ import annotations

import io
from typing import Any

from ..clock import isoformat
from ..core.court_report import CourtReport
from .csv_cells import SafeWriter
from .stats import DATING_RULE, TIMEZONE, _cell, csv_columns, statistics_json


def court_report_json(report: CourtReport) -> dict[str, Any]:
    return {
        "month": report.month,
        "timezone": TIMEZONE,
        "from": isoformat(report.start),
        "to": isoformat(report.end),
        "final": report.final,
        "court": report.court,
        "generated_at": isoformat(report.generated_at),
        "dating_rule": DATING_RULE,
        "items": [
            {
                "court": row.court or None,
                "category": row.category,
                "total": row.category is None,
                **statistics_json(row.figures),
            }
            for row in report.rows
        ],
    }


def court_report_csv(report: CourtReport) -> str:
    """One row per court and category, then the court's total (category ``total``), then the grand total."""
    out = io.StringIO()
    writer = SafeWriter(out, lineterminator="\r\n")
    columns = csv_columns([row.figures for row in report.rows])
    writer.writerow(["month (UTC+8)", "court", "category", *(h for h, _ in columns)])
    for row in report.rows:
        figures = statistics_json(row.figures)
        writer.writerow(
            [
                report.month,
                row.court or "all courts",
                row.category or "total",
                *(_cell(figures, p) for _, p in columns),
            ]
        )
    return out.getvalue()
