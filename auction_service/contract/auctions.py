"""Auctions, lots, results and what hangs off an auction (registrations, priority holders, the bid record
and its audit, settlement) as the contract writes them.

Core hands over read models (``core/views.py``); everything the answer shows that depends on the moment
of reading (the effective status, ``server_time``) is computed here from ``now``, and ``watchers`` comes
from the live feed, so one read model serves every reader.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from auction_rules import audit, bidding
from auction_rules.audit import ChainReport
from auction_rules.listing import round_of
from auction_rules.results import premium_rate

from ..clock import isoformat
from ..core.views import (
    AuctionResult,
    AuctionView,
    CourtRef,
    LotView,
    PriorityHolderView,
    RecordedBid,
    RegistrationView,
    Settlement,
)

Json = dict[str, Any]
AUDIT_ALGORITHM = "sha256(previous|auction_id|seq|bidder_code|amount|placed_at|priority)"


def round_json(stored: str) -> int | str:
    """A round as the contract writes it: ``1``, ``2`` or ``"sale"`` (变卖), the rules' own numbering
    (``rules.listing.round_of``). Filters take the stored spelling, which reads the same in a query."""
    return round_of(stored)


def auction_json(view: AuctionView, *, now: datetime, watchers: int) -> Json:
    """An auction as ``GET /auctions/{id}`` answers it (and every list, and the live feed's snapshot)."""
    state = view.state
    return {
        "id": state.id,
        "lot_id": view.lot_id,
        "round": round_json(state.round),
        "status": bidding.effective_status(state, now),
        "appraisal": view.appraisal,
        "starting_price": state.starting_price,
        "increment": state.increment,
        "deposit": view.deposit,
        "start_at": isoformat(state.start_at),
        "scheduled_end_at": isoformat(state.scheduled_end_at),
        "end_at": isoformat(state.end_at),
        "current_price": state.current_price,
        "leading_code": state.leader_code,
        "leading_priority_rank": state.leader_rank if state.leader_code is not None else None,
        "bid_count": state.seq,
        "extension_count": state.extension_count,
        "registrations": view.registrations,
        "server_time": isoformat(now),
        "seq": state.seq,
        "status_reason": state.status_reason,
        "minimum_bid": bidding.minimum_bid(state),
        "settlement": view.settlement,
        "watchers": watchers,
        "title": view.title,
        "category": view.category,
        "court": view.court,
        "court_id": view.court_id,
    }


def auctions_json(views: list[AuctionView], *, now: datetime, watchers: Callable[[int], int]) -> list[Json]:
    """Several auctions read at one moment; ``watchers`` gives an auction's watcher count by its id."""
    return [auction_json(v, now=now, watchers=watchers(v.id)) for v in views]


def auction_list_json(
    views: list[AuctionView], total: int, *, limit: int, offset: int, now: datetime, watchers: Callable[[int], int]
) -> Json:
    return {"items": auctions_json(views, now=now, watchers=watchers), "total": total, "limit": limit, "offset": offset}


def result_json(result: AuctionResult) -> Json:
    """The outcome of an ended auction; a sale also reports its settlement."""
    state = result.state
    if result.status == "unsold":
        return {
            "outcome": "unsold",
            "price": None,
            "winner_code": None,
            "winner_name": None,
            "premium_rate_over_start": None,
            "premium_rate_over_appraisal": None,
            "ended_at": isoformat(state.end_at),
            "bid_count": state.seq,
            "extension_count": state.extension_count,
        }
    price = state.current_price
    assert price is not None
    return {
        "outcome": "sold",
        "price": price,
        "winner_code": state.leader_code,
        "winner_priority_rank": state.leader_rank,
        "winner_name": result.winner_name,
        "premium_rate_over_start": premium_rate(price, state.starting_price),
        "premium_rate_over_appraisal": premium_rate(price, result.appraisal),
        "ended_at": isoformat(state.end_at),
        "bid_count": state.seq,
        "extension_count": state.extension_count,
        "settlement": result.settlement,
    }


def lot_json(lot: LotView) -> Json:
    """A lot, with the further announcement fields given at listing as top-level keys."""
    return {
        "id": lot.id,
        "court": lot.court,
        "court_id": lot.court_id,
        "title": lot.title,
        "category": lot.category,
        "appraisal": lot.appraisal,
        "description": lot.description,
        "case_number": lot.case_number,
        "location": lot.location,
        "disposition": lot.disposition,
        "disposition_note": lot.disposition_note,
        "disposition_price": lot.disposition_price,
        "disposed_at": isoformat(lot.disposed_at),
        "created_at": isoformat(lot.created_at),
        **lot.details,
    }


def lot_with_auctions_json(lot: LotView, auctions: list[Json]) -> Json:
    """A lot with its auctions (every round, oldest first; ``[]`` for a lot just listed)."""
    return lot_json(lot) | {"auctions": auctions}


def lot_list_json(lots: list[LotView]) -> Json:
    return {"items": [lot_json(lot) for lot in lots]}


def courts_json(courts: list[CourtRef]) -> Json:
    return {"items": [{"id": c.id, "name": c.name} for c in courts]}


def registration_json(registration: RegistrationView) -> Json:
    """The answer to a registration: the bidder's anonymous code and the frozen deposit."""
    return {
        "bidder_code": registration.bidder_code,
        "deposit": registration.deposit,
        "deposit_status": registration.deposit_status,
        "priority_rank": registration.priority_rank,
        "auction_id": registration.auction_id,
        "registered_at": isoformat(registration.registered_at),
        "terms_version": registration.terms_version,
    }


def priority_holder_json(holder: PriorityHolderView) -> Json:
    return {
        "auction_id": holder.auction_id,
        "username": holder.username,
        "rank": holder.rank,
        "kind": holder.kind,
        "basis": holder.basis,
        "notice_date": holder.notice_date,
        "reason": holder.reason,
    }


def settlement_json(settlement: Settlement) -> Json:
    return {
        "auction_id": settlement.auction_id,
        "outcome": settlement.outcome,
        "settled_at": isoformat(settlement.settled_at),
        **settlement.grounds,
    }


def bid_record_json(bids: list[RecordedBid]) -> Json:
    """The published bid record (rule 13), each bid with its chain hash."""
    return {
        "items": [
            {
                "seq": b.seq,
                "amount": b.amount,
                "bidder_code": b.bidder_code,
                "placed_at": isoformat(b.placed_at),
                "priority": b.priority,
                "priority_rank": b.priority_rank,
                "end_at": isoformat(b.end_at),
                "chain_hash": b.chain_hash,
            }
            for b in bids
        ]
    }


def audit_json(auction_id: int, report: ChainReport) -> Json:
    """The recomputed hash chain, with what anyone needs to recompute it themselves."""
    return {
        "auction_id": auction_id,
        "valid": report.valid,
        "bids": report.bids,
        "head": report.head,
        "first_bad_seq": report.first_bad_seq,
        "problem": report.problem,
        "genesis": audit.genesis(auction_id),
        "algorithm": AUDIT_ALGORITHM,
    }
