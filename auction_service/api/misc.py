"""Statistics, the server clock and the health check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from ..clock import isoformat
from ..contract.answers import Clock, Health, Liveness, MonthlyStatistics, Statistics
from ..contract.stats import monthly_statistics_csv, monthly_statistics_json, statistics_csv, statistics_json
from ..core.health import RETRY_AFTER_SECONDS, STORAGE_UNAVAILABLE, check_dependencies
from ..core.services import Services
from ..core.stats import monthly_statistics, statistics
from .deps import ReadSession, ServicesDep
from .errors import error_response
from .responses import CSV, INVALID, answers
from .schemas import Filter
from .stats_groups import StatsTime

router = APIRouter(tags=["statistics and clock"])


async def stats_window(
    svc: ServicesDep,
    court: Filter = None,
    category: Filter = None,
    round: Filter = None,
    from_: Annotated[StatsTime, Query(alias="from")] = None,
    to: StatsTime = None,
) -> dict[str, Any]:
    """The filters every statistics route takes (court by id or name, category, round, [from, to)),
    as keyword arguments of ``core.stats``, with the server's time."""
    return {
        "court": court, "category": category, "round": round, "start": from_, "end": to, "now": svc.clock.now()
    }  # fmt: skip


StatsWindow = Annotated[dict[str, Any], Depends(stats_window)]


@router.get("/api/v1/stats", **answers(Statistics, errors=INVALID))
async def stats(
    session: ReadSession,
    window: StatsWindow,
) -> dict:
    """成交率, 溢价率 and more over auctions that ended in [from, to), each rate with its denominator."""
    return statistics_json(await statistics(session, **window))


@router.get("/api/v1/stats/monthly", **answers(MonthlyStatistics, errors=INVALID))
async def stats_monthly(
    session: ReadSession,
    window: StatsWindow,
) -> dict:
    """The figures of ``/stats`` per calendar month of the auctions' end, in China time (UTC+8)."""
    return monthly_statistics_json(await monthly_statistics(session, **window))


def _csv(body: str, name: str) -> Response:
    return Response(
        body.encode("utf-8-sig"),  # with a BOM: spreadsheet programs then read the Chinese labels right
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/api/v1/stats.csv", response_class=Response, **answers(str, media_type=CSV, errors=INVALID))
async def stats_csv(
    session: ReadSession,
    window: StatsWindow,
) -> Response:
    """``/stats`` as CSV: one row, labelled columns (each rate names its denominator)."""
    figures = await statistics(session, **window)
    return _csv(statistics_csv([(None, figures)]), "stats.csv")


@router.get("/api/v1/stats/monthly.csv", response_class=Response, **answers(str, media_type=CSV, errors=INVALID))
async def stats_monthly_csv(
    session: ReadSession,
    window: StatsWindow,
) -> Response:
    """``/stats/monthly`` as CSV: one row per month (China time, UTC+8)."""
    series = await monthly_statistics(session, **window)
    return _csv(monthly_statistics_csv(series), "stats-monthly.csv")


@router.get("/api/v1/clock", **answers(Clock, storage=False))
async def clock(svc: ServicesDep) -> dict:
    return {"now": isoformat(svc.clock.now()), "speed": svc.clock.speed, "rules": svc.profile.name}


_HEALTH_DOWN = {
    503: {
        "description": "a dependency is down: the envelope's `dependencies` names each one and why",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait"}},
    }
}


@router.get("/healthz", **answers(Health, extra=_HEALTH_DOWN))
async def healthz(svc: ServicesDep) -> Any:
    """200 when the service and its database answer; Redis down (when configured) is ``degraded``, still
    200: bids work without it, and a load balancer must not take every process out for it. 503
    ``storage_unavailable`` when the database is down, naming each dependency and why."""
    return await _readiness(svc)


@router.get("/readyz", **answers(Health, errors=("shutting_down",), extra=_HEALTH_DOWN))
async def readyz(svc: ServicesDep) -> Any:
    """Readiness, for a load balancer: as ``/healthz``, and 503 once the process is stopping, so that it
    is drained before it goes."""
    if svc.engine.stopping:
        return error_response(
            503, "shutting_down", "the service is shutting down", dependencies={}, retry_after=RETRY_AFTER_SECONDS
        )
    return await _readiness(svc)


@router.get("/livez", **answers(Liveness, storage=False))
async def livez() -> dict:
    """Liveness: the process answers. No dependency is asked: restarting a process does not bring a
    database back, so a supervisor restarting on this must not see an outage as a death."""
    return {"status": "alive"}


async def _readiness(svc: Services) -> Any:
    checks = await check_dependencies(svc.db, svc.settings.redis_url)
    dependencies = {c.name: "ok" if c.ok else c.detail for c in checks}
    if not next(c for c in checks if c.name == "database").ok:
        names = ", ".join(c.name for c in checks if not c.ok)
        return error_response(
            503,
            STORAGE_UNAVAILABLE,
            f"unavailable: {names}",
            dependencies=dependencies,
            retry_after=RETRY_AFTER_SECONDS,
        )
    return {
        "status": "ok" if all(c.ok for c in checks) else "degraded",
        "database": svc.db.write.dialect.name,
        "dependencies": dependencies,
        "server_time": isoformat(svc.clock.now()),
    }
