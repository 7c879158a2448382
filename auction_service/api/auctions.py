"""Auctions: reading, registration, priority holders, staff actions, results, settlement, bids."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from sqlalchemy import func, or_, select
from starlette.responses import Response

from ..clock import isoformat
from ..core import auctions as svc_auctions
from ..core.auctions import auction_dict, auction_json, get_auction_row, get_lot, result_json
from ..core.audit import verify_auction
from ..db.models import Auction, Bid, Court, Lot, Registration
from ..rules import audit
from ..rules.errors import invalid
from .bid_path import bid_response
from .deps import CurrentPrincipal, ReadSession, ServicesDep, StaffPrincipal, WriteSession
from .schemas import BidIn, PriorityHolderIn, ReasonIn, SettlementIn

router = APIRouter(prefix="/api/v1", tags=["auctions"])
STATUSES = ("announced", "live", "sold", "unsold", "suspended", "withdrawn")


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
    query = select(Auction, Lot, Court).join(Lot, Lot.id == Auction.lot_id).join(Court, Court.id == Lot.court_id)
    if status:
        wanted = [s for s in status.split(",") if s]
        unknown = [s for s in wanted if s not in STATUSES]
        if unknown:
            raise invalid("invalid_status", f"unknown status {unknown[0]!r}; one of {', '.join(STATUSES)}")
        now = svc.clock.now()
        query = query.where(or_(*(svc_auctions.status_condition(s, now) for s in wanted)))
    if court:
        query = query.where(svc_auctions.court_condition(court))
    if category:
        query = query.where(Lot.category == category)
    if round:
        query = query.where(Auction.round == round)
    if lot_id is not None:
        query = query.where(Auction.lot_id == lot_id)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = (await session.execute(query.order_by(Auction.id.desc()).limit(limit).offset(offset))).all()
    ids = [a.id for a, _, _ in rows]
    counts = (
        dict(
            (
                await session.execute(
                    select(Registration.auction_id, func.count())
                    .where(Registration.auction_id.in_(ids))
                    .group_by(Registration.auction_id)
                )
            ).all()
        )
        if ids
        else {}
    )
    items = [auction_dict(svc, a, lot, c, counts.get(a.id, 0)) for a, lot, c in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/auctions/{auction_id}")
async def read_auction(auction_id: int, session: ReadSession, svc: ServicesDep) -> dict:
    return await svc_auctions.auction_view(session, svc, auction_id)


@router.post("/auctions/{auction_id}/registrations", status_code=201)
async def register(auction_id: int, principal: CurrentPrincipal, session: WriteSession, svc: ServicesDep) -> Response:
    """Freeze the deposit and get a bidder code; calling again returns the same registration (200)."""
    registration, created = await svc_auctions.register(session, svc, principal, auction_id)
    await session.commit()
    svc_auctions.remember_registration(svc, registration)
    body = {
        "bidder_code": registration.bidder_code,
        "deposit": registration.deposit,
        "deposit_status": registration.deposit_status,
        "priority_rank": registration.priority_rank,
        "auction_id": registration.auction_id,
        "registered_at": isoformat(registration.created_at),
    }
    if created:
        count = await svc_auctions.registration_count(session, auction_id)
        svc.bus.publish(auction_id, [{"type": "registrations", "auction_id": auction_id, "count": count}])
    return Response(orjson.dumps(body), status_code=201 if created else 200, media_type="application/json")


@router.post("/auctions/{auction_id}/priority-holders", status_code=201)
async def add_priority_holder(
    auction_id: int, body: PriorityHolderIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Declare a court-confirmed priority holder (优先购买权人) with a rank (1 is the best)."""
    holder, account, registration = await svc_auctions.add_priority_holder(
        session, svc, principal, auction_id, body.username, body.rank
    )
    await session.commit()
    if registration is not None:
        svc_auctions.remember_registration(svc, registration)
    return {"auction_id": auction_id, "username": account.username, "rank": holder.rank}


@router.get("/auctions/{auction_id}/priority-holders")
async def list_priority_holders(auction_id: int, session: ReadSession) -> dict:
    """The announcement publishes the priority holders and their ranks (rule 6)."""
    from ..db.models import Account, PriorityHolder

    await get_auction_row(session, auction_id)
    rows = (
        await session.execute(
            select(PriorityHolder.rank, Account.real_name, Registration.bidder_code)
            .join(Account, Account.id == PriorityHolder.bidder_id)
            .outerjoin(
                Registration,
                (Registration.auction_id == PriorityHolder.auction_id)
                & (Registration.bidder_id == PriorityHolder.bidder_id),
            )
            .where(PriorityHolder.auction_id == auction_id)
            .order_by(PriorityHolder.rank, Account.real_name)
        )
    ).all()
    return {"items": [{"rank": r.rank, "name": r.real_name, "bidder_code": r.bidder_code} for r in rows]}


