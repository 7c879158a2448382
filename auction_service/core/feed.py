"""What the live feed reads from storage: the stored bid record (to fill a watcher's gap, or to send
the backlog after ``after_seq``) and the auction's committed state (to catch up after an outage)."""

from __future__ import annotations

from auction_rules.bidding import AuctionState, PlacedBid

from ..db.auction_rows import load_bids, load_state
from ..db.connection import Database


async def stored_bids(db: Database, auction_id: int, after: int, before: int | None, limit: int) -> list[PlacedBid]:
    """Bids with ``after < seq`` (``< before`` if given), in seq order, at most ``limit``."""
    async with db.read.connect() as conn:
        return await load_bids(conn, auction_id, after, before, limit)


async def committed_state(db: Database, auction_id: int) -> AuctionState | None:
    async with db.read.connect() as conn:
        return await load_state(conn, auction_id)
