"""Auction state changes other than bids: open, close, suspend, resume, withdraw, settle.

Each goes through the auction's book (``BookManager.apply``) so it is ordered with the bids and
guarded like them; the side effects (deposit releases on the close, for instance) commit in the same
transaction as the state change, and the live events go out only after it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.sql import Executable

from ..clock import Clock, isoformat
from ..db.auction_rows import REGISTRATIONS
from ..live.bus import Event
from ..rules import bidding
from ..rules.bidding import AuctionState
from .books import BookManager


def status_event(state: AuctionState, reason: str | None = None) -> Event:
    event: Event = {
        "type": "status",
        "auction_id": state.id,
        "seq": state.seq,
        "status": state.status,
        "end_at": isoformat(state.end_at),
    }
    if reason is not None:
        event["reason"] = reason
    return event


def closed_event(state: AuctionState) -> Event:
    return {
        "type": "closed",
        "auction_id": state.id,
        "seq": state.seq,
        "outcome": state.status,
        "price": state.current_price,
        "winner_code": state.leader_code,
        "end_at": isoformat(state.end_at),
    }


class Lifecycle:
    def __init__(self, books: BookManager, clock: Clock) -> None:
        self.books = books
        self.clock = clock
        self.scheduler = None  # set by the app: resumed auctions are scheduled again
        self._countdowns: set[int] = set()
        books.on_committed.append(self._sale_countdown_started)

    def _sale_countdown_started(self, book) -> None:
        """Rule 19: a fixed-price sale's first offer can move its end *earlier* (offer + 24 h before the
        window's end). The scheduler only ever follows an end that moved later, so tell it once."""
        state = book.committed
        if (
            self.scheduler is not None
            and bidding.is_sale(state)
            and state.status == "live"
            and state.end_at < state.scheduled_end_at
            and state.id not in self._countdowns
        ):
            self._countdowns.add(state.id)
            self.scheduler.schedule(state.id, state.end_at)

    async def open(self, auction_id: int) -> AuctionState:
        return await self.books.apply(
            auction_id, bidding.open_, events_of=lambda before, after: [status_event(after)] if before != after else []
        )

    async def close(self, auction_id: int) -> AuctionState:
        state = await self.books.apply(
            auction_id,
            bidding.close,
            side_effects=_release_losers,
            events_of=lambda _before, after: [status_event(after), closed_event(after)],
        )
        return state

    async def suspend(self, auction_id: int, reason: str) -> AuctionState:
        return await self.books.apply(
            auction_id,
            lambda state, now: bidding.suspend(state, now, reason),
            events_of=lambda _b, after: [status_event(after, reason)],
        )

    async def resume(self, auction_id: int) -> AuctionState:
        state = await self.books.apply(auction_id, bidding.resume, events_of=lambda _b, after: [status_event(after)])
        if self.scheduler is not None:
            self.scheduler.schedule(auction_id, state.start_at if state.status == "announced" else state.end_at)
        return state

    async def withdraw(self, auction_id: int, reason: str) -> AuctionState:
        return await self.books.apply(
            auction_id,
            lambda state, now: bidding.withdraw(state, now, reason),
            side_effects=_release_all,
            events_of=lambda _b, after: [status_event(after, reason)],
        )


def _release_losers(_before: AuctionState, after: AuctionState, _now: datetime) -> list[Executable]:
    """Rule 16: at the close every deposit but the winner's is released (all of them on 流拍)."""
    stmt = (
        update(REGISTRATIONS)
        .where(REGISTRATIONS.c.auction_id == after.id, REGISTRATIONS.c.deposit_status == "frozen")
        .values(deposit_status="released", deposit_updated_at=after.closed_at)
    )
    if after.leader_registration_id is not None:
        stmt = stmt.where(REGISTRATIONS.c.id != after.leader_registration_id)
    return [stmt]


def _release_all(_before: AuctionState, after: AuctionState, now: datetime) -> list[Executable]:
    return [
        update(REGISTRATIONS)
        .where(REGISTRATIONS.c.auction_id == after.id, REGISTRATIONS.c.deposit_status == "frozen")
        .values(deposit_status="released", deposit_updated_at=now)
    ]
