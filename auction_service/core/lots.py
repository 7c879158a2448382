"""Lots: court staff list a disposed asset; anyone reads the lots, with their auctions, and the courts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import announcement, lot_edits
from auction_rules.errors import invalid

from ..db.models import Auction, Court, Lot, Registration
from . import accounts, action_log
from .auction_queries import court_condition, get_lot, lot_history, view_of
from .security import Principal
from .services import Services
from .staff_actions import check_court
from .views import CourtRef, LotDetail, LotView


def lot_view(lot: Lot, court: Court | None) -> LotView:
    return LotView(
        id=lot.id,
        court=court.name if court else None,
        court_id=lot.court_id,
        title=lot.title,
        category=lot.category,
        appraisal=lot.appraisal,
        description=lot.description,
        case_number=lot.case_number,
        location=lot.location,
        disposition=lot.disposition,
        disposition_note=lot.disposition_note,
        disposition_price=lot.disposition_price,
        disposed_at=lot.disposed_at,
        created_at=lot.created_at,
        details=dict(lot.details or {}),
    )


async def create_lot(
    session: AsyncSession,
    svc: Services,
    principal: Principal,
    *,
    court: str | None,
    title: str,
    category: str,
    appraisal: int,
    description: str | None,
    case_number: str | None,
    location: str | None,
    details: Mapping[str, Any],
) -> LotView:
    """List a disposed asset in the caller's court; an admin, who spans courts, names it (a new name
    creates the court)."""
    if principal.role == "admin":
        if not court:
            raise invalid("court_required", "an admin must name the court of the lot")
        court_row = await accounts.get_or_create_court(session, svc.clock, court)
    else:
        court_row = await session.get_one(Court, principal.court_id)
    lot = Lot(
        court_id=court_row.id,
        title=title,
        category=category,
        appraisal=appraisal,
        description=description,
        case_number=case_number,
        location=location,
        details=dict(details),
        created_by=principal.account_id,
        created_at=svc.clock.now(),
    )
    session.add(lot)
    await session.flush()
    await action_log.record(
        session,
        principal,
        court_row.id,
        lot.id,
        None,
        "lot_created",
        None,
        None,
        action_log.lot_snapshot(lot),
        at=lot.created_at,
    )
    return lot_view(lot, court_row)


DETAIL_FIELDS = ("appraisal_method", "defects", "encumbrances", "taxes", "balance_deadline_days", "contact")
REQUIRED_FIELDS = frozenset({"title", "category", "appraisal"})


async def edit_lot(
    session: AsyncSession,
    svc: Services,
    principal: Principal,
    lot_id: int,
    changes: Mapping[str, Any],
    reason: str | None,
) -> LotView:
    """Correct the lot's announcement before its auction opens (``auction_rules/lot_edits.py``); the edit is
    logged with the lot before and after. ``changes`` maps a field to its new value (None clears an
    optional field); fields whose value does not change are dropped first."""
    lot = await get_lot(session, lot_id)
    check_court(principal, lot.court_id)
    now = svc.clock.now()
    before = action_log.lot_snapshot(lot)
    current = {**{k: before[k] for k in action_log.LOT_FIELDS}, **before["details"]}
    effective = {k: v for k, v in changes.items() if current.get(k) != v}
    for name in REQUIRED_FIELDS & set(effective):
        if effective[name] is None:
            raise invalid("validation_error", f"{name} cannot be cleared", fields={name: "required"})
    history = await lot_history(session, lot_id, now)
    lot_edits.check_lot_edit(history, effective, lot.disposition is not None)
    if any(a.status == "announced" for a in history):
        # An announced round's announcement stays complete: no required field is cleared under it.
        announced = {**current, **effective}
        announcement.check_announcement(svc.profile, announced)
    details = dict(lot.details or {})
    for name, value in effective.items():
        if name in DETAIL_FIELDS:
            if value is None:
                details.pop(name, None)
            else:
                details[name] = value
        else:
            setattr(lot, name, value)
    lot.details = details
    await session.flush()
    after = action_log.lot_snapshot(lot)
    await action_log.record(session, principal, lot.court_id, lot.id, None, "lot_edited", reason, before, after, at=now)
    court = await session.get(Court, lot.court_id)
    return lot_view(lot, court)


async def list_courts(session: AsyncSession) -> list[CourtRef]:
    rows = (await session.execute(select(Court).order_by(Court.name))).scalars()
    return [CourtRef(c.id, c.name) for c in rows]


async def list_lots(
    session: AsyncSession, *, court: str | None, category: str | None, limit: int, offset: int
) -> list[LotView]:
    """Lots, newest first; ``court`` by id or name."""
    query = select(Lot, Court).join(Court, Court.id == Lot.court_id)
    if court:
        query = query.where(court_condition(court))
    if category:
        query = query.where(Lot.category == category)
    rows = (await session.execute(query.order_by(Lot.id.desc()).limit(limit).offset(offset))).all()
    return [lot_view(lot, c) for lot, c in rows]


async def read_lot(session: AsyncSession, lot_id: int) -> LotDetail:
    """The lot with its auctions (every round, oldest first), each with its registration count."""
    lot = await get_lot(session, lot_id)
    court = await session.get(Court, lot.court_id)
    registrations = (
        select(func.count()).select_from(Registration).where(Registration.auction_id == Auction.id).scalar_subquery()
    )
    rows = (
        await session.execute(select(Auction, registrations).where(Auction.lot_id == lot_id).order_by(Auction.id))
    ).all()
    return LotDetail(lot_view(lot, court), [view_of(a, lot, court, count) for a, count in rows])
