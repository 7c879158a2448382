"""The court's side of an auction's money and of a lot's fate: the deposits ledger (rules 8, 16, 17)
and the disposition after the last failed round (rule 18: 以物抵债 or return)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..clock import isoformat
from ..db.models import Lot, Registration
from ..rules import bidding, listing
from ..rules.errors import refused
from .auctions import _state_of, check_court, get_auction_row, get_lot, lot_history
from .security import Principal
from .services import Services

DEPOSIT_STATUSES = ("frozen", "released", "applied", "forfeited")


async def deposits_ledger(session: AsyncSession, svc: Services, principal: Principal, auction_id: int) -> dict:
    """Every registration's deposit and its status, with totals per status. The per-status totals and
    the grand total are summed separately by the database, so ``balanced`` is a real check."""
    auction = await get_auction_row(session, auction_id)
    lot = await get_lot(session, auction.lot_id)
    check_court(principal, lot.court_id)
    rows = (
        await session.execute(
            select(Registration).where(Registration.auction_id == auction_id).order_by(Registration.id)
        )
    ).scalars()
    items = [
        {
            "registration_id": r.id,
            "bidder_code": r.bidder_code,
            "deposit": r.deposit,
            "deposit_status": r.deposit_status,
            "priority_rank": r.priority_rank,
            "registered_at": isoformat(r.created_at),
            "deposit_updated_at": isoformat(r.deposit_updated_at) if r.deposit_updated_at else None,
        }
        for r in rows
    ]
    grouped = (
        await session.execute(
            select(Registration.deposit_status, func.count(), func.coalesce(func.sum(Registration.deposit), 0))
            .where(Registration.auction_id == auction_id)
            .group_by(Registration.deposit_status)
        )
    ).all()
    by_status = {s: {"count": 0, "amount": 0} for s in DEPOSIT_STATUSES}
    for status, count, amount in grouped:
        by_status[status] = {"count": int(count), "amount": int(amount)}
    count, amount = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Registration.deposit), 0)).where(
                Registration.auction_id == auction_id
            )
        )
    ).one()
    total = {"count": int(count), "amount": int(amount)}
    state = _state_of(auction, svc)
    return {
        "auction_id": auction_id,
        "status": bidding.effective_status(state, svc.clock.now()),
        "settlement": auction.settlement,
        "deposit": auction.deposit,
        "currency": "CNY",
        "items": items,
        "totals": by_status,
        "total": total,
        "balanced": sum(v["amount"] for v in by_status.values()) == total["amount"]
        and sum(v["count"] for v in by_status.values()) == total["count"],
    }


async def dispose(
    session: AsyncSession, svc: Services, principal: Principal, lot_id: int, outcome: str, note: str | None
) -> Lot:
    """Rule 18: after round 2 or the fixed-price sale failed, the creditor takes the lot at that round's
    reserve (以物抵债, AUC Art. 16) or it is returned. The lot can then not be listed again."""
    lot = await get_lot(session, lot_id)
    check_court(principal, lot.court_id)
    if lot.disposition is not None:
        raise refused("lot_concluded", f"the lot has already been disposed of ({lot.disposition})")
    now = svc.clock.now()
    failed = listing.check_disposition(await lot_history(session, lot_id, now, svc))
    lot.disposition = outcome
    lot.disposition_note = note
    lot.disposition_price = failed.starting_price if outcome == "creditor_taken" else None
    lot.disposed_at = now
    await session.flush()
    return lot


def disposition_dict(lot: Lot) -> dict[str, Any]:
    return {
        "lot_id": lot.id,
        "disposition": lot.disposition,
        "disposition_note": lot.disposition_note,
        "disposition_price": lot.disposition_price,
        "disposed_at": isoformat(lot.disposed_at) if lot.disposed_at else None,
    }
