"""Reading the stored bid record back and checking its hash chain (``auction_rules/audit.py``), and
holding the rows no chain hashes (deposits, settlements, dispositions) to what the chains record: the
bid chain, the action log and each lot's record (``core/lot_records.py``)."""

from __future__ import annotations

from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules.audit import ChainReport, verify_chain
from auction_rules.evidence import ChainBid, deposit_problems, leader_of

from ..db.models import ActionLog, Auction, Bid, Lot, Registration
from .auction_queries import get_auction_row
from .lot_records import lot_record_problems


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


async def verify_records(session: AsyncSession, auction_id: int | None = None) -> list[str]:
    """The rows a bid or an action does not hash, held to what the chains record: each auction's
    leader and deposits to its bid chain (``auction_rules/evidence.py``), its settlement to the action
    that recorded it, each lot's disposition (with its price) to its ``lot_disposed`` entry, each lot's
    actions and registrations to the lot's record (a deleted action or registration, an edited
    reason, payment amount or deposit). An edit
    made to the database behind the service's back (a deposit's status, a disposition's price) is one
    line each; an empty list means they all agree."""
    condition = Auction.id == auction_id if auction_id is not None else true()
    auctions = (await session.execute(select(Auction).where(condition).order_by(Auction.id))).scalars().all()
    problems: list[str] = []
    for auction in auctions:
        problems.extend(await _auction_problems(session, auction))
    lot_ids = {a.lot_id for a in auctions} if auction_id is not None else None
    problems.extend(await _disposition_problems(session, lot_ids))
    problems.extend(await lot_record_problems(session, lot_ids))
    return problems


async def _auction_problems(session: AsyncSession, auction: Auction) -> list[str]:
    bids = (
        await session.execute(
            select(Bid.seq, Bid.bidder_code, Bid.amount, Bid.priority)
            .where(Bid.auction_id == auction.id)
            .order_by(Bid.seq)
        )
    ).all()
    leader, disorder = leader_of([ChainBid(b.seq, b.bidder_code, b.amount, b.priority) for b in bids])
    where = f"auction {auction.id}"
    problems = [f"{where}: {disorder}"] if disorder else []
    if auction.status == "sold":
        if leader is None:
            problems.append(f"{where}: recorded as sold but its bid chain has no bid")
        elif (auction.leader_code, auction.current_price) != (leader.bidder_code, leader.price):
            problems.append(
                f"{where}: recorded as sold to {auction.leader_code} at {auction.current_price}, but the bid "
                f"chain's highest valid bid is {leader.bidder_code}'s at {leader.price}"
            )
    settled = (
        await session.execute(
            select(ActionLog.action, ActionLog.after)
            .where(ActionLog.auction_id == auction.id, ActionLog.action.in_(("sale_paid", "sale_defaulted")))
            .order_by(ActionLog.id)
        )
    ).all()
    logged = (settled[-1].after or {}).get("settlement") if settled else None
    if auction.settlement != logged:
        problems.append(
            f"{where}: settlement is {auction.settlement or 'none'} in the database but the action log "
            f"records {logged or 'none'}"
        )
    registrations = (
        await session.execute(
            select(Registration.bidder_code, Registration.deposit_status, Registration.deposit).where(
                Registration.auction_id == auction.id
            )
        )
    ).all()
    winner = leader.bidder_code if leader is not None and auction.status == "sold" else None
    items = [(r.bidder_code, r.deposit_status) for r in registrations]
    problems.extend(f"{where}: {p}" for p in deposit_problems(auction.status, logged, winner, items))
    problems.extend(
        f"{where}: deposit of {r.bidder_code} is {r.deposit} where the auction's deposit is {auction.deposit}"
        for r in registrations
        if r.deposit != auction.deposit
    )
    return problems


async def _disposition_problems(session: AsyncSession, lot_ids: set[int] | None) -> list[str]:
    """Each lot's disposition, price and time against its last ``lot_disposed`` entry."""
    entries = (
        await session.execute(
            select(ActionLog.lot_id, ActionLog.after, ActionLog.at)
            .where(ActionLog.action == "lot_disposed")
            .order_by(ActionLog.id)
        )
    ).all()
    logged = {e.lot_id: e for e in entries}
    condition = Lot.disposition.is_not(None) | Lot.id.in_(list(logged))
    if lot_ids is not None:
        condition = condition & Lot.id.in_(list(lot_ids))
    problems = []
    for lot in (await session.execute(select(Lot).where(condition).order_by(Lot.id))).scalars():
        entry = logged.get(lot.id)
        after = (entry.after or {}) if entry else {}
        stored = (lot.disposition, lot.disposition_price, lot.disposed_at)
        recorded = (after.get("disposition"), after.get("disposition_price"), entry.at if entry else None)
        if stored != recorded:
            problems.append(
                f"lot {lot.id}: disposition {lot.disposition or 'none'} at price {lot.disposition_price} in the "
                f"database, but the action log records {recorded[0] or 'none'} at price {recorded[1]}"
                + ("" if stored[:2] != recorded[:2] else " (its time differs)")
            )
    return problems
