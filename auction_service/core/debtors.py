"""A lot's debtor (被执行人): court staff record the debtor's identity number with the lot, kept only as a
keyed hash (``core/eligibility.py``), so that the debtor cannot register for the lot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from . import action_log, eligibility
from .auction_queries import get_lot
from .security import Principal
from .staff_actions import check_court


async def set_lot_debtor(
    session: AsyncSession, principal: Principal, lot_id: int, id_number: str | None, now: datetime
) -> bool:
    """Staff of the lot's court record (or clear, with None) the debtor's identity; returns whether one
    is recorded now. The action log says that it changed, never the number (nor its hash)."""
    lot = await get_lot(session, lot_id)
    check_court(principal, lot.court_id)
    before = lot.debtor_id_hash is not None
    after = await eligibility.set_lot_debtor(session, lot, id_number)
    await action_log.record(
        session,
        principal,
        lot.court_id,
        lot.id,
        None,
        "eligibility_changed",
        "debtor identity recorded" if after else "debtor identity cleared",
        {"debtor_recorded": before},
        {"debtor_recorded": after},
        at=now,
    )
    return after
