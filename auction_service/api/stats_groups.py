"""One statistics endpoint for every chart and table: the figures grouped by any of court, court level,
province, city, category, round, year, quarter and month, with the year-on-year change, as JSON or CSV."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BeforeValidator
from starlette.responses import Response

from auction_rules.errors import invalid

from ..contract.answers import CourtReport, GroupedStatistics
from ..contract.court_report import court_report_csv, court_report_json
from ..contract.stats import groups_csv, groups_json
from ..core import court_report as reports
from ..core.court_regions import parse_level
from ..core.stats import CHINA, DIMENSIONS, ROUNDS, Filters, group_statistics, parse_dimensions
from .deps import ReadSession, ServicesDep, StaffPrincipal
from .responses import CSV, INVALID, STAFF_OF_COURT, answers
from .schemas import Filter, TimeInRange

router = APIRouter(tags=["statistics and clock"])
PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def beijing_day(value: Any) -> Any:
    """A plain date (``2026-01-01``) in a statistics filter is that day as courts count it: its start,
    00:00 Beijing time (UTC+8). ``from`` is included and ``to`` excluded, so ``from=2026-01-01&to=2026-04-01``
    is the first quarter. A time with a zone is taken as it is."""
    if isinstance(value, str) and PLAIN_DATE.fullmatch(value):
        day = date.fromisoformat(value)  # ValueError (422) for 2026-02-30
        return datetime(day.year, day.month, day.day, tzinfo=CHINA)
    return value


StatsTime = Annotated[
    AwareDatetime | None,
    BeforeValidator(beijing_day),
    TimeInRange,
    Query(description="a time with its zone, or a plain date: that day's start in Beijing time (UTC+8)"),
]

By = Annotated[
    str | None,
    Query(max_length=200, description=f"comma-separated dimensions, at most 3, of: {', '.join(DIMENSIONS)}"),
]


@router.get(
    "/api/v1/stats/groups",
    **answers(
        GroupedStatistics,
        errors=(*INVALID, "invalid_group_by", "invalid_round", "invalid_court_level"),
        extra={200: {"content": {CSV: {"schema": {"type": "string"}}}}},  # format=csv
    ),
)
async def stats_groups(
    session: ReadSession,
    svc: ServicesDep,
    by: By = None,
    court: Filter = None,
    category: Filter = None,
    round: Filter = None,
    province: Filter = None,
    court_level: Filter = None,
    from_: Annotated[StatsTime, Query(alias="from")] = None,
    to: StatsTime = None,
    format: Literal["json", "csv"] = "json",
) -> Response | dict:
    """The figures of ``/stats`` (plus 悔拍, highest price, bidders per auction, shares sold per round,
    以物抵债 and execution proceeds) per group of ``by`` (e.g. ``by=province,quarter``), each with its
    year-on-year change; ``format=csv`` for the table as a spreadsheet. Same filters as ``/stats``, and
    ``province`` and ``court_level``. Computed by the database (one aggregate per table)."""
    dims = parse_dimensions(by)
    if round is not None and round not in ROUNDS:
        raise invalid("invalid_round", f"round: one of {', '.join(ROUNDS)}")
    filters = Filters(
        court=court,
        category=category,
        round=round,
        province=province,
        court_level=parse_level(court_level) if court_level else None,
        start=from_,
        end=to,
    )
    groups = await group_statistics(session, dims, filters, svc.clock.now())
    if format == "csv":
        name = "stats-" + ("-".join(dims) or "all") + ".csv"
        return Response(
            groups_csv(dims, groups).encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return groups_json(dims, groups)


@router.get(
    "/api/v1/stats/court-report",
    **answers(
        CourtReport,
        errors=(*STAFF_OF_COURT, *INVALID, "invalid_month", "court_required", "pdf_font_unavailable"),
        extra={
            200: {
                "content": {
                    CSV: {"schema": {"type": "string"}},
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                }
            }
        },
    ),
)
async def court_report(
    session: ReadSession,
    svc: ServicesDep,
    principal: StaffPrincipal,
    month: Annotated[str, Query(max_length=7, description="YYYY-MM, a calendar month in China time")],
    court: Filter = None,
    format: Literal["json", "csv", "pdf"] = "json",
) -> Response | dict:
    """The monthly 司法网拍 report to the higher court: per court and category, auctions ended and sold
    in each round, the rates, the amounts, 以物抵债 and 执行到位, with each court's total; as JSON, CSV or
    PDF. Staff get their own court's; an admin every court's (or ``court``'s). Each figure is dated by
    its event, so a closed month's report never changes (``final``)."""
    report = await reports.court_report(session, principal, month, court, svc.clock.now())
    name = f"court-report-{report.month}"
    if format == "csv":
        return Response(
            court_report_csv(report).encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "pdf":
        await session.rollback()  # no transaction held open while the PDF renders
        pdf = await asyncio.to_thread(reports.render_pdf, report)
        return Response(
            pdf, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'}
        )
    return court_report_json(report)
