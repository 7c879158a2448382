"""Auctions: reading, registration, priority holders, staff actions, results, settlement, the bid record
and its audit."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query
from starlette.responses import Response

from ..contract.auctions import (
    auction_json,
    auction_list_json,
    audit_json,
    bid_record_json,
    priority_holder_json,
    priority_holders_json,
    registration_json,
    result_json,
    settlement_json,
)
from ..core import auctions
from ..core.audit import audit_auction
from ..core.views import AuctionView
from .deps import CurrentPrincipal, ReadSession, ServicesDep, StaffPrincipal, WriteSession
from .schemas import PriorityHolderIn, ReasonIn, SettlementIn

router = APIRouter(prefix="/api/v1", tags=["auctions"])


def _answer(view: AuctionView, svc: ServicesDep) -> dict:
    return auction_json(view, now=svc.clock.now(), watchers=svc.events.watchers(view.id))


@router.get("/auctions")
async def list_auctions(
    session: ReadSession,
    svc: ServicesDep,
    status: str | None = None,
    court: str | None = None,
    category: str | None = None,
    round: str | None = None,
    lot_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict:
    """Auctions, newest first, filtered by status (comma-separated allowed), court (name or id),
    category and round."""
    now = svc.clock.now()
    views, total = await auctions.list_auctions(
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


@router.get("/auctions/{auction_id}")
async def read_auction(auction_id: int, session: ReadSession, svc: ServicesDep) -> dict:
    return _answer(await auctions.auction_view(session, auction_id), svc)


@router.post("/auctions/{auction_id}/registrations", status_code=201)
async def register(auction_id: int, principal: CurrentPrincipal, session: WriteSession, svc: ServicesDep) -> Response:
    """Freeze the deposit and get a bidder code; calling again returns the same registration (200)."""
    registration, created = await auctions.register(session, svc, principal, auction_id)
    body = orjson.dumps(registration_json(registration))
    return Response(body, status_code=201 if created else 200, media_type="application/json")


@router.post("/auctions/{auction_id}/priority-holders", status_code=201)
async def add_priority_holder(
    auction_id: int, body: PriorityHolderIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Declare a court-confirmed priority holder (优先购买权人) with a rank (1 is the best)."""
    holder = await auctions.add_priority_holder(session, svc, principal, auction_id, body.username, body.rank)
    return priority_holder_json(holder)


@router.get("/auctions/{auction_id}/priority-holders")
async def list_priority_holders(auction_id: int, session: ReadSession) -> dict:
    """The announcement publishes the priority holders and their ranks (rule 6)."""
    return priority_holders_json(await auctions.priority_holders(session, auction_id))


@router.post("/auctions/{auction_id}/suspend")
async def suspend(
    auction_id: int, body: ReasonIn, principal: StaffPrincipal, session: ReadSession, svc: ServicesDep
) -> dict:
    return _answer(await auctions.suspend(session, svc, principal, auction_id, body.reason), svc)


@router.post("/auctions/{auction_id}/resume")
async def resume(auction_id: int, principal: StaffPrincipal, session: ReadSession, svc: ServicesDep) -> dict:
    return _answer(await auctions.resume(session, svc, principal, auction_id), svc)


@router.post("/auctions/{auction_id}/withdraw")
async def withdraw(
    auction_id: int, body: ReasonIn, principal: StaffPrincipal, session: ReadSession, svc: ServicesDep
) -> dict:
    return _answer(await auctions.withdraw(session, svc, principal, auction_id, body.reason), svc)


@router.get("/auctions/{auction_id}/result")
async def result(auction_id: int, session: ReadSession, svc: ServicesDep) -> dict:
    """The outcome once bidding has ended (409 ``auction_not_ended`` before)."""
    return result_json(await auctions.auction_result(session, svc, auction_id))


@router.post("/auctions/{auction_id}/settlement")
async def settlement(
    auction_id: int, body: SettlementIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Record payment of the balance, or declare 悔拍 (deposit forfeited, bidder barred from the lot)."""
    return settlement_json(await auctions.settle(session, svc, principal, auction_id, body.outcome))


@router.get("/auctions/{auction_id}/bids")
async def list_bids(
    auction_id: int,
    session: ReadSession,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 10_000,
) -> dict:
    """The full bid record in ascending ``seq`` (rule 13), from ``after_seq`` on."""
    return bid_record_json(await auctions.bid_record(session, auction_id, after_seq, limit))


@router.get("/auctions/{auction_id}/audit")
async def audit_chain(auction_id: int, session: ReadSession) -> dict:
    """Recompute the auction's bid hash chain: proof that no bid was altered, removed or inserted."""
    return audit_json(auction_id, await audit_auction(session, auction_id))
