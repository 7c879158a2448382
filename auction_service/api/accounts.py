"""Accounts and tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form

from ..clock import isoformat
from ..core import accounts
from .deps import CurrentPrincipal, ReadSession, ServicesDep, WriteSession
from .schemas import BidderIn

router = APIRouter(prefix="/api/v1", tags=["accounts"])
AUCTION_SUMMARY = ("title", "status", "round", "current_price", "end_at", "leading_code")


@router.post("/bidders", status_code=201)
async def sign_up(body: BidderIn, session: WriteSession, svc: ServicesDep) -> dict:
    """Create a bidder account (409 ``username_taken``)."""
    account = await accounts.create_account(
        session, svc.clock, username=body.username, password=body.password, real_name=body.real_name, role="bidder"
    )
    await session.commit()
    return {"id": account.id, "username": account.username}


@router.post("/auth/token")
async def token(
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=128)],
    session: ReadSession,
    svc: ServicesDep,
) -> dict:
    """OAuth2 password flow: a signed, expiring bearer token (401 ``invalid_credentials``)."""
    account = await accounts.authenticate(session, username, password)
    access = svc.tokens.issue(account.id, account.username, account.role, account.court_id)
    return {
        "access_token": access,
        "token_type": "bearer",
        "role": "staff" if account.role in ("staff", "admin") else "bidder",
        "account_role": account.role,
        "expires_in": svc.settings.token_ttl_seconds,
    }


@router.get("/me")
async def me(principal: CurrentPrincipal, session: ReadSession) -> dict:
    from ..db.models import Account, Court

    account = await session.get(Account, principal.account_id)
    court = await session.get(Court, account.court_id) if account and account.court_id else None
    return {
        "id": principal.account_id,
        "username": principal.username,
        "role": principal.role,
        "real_name": account.real_name if account else None,
        "court": court.name if court else None,
    }


@router.get("/me/registrations")
async def my_registrations(principal: CurrentPrincipal, session: ReadSession, svc: ServicesDep) -> dict:
    """The caller's registrations with their deposits (the deposits ledger) and each auction's state."""
    from sqlalchemy import select

    from ..core.auctions import auction_dict
    from ..db.models import Auction, Court, Lot, Registration

    rows = (
        await session.execute(
            select(Registration, Auction, Lot, Court)
            .join(Auction, Auction.id == Registration.auction_id)
            .join(Lot, Lot.id == Auction.lot_id)
            .join(Court, Court.id == Lot.court_id)
            .where(Registration.bidder_id == principal.account_id)
            .order_by(Registration.id.desc())
        )
    ).all()
    items = []
    totals = {"frozen": 0, "released": 0, "applied": 0, "forfeited": 0}
    for reg, auction, lot, court in rows:
        totals[reg.deposit_status] = totals.get(reg.deposit_status, 0) + reg.deposit
        view = auction_dict(svc, auction, lot, court, 0)
        won = view["status"] == "sold" and auction.leader_registration_id == reg.id
        items.append(
            {
                "auction_id": auction.id,
                "bidder_code": reg.bidder_code,
                "deposit": reg.deposit,
                "deposit_status": reg.deposit_status,
                "deposit_updated_at": isoformat(reg.deposit_updated_at),
                "priority_rank": reg.priority_rank,
                "registered_at": isoformat(reg.created_at),
                "won": won,
                "balance_due": (view["current_price"] - reg.deposit) if won and auction.settlement is None else None,
                "auction": {
                    k: view[k] for k in ("title", "status", "round", "current_price", "end_at", "leading_code")
                },
            }
        )
    return {"items": items, "deposit_totals": totals, "deposits_total": sum(totals.values())}


@router.get("/me/bids")
async def my_bids(principal: CurrentPrincipal, session: ReadSession, limit: int = 200) -> dict:
    """The caller's bids, newest first."""
    from sqlalchemy import select

    from ..db.models import Bid

    rows = (
        await session.execute(
            select(Bid)
            .where(Bid.bidder_id == principal.account_id)
            .order_by(Bid.placed_at.desc(), Bid.id.desc())
            .limit(max(1, min(limit, 1000)))
        )
    ).scalars()
    return {
        "items": [
            {
                "auction_id": b.auction_id,
                "seq": b.seq,
                "amount": b.amount,
                "bidder_code": b.bidder_code,
                "placed_at": isoformat(b.placed_at),
                "priority": b.priority,
            }
            for b in rows
        ]
    }
