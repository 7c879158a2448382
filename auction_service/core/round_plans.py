"""The next round a lot may be scheduled for, as the scheduling request will be judged
(``core/staff_actions.create_auction``): the same history, the same rules (``auction_rules.listing``), the
same moment. Clients (the staff console) read this instead of keeping their own copy of the rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import listing

from .auction_queries import get_lot, lot_history
from .services import Services


@dataclass(frozen=True, slots=True)
class LotNextRound:
    lot_id: int
    next: listing.NextRound


async def next_round(session: AsyncSession, svc: Services, lot_id: int) -> LotNextRound:
    """The lot's next round at the server's time; 404 for an unknown lot. A disposed-of lot is blocked
    with the code ``create_auction`` refuses it with."""
    lot = await get_lot(session, lot_id)
    if lot.disposition is not None:
        return LotNextRound(lot.id, listing.NextRound(None, listing.concluded(lot.disposition)))
    now = svc.clock.now()
    history = await lot_history(session, lot_id, now)
    return LotNextRound(lot.id, listing.next_round(svc.profile, history, lot.category, lot.appraisal, now))
