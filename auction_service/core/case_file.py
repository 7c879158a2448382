"""The case file of one auction (案卷): everything the court keeps of it, gathered for export.

What goes in: the lot's announcement (the lot and the auction's terms), the priority holders, the
registrants (identities as the court's staff see them, with when each accepted the terms), the bid
record with its hash chain recomputed, the deposits ledger, the payment record, the lot's action log and
the lot's record (its actions and deposits chained per lot, ``core/lot_records.py``),
the lot's documents (appraisal report, photos) with their bytes, the result once ended, and the
confirmation (成交确认书) as a PDF if it sold. ``contract/case_file.py`` writes it as a zip with a manifest
of SHA-256 digests, signed with the service's key (``case_file_key.py``), that ``auction-service audit
verify --case-file`` checks.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import bidding
from auction_rules.audit import ChainReport
from auction_rules.errors import RuleViolation

from ..db.models import Account, Registration
from . import action_log, announcements, confirmation, documents, ledger, lot_records
from .action_log import ActionView
from .auction_queries import auction_result, auction_view, bid_record, get_auction_row, get_lot, holder_rows
from .audit import verify_auction
from .lots import read_lot
from .security import Principal
from .services import Services
from .staff_actions import check_court
from .views import AuctionResult, AuctionView, DepositsLedger, DocumentFile, LotView, RecordedBid

MAX_BIDS = 10_000_000
SETTLEMENT_ACTIONS = ("sale_paid", "sale_defaulted")


@dataclass(frozen=True, slots=True)
class Registrant:
    """A registration as the court's staff see it: the bidder code and the person behind it (identity
    numbers are kept only as keyed hashes and so never appear)."""

    registration_id: int
    bidder_code: str
    account_id: int
    username: str
    real_name: str
    priority_rank: int | None
    deposit: int
    registered_at: datetime
    terms_accepted_at: datetime | None
    terms_version: str | None  # the 竞买须知 accepted (its SHA-256)


@dataclass(frozen=True, slots=True)
class Holder:
    """A priority holder the court declared for the auction (rule 6)."""

    rank: int
    account_id: int
    real_name: str
    bidder_code: str | None
    declared_at: datetime


@dataclass(frozen=True, slots=True)
class Payment:
    """The sale's settlement as recorded: the balance paid or 悔拍, when, by whom."""

    outcome: str
    settled_at: datetime | None
    recorded_by: str | None
    reason: str | None
    after: dict | None


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
    registrants: list[Registrant]
    priority_holders: list[Holder]
    payments: list[Payment]
    documents: list[DocumentFile]
    record: list[lot_records.StoredEntry]  # the lot's record: its actions and deposits, chained
    notice: announcements.Document  # the 竞买公告 and the 竞买须知 as they read at export
    terms: announcements.Document


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
    record = await lot_records.lot_record(session, lot.id)
    notice = await announcements.notice_of(session, svc, auction_id)
    terms = await announcements.terms_of(session, svc, auction_id)
    status = bidding.effective_status(view.state, now)
    result = await auction_result(session, svc, auction_id) if status in bidding.ENDED else None
    registrants = await _registrants(session, auction_id)
    holders = await _holders(session, auction_id)
    payments = _payments(row.settlement, row.settled_at, actions, auction_id)
    files = [
        await documents.get_document(session, lot.id, info.id, documents.store_for(svc.settings))
        for info in await documents.list_documents(session, lot.id)
    ]
    pdf = None
    if status == "sold":
        try:
            confirmed = await confirmation.confirmation_of(session, svc, auction_id)
        except RuleViolation as refusal:
            if refusal.code != "winner_ineligible":
                raise
            confirmed = None  # no confirmation was issued (the winner may not buy the lot)
        await session.rollback()  # no transaction held open while the PDF renders
        if confirmed is not None:
            pdf = await asyncio.to_thread(confirmation.render_pdf, confirmed)
    return CaseFile(
        now,
        view,
        detail.lot,
        bids,
        chain,
        deposits,
        actions,
        result,
        pdf,
        registrants,
        holders,
        payments,
        files,
        record,
        notice,
        terms,
    )


async def _registrants(session: AsyncSession, auction_id: int) -> list[Registrant]:
    rows = (
        await session.execute(
            select(Registration, Account.username, Account.real_name)
            .join(Account, Account.id == Registration.bidder_id)
            .where(Registration.auction_id == auction_id)
            .order_by(Registration.id)
        )
    ).all()
    return [
        Registrant(
            r.id,
            r.bidder_code,
            r.bidder_id,
            username,
            real_name,
            r.priority_rank,
            r.deposit,
            r.created_at,
            r.terms_accepted_at,
            r.terms_version,
        )
        for r, username, real_name in rows
    ]


async def _holders(session: AsyncSession, auction_id: int) -> list[Holder]:
    rows = await holder_rows(session, auction_id)
    return [Holder(h.rank, h.bidder_id, name, code, h.created_at) for h, name, code in rows]


def _payments(
    settlement: str | None, settled_at: datetime | None, actions: list[ActionView], auction_id: int
) -> list[Payment]:
    """The settlement as the auction row holds it, with the action that recorded it (who, why)."""
    if settlement is None:
        return []
    recorded = [a for a in actions if a.auction_id == auction_id and a.action in SETTLEMENT_ACTIONS]
    last = recorded[-1] if recorded else None
    return [
        Payment(
            settlement,
            settled_at,
            last.actor if last else None,
            last.reason if last else None,
            dict(last.after) if last and last.after else None,
        )
    ]
