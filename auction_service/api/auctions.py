"""Auctions: reading, registration, priority holders, staff actions, results, settlement, the bid record
and its audit."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query
from starlette.responses import Response

from ..contract.answers import (
    Auction,
    AuctionList,
    AuctionResult,
    AuditReport,
    BidRecord,
    PriorityHolder,
    PriorityHolderList,
    Registration,
    Settlement,
)
from ..contract.auctions import (
    auction_json,
    auction_list_json,
    audit_json,
    bid_record_json,
    priority_holder_json,
    registration_json,
    result_json,
    settlement_json,
)
from ..contract.eligibility import published_priority_holders_json
from ..core import auction_queries, registrations, staff_actions
from ..core.audit import audit_auction
from ..core.views import AuctionView
from .deps import CurrentPrincipal, ReadSession, ServicesDep, StaffPrincipal, WriteSession
from .responses import AUTH, BODY, INVALID, NO_AUCTION, STAFF_ACTION, STAFF_OF_COURT, answers
from .schemas import (
    AfterSeq,
    Filter,
    Id,
    Limit10k,
    Limit500,
    Offset,
    OptionalId,
    PriorityHolderIn,
    RegistrationIn,
    ResumeIn,
    SettlementIn,
    Stated,
    SuspendIn,
    WithdrawIn,
    optional_line,
)

router = APIRouter(prefix="/api/v1", tags=["auctions"])


def _answer(view: AuctionView, svc: ServicesDep) -> dict:
    return auction_json(view, now=svc.clock.now(), watchers=svc.events.watchers(view.id))


# statuses separated by commas (empty parts ignored); any other word is 422 ``invalid_status``
_STATUS_LIST = f"^,*(({'|'.join(auction_queries.STATUSES)})(,+|$))*$"
StatusFilter = Annotated[str | None, Query(max_length=200), Stated(optional_line, _STATUS_LIST)]


@router.get("/auctions", **answers(AuctionList, errors=(*INVALID, "invalid_status")))
async def list_auctions(
    session: ReadSession,
    svc: ServicesDep,
    status: StatusFilter = None,
    court: Filter = None,
    category: Filter = None,
    round: Filter = None,
    lot_id: OptionalId = None,
    limit: Limit500 = 50,
    offset: Offset = 0,
) -> dict:
    """Auctions, newest first, filtered by status (comma-separated allowed), court (name or id),
    category and round."""
    now = svc.clock.now()
    views, total = await auction_queries.list_auctions(
        session,
        now=now,
        statuses=[s for s in (status or "").split(",") if s],
        court=court,
        category=category,
        round=round,
        lot_id=lot_id,
        limit=limit,
        offset=offset,
    )
    return auction_list_json(views, total, limit=limit, offset=offset, now=now, watchers=svc.events.watchers)


@router.get("/auctions/{auction_id}", **answers(Auction, errors=NO_AUCTION))
async def read_auction(auction_id: Id, session: ReadSession, svc: ServicesDep) -> dict:
    return _answer(await auction_queries.auction_view(session, auction_id), svc)


@router.post(
    "/auctions/{auction_id}/registrations",
    status_code=201,
    **answers(
        Registration,
        status=201,
        also={200: "the same registration, when registered already"},
        errors=(
            *AUTH,
            *NO_AUCTION,
            "registration_closed",
            "excluded_bidder",
            "staff_cannot_bid",
            "registration_failed",
            "rate_limited",
            "debtor_cannot_bid",
            "bidder_restricted",
            "terms_not_accepted",
            "terms_changed",
            "payload_too_large",
        ),
    ),
)
async def register(
    auction_id: Id,
    principal: CurrentPrincipal,
    session: WriteSession,
    svc: ServicesDep,
    body: RegistrationIn | None = None,
) -> Response:
    """Freeze the deposit and get a bidder code; calling again returns the same registration (200).
    Optional body ``{"accept_terms": true, "terms_version": "<sha256>"}``: the bidder accepted the terms
    (竞买须知) of that version, recorded with the registration (the contract's call has no body and stays
    valid; ``false`` is 422 ``terms_not_accepted``; a version that is no longer current is 409
    ``terms_changed``). 403 ``bidder_restricted`` / ``debtor_cannot_bid``: not eligible for the lot."""
    await svc.limits.registration(principal.account_id)
    accept_terms = body.accept_terms if body is not None else None
    version = body.terms_version if body is not None else None
    registration, created = await registrations.register(
        session, svc, principal, auction_id, accept_terms, terms_version=version
    )
    answer = orjson.dumps(registration_json(registration))
    return Response(answer, status_code=201 if created else 200, media_type="application/json")


@router.post(
    "/auctions/{auction_id}/priority-holders",
    status_code=201,
    **answers(
        PriorityHolder,
        status=201,
        errors=(
            *STAFF_OF_COURT,
            *NO_AUCTION,
            *BODY,
            "account_not_found",
            "auction_ended",
            "not_a_bidder",
            "reason_required",
        ),
    ),
)
async def add_priority_holder(
    auction_id: Id, body: PriorityHolderIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Declare a court-confirmed priority holder (优先购买权人) with a rank (1 is the best). Holders are
    confirmed before bidding opens; a later declaration needs a ``reason`` (422 ``reason_required``).
    Each declaration is on the action log and announced on the live feed (``priority_holder``)."""
    holder = await registrations.add_priority_holder(
        session, svc, principal, auction_id, body.username, body.rank, body.grounds()
    )
    return priority_holder_json(holder)


