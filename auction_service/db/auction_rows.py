"""Mapping between the ``auctions`` row and the rules' ``AuctionState`` (SQLAlchemy Core, no ORM:
this runs on the bid path)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from ..rules.bidding import AuctionState, Bidder
from .models import Auction, Bid, Registration

AUCTIONS = Auction.__table__
BIDS = Bid.__table__
REGISTRATIONS = Registration.__table__

# Columns of the auctions row that the in-memory state owns (written as one snapshot).
STATE_COLUMNS = (
    "status",
    "start_at",
    "end_at",
    "scheduled_end_at",
    "starting_price",
    "increment",
    "current_price",
    "leader_registration_id",
    "leader_code",
    "leader_rank",
    "seq",
    "extension_count",
    "last_bid_at",
    "suspended_at",
    "status_reason",
    "closed_at",
    "round",
    "version",
)

# The columns a bid can change: a group made only of bids writes just these (fewer parameters to
# convert per auction, on the writer's hottest statement).
BID_COLUMNS = (
    "status",
    "end_at",
    "current_price",
    "leader_registration_id",
    "leader_code",
    "leader_rank",
    "seq",
    "extension_count",
    "last_bid_at",
    "version",
)


def state_from_row(row: Any) -> AuctionState:
    m = row._mapping
    return AuctionState(id=m["id"], **{c: m[c] for c in STATE_COLUMNS})


def state_values(state: AuctionState) -> dict[str, Any]:
    return {c: getattr(state, c) for c in STATE_COLUMNS}


async def load_state(conn: AsyncConnection, auction_id: int) -> AuctionState | None:
    row = (await conn.execute(select(AUCTIONS).where(AUCTIONS.c.id == auction_id))).first()
    return state_from_row(row) if row is not None else None


async def load_bidders(conn: AsyncConnection, auction_id: int, bidder_id: int | None = None) -> dict[int, Bidder]:
    query = select(
        REGISTRATIONS.c.id, REGISTRATIONS.c.bidder_id, REGISTRATIONS.c.bidder_code, REGISTRATIONS.c.priority_rank
    ).where(REGISTRATIONS.c.auction_id == auction_id)
    if bidder_id is not None:
        query = query.where(REGISTRATIONS.c.bidder_id == bidder_id)
    rows = (await conn.execute(query)).all()
    return {r.bidder_id: Bidder(r.id, r.bidder_code, r.priority_rank) for r in rows}
