"""The auction's announcement (竞买公告) and bidding terms (竞买须知), public: each as a printable HTML
page and as a PDF, generated from the lot's data (``core/announcements.py``); the terms also as JSON
with their version, which a bidder names when accepting them on registration."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from starlette.responses import HTMLResponse, Response

from ..contract.answers import TermsAnswer
from ..core import announcements
from ..core.announcements import Document
from .deps import ReadSession, ServicesDep
from .responses import NO_AUCTION, answers
from .schemas import Id

router = APIRouter(prefix="/api/v1", tags=["auctions"])
VERSION_HEADER = "X-Document-Version"


def _html(doc: Document) -> HTMLResponse:
    return HTMLResponse(announcements.render_html(doc), headers={VERSION_HEADER: doc.digest})


async def _pdf(session: ReadSession, doc: Document, name: str) -> Response:
    await session.rollback()  # no transaction held open while the PDF renders
    pdf = await asyncio.to_thread(announcements.render_pdf, doc)
    headers = {"Content-Disposition": f'inline; filename="{name}-{doc.auction_id}.pdf"', VERSION_HEADER: doc.digest}
    return Response(pdf, media_type="application/pdf", headers=headers)


HTML = answers(str, media_type="text/html", errors=NO_AUCTION)
PDF = answers(bytes, media_type="application/pdf", errors=(*NO_AUCTION, "pdf_font_unavailable"))


@router.get("/auctions/{auction_id}/announcement", response_class=HTMLResponse, **HTML)
async def notice_page(auction_id: Id, session: ReadSession, svc: ServicesDep) -> HTMLResponse:
    """The 竞买公告 as a printable page; header ``X-Document-Version``: its SHA-256."""
    return _html(await announcements.notice_of(session, svc, auction_id))


@router.get("/auctions/{auction_id}/announcement.pdf", response_class=Response, **PDF)
async def notice_pdf(auction_id: Id, session: ReadSession, svc: ServicesDep) -> Response:
    """The 竞买公告 as a PDF (503 ``pdf_font_unavailable`` without a CJK font on the host)."""
    return await _pdf(session, await announcements.notice_of(session, svc, auction_id), "announcement")


@router.get("/auctions/{auction_id}/terms", response_class=HTMLResponse, **HTML)
async def terms_page(auction_id: Id, session: ReadSession, svc: ServicesDep) -> HTMLResponse:
    """The 竞买须知 as a printable page; its version (SHA-256) in the page and in ``X-Document-Version``."""
    return _html(await announcements.terms_of(session, svc, auction_id))


@router.get("/auctions/{auction_id}/terms.pdf", response_class=Response, **PDF)
async def terms_pdf(auction_id: Id, session: ReadSession, svc: ServicesDep) -> Response:
    """The 竞买须知 as a PDF."""
    return await _pdf(session, await announcements.terms_of(session, svc, auction_id), "terms")


@router.get("/auctions/{auction_id}/terms.json", **answers(TermsAnswer, errors=NO_AUCTION))
async def terms_json(auction_id: Id, session: ReadSession, svc: ServicesDep) -> dict:
    """The 竞买须知 with its version: a bidder accepts it by registering with ``{"accept_terms": true,
    "terms_version": version}``."""
    doc = await announcements.terms_of(session, svc, auction_id)
    return {
        "auction_id": doc.auction_id,
        "version": doc.digest,
        "title": doc.title,
        "intro": doc.intro,
        "paragraphs": doc.paragraphs,
        "html_url": doc.html_url,
        "pdf_url": doc.pdf_url,
        "announcement_url": f"/api/v1/auctions/{doc.auction_id}/announcement",
    }