@router.post("/auctions/{auction_id}/suspend")
async def suspend(
    auction_id: int, body: ReasonIn, principal: StaffPrincipal, session: ReadSession, svc: ServicesDep
) -> dict:
    await _check_staff_of(session, principal, auction_id)
    await svc.lifecycle.suspend(auction_id, body.reason)
    return await auction_json(session, svc, await _fresh(session, auction_id))


@router.post("/auctions/{auction_id}/resume")
async def resume(auction_id: int, principal: StaffPrincipal, session: ReadSession, svc: ServicesDep) -> dict:
    await _check_staff_of(session, principal, auction_id)
    await svc.lifecycle.resume(auction_id)
    return await auction_json(session, svc, await _fresh(session, auction_id))


@router.post("/auctions/{auction_id}/withdraw")
async def withdraw(
    auction_id: int, body: ReasonIn, principal: StaffPrincipal, session: ReadSession, svc: ServicesDep
) -> dict:
    await _check_staff_of(session, principal, auction_id)
    await svc.lifecycle.withdraw(auction_id, body.reason)
    return await auction_json(session, svc, await _fresh(session, auction_id))


@router.get("/auctions/{auction_id}/result")
async def result(auction_id: int, session: ReadSession, svc: ServicesDep) -> dict:
    """The outcome once bidding has ended (409 ``auction_not_ended`` before)."""
    return await result_json(session, svc, await get_auction_row(session, auction_id))


@router.post("/auctions/{auction_id}/settlement")
async def settlement(
    auction_id: int, body: SettlementIn, principal: StaffPrincipal, session: WriteSession, svc: ServicesDep
) -> dict:
    """Record payment of the balance, or declare 悔拍 (deposit forfeited, bidder barred from the lot)."""
    auction = await svc_auctions.settle(session, svc, principal, auction_id, body.outcome)
    return {
        "auction_id": auction.id,
        "outcome": auction.settlement,
        "settled_at": isoformat(auction.settled_at),
    }


@router.get("/auctions/{auction_id}/bids")
async def list_bids(
    auction_id: int,
    session: ReadSession,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 10_000,
) -> dict:
    """The full bid record in ascending ``seq`` (rule 13), from ``after_seq`` on."""
    await get_auction_row(session, auction_id)
    rows = (
        await session.execute(
            select(Bid.seq, Bid.amount, Bid.bidder_code, Bid.placed_at, Bid.priority, Bid.end_at, Bid.chain_hash)
            .where(Bid.auction_id == auction_id, Bid.seq > after_seq)
            .order_by(Bid.seq)
            .limit(limit)
        )
    ).all()
    return {
        "items": [
            {
                "seq": r.seq,
                "amount": r.amount,
                "bidder_code": r.bidder_code,
                "placed_at": isoformat(r.placed_at),
                "priority": r.priority,
                "end_at": isoformat(r.end_at),
                "chain_hash": r.chain_hash,
            }
            for r in rows
        ]
    }


@router.get("/auctions/{auction_id}/audit")
async def audit_chain(auction_id: int, session: ReadSession) -> dict:
    """Recompute the auction's bid hash chain: proof that no bid was altered, removed or inserted."""
    await get_auction_row(session, auction_id)
    report = await verify_auction(session, auction_id)
    return {
        "auction_id": auction_id,
        "valid": report.valid,
        "bids": report.bids,
        "head": report.head,
        "first_bad_seq": report.first_bad_seq,
        "problem": report.problem,
        "genesis": audit.genesis(auction_id),
        "algorithm": "sha256(previous|auction_id|seq|bidder_code|amount|placed_at|priority)",
    }


_BID_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": BidIn.model_json_schema()}},
    },
    "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}}],
}


@router.post("/auctions/{auction_id}/bids", status_code=201, openapi_extra=_BID_BODY)
async def place_bid(auction_id: int, request: Request) -> Response:
    """Place a bid: 201 once it is committed. Served by ``bid_path.BidFastPath`` in front of the
    router; this route documents it and answers the same way if the fast path is not installed."""
    status, body, headers = await bid_response(
        request.app.state.services,
        auction_id,
        request.headers.get("authorization"),
        request.headers.get("idempotency-key"),
        await request.body(),
    )
    return Response(body, status_code=status, media_type="application/json", headers=headers)


async def _check_staff_of(session, principal, auction_id: int) -> None:
    auction = await get_auction_row(session, auction_id)
    lot = await get_lot(session, auction.lot_id)
    svc_auctions.check_court(principal, lot.court_id)
    await session.rollback()  # end the read transaction before the change commits


async def _fresh(session, auction_id: int) -> Auction:
    session.expire_all()
    return await get_auction_row(session, auction_id)
