"""Lots (court staff list them; anyone reads them)."""

from __future__ import annotations

from fastapi import APIRouter

from ..contract.auctions import auction_json, auctions_json, courts_json, lot_list_json, lot_with_auctions_json
from ..core import auctions, lots
from .deps import ReadSession, ServicesDep, StaffPrincipal, WriteSession
from .schemas import AuctionIn, LotIn

router = APIRouter(prefix="/api/v1", tags=["lots"])


@router.post("/lots", status_code=201)
async def create_lot(body: LotIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep) -> dict:
    """List a disposed asset in the caller's court (an admin names the court)."""
    lot = await lots.create_lot(
        session,
        svc,
        principal,
        court=body.court,
        title=body.title,
        category=body.category,
        appraisal=body.appraisal,
        description=body.description,
        case_number=body.case_number,
        location=body.location,
        details=body.details(),
    )
    return lot_with_auctions_json(lot, [])


@router.get("/courts")
async def list_courts(session: ReadSession) -> dict:
    return courts_json(await lots.list_courts(session))


@router.get("/lots")
async def list_lots(
    session: ReadSession,
    court: str | None = None,
    category: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict:
    found = await lots.list_lots(
        session, court=court, category=category, limit=max(1, min(limit, 500)), offset=max(offset, 0)
    )
    return lot_list_json(found)


@router.get("/lots/{lot_id}")
async def read_lot(lot_id: int, session: ReadSession, svc: ServicesDep) -> dict:
    """The lot with its auctions (all rounds, oldest first)."""
    detail = await lots.read_lot(session, lot_id)
    items = auctions_json(detail.auctions, now=svc.clock.now(), watchers=svc.events.watchers)
    return lot_with_auctions_json(detail.lot, items)


@router.post("/lots/{lot_id}/auctions", status_code=201)
async def schedule_auction(
    lot_id: int, body: AuctionIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Schedule the lot's next round; the listing rules are checked (422 names the broken rule)."""
    view = await auctions.create_auction(
        session,
        svc,
        principal,
        lot_id,
        starting_price=body.starting_price,
        increment=body.increment,
        deposit=body.deposit,
        start_at=body.start_at,
        end_at=body.end_at,
    )
    return auction_json(view, now=svc.clock.now(), watchers=svc.events.watchers(view.id))
