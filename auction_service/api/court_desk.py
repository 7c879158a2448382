"""The court desk: the action log (全程留痕), the deadlines desk, postponement (暂缓)
beside suspension (中止), an auction's published side-state history, lot edits before the auction
opens, and the case file export."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BeforeValidator, StringConstraints, model_validator
from starlette.responses import Response

from auction_rules.errors import invalid

from ..contract.answers import Auction, Lot
from ..contract.auctions import auction_json, lot_json
from ..contract.case_file import case_file_zip
from ..contract.court_desk import action_page_json, deadlines_json, status_history_json
from ..contract.court_desk_answers import ActionPage, CaseFileKey, Deadlines, StatusHistory
from ..core import action_log, auction_queries, case_file, case_file_key, deadlines, lots, staff_actions
from ..core.views import AuctionView
from .deps import ReadSession, ServicesDep, StaffPrincipal, WriteSession
from .responses import BODY, INVALID, NO_AUCTION, NO_LOT, STAFF, STAFF_ACTION, STAFF_OF_COURT, answers
from .schemas import (
    Category,
    CauseRemovedIn,
    DeadlineDays,
    Id,
    Limit500,
    Line,
    Lines,
    LongText,
    Money,
    NotNull,
    Offset,
    PostponeIn,
    ShortText,
    Strict,
    ascii_digits,
)

router = APIRouter(prefix="/api/v1", tags=["court desk"])

NO_COURT = ("court_not_found", "validation_error")
Text100 = Annotated[str, StringConstraints(max_length=100), Line]
Text300 = Annotated[str, StringConstraints(max_length=300), Line]
Horizon = Annotated[int, Query(ge=0, le=deadlines.MAX_HORIZON_DAYS), BeforeValidator(ascii_digits)]


class LotEditIn(Strict):
    """The fields to correct; ``null`` clears an optional field. ``reason`` goes into the action log."""

    title: Annotated[ShortText | None, NotNull] = None  # required fields: left out, never cleared
    category: Annotated[Category | None, NotNull] = None
    appraisal: Annotated[Money | None, NotNull] = None
    description: LongText | None = None
    case_number: Text100 | None = None
    location: Text300 | None = None
    appraisal_method: Text300 | None = None
    defects: LongText | None = None
    encumbrances: LongText | None = None
    taxes: LongText | None = None
    balance_deadline_days: DeadlineDays | None = None
    contact: Text300 | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), Lines] | None = None

    @model_validator(mode="after")
    def _required_not_cleared(self) -> LotEditIn:
        for name in ("title", "category", "appraisal"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be cleared")
        return self

    def changes(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.model_fields_set if k != "reason"}


def _answer(view: AuctionView, svc: ServicesDep) -> dict:
    return auction_json(view, now=svc.clock.now(), watchers=svc.events.watchers(view.id))


@router.get("/lots/{lot_id}/actions", **answers(ActionPage, errors=(*STAFF_OF_COURT, *NO_LOT, *INVALID)))
async def lot_actions(
    lot_id: Id, principal: StaffPrincipal, session: ReadSession, limit: Limit500 = 100, offset: Offset = 0
) -> dict:
    """The lot's action log, oldest first: who did what, when (server clock), why, and the state before
    and after (staff of the lot's court, or an admin)."""
    return action_page_json(await action_log.lot_actions(session, principal, lot_id, limit=limit, offset=offset))


@router.get("/courts/{court_id}/actions", **answers(ActionPage, errors=(*STAFF_OF_COURT, *NO_COURT, "invalid_action")))
async def court_actions(
    court_id: Id,
    principal: StaffPrincipal,
    session: ReadSession,
    action: Annotated[str | None, Query(max_length=32)] = None,
    limit: Limit500 = 100,
    offset: Offset = 0,
) -> dict:
    """The court's action log, oldest first, optionally one kind of action."""
    page = await action_log.court_actions(session, principal, court_id, action=action, limit=limit, offset=offset)
    return action_page_json(page)


@router.get("/courts/{court_id}/deadlines", **answers(Deadlines, errors=(*STAFF_OF_COURT, *NO_COURT)))
async def court_deadlines(
    court_id: Id,
    principal: StaffPrincipal,
    session: ReadSession,
    svc: ServicesDep,
    horizon_days: Horizon = 0,
) -> dict:
    """What is overdue and due today in the court (balances, relisting windows, paused auctions,
    announcement periods ending), most urgent first; ``horizon_days`` adds what falls due within that
    many days."""
    items = await deadlines.court_deadlines(session, svc, principal, court_id, horizon_days=horizon_days)
    return deadlines_json(court_id, items, now=svc.clock.now())


@router.get("/staff/deadlines", **answers(Deadlines, errors=(*STAFF, "court_required", *INVALID)))
async def my_deadlines(
    principal: StaffPrincipal,
    session: ReadSession,
    svc: ServicesDep,
    horizon_days: Horizon = 0,
) -> dict:
    """The caller's own court's deadlines (an admin, who spans courts, uses ``/courts/{id}/deadlines``)."""
    if principal.court_id is None:
        raise invalid("court_required", "an admin names the court: GET /api/v1/courts/{id}/deadlines")
    items = await deadlines.court_deadlines(session, svc, principal, principal.court_id, horizon_days=horizon_days)
    return deadlines_json(principal.court_id, items, now=svc.clock.now())


@router.post(
    "/auctions/{auction_id}/postpone",
    **answers(Auction, errors=(*STAFF_ACTION, "auction_not_suspendable", "invalid_period")),
)
async def postpone(
    auction_id: Id, body: PostponeIn, principal: StaffPrincipal, session: ReadSession, svc: ServicesDep
) -> dict:
    """暂缓: pause the auction with a published reason, recorded as a postponement (``/suspend`` is 中止),
    with its period (``until``) and ruling number when given. ``/resume`` resumes either; the reason
    stays in ``/status-history``."""
    view = await staff_actions.suspend(
        session,
        svc,
        principal,
        auction_id,
        body.reason,
        kind="postponed",
        until=body.until,
        ruling_number=body.ruling_number,
    )
    return _answer(view, svc)


@router.post(
    "/auctions/{auction_id}/cause-removed",
    **answers(Auction, errors=(*STAFF_ACTION, "auction_not_suspended", "invalid_date")),
)
async def cause_removed(
    auction_id: Id, body: CauseRemovedIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """The cause of a pause (中止, or a 暂缓 before its period ends) was removed: the day (court time), the
    reason and the ruling, if any, go into the action log, and the deadlines desk counts the five days to
    resume (Art. 28) from that day. The auction stays paused until ``/resume``."""
    view = await staff_actions.record_cause_removed(
        session, svc, principal, auction_id, body.removed_on, body.reason, body.ruling_number
    )
    return _answer(view, svc)


@router.get("/auctions/{auction_id}/status-history", **answers(StatusHistory, errors=NO_AUCTION))
async def status_history(auction_id: Id, session: ReadSession) -> dict:
    """The auction's published side-state changes, oldest first: each 暂缓 or 中止 with its reason, each
    resumption, a withdrawal (撤回). Public, as the announcements are."""
    await auction_queries.get_auction_row(session, auction_id)
    return status_history_json(auction_id, await action_log.status_history(session, auction_id))


@router.patch(
    "/lots/{lot_id}",
    **answers(
        Lot,
        errors=(*STAFF_OF_COURT, *NO_LOT, *BODY, "nothing_to_change", "lot_concluded", "lot_auction_opened",
                "lot_terms_announced", "announcement_incomplete"),
    ),
)  # fmt: skip
async def edit_lot(
    lot_id: Id, body: LotEditIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Correct the lot's announcement before its auction opens; the edit is logged with the lot before
    and after. Appraisal and category are fixed while a round is announced (withdraw it first), and the
    announcement stays complete under it (422 ``announcement_incomplete`` for clearing a required field)."""
    lot = await lots.edit_lot(session, svc, principal, lot_id, body.changes(), body.reason)
    return lot_json(lot)


@router.get("/case-file-key", **answers(CaseFileKey, storage=False))
async def case_file_public_key(svc: ServicesDep) -> dict:
    """The public key that checks every case file's signature (``manifest.sig``), for anyone: compare it
    with the one ``auction-service audit key`` prints on the service's machine, then check a case file
    with ``auction-service audit verify --case-file FILE.zip --key KEY.pem``."""
    key = await asyncio.to_thread(case_file_key.signing_key, svc.settings)
    return {
        "algorithm": case_file_key.ALGORITHM,
        "key_id": key.key_id,
        "public_key": key.public_base64,
        "public_key_pem": key.public_pem,
    }


@router.get(
    "/auctions/{auction_id}/case-file",
    response_class=Response,
    **answers(
        bytes,
        media_type="application/zip",
        errors=(*STAFF_OF_COURT, *NO_AUCTION, "pdf_font_unavailable", "document_missing", "document_damaged"),
    ),
)
async def export_case_file(
    auction_id: Id, principal: StaffPrincipal, session: ReadSession, svc: ServicesDep
) -> Response:
    """The auction's case file as a zip: announcement, bid record (JSON and CSV, with its chain head),
    deposits ledger, the lot's action log, the result and the confirmation PDF if sold, and a manifest of
    SHA-256 digests. ``X-Case-File-Digest`` is the manifest's SHA-256; anyone can check the archive with
    ``auction-service audit verify --case-file FILE.zip``."""
    gathered = await case_file.case_file(session, svc, principal, auction_id)
    key = await asyncio.to_thread(case_file_key.signing_key, svc.settings)
    data, digest = case_file_zip(gathered, key)
    headers = {
        "Content-Disposition": f'attachment; filename="case-file-{auction_id}.zip"',
        "X-Case-File-Digest": digest,
    }
    return Response(data, media_type="application/zip", headers=headers)
