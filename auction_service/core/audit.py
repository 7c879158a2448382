"""Reading the stored bid record back and checking its hash chain (``auction_rules/audit.py``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules.audit import ChainReport, verify_chain

from ..db.models import Auction, Bid
from .auction_queries import get_auction_row


async def verify_auction(session: AsyncSession, auction_id: int) -> ChainReport:
    rows = (
        await session.execute(
            select(Bid.seq, Bid.bidder_code, Bid.amount, Bid.placed_at, Bid.priority, Bid.chain_hash)
            .where(Bid.auction_id == auction_id)
            .order_by(Bid.seq)
        )
    ).all()
    return verify_chain(
        auction_id, [(r.seq, r.bidder_code, r.amount, r.placed_at, r.priority, r.chain_hash) for r in rows]
    )


async def audit_auction(session: AsyncSession, auction_id: int) -> ChainReport:
    """``verify_auction`` for a caller naming an auction: 404 ``auction_not_found`` if there is none."""
    await get_auction_row(session, auction_id)
    return await verify_auction(session, auction_id)


async def verify_all(session: AsyncSession) -> dict[int, ChainReport]:
    ids = (await session.execute(select(Auction.id).order_by(Auction.id))).scalars().all()
    return {auction_id: await verify_auction(session, auction_id) for auction_id in ids}
