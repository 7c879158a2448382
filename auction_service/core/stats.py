"""Court statistics: the database query that feeds ``rules.results.compute_statistics``, over a window
and per month. ``contract/stats.py`` writes the figures out as JSON and CSV."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db.models import Auction, Court, Lot
from ..rules.results import EndedAuction, Statistics, compute_statistics
from .auctions import court_condition, status_condition

CHINA = timezone(timedelta(hours=8), "UTC+8")


async def _ended_rows(
    session: AsyncSession,
    *,
    court: str | None,
    category: str | None,
    round: str | None,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
) -> list[tuple[Auction, Lot]]:
    ended_at = func.coalesce(Auction.closed_at, Auction.end_at)
    query = (
        select(Auction, Lot)
        .join(Lot, Lot.id == Auction.lot_id)
        .join(Court, Court.id == Lot.court_id)
        .where(or_(*(status_condition(s, now) for s in ("sold", "unsold", "withdrawn"))))
    )
    if court:
        query = query.where(court_condition(court))
    if category:
        query = query.where(Lot.category == category)
    if round:
        query = query.where(Auction.round == round)
    if start is not None:
        query = query.where(ended_at >= start)
    if end is not None:
        query = query.where(ended_at < end)
    return [(a, lot) for a, lot in (await session.execute(query.order_by(Auction.id))).all()]


def _status_of(a: Auction) -> str:
    if a.status in ("announced", "live"):  # ended by time, the close job not run yet
        return "sold" if a.current_price is not None else "unsold"
    return a.status


def _ended_auction(a: Auction) -> EndedAuction:
    status = _status_of(a)
    return EndedAuction(
        lot_id=a.lot_id,
        status=status,
        price=a.current_price if status == "sold" else None,
        starting_price=a.starting_price,
        appraisal=a.appraisal,
        bid_count=a.seq,
        extension_count=a.extension_count,
    )


def _concluded(rows: list[tuple[Auction, Lot]]) -> dict[int, tuple[bool, int]]:
    """lot id -> (eventually sold, id of the auction that concluded it) for the lots whose fate was
    settled by an auction among ``rows``: sold (and not defaulted), or unsold with no round left (the
    failed sale, or the failed round that a disposition followed)."""
    concluded: dict[int, tuple[bool, int]] = {}
    for a, lot in rows:
        if _status_of(a) == "sold" and a.settlement != "defaulted":
            concluded[lot.id] = (True, a.id)
        elif lot.id not in concluded and (
            (_status_of(a) == "unsold" and a.round == "sale") or lot.disposition is not None
        ):
            concluded[lot.id] = (False, a.id)
    return concluded


def _compute(rows: list[tuple[Auction, Lot]], concluded: dict[int, tuple[bool, int]]) -> Statistics:
    ids = {a.id for a, _ in rows}
    lots = {lot_id: sold for lot_id, (sold, auction_id) in concluded.items() if auction_id in ids}
    return compute_statistics([_ended_auction(a) for a, _ in rows], lots)


async def statistics(
    session: AsyncSession,
    *,
    court: str | None = None,
    category: str | None = None,
    round: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime,
) -> Statistics:
    rows = await _ended_rows(session, court=court, category=category, round=round, start=start, end=end, now=now)
    return _compute(rows, _concluded(rows))


def month_of(moment: datetime) -> str:
    """The calendar month in China time (UTC+8) of a UTC moment, as ``YYYY-MM``."""
    return moment.astimezone(CHINA).strftime("%Y-%m")


def _months_between(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last and len(months) < 1200:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


async def monthly_statistics(
    session: AsyncSession,
    *,
    court: str | None = None,
    category: str | None = None,
    round: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime,
) -> list[tuple[str, Statistics]]:
    """The same figures per calendar month of the auctions' end (closing time, or withdrawal time's
    recorded end) in China time, UTC+8; months without an ended auction between the first and the last
    are included (all zero, rates None). A lot counts in the month of the auction that concluded it."""
    rows = await _ended_rows(session, court=court, category=category, round=round, start=start, end=end, now=now)
    concluded = _concluded(rows)
    groups: dict[str, list[tuple[Auction, Lot]]] = {}
    for a, lot in rows:
        groups.setdefault(month_of(a.closed_at or a.end_at), []).append((a, lot))
    if not groups:
        return []
    months = _months_between(min(groups), max(groups))
    return [(m, _compute(groups.get(m, []), concluded)) for m in months]
