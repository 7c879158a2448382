"""Accounts and a bidder's own page as the contract writes them: sign-up, the token, ``/me``, the
caller's registrations (with deposits) and bids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..clock import isoformat
from ..core.security import Principal
from ..core.views import AccountView, MyRegistrations, RecordedBid
from .auctions import auction_json

Json = dict[str, Any]
MY_AUCTION_KEYS = ("title", "status", "round", "current_price", "end_at", "leading_code")


def signed_up_json(account: AccountView, access_token: str, expires_in: int) -> Json:
    """The new account (the contract's ``id`` and ``username``) with its token, the token answer's keys
    exactly: the caller chose the password a moment ago, so a login to get it would only pay for a
    second password hash."""
    return {"id": account.id, "username": account.username, **token_json(access_token, account, expires_in)}


def token_json(access_token: str, account: AccountView, expires_in: int) -> Json:
    """The OAuth2 token answer; ``role`` is the contract's two roles (an admin is staff), ``account_role``
    the account's own."""
    return {
        "access_token": access_token,
        "token_type": "bearer",
        "role": "staff" if account.role in ("staff", "admin") else "bidder",
        "account_role": account.role,
        "expires_in": expires_in,
    }


def me_json(principal: Principal, account: AccountView | None) -> Json:
    return {
        "id": principal.account_id,
        "username": principal.username,
        "role": principal.role,
        "real_name": account.real_name if account else None,
        "court": account.court if account else None,
    }


def my_registrations_json(page: MyRegistrations, *, now: datetime) -> Json:
    """Each registration with its deposit and a summary of its auction; ``won`` (and the balance still
    due on an unsettled win) as of ``now``."""
    items = []
    for item in page.items:
        reg, view = item.registration, item.auction
        auction = auction_json(view, now=now, watchers=0)
        won = auction["status"] == "sold" and view.state.leader_registration_id == reg.id
        items.append(
            {
                "auction_id": view.id,
                "bidder_code": reg.bidder_code,
                "deposit": reg.deposit,
                "deposit_status": reg.deposit_status,
                "deposit_updated_at": isoformat(reg.deposit_updated_at),
                "priority_rank": reg.priority_rank,
                "registered_at": isoformat(reg.registered_at),
                "terms_version": reg.terms_version,
                "won": won,
                "balance_due": (auction["current_price"] - reg.deposit) if won and view.settlement is None else None,
                "auction": {k: auction[k] for k in MY_AUCTION_KEYS},
            }
        )
    totals = page.deposit_totals
    return {"items": items, "deposit_totals": totals, "deposits_total": sum(totals.values())}


def my_bids_json(bids: list[RecordedBid]) -> Json:
    return {
        "items": [
            {
                "auction_id": b.auction_id,
                "seq": b.seq,
                "amount": b.amount,
                "bidder_code": b.bidder_code,
                "placed_at": isoformat(b.placed_at),
                "priority": b.priority,
                "priority_rank": b.priority_rank,
            }
            for b in bids
        ]
    }
