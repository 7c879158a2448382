"""The live feed's messages (``WS /api/v1/auctions/{id}/live``): each domain event as the contract's JSON.

Every event carries ``auction_id`` (one Redis channel carries all auctions) and, when it is ordered
with the bids, ``seq``: the feed uses it to send each watcher every bid once, in order.
"""

from __future__ import annotations

from typing import Any

from auction_rules.bidding import PlacedBid

from ..clock import isoformat
from ..core.bidding.events import (
    AuctionClosed,
    BidPlaced,
    DomainEvent,
    PriorityHolderDeclared,
    RegistrationsChanged,
    StatusChanged,
)
from .bids import placed_bid_json

Message = dict[str, Any]


def bid_message(auction_id: int, bid: PlacedBid) -> Message:
    return {
        "type": "bid",
        "auction_id": auction_id,
        "seq": bid.seq,
        "amount": bid.amount,
        "bidder_code": bid.bidder_code,
        "placed_at": isoformat(bid.placed_at),
        "end_at": isoformat(bid.end_at),
        "priority": bid.priority,
        "priority_rank": bid.priority_rank,
    }


def event_message(event: DomainEvent) -> Message:
    """One domain event as its feed message."""
    if isinstance(event, BidPlaced):
        return bid_message(event.auction_id, event.bid)
    if isinstance(event, StatusChanged):
        message: Message = {
            "type": "status",
            "auction_id": event.auction_id,
            "seq": event.seq,
            "status": event.status,
            "end_at": isoformat(event.end_at),
        }
        if event.reason is not None:
            message["reason"] = event.reason
        return message
    if isinstance(event, AuctionClosed):
        return {
            "type": "closed",
            "auction_id": event.auction_id,
            "seq": event.seq,
            "outcome": event.outcome,
            "price": event.price,
            "winner_code": event.winner_code,
            "winner_priority_rank": event.winner_priority_rank,
            "end_at": isoformat(event.end_at),
        }
    if isinstance(event, RegistrationsChanged):
        return {"type": "registrations", "auction_id": event.auction_id, "count": event.count}
    if isinstance(event, PriorityHolderDeclared):
        return {
            "type": "priority_holder",
            "auction_id": event.auction_id,
            "rank": event.rank,
            "after_opening": event.late,
            "reason": event.reason,
            "at": isoformat(event.at),
        }
    raise TypeError(f"not a domain event: {event!r}")


def watchers_message(auction_id: int, count: int) -> Message:
    return {"type": "watchers", "auction_id": auction_id, "count": count}


def snapshot_message(auction: Message, seq: int) -> Message:
    return {"type": "snapshot", "auction": auction, "seq": seq}


def bid_result_message(request_id: Any, placed: PlacedBid | None = None, *, code: str = "", text: str = "") -> Message:
    """The websocket's answer to a bid sent over it: ok with the placed bid, or refused with a code."""
    if placed is not None:
        return {"type": "bid_result", "request_id": request_id, "ok": True, **placed_bid_json(placed)}
    return {"type": "bid_result", "request_id": request_id, "ok": False, "code": code, "message": text}


def error_message(code: str, text: str) -> Message:
    return {"type": "error", "code": code, "message": text}
