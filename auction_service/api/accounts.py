"""Accounts and tokens, and the caller's own page (registrations with deposits, bids)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response

from auction_rules.errors import Kind, RuleViolation

from ..contract.accounts import me_json, my_bids_json, my_registrations_json, signed_up_json, token_json
from ..contract.answers import Me, MyBids, MyRegistrations, SignedUp, Token
from ..core import accounts, my_page
from ..core.services import Services
from ..core.views import AccountView
from .deps import ClientAddress, CurrentPrincipal, ReadSession, ServicesDep, WriteSession
from .responses import AUTH, BODY, INVALID, answers
from .schemas import BidderIn, Limit500, Line

router = APIRouter(prefix="/api/v1", tags=["accounts"])

# A sign-up's answer carries a credential: no cache (a browser's, a proxy's) may keep it (RFC 6749 5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
NO_STORE_HEADERS = {
    name: {"description": "the answer carries a token: not to be cached", "schema": {"type": "string", "const": value}}
    for name, value in NO_STORE.items()
}


@router.post(
    "/bidders",
    status_code=201,
    **answers(
        SignedUp,
        status=201,
        errors=(*BODY, "username_taken", "id_number_taken", "invalid_id_number", "rate_limited"),
        extra={201: {"headers": NO_STORE_HEADERS}},
    ),
)
async def sign_up(
    body: BidderIn, session: WriteSession, svc: ServicesDep, address: ClientAddress, response: Response
) -> dict:
    """Create a bidder account, known by real name: ``id_number`` is a resident identity number with a
    valid check digit (422 ``invalid_id_number``), one account per number (409 ``id_number_taken``);
    409 ``username_taken``; 429 beyond the sign-ups allowed per address.

    The 201 also carries the new account's token (an addition), issued as ``POST /auth/token`` issues it,
    for this account only and only once it exists: the write session commits before the answer is sent,
    so a sign-up that fails to commit answers an error and no token. A refusal carries none."""
    await svc.limits.sign_up(address)
    account = await accounts.sign_up(
        session,
        svc.clock,
        username=body.username,
        password=body.password,
        real_name=body.real_name,
        id_number=body.id_number,
    )
    response.headers.update(NO_STORE)
    return signed_up_json(account, _issue(svc, account), svc.settings.token_ttl_seconds)


@router.post(
    "/auth/token",
    **answers(
        Token,
        errors=(*BODY, "invalid_form", "invalid_credentials", "rate_limited"),
        extra={200: {"headers": NO_STORE_HEADERS}},
    ),
)
async def token(
    # an empty form field reads as a missing one (422 "Field required"): the document says so
    username: Annotated[str, Form(min_length=1, max_length=64), Line],
    password: Annotated[str, Form(min_length=1, max_length=128), Line],
    session: ReadSession,
    svc: ServicesDep,
    address: ClientAddress,
    response: Response,
) -> dict:
    """OAuth2 password flow: a signed, expiring bearer token (401 ``invalid_credentials``), never to be
    cached (``Cache-Control: no-store``, as RFC 6749 5.1 asks of a token answer)."""
    await svc.limits.login_allowed(address, username)  # 429 while this account or address is locked out
    try:
        account = await accounts.log_in(session, username, password)
    except RuleViolation as refusal:
        if refusal.kind is Kind.UNAUTHENTICATED:
            await svc.limits.login_failed(address, username)
        raise
    response.headers.update(NO_STORE)
    return token_json(_issue(svc, account), account, svc.settings.token_ttl_seconds)


def _issue(svc: Services, account: AccountView) -> str:
    """The one way both routes make a token, so the sign-up's is exactly the login's: same claims, same
    signing key, same lifetime."""
    return svc.tokens.issue(account.id, account.username, account.role, account.court_id)


@router.get("/me", **answers(Me, errors=AUTH))
async def me(principal: CurrentPrincipal, session: ReadSession) -> dict:
    return me_json(principal, await accounts.account_of(session, principal))


@router.get("/me/registrations", **answers(MyRegistrations, errors=AUTH))
async def my_registrations(principal: CurrentPrincipal, session: ReadSession, svc: ServicesDep) -> dict:
    """The caller's registrations with their deposits (the deposits ledger) and each auction's state."""
    page = await my_page.my_registrations(session, principal.account_id)
    return my_registrations_json(page, now=svc.clock.now())


@router.get("/me/bids", **answers(MyBids, errors=(*AUTH, *INVALID)))
async def my_bids(principal: CurrentPrincipal, session: ReadSession, limit: Limit500 = 200) -> dict:
    """The caller's bids, newest first."""
    return my_bids_json(await my_page.my_bids(session, principal.account_id, limit))
