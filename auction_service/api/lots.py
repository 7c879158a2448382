"""Lots (court staff list them; anyone reads them)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from ..core import accounts
from ..core.auctions import auction_dict, court_condition, create_auction, get_lot, lot_dict, registration_count
from ..db.models import Auction, Court, Lot
from ..rules.errors import invalid
from .deps import ReadSession, ServicesDep, StaffPrincipal, WriteSession
from .schemas import AuctionIn, LotIn

router = APIRouter(prefix="/api/v1", tags=["lots"])


@router.post("/lots", status_code=201)
async def create_lot(body: LotIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep) -> dict:
    """List a disposed asset in the caller's court (an admin names the court)."""
    if principal.role == "admin":
        if not body.court:
            raise invalid("court_required", "an admin must name the court of the lot")
        court = await accounts.get_or_create_court(session, svc.clock, body.court)
    else:
        court = await session.get(Court, principal.court_id)
    lot = Lot(
        court_id=court.id,
        title=body.title,
        category=body.category,
        appraisal=body.appraisal,
        description=body.description,
        case_number=body.case_number,
        location=body.location,
        details=body.details(),
        created_by=principal.account_id,
        created_at=svc.clock.now(),
    )
    session.add(lot)
    await session.commit()
    return lot_dict(lot, court) | {"auctions": []}


@router.get("/courts")
async def list_courts(session: ReadSession) -> dict:
    rows = (await session.execute(select(Court).order_by(Court.name))).scalars()
    return {"items": [{"id": c.id, "name": c.name} for c in rows]}


@router.get("/lots")
async def list_lots(
    session: ReadSession,
    svc: ServicesDep,
    court: str | None = None,
    category: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict:
    query = select(Lot, Court).join(Court, Court.id == Lot.court_id)
    if court:
        query = query.where(court_condition(court))
    if category:
        query = query.where(Lot.category == category)
    limit = max(1, min(limit, 500))
    rows = (await session.execute(query.order_by(Lot.id.desc()).limit(limit).offset(max(offset, 0)))).all()
    return {"items": [lot_dict(lot, c) for lot, c in rows]}


@router.get("/lots/{lot_id}")
async def read_lot(lot_id: int, session: ReadSession, svc: ServicesDep) -> dict:
    """The lot with its auctions (all rounds, oldest first)."""
    lot = await get_lot(session, lot_id)
    court = await session.get(Court, lot.court_id)
    auctions = (await session.execute(select(Auction).where(Auction.lot_id == lot_id).order_by(Auction.id))).scalars()
    items = [auction_dict(svc, a, lot, court, await registration_count(session, a.id)) for a in auctions]
    return lot_dict(lot, court) | {"auctions": items}


@router.post("/lots/{lot_id}/auctions", status_code=201)
async def schedule_auction(
    lot_id: int, body: AuctionIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Schedule the lot's next round; the listing rules are checked (422 names the broken rule)."""
    auction = await create_auction(session, svc, principal, lot_id, body)
    lot = await session.get(Lot, lot_id)
    court = await session.get(Court, lot.court_id)
    await session.commit()
    svc.scheduler.schedule(auction.id, auction.start_at)
    return auction_dict(svc, auction, lot, court, 0)
