"""Accounts and tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form

from ..core import accounts
from .deps import CurrentPrincipal, ReadSession, ServicesDep, WriteSession
from .schemas import BidderIn

router = APIRouter(prefix="/api/v1", tags=["accounts"])


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
