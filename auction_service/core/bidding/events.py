"""What happened to an auction, as the domain says it, and the port through which core tells the world.

Core publishes these typed events *after* the change they describe has committed; it never knows who
listens. The live feed (``live/bus.py``) implements ``EventSink`` and turns each event into the
contract's JSON (``contract/events.py``) for its watchers. Every event that is ordered with the bids
carries the auction's ``seq`` at that moment, so a watcher can put it in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from auction_rules.bidding import AuctionState, PlacedBid


@dataclass(frozen=True, slots=True)
class BidPlaced:
    auction_id: int
    bid: PlacedBid


@dataclass(frozen=True, slots=True)
class StatusChanged:
    auction_id: int
    seq: int
    status: str
    end_at: datetime
    reason: str | None = None

    @classmethod
    def of(cls, state: AuctionState, reason: str | None = None) -> StatusChanged:
        return cls(state.id, state.seq, state.status, state.end_at, reason)


@dataclass(frozen=True, slots=True)
class AuctionClosed:
    auction_id: int
    seq: int
    outcome: str  # sold | unsold
    price: int | None
    winner_code: str | None
    end_at: datetime
    winner_priority_rank: int | None = None  # shown with the code (Art. 19)

    @classmethod
    def of(cls, state: AuctionState) -> AuctionClosed:
        rank = state.leader_rank if state.leader_code is not None else None
        return cls(state.id, state.seq, state.status, state.current_price, state.leader_code, state.end_at, rank)


@dataclass(frozen=True, slots=True)
class RegistrationsChanged:
    auction_id: int
    count: int


@dataclass(frozen=True, slots=True)
class PriorityHolderDeclared:
    """A priority holder was declared (its rank, and the grounds of a declaration after bidding opened);
    the holder's identity stays secret until the close, as in the published list."""

    auction_id: int
    rank: int
    late: bool  # declared after bidding opened
    reason: str | None
    at: datetime


DomainEvent = BidPlaced | StatusChanged | AuctionClosed | RegistrationsChanged | PriorityHolderDeclared


class EventSink(Protocol):
    """The port core publishes through (implemented by ``live.bus.EventBus``)."""

    def publish(self, auction_id: int, events: list[DomainEvent]) -> None:
        """Committed events of one auction, in order. Called synchronously; must not block or raise."""
        ...

    def watchers(self, auction_id: int) -> int:
        """How many are watching the auction live (围观), across service processes where known."""
        ...

    def eligibility_changed(self, lot_id: int | None) -> None:
        """A committed change to who may bid (the restriction list, or the debtor of ``lot_id``; None: any
        lot): tell the other service processes, whose books then read their ineligible bidders again.
        Called synchronously; must not block or raise."""
        ...

    def on_eligibility_changed(self, listener: Callable[[int | None], None]) -> None:
        """Call ``listener(lot_id)`` when another process announces such a change (or when this process
        may have missed announcements: ``None``, every lot)."""
        ...
