"""Auction state changes other than bids: open, close, suspend, resume, withdraw.

Each goes through the auction's book (``BidEngine.apply``) so it is ordered with the bids and guarded
like them; the side effects (deposit releases on the close, for instance) commit in the same
transaction as the state change, and the events go out only after it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from auction_rules import bidding
from auction_rules.bidding import AuctionState

from ...clock import Clock
from ...db.writes import Effect, RecordAction, ReleaseDeposits
from .. import action_log
from ..action_log import Attribution
from .book import Book
from .engine import BidEngine
from .events import AuctionClosed, StatusChanged


class Lifecycle:
    def __init__(self, engine: BidEngine, clock: Clock, reschedule: Callable[[int, datetime], None]) -> None:
        self.engine = engine
        self.clock = clock
        self.reschedule = reschedule  # ``Scheduler.schedule``: a resumed auction's moments are due again
        self._countdowns: set[int] = set()
        engine.on_committed.append(self._sale_countdown_started)

    def _sale_countdown_started(self, book: Book) -> None:
        """Rule 19: a fixed-price sale's first offer can move its end *earlier* (offer + 24 h before the
        window's end). The scheduler only ever follows an end that moved later, so tell it once."""
        state = book.committed
        if (
            bidding.is_sale(state)
            and state.status == "live"
            and state.end_at < state.scheduled_end_at
            and state.id not in self._countdowns
        ):
            self._countdowns.add(state.id)
            self.reschedule(state.id, state.end_at)

    async def open(self, auction_id: int) -> AuctionState:
        return await self.engine.apply(
            auction_id,
            bidding.open_,
            events_of=lambda before, after: [StatusChanged.of(after)] if before != after else [],
        )

    async def close(self, auction_id: int) -> AuctionState:
        state = await self.engine.apply(
            auction_id,
            bidding.close,
            effects_of=_release_losers,
            events_of=lambda _before, after: [StatusChanged.of(after), AuctionClosed.of(after)],
        )
        return state

    async def suspend(
        self,
        auction_id: int,
        reason: str,
        *,
        by: Attribution | None = None,
        kind: str = "suspended",
        grounds: dict[str, str | None] | None = None,
    ) -> AuctionState:
        """Rule 20: 中止 (``kind="suspended"``) or 暂缓 (``kind="postponed"``): both pause the auction with
        a published reason; which of the two it was stays on the record (the action log)."""
        action = "auction_postponed" if kind == "postponed" else "auction_suspended"
        return await self.engine.apply(
            auction_id,
            lambda state, now: bidding.suspend(state, now, reason),
            effects_of=_logged(by, action, reason, pause_kind=kind, **(grounds or {})),
            events_of=lambda _b, after: [StatusChanged.of(after, reason)],
        )

    async def resume(
        self,
        auction_id: int,
        *,
        by: Attribution | None = None,
        reason: str | None = None,
        ruling_number: str | None = None,
    ) -> AuctionState:
        grounds = {"ruling_number": ruling_number} if ruling_number else {}
        state = await self.engine.apply(
            auction_id,
            bidding.resume,
            effects_of=_logged(by, "auction_resumed", reason, **grounds),
            events_of=lambda _b, after: [StatusChanged.of(after)],
        )
        self.reschedule(auction_id, state.start_at if state.status == "announced" else state.end_at)
        return state

    async def withdraw(
        self,
        auction_id: int,
        reason: str,
        *,
        by: Attribution | None = None,
        ground: str | None = None,
        basis: str | None = None,
    ) -> AuctionState:
        grounds = {"ground": ground, "basis": basis} if ground else {}
        logged = _logged(by, "auction_withdrawn", reason, **grounds)
        return await self.engine.apply(
            auction_id,
            lambda state, now: bidding.withdraw(state, now, reason),
            effects_of=lambda before, after, now: _release_all(before, after, now) + logged(before, after, now),
            events_of=lambda _b, after: [StatusChanged.of(after, reason)],
        )


def _logged(by: Attribution | None, action: str, reason: str | None, **after_extra: str | None):
    """The effect that writes the action's log entry in the transaction of the state change (the states
    are the ones the book decided on, at its ``now``). No attribution: nothing is logged."""

    def effects(before: AuctionState, after: AuctionState, now: datetime) -> list[Effect]:
        if by is None:
            return []
        entry = action_log.entry_for(
            by.principal,
            by.court_id,
            by.lot_id,
            before.id,
            action,
            reason,
            action_log.auction_snapshot(before),
            action_log.auction_snapshot(after, **after_extra),
            at=now,
        )
        return [RecordAction(entry)]

    return effects


def _release_losers(_before: AuctionState, after: AuctionState, _now: datetime) -> list[Effect]:
    """Rule 16: at the close every deposit but the winner's is released (all of them on 流拍)."""
    assert after.closed_at is not None
    return [ReleaseDeposits(after.id, after.closed_at, keep_registration_id=after.leader_registration_id)]


def _release_all(_before: AuctionState, after: AuctionState, now: datetime) -> list[Effect]:
    """A withdrawn auction releases every deposit."""
    return [ReleaseDeposits(after.id, now)]
