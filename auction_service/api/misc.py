"""Statistics, the server clock and the health check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime
from sqlalchemy import text

from ..clock import isoformat
from ..core.stats import statistics, statistics_json
from .deps import ReadSession, ServicesDep

router = APIRouter(tags=["statistics and clock"])


@router.get("/api/v1/stats")
async def stats(
    session: ReadSession,
    svc: ServicesDep,
    court: str | None = None,
    category: str | None = None,
    round: str | None = None,
    from_: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    to: AwareDatetime | None = None,
) -> dict:
    """成交率, 溢价率 and more over auctions that ended in [from, to), each rate with its denominator."""
    figures = await statistics(
        session, court=court, category=category, round=round, start=from_, end=to, now=svc.clock.now()
    )
    return statistics_json(figures)


@router.get("/api/v1/clock")
async def clock(svc: ServicesDep) -> dict:
    return {"now": isoformat(svc.clock.now()), "speed": svc.clock.speed, "rules": svc.profile.name}


@router.get("/healthz")
async def healthz(session: ReadSession, svc: ServicesDep) -> dict:
    await session.execute(text("SELECT 1"))
    return {"status": "ok", "database": svc.db.write.dialect.name, "server_time": isoformat(svc.clock.now())}
