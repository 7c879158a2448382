"""One statistics endpoint for every chart and table: the figures grouped by any of court, court level,
province, city, category, round, year, quarter and month, with the year-on-year change, as JSON or CSV."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime
from starlette.responses import Response

from auction_rules.errors import invalid

from ..contract.answers import GroupedStatistics
from ..contract.stats import groups_csv, groups_json
from ..core.court_regions import parse_level
from ..core.stats import DIMENSIONS, ROUNDS, Filters, group_statistics, parse_dimensions
from .deps import ReadSession, ServicesDep
from .responses import CSV, INVALID, answers
from .schemas import Filter, TimeInRange

router = APIRouter(tags=["statistics and clock"])

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
    from_: Annotated[AwareDatetime | None, Query(alias="from"), TimeInRange] = None,
    to: Annotated[AwareDatetime | None, Query(), TimeInRange] = None,
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
