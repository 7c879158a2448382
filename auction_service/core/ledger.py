"""The court's side of an auction's money and of a lot's fate: the deposits ledger (rules 8, 16, 17)
and the disposition after the last failed round (rule 18: 以物抵债 or return)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import bidding, listing

from ..db.models import Registration
from . import action_log
from .auction_queries import get_auction_row, get_lot, lot_history, registration_view, state_of
from .security import Principal
from .services import Services
from .staff_actions import check_court
from .views import DepositsLedger, Disposition, Tally

DEPOSIT_STATUSES = ("frozen", "released", "applied", "forfeited")


async def deposits_ledger(
    session: AsyncSession, svc: Services, principal: Principal, auction_id: int
) -> DepositsLedger:
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
    items = [registration_view(r) for r in rows]
    grouped = (
        await session.execute(
            select(Registration.deposit_status, func.count(), func.coalesce(func.sum(Registration.deposit), 0))
            .where(Registration.auction_id == auction_id)
            .group_by(Registration.deposit_status)
        )
    ).all()
    by_status = {s: Tally(0, 0) for s in DEPOSIT_STATUSES}
    for status, count, amount in grouped:
        by_status[status] = Tally(int(count), int(amount))
    count, amount = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Registration.deposit), 0)).where(
                Registration.auction_id == auction_id
            )
        )
    ).one()
    return DepositsLedger(
        auction_id=auction_id,
        status=bidding.effective_status(state_of(auction), svc.clock.now()),
        settlement=auction.settlement,
        deposit=auction.deposit,
        items=items,
        by_status=by_status,
        total=Tally(int(count), int(amount)),
    )


async def dispose(
    session: AsyncSession, svc: Services, principal: Principal, lot_id: int, outcome: str, note: str | None
) -> Disposition:
    """Rule 18: after round 2 or the fixed-price sale failed, the creditor takes the lot at that round's
    reserve (以物抵债, AUC Art. 16) or it is returned. The lot can then not be listed again."""
    lot = await get_lot(session, lot_id)
    check_court(principal, lot.court_id)
    listing.check_not_disposed(lot.disposition)
    now = svc.clock.now()
    failed = listing.check_disposition(await lot_history(session, lot_id, now), svc.profile, now)
    before = action_log.lot_snapshot(lot)
    lot.disposition = outcome
    lot.disposition_note = note
    lot.disposition_price = failed.starting_price if outcome == "creditor_taken" else None
    lot.disposed_at = now
    await action_log.record(
        session,
        principal,
        lot.court_id,
        lot.id,
        None,
        "lot_disposed",
        note,
        before,
        action_log.lot_snapshot(lot),
        at=now,
    )
    return Disposition(
        lot_id=lot.id,
        disposition=lot.disposition,
        note=lot.disposition_note,
        price=lot.disposition_price,
        disposed_at=lot.disposed_at,
    )
