"""Lots (court staff list them; anyone reads them)."""

from __future__ import annotations

from fastapi import APIRouter

from ..contract.answers import Auction, CourtList, LotList, LotWithAuctions
from ..contract.auctions import auction_json, auctions_json, courts_json, lot_list_json, lot_with_auctions_json
from ..core import lots, staff_actions
from .deps import ReadSession, ServicesDep, StaffPrincipal, WriteSession
from .responses import BODY, INVALID, LISTING_RULES, NO_LOT, STAFF, STAFF_OF_COURT, answers
from .schemas import AuctionIn, Filter, Id, Limit500, LotIn, Offset

router = APIRouter(prefix="/api/v1", tags=["lots"])


@router.post(
    "/lots",
    status_code=201,
    **answers(LotWithAuctions, status=201, errors=(*STAFF, *BODY, "court_required")),
)
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


@router.get("/courts", **answers(CourtList))
async def list_courts(session: ReadSession) -> dict:
    return courts_json(await lots.list_courts(session))


@router.get("/lots", **answers(LotList, errors=INVALID))
async def list_lots(
    session: ReadSession,
    court: Filter = None,
    category: Filter = None,
    limit: Limit500 = 50,
    offset: Offset = 0,
) -> dict:
    found = await lots.list_lots(session, court=court, category=category, limit=limit, offset=offset)
    return lot_list_json(found)


@router.get("/lots/{lot_id}", **answers(LotWithAuctions, errors=NO_LOT))
async def read_lot(lot_id: Id, session: ReadSession, svc: ServicesDep) -> dict:
    """The lot with its auctions (all rounds, oldest first)."""
    detail = await lots.read_lot(session, lot_id)
    items = auctions_json(detail.auctions, now=svc.clock.now(), watchers=svc.events.watchers)
    return lot_with_auctions_json(detail.lot, items)


@router.post(
    "/lots/{lot_id}/auctions",
    status_code=201,
    **answers(Auction, status=201, errors=(*STAFF_OF_COURT, *NO_LOT, *BODY, *LISTING_RULES)),
)
async def schedule_auction(
    lot_id: Id, body: AuctionIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Schedule the lot's next round; the listing rules are checked (422 names the broken rule)."""
    view = await staff_actions.create_auction(
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
