"""A bidder's own page: their registrations with the deposits (the bidder's side of the ledger) and
each auction's state, and their bids."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db.models import Auction, Bid, Court, Lot, Registration
from .auction_queries import registration_view, view_of
from .ledger import DEPOSIT_STATUSES
from .views import MyRegistration, MyRegistrations, RecordedBid

MAX_BIDS = 1000


async def my_registrations(session: AsyncSession, bidder_id: int) -> MyRegistrations:
    """Newest first, with the deposits summed per status (every status present, zero if none)."""
    rows = (
        await session.execute(
            select(Registration, Auction, Lot, Court)
            .join(Auction, Auction.id == Registration.auction_id)
            .join(Lot, Lot.id == Auction.lot_id)
            .join(Court, Court.id == Lot.court_id)
            .where(Registration.bidder_id == bidder_id)
            .order_by(Registration.id.desc())
        )
    ).all()
    totals = dict.fromkeys(DEPOSIT_STATUSES, 0)
    items = []
    for reg, auction, lot, court in rows:
        totals[reg.deposit_status] = totals.get(reg.deposit_status, 0) + reg.deposit
        # The registration count is not shown on this page: not counted.
        items.append(MyRegistration(registration_view(reg), view_of(auction, lot, court, 0)))
    return MyRegistrations(items, totals)


async def my_bids(session: AsyncSession, bidder_id: int, limit: int) -> list[RecordedBid]:
    """The bidder's bids across auctions, newest first, at most ``limit`` (1 to 1000)."""
    rows = (
        await session.execute(
            select(Bid, Registration.priority_rank)
            .outerjoin(Registration, Registration.id == Bid.registration_id)
            .where(Bid.bidder_id == bidder_id)
            .order_by(Bid.placed_at.desc(), Bid.id.desc())
            .limit(max(1, min(limit, MAX_BIDS)))
        )
    ).all()
    return [
        RecordedBid(
            b.auction_id,
            b.seq,
            b.amount,
            b.bidder_code,
            b.placed_at,
            b.priority,
            b.end_at,
            b.chain_hash,
            rank if b.priority else None,
        )
        for b, rank in rows
    ]
