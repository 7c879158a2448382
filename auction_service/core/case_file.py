"""The case file of one auction (案卷): everything the court keeps of it, gathered for export.

What goes in: the lot's announcement (the lot and the auction's terms), the bid record with its
hash chain recomputed, the deposits ledger, the lot's action log, the result once ended, and the
confirmation (成交确认书) as a PDF if it sold. ``contract/case_file.py`` writes it as a zip with a
manifest of SHA-256 digests that ``auction-service audit verify --case-file`` checks.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import bidding
from auction_rules.audit import ChainReport

from . import action_log, confirmation, ledger
from .action_log import ActionView
from .auction_queries import auction_result, auction_view, bid_record, get_auction_row, get_lot
from .audit import verify_auction
from .lots import read_lot
from .security import Principal
from .services import Services
from .staff_actions import check_court
from .views import AuctionResult, AuctionView, DepositsLedger, LotView, RecordedBid

MAX_BIDS = 10_000_000


@dataclass(frozen=True, slots=True)
class CaseFile:
    generated_at: datetime
    auction: AuctionView
    lot: LotView
    bids: list[RecordedBid]
    chain: ChainReport
    deposits: DepositsLedger
    actions: list[ActionView]
    result: AuctionResult | None
    confirmation_pdf: bytes | None


async def case_file(session: AsyncSession, svc: Services, principal: Principal, auction_id: int) -> CaseFile:
    """Gather the case file (staff of the lot's court, or an admin); read in one transaction, so the
    parts agree with each other."""
    row = await get_auction_row(session, auction_id)
    lot = await get_lot(session, row.lot_id)
    check_court(principal, lot.court_id)
    now = svc.clock.now()
    view = await auction_view(session, auction_id)
    detail = await read_lot(session, lot.id)
    bids = await bid_record(session, auction_id, 0, MAX_BIDS)
    chain = await verify_auction(session, auction_id)
    deposits = await ledger.deposits_ledger(session, svc, principal, auction_id)
    actions = await action_log.all_lot_actions(session, lot.id)
    status = bidding.effective_status(view.state, now)
    result = await auction_result(session, svc, auction_id) if status in bidding.ENDED else None
    pdf = None
    if status == "sold":
        confirmed = await confirmation.confirmation_of(session, svc, auction_id)
        await session.rollback()  # no transaction held open while the PDF renders
        pdf = await asyncio.to_thread(confirmation.render_pdf, confirmed)
    return CaseFile(now, view, detail.lot, bids, chain, deposits, actions, result, pdf)
