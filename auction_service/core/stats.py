"""Court statistics: the database query that feeds ``rules.results.compute_statistics``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db.models import Auction, Court, Lot
from ..rules.results import EndedAuction, Statistics, compute_statistics
from .auctions import status_condition


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
    ended_at = func.coalesce(Auction.closed_at, Auction.end_at)
    query = (
        select(Auction, Lot)
        .join(Lot, Lot.id == Auction.lot_id)
        .join(Court, Court.id == Lot.court_id)
        .where(or_(*(status_condition(s, now) for s in ("sold", "unsold", "withdrawn"))))
    )
    if court:
        query = query.where(Court.id == int(court)) if court.isdigit() else query.where(Court.name == court)
    if category:
        query = query.where(Lot.category == category)
    if round:
        query = query.where(Auction.round == round)
    if start is not None:
        query = query.where(ended_at >= start)
    if end is not None:
        query = query.where(ended_at < end)
    rows = (await session.execute(query.order_by(Auction.id))).all()

    def status_of(a: Auction) -> str:
        if a.status in ("announced", "live"):  # ended by time, the close job not run yet
            return "sold" if a.current_price is not None else "unsold"
        return a.status

    auctions = [
        EndedAuction(
            lot_id=a.lot_id,
            status=status_of(a),
            price=a.current_price if status_of(a) == "sold" else None,
            starting_price=a.starting_price,
            appraisal=a.appraisal,
            bid_count=a.seq,
            extension_count=a.extension_count,
        )
        for a, _ in rows
    ]
    concluded: dict[int, bool] = {}
    lots = {lot.id: lot for _, lot in rows}
    for a, lot in rows:
        if status_of(a) == "sold" and a.settlement != "defaulted":
            concluded[lot.id] = True
        elif lot.id not in concluded and (
            (status_of(a) == "unsold" and a.round == "sale") or lots[lot.id].disposition is not None
        ):
            concluded[lot.id] = False
    return compute_statistics(auctions, concluded)


def statistics_json(stats: Statistics) -> dict[str, Any]:
    def summary(s) -> dict[str, float | None]:
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