@router.get("/auctions/{auction_id}/priority-holders", **answers(PriorityHolderList, errors=NO_AUCTION))
async def list_priority_holders(auction_id: Id, session: ReadSession, svc: ServicesDep) -> dict:
    """The announcement publishes the priority holders and their ranks (rule 6); their names and bidder
    codes only once bidding has ended (identities stay secret until the close: null before)."""
    holders, published = await auction_queries.priority_holders(session, auction_id, svc.clock.now())
    return published_priority_holders_json(holders, published)


@router.post("/auctions/{auction_id}/suspend", **answers(Auction, errors=(*STAFF_ACTION, "auction_not_suspendable")))
async def suspend(
    auction_id: Id, body: SuspendIn, principal: StaffPrincipal, session: ReadSession, svc: ServicesDep
) -> dict:
    """中止: pause the auction with a published reason (and the ruling's number, if given); the five-day
    limit to resume runs once its cause is recorded as removed (``/cause-removed``)."""
    view = await staff_actions.suspend(
        session, svc, principal, auction_id, body.reason, ruling_number=body.ruling_number
    )
    return _answer(view, svc)


@router.post("/auctions/{auction_id}/resume", **answers(Auction, errors=(*STAFF_ACTION, "auction_not_suspended")))
async def resume(
    auction_id: Id, principal: StaffPrincipal, session: ReadSession, svc: ServicesDep, body: ResumeIn | None = None
) -> dict:
    """Resume a paused auction; ``{"reason"}`` (why: the cause removed, the period over) goes into the
    action log. The older call without a body is still accepted."""
    reason = body.reason if body is not None else None
    ruling = body.ruling_number if body is not None else None
    return _answer(await staff_actions.resume(session, svc, principal, auction_id, reason, ruling), svc)


@router.post(
    "/auctions/{auction_id}/withdraw",
    **answers(
        Auction,
        errors=(*STAFF_ACTION, "auction_not_withdrawable", "ground_required", "unknown_ground", "reason_required"),
    ),
)
async def withdraw(
    auction_id: Id, body: WithdrawIn, principal: StaffPrincipal, session: ReadSession, svc: ServicesDep
) -> dict:
    """Withdraw (撤回) an announced auction on one of the legal grounds, with an optional note."""
    return _answer(await staff_actions.withdraw(session, svc, principal, auction_id, body.ground, body.reason), svc)


@router.get("/auctions/{auction_id}/result", **answers(AuctionResult, errors=(*NO_AUCTION, "auction_not_ended")))
async def result(auction_id: Id, session: ReadSession, svc: ServicesDep) -> dict:
    """The outcome once bidding has ended (409 ``auction_not_ended`` before)."""
    return result_json(await auction_queries.auction_result(session, svc, auction_id))


@router.post(
    "/auctions/{auction_id}/settlement",
    **answers(Settlement, errors=(
        *STAFF_OF_COURT, *NO_AUCTION, *BODY, "auction_not_sold", "already_settled", "balance_not_due",
        "reason_required", "payment_amount_mismatch",
    )),
)  # fmt: skip
async def settlement(
    auction_id: Id, body: SettlementIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Record payment of the balance, or declare 悔拍 (deposit forfeited, bidder barred from the lot), with
    its grounds. 悔拍 before the balance deadline is 409 ``balance_not_due`` unless the buyer renounced in
    writing (``renounced: true`` with a ``reason``; 422 ``reason_required`` without one). A payment's
    stated ``amount`` is the balance due (422 ``payment_amount_mismatch``)."""
    return settlement_json(await staff_actions.settle(session, svc, principal, auction_id, body.request()))


@router.get("/auctions/{auction_id}/bids", **answers(BidRecord, errors=NO_AUCTION))
async def list_bids(
    auction_id: Id,
    session: ReadSession,
    after_seq: AfterSeq = 0,
    limit: Limit10k = 10_000,
) -> Response:
    """The full bid record in ascending ``seq`` (rule 13), from ``after_seq`` on. Encoded at once (a page
    holds up to 10,000 bids: FastAPI's generic encoding of the dict cost more than reading them)."""
    record = bid_record_json(await auction_queries.bid_record(session, auction_id, after_seq, limit))
    return Response(orjson.dumps(record), media_type="application/json")


@router.get("/auctions/{auction_id}/audit", **answers(AuditReport, errors=NO_AUCTION))
async def audit_chain(auction_id: Id, session: ReadSession) -> dict:
    """Recompute the auction's bid hash chain: proof that no bid was altered, removed or inserted."""
    return audit_json(auction_id, await audit_auction(session, auction_id))
