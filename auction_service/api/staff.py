"""Court staff's office: the deposits ledger, a lot's disposition after the last failed round, and the
published confirmation of a sale (成交确认书)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from starlette.responses import HTMLResponse, Response

from ..contract.answers import DepositsLedger, Disposition
from ..contract.ledger import deposits_ledger_json, disposition_json
from ..core import confirmation, ledger
from .deps import ReadSession, ServicesDep, StaffPrincipal, WriteSession
from .responses import BODY, NO_AUCTION, NO_LOT, STAFF_OF_COURT, answers
from .schemas import DispositionIn, Id

router = APIRouter(prefix="/api/v1", tags=["court staff"])


@router.get("/auctions/{auction_id}/deposits", **answers(DepositsLedger, errors=(*STAFF_OF_COURT, *NO_AUCTION)))
async def deposits(auction_id: Id, principal: StaffPrincipal, session: ReadSession, svc: ServicesDep) -> dict:
    """Every registration's deposit (frozen, released, applied or forfeited), with totals per status
    that sum to the total of the deposits (staff of the lot's court)."""
    return deposits_ledger_json(await ledger.deposits_ledger(session, svc, principal, auction_id))


@router.post(
    "/lots/{lot_id}/disposition",
    **answers(
        Disposition,
        errors=(*STAFF_OF_COURT, *NO_LOT, *BODY, "disposition_not_allowed", "auction_open", "lot_concluded"),
    ),
)
async def dispose(
    lot_id: Id, body: DispositionIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """After round 2 or the fixed-price sale failed: the creditor takes the lot at that round's reserve
    (以物抵债) or it is returned. 409 ``disposition_not_allowed`` in any other state; the lot can then
    not be listed again (409 ``lot_concluded``)."""
    return disposition_json(await ledger.dispose(session, svc, principal, lot_id, body.outcome, body.note or None))


@router.get(
    "/auctions/{auction_id}/confirmation",
    response_class=HTMLResponse,
    **answers(str, media_type="text/html", errors=(*NO_AUCTION, "auction_not_sold", "winner_ineligible")),
)
async def confirmation_page(auction_id: Id, session: ReadSession, svc: ServicesDep) -> HTMLResponse:
    """The published confirmation of the sale as a printable HTML page (409 ``auction_not_sold``)."""
    c = await confirmation.confirmation_of(session, svc, auction_id)
    return HTMLResponse(confirmation.render_html(c))


@router.get(
    "/auctions/{auction_id}/confirmation.pdf",
    response_class=Response,
    **answers(
        bytes,
        media_type="application/pdf",
        errors=(*NO_AUCTION, "auction_not_sold", "winner_ineligible", "pdf_font_unavailable"),
    ),
)
async def confirmation_pdf(auction_id: Id, session: ReadSession, svc: ServicesDep) -> Response:
    """The confirmation as a PDF (409 ``auction_not_sold``)."""
    c = await confirmation.confirmation_of(session, svc, auction_id)
    await session.rollback()  # no transaction held open while the PDF renders
    pdf = await asyncio.to_thread(confirmation.render_pdf, c)
    headers = {"Content-Disposition": f'inline; filename="confirmation-{auction_id}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)
