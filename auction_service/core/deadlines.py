"""The deadlines desk: what is due today and overdue in a court (``auction_rules/deadlines.py`` decides; this
reads the court's open lots and their auctions in two queries)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import bidding, deadlines, listing
from auction_rules.bidding import AuctionState
from auction_rules.errors import invalid, not_found

from ..db.models import ActionLog, Auction, Court, Lot, Registration
from .action_log import check_court_reader
from .security import Principal
from .services import Services

MAX_HORIZON_DAYS = 90


async def court_deadlines(
    session: AsyncSession, svc: Services, principal: Principal, court_id: int, *, horizon_days: int = 0
) -> list[deadlines.Deadline]:
    if not 0 <= horizon_days <= MAX_HORIZON_DAYS:
        raise invalid("invalid_horizon", f"horizon_days must be between 0 and {MAX_HORIZON_DAYS}")
    if await session.get(Court, court_id) is None:
        raise not_found("court_not_found", f"no court {court_id}")
    check_court_reader(principal, court_id)
    now = svc.clock.now()
    # Plain columns, not ORM entities: a court may hold thousands of open lots.
    rows = (
        await session.execute(
            select(
                Lot.id.label("lot_id"),
                Lot.title,
                Lot.details,
                Auction.id.label("auction_id"),
                Auction.round,
                Auction.status,
                Auction.start_at,
                Auction.end_at,
                Auction.scheduled_end_at,
                Auction.starting_price,
                Auction.increment,
                Auction.current_price,
                Auction.closed_at,
                Auction.suspended_at,
                Auction.settlement,
                Registration.bidder_code,
            )
            .outerjoin(Auction, Auction.lot_id == Lot.id)
            .outerjoin(Registration, Registration.id == Auction.leader_registration_id)
            .where(Lot.court_id == court_id, Lot.disposition.is_(None))
            .order_by(Lot.id, Auction.id)
        )
    ).all()
    kinds = await _pause_kinds(session, [r.auction_id for r in rows if r.status == "suspended"])
    lots: dict[int, tuple[Any, list[deadlines.AuctionFacts], list[listing.PastAuction]]] = {}
    for r in rows:
        _, facts, history = lots.setdefault(r.lot_id, (r, [], []))
        if r.auction_id is None:
            continue
        state = AuctionState(
            id=r.auction_id,
            status=r.status,
            start_at=r.start_at,
            end_at=r.end_at,
            scheduled_end_at=r.scheduled_end_at,
            starting_price=r.starting_price,
            increment=r.increment,
            current_price=r.current_price,
            closed_at=r.closed_at,
        )
        status = bidding.effective_status(state, now)
        ended = r.closed_at or (r.end_at if status in bidding.ENDED else None)
        round_ = listing.round_of(r.round)
        history.append(listing.PastAuction(round_, status, r.starting_price, ended, r.settlement))
        facts.append(
            deadlines.AuctionFacts(
                auction_id=r.auction_id,
                round=round_,
                status=status,
                start_at=r.start_at,
                closed_at=ended,
                suspended_at=r.suspended_at,
                settlement=r.settlement,
                winner_code=r.bidder_code if status == "sold" else None,
                price=r.current_price if status == "sold" else None,
                pause_kind=kinds[r.auction_id][0] if r.auction_id in kinds else None,
                pause_until=kinds[r.auction_id][1] if r.auction_id in kinds else None,
                cause_removed_on=kinds[r.auction_id][2] if r.auction_id in kinds else None,
            )
        )
    lot_facts = [
        deadlines.LotFacts(
            lot_id=lot.lot_id,
            title=lot.title,
            disposed=False,
            balance_days=(lot.details or {}).get("balance_deadline_days"),
            auctions=facts,
            history=history,
        )
        for lot, facts, history in lots.values()
    ]
    return deadlines.court_deadlines(lot_facts, svc.profile, now, horizon=timedelta(days=horizon_days))


async def _pause_kinds(
    session: AsyncSession, auction_ids: list[int]
) -> dict[int, tuple[str, date | None, date | None]]:
    """Whether each paused auction was postponed (暂缓) or suspended (中止), a 暂缓's period (its last
    day) and the day its cause was removed: from its latest pause entry and the removals after it."""
    if not auction_ids:
        return {}
    rows = (
        await session.execute(
            select(ActionLog.auction_id, ActionLog.action, ActionLog.after)
            .where(
                ActionLog.auction_id.in_(auction_ids),
                ActionLog.action.in_(("auction_postponed", "auction_suspended", "pause_cause_removed")),
            )
            .order_by(ActionLog.id)
        )
    ).all()
    found: dict[int, tuple[str, date | None, date | None]] = {}
    for auction_id, action, after in rows:
        if auction_id is None:
            continue
        if action == "pause_cause_removed":
            if auction_id in found:
                removed = (after or {}).get("removed_on")
                kind, until, _ = found[auction_id]
                found[auction_id] = (kind, until, date.fromisoformat(removed) if isinstance(removed, str) else None)
            continue
        until = (after or {}).get("until")
        kind = "postponed" if action == "auction_postponed" else "suspended"
        found[auction_id] = (kind, date.fromisoformat(until) if isinstance(until, str) else None, None)
    return found
