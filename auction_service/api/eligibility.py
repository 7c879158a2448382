"""Bidder eligibility and court regions: a bidder's identity number, the consumption-restriction list
(import, listing, credit restoration), a lot's debtor, and a court's province, city and level."""

from __future__ import annotations

from fastapi import APIRouter, Request

from auction_rules.errors import invalid, not_found

from ..contract.answers import (
    CourtRegions,
    DebtorRecorded,
    IdentityRecorded,
    ImportOutcome,
    ListedPerson,
    RestrictionList,
)
from ..contract.eligibility import court_regions_json, import_outcome_json, listed_person_json, restriction_list_json
from ..core import court_regions, debtors, eligibility
from .deps import CurrentPrincipal, ReadSession, ServicesDep, StaffPrincipal, WriteSession
from .responses import AUTH, BODY, CSV_BODY, INVALID, NO_COURT, NO_LOT, STAFF, STAFF_OF_COURT, answers
from .schemas import CourtRegionsIn, DebtorIn, Filter, Id, IdentityIn, Limit500, ListKind, Offset, ReasonIn

router = APIRouter(prefix="/api/v1", tags=["eligibility"])

MAX_LIST_BYTES = 8 * 1024 * 1024


@router.put(
    "/me/identity",
    **answers(IdentityRecorded, errors=(
        *AUTH, *BODY, "invalid_id_number", ("not_a_bidder", 403), "account_not_found", "identity_already_set",
        "id_number_taken",
    )),
)  # fmt: skip
async def set_identity(body: IdentityIn, principal: CurrentPrincipal, session: WriteSession) -> dict:
    """Record the bidder's resident identity number (kept only as a keyed hash). Once only: a different
    number afterwards is 409 ``identity_already_set``."""
    await eligibility.set_identity(session, principal, body.id_number)
    return {"id_number_recorded": True}


@router.post(
    "/restrictions/import",
    openapi_extra=CSV_BODY,
    **answers(ImportOutcome, errors=(*STAFF, "restriction_list_invalid", "payload_too_large", "wrong_court")),
)
async def import_restrictions(
    request: Request, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Import a dishonest-debtor / consumption-restriction list: a CSV body (UTF-8) with the columns
    ``id_number,name,court,restricted_on`` (or 身份证号,姓名,执行法院,限制日期), and optionally ``list``
    (名单: dishonest/失信被执行人 or consumption_restriction/限制消费, the default) and ``case_number``
    (案号, then required on every row). All or nothing: a bad row
    refuses the file (422 ``restriction_list_invalid``, ``rows``: each bad line and why). Staff list
    only for their own court (403 ``wrong_court`` naming the rows of another); an admin for any."""
    raw = await request.body()
    if len(raw) > MAX_LIST_BYTES:
        raise invalid("restriction_list_invalid", f"the list is larger than {MAX_LIST_BYTES // (1024 * 1024)} MiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise invalid(
            "restriction_list_invalid",
            f"the list is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8",
            rows=[{"line": raw[: exc.start].count(b"\n") + 1, "reason": "not UTF-8 text"}],
        ) from None
    outcome = await eligibility.import_list(session, principal, text, svc.clock.now())
    eligibility.recheck_bidders_after_commit(session, svc)
    return import_outcome_json(outcome)


@router.get("/restrictions", **answers(RestrictionList, errors=(*STAFF, *INVALID)))
async def list_restrictions(
    principal: StaffPrincipal,
    session: ReadSession,
    name: Filter = None,
    include_restored: bool = False,
    limit: Limit500 = 50,
    offset: Offset = 0,
    list_kind: ListKind = None,
) -> dict:
    """The restriction lists (staff), newest first; names, courts, the list and the case number, never
    identity numbers. ``list`` keeps one list: ``dishonest`` (失信被执行人) or ``consumption_restriction``
    (限制消费)."""
    items, total = await eligibility.list_restricted(
        session,
        principal,
        name=name,
        include_restored=include_restored,
        limit=limit,
        offset=offset,
        list_kind=list_kind,
    )
    return restriction_list_json(items, total, limit=limit, offset=offset)


@router.post(
    "/restrictions/{person_id}/restore",
    **answers(ListedPerson, errors=(*STAFF, *BODY, "restricted_person_not_found", "already_restored", "wrong_court")),
)
async def restore_credit(
    person_id: Id, body: ReasonIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Credit restoration (信用修复): the person leaves the list; the action is logged with its reason."""
    restored = await eligibility.restore_credit(session, principal, person_id, body.reason, svc.clock.now())
    eligibility.recheck_bidders_after_commit(session, svc)
    return listed_person_json(restored)


@router.put(
    "/lots/{lot_id}/debtor",
    **answers(DebtorRecorded, errors=(*STAFF_OF_COURT, *NO_LOT, *BODY, "invalid_id_number")),
)
async def set_debtor(
    lot_id: Id, body: DebtorIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Record the debtor's identity number with the lot (staff of its court): the debtor may not register
    for the lot (403 ``debtor_cannot_bid``). ``null`` clears it."""
    recorded = await debtors.set_lot_debtor(session, principal, lot_id, body.id_number, svc.clock.now())
    eligibility.recheck_bidders_after_commit(session, svc, lot_id)
    return {"lot_id": lot_id, "debtor_recorded": recorded}


@router.get("/courts/{court_id}", **answers(CourtRegions, errors=NO_COURT))
async def read_court(court_id: Id, session: ReadSession) -> dict:
    """A court with its province, city and level."""
    court = await court_regions.court_by_id(session, court_id)
    if court is None:
        raise not_found("court_not_found", f"no court {court_id}")
    return court_regions_json(court)


@router.patch(
    "/courts/{court_id}",
    **answers(CourtRegions, errors=(*AUTH, "admin_only", *NO_COURT, *BODY, "invalid_court_level")),
)
async def update_court(
    court_id: Id, body: CourtRegionsIn, principal: CurrentPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Set a court's province, city and level (admin; on the court's action log). Fields left out stay as
    they are; "" clears one."""
    court = await court_regions.update_regions(
        session,
        principal,
        court_id,
        province=body.province,
        city=body.city,
        level=body.level,
        now=svc.clock.now(),
    )
    return court_regions_json(court)
