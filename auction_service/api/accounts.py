"""Accounts and tokens, and the caller's own page (registrations with deposits, bids)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form

from ..contract.accounts import me_json, my_bids_json, my_registrations_json, signed_up_json, token_json
from ..core import accounts, my_page
from .deps import CurrentPrincipal, ReadSession, ServicesDep, WriteSession
from .schemas import BidderIn

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post("/bidders", status_code=201)
async def sign_up(body: BidderIn, session: WriteSession, svc: ServicesDep) -> dict:
    """Create a bidder account (409 ``username_taken``)."""
    account = await accounts.sign_up(
        session, svc.clock, username=body.username, password=body.password, real_name=body.real_name
    )
    return signed_up_json(account)


@router.post("/auth/token")
async def token(
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=128)],
    session: ReadSession,
    svc: ServicesDep,
) -> dict:
    """OAuth2 password flow: a signed, expiring bearer token (401 ``invalid_credentials``)."""
    account = await accounts.log_in(session, username, password)
    access = svc.tokens.issue(account.id, account.username, account.role, account.court_id)
    return token_json(access, account, svc.settings.token_ttl_seconds)


@router.get("/me")
async def me(principal: CurrentPrincipal, session: ReadSession) -> dict:
    return me_json(principal, await accounts.account_of(session, principal))


@router.get("/me/registrations")
async def my_registrations(principal: CurrentPrincipal, session: ReadSession, svc: ServicesDep) -> dict:
    """The caller's registrations with their deposits (the deposits ledger) and each auction's state."""
    page = await my_page.my_registrations(session, principal.account_id)
    return my_registrations_json(page, now=svc.clock.now())


@router.get("/me/bids")
async def my_bids(principal: CurrentPrincipal, session: ReadSession, limit: int = 200) -> dict:
    """The caller's bids, newest first."""
    return my_bids_json(await my_page.my_bids(session, principal.account_id, limit))
