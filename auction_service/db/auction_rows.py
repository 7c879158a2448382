"""Mapping between the ``auctions`` row and the rules' ``AuctionState`` (SQLAlchemy Core, no ORM:
this runs on the bid path)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from auction_rules import audit, eligibility
from auction_rules.bidding import AuctionState, Bidder, PlacedBid

from .models import Account, Auction, Bid, Lot, Registration, RestrictedPerson, table_of

AUCTIONS = table_of(Auction)
BIDS = table_of(Bid)
REGISTRATIONS = table_of(Registration)
ACCOUNTS = table_of(Account)
LOTS = table_of(Lot)
RESTRICTED = table_of(RestrictedPerson)

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


async def load_state(conn: AsyncConnection, auction_id: int) -> AuctionState | None:
    row = (await conn.execute(select(AUCTIONS).where(AUCTIONS.c.id == auction_id))).first()
    return state_from_row(row) if row is not None else None


async def load_state_and_lot(conn: AsyncConnection, auction_id: int) -> tuple[AuctionState, int] | None:
    """The auction's state and its lot, from the one row (a book's load read them in two statements)."""
    row = (await conn.execute(select(AUCTIONS).where(AUCTIONS.c.id == auction_id))).first()
    return (state_from_row(row), row._mapping["lot_id"]) if row is not None else None


async def load_bidders(conn: AsyncConnection, auction_id: int, bidder_id: int | None = None) -> dict[int, Bidder]:
    query = select(
        REGISTRATIONS.c.id, REGISTRATIONS.c.bidder_id, REGISTRATIONS.c.bidder_code, REGISTRATIONS.c.priority_rank
    ).where(REGISTRATIONS.c.auction_id == auction_id)
    if bidder_id is not None:
        query = query.where(REGISTRATIONS.c.bidder_id == bidder_id)
    rows = (await conn.execute(query)).all()
    return {r.bidder_id: Bidder(r.id, r.bidder_code, r.priority_rank) for r in rows}


async def load_ineligible(conn: AsyncConnection, auction_id: int) -> dict[int, str]:
    """The auction's registrations whose bidder is now ineligible (registration id -> refusal code): the
    lot's debtor, or a person on the restriction list (not restored) for a restricted category. One
    query, read when the book is loaded, rebased or told that the list or the debtor changed: never per
    bid."""
    listed = (
        select(RESTRICTED.c.id)
        .where(RESTRICTED.c.id_number_hash == ACCOUNTS.c.id_number_hash, RESTRICTED.c.restored_at.is_(None))
        .exists()
    )
    query = (
        select(REGISTRATIONS.c.id, ACCOUNTS.c.id_number_hash, LOTS.c.debtor_id_hash, LOTS.c.category, listed)
        .select_from(REGISTRATIONS)
        .join(ACCOUNTS, ACCOUNTS.c.id == REGISTRATIONS.c.bidder_id)
        .join(AUCTIONS, AUCTIONS.c.id == REGISTRATIONS.c.auction_id)
        .join(LOTS, LOTS.c.id == AUCTIONS.c.lot_id)
        .where(REGISTRATIONS.c.auction_id == auction_id, ACCOUNTS.c.id_number_hash.is_not(None))
    )
    out: dict[int, str] = {}
    for registration_id, digest, debtor, category, restricted in (await conn.execute(query)).all():
        code = eligibility.ineligibility(
            category, is_debtor=debtor is not None and debtor == digest, restricted=restricted
        )
        if code is not None:
            out[registration_id] = code
    return out


def _with_rank(query: Select) -> Select:
    """Stored bids with their registration's priority rank (the code is shown with it)."""
    return query.select_from(BIDS.outerjoin(REGISTRATIONS, REGISTRATIONS.c.id == BIDS.c.registration_id))


def placed_from_row(row: Any) -> PlacedBid:
    """A stored bid as its original acknowledgement."""
    return PlacedBid(
        seq=row.seq,
        amount=row.amount,
        registration_id=row.registration_id,
        bidder_code=row.bidder_code,
        placed_at=row.placed_at,
        end_at=row.end_at,
        priority=row.priority,
        extended=False,
        priority_rank=row._mapping.get("priority_rank") if row.priority else None,
    )


async def load_keyed_bids(
    conn: AsyncConnection, auction_id: int, keys: list[str] | None = None
) -> dict[tuple[int, str], PlacedBid]:
    """Stored bids placed with an Idempotency-Key, by (bidder account, key); only ``keys`` if given."""
    query = _with_rank(select(BIDS, REGISTRATIONS.c.priority_rank)).where(
        BIDS.c.auction_id == auction_id, BIDS.c.idempotency_key.is_not(None)
    )
    if keys is not None:
        query = query.where(BIDS.c.idempotency_key.in_(keys))
    rows = (await conn.execute(query)).all()
    return {(r.bidder_id, r.idempotency_key): placed_from_row(r) for r in rows}


async def load_chain_head(conn: AsyncConnection, auction_id: int, seq: int) -> str:
    """The chain hash of bid ``seq`` (the auction's genesis hash before its first bid)."""
    if seq == 0:
        return audit.genesis(auction_id)
    stored = (
        await conn.execute(select(BIDS.c.chain_hash).where(BIDS.c.auction_id == auction_id, BIDS.c.seq == seq))
    ).scalar_one_or_none()
    return stored or audit.genesis(auction_id)


async def load_bids(
    conn: AsyncConnection, auction_id: int, after: int, before: int | None, limit: int
) -> list[PlacedBid]:
    """Stored bids with ``after < seq`` (``< before`` if given), in seq order, at most ``limit``."""
    query = _with_rank(select(BIDS, REGISTRATIONS.c.priority_rank)).where(
        BIDS.c.auction_id == auction_id, BIDS.c.seq > after
    )
    if before is not None:
        query = query.where(BIDS.c.seq < before)
    rows = (await conn.execute(query.order_by(BIDS.c.seq).limit(limit))).all()
    return [placed_from_row(r) for r in rows]
