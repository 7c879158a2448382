"""The court's action log (全程留痕): recording every staff and admin action, and reading it back.

``record`` appends one entry in the caller's unit of work, so the action and its entry commit (or roll
back) together. Actions that go through the bid engine (suspend, resume, withdraw) carry their entry
as a ``RecordAction`` effect instead (``core/bidding/lifecycle.py``): it is written by the group writer in the
transaction of the state change. Either way the entry is chained by ``db/action_rows.append``.

Other services call it like this (the time is the server's clock, the one the action used)::

    await action_log.record(session, principal, court_id, lot_id, auction_id, "eligibility_changed",
                            reason, before, after, at=svc.clock.now())
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules.action_chain import ACTIONS, ActionChainReport, ActionEntry, chain_of, verify_actions
from auction_rules.audit import canonical_time
from auction_rules.bidding import AuctionState
from auction_rules.errors import forbidden, invalid, not_found

from ..db import action_rows
from ..db.models import ActionLog, Court, Lot
from .security import Principal


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who acts, in which court, on which lot: what an engine-driven action needs to log itself."""

    principal: Principal
    court_id: int
    lot_id: int


@dataclass(frozen=True, slots=True)
class ActionView:
    id: int
    chain: int
    seq: int
    court_id: int | None
    lot_id: int | None
    auction_id: int | None
    actor_id: int | None
    actor: str
    role: str
    action: str
    reason: str | None
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    at: datetime
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ActionPage:
    items: list[ActionView]
    total: int
    limit: int
    offset: int


def time_text(moment: datetime | None) -> str | None:
    """Times inside before/after states, in the chain's canonical form."""
    return None if moment is None else canonical_time(moment)


def auction_snapshot(state: AuctionState, **extra: Any) -> dict[str, Any]:
    """The part of an auction's state a staff action can change, as JSON values."""
    snapshot = {
        "status": state.status,
        "round": state.round,
        "start_at": time_text(state.start_at),
        "end_at": time_text(state.end_at),
        "scheduled_end_at": time_text(state.scheduled_end_at),
        "starting_price": state.starting_price,
        "increment": state.increment,
        "current_price": state.current_price,
        "leader_code": state.leader_code,
        "seq": state.seq,
        "suspended_at": time_text(state.suspended_at),
        "status_reason": state.status_reason,
        "closed_at": time_text(state.closed_at),
    }
    snapshot.update(extra)
    return snapshot


LOT_FIELDS = ("title", "category", "appraisal", "description", "case_number", "location")


def lot_snapshot(lot: Lot) -> dict[str, Any]:
    snapshot: dict[str, Any] = {name: getattr(lot, name) for name in LOT_FIELDS}
    snapshot["details"] = dict(lot.details or {})
    snapshot["disposition"] = lot.disposition
    snapshot["disposition_price"] = lot.disposition_price
    return snapshot


def entry_for(
    principal: Principal,
    court_id: int | None,
    lot_id: int | None,
    auction_id: int | None,
    action: str,
    reason: str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    at: datetime,
) -> ActionEntry:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; add it to rules.action_chain.ACTIONS")
    return ActionEntry(
        chain=chain_of(court_id),
        court_id=court_id,
        lot_id=lot_id,
        auction_id=auction_id,
        actor_id=principal.account_id,
        actor=principal.username,
        role=principal.role,
        action=action,
        reason=reason,
        before=None if before is None else dict(before),
        after=None if after is None else dict(after),
        at=at,
    )


async def record(
    session: AsyncSession,
    principal: Principal,
    court_id: int | None,
    lot_id: int | None,
    auction_id: int | None,
    action: str,
    reason: str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    at: datetime,
) -> None:
    """Append the action to the log in ``session``'s transaction (flushes the session first, so the
    rows the entry names exist)."""
    entry = entry_for(principal, court_id, lot_id, auction_id, action, reason, before, after, at=at)
    await session.flush()
    await session.run_sync(lambda sync: action_rows.append(sync.connection(), entry))


def _view(row: ActionLog) -> ActionView:
    return ActionView(
        id=row.id,
        chain=row.chain,
        seq=row.seq,
        court_id=row.court_id,
        lot_id=row.lot_id,
        auction_id=row.auction_id,
        actor_id=row.actor_id,
        actor=row.actor,
        role=row.role,
        action=row.action,
        reason=row.reason,
        before=row.before,
        after=row.after,
        at=row.at,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def check_court_reader(principal: Principal, court_id: int) -> None:
    """The log of a court is read by its staff and by admins."""
    if principal.role == "admin":
        return
    if principal.role != "staff" or principal.court_id != court_id:
        raise forbidden("wrong_court", "only staff of this court (or an admin) may read its action log")


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= 500:
        raise invalid("invalid_limit", "limit must be between 1 and 500")
    if not 0 <= offset <= 10**9:
        raise invalid("invalid_offset", "offset must be between 0 and 10^9")


async def _page(session: AsyncSession, condition: Any, limit: int, offset: int) -> ActionPage:
    total = (await session.execute(select(func.count()).select_from(ActionLog).where(condition))).scalar_one()
    rows = (
        await session.execute(select(ActionLog).where(condition).order_by(ActionLog.id).limit(limit).offset(offset))
    ).scalars()
    return ActionPage([_view(r) for r in rows], int(total), limit, offset)


async def lot_actions(
    session: AsyncSession, principal: Principal, lot_id: int, *, limit: int = 100, offset: int = 0
) -> ActionPage:
    """The lot's actions, oldest first (staff of the lot's court or an admin)."""
    _check_page(limit, offset)
    lot = await session.get(Lot, lot_id)
    if lot is None:
        raise not_found("lot_not_found", f"no lot {lot_id}")
    check_court_reader(principal, lot.court_id)
    return await _page(session, ActionLog.lot_id == lot_id, limit, offset)


async def court_actions(
    session: AsyncSession,
    principal: Principal,
    court_id: int,
    *,
    action: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> ActionPage:
    """The court's actions, oldest first, optionally of one kind."""
    _check_page(limit, offset)
    if action is not None and action not in ACTIONS:
        raise invalid("invalid_action", f"unknown action {action!r}; one of {', '.join(sorted(ACTIONS))}")
    if await session.get(Court, court_id) is None:
        raise not_found("court_not_found", f"no court {court_id}")
    check_court_reader(principal, court_id)
    condition = ActionLog.court_id == court_id
    if action is not None:
        condition = condition & (ActionLog.action == action)
    return await _page(session, condition, limit, offset)


async def all_lot_actions(session: AsyncSession, lot_id: int) -> list[ActionView]:
    rows = (await session.execute(select(ActionLog).where(ActionLog.lot_id == lot_id).order_by(ActionLog.id))).scalars()
    return [_view(r) for r in rows]


PAUSE_ACTIONS = ("auction_postponed", "auction_suspended", "auction_resumed", "auction_withdrawn")


async def status_history(session: AsyncSession, auction_id: int) -> list[ActionView]:
    """The published side-state changes of an auction (暂缓, 中止, resumption, 撤回) with their reasons,
    oldest first: a resumption never erases the reason that was published."""
    rows = (
        await session.execute(
            select(ActionLog)
            .where(ActionLog.auction_id == auction_id, ActionLog.action.in_(PAUSE_ACTIONS))
            .order_by(ActionLog.id)
        )
    ).scalars()
    return [_view(r) for r in rows]


async def verify_chains(session: AsyncSession) -> list[ActionChainReport]:
    """Recompute every court's chain from its first entry."""

    def verify(sync: Any) -> list[ActionChainReport]:
        conn = sync.connection()
        return [verify_actions(chain, action_rows.chain_rows(conn, chain)) for chain in action_rows.chains(conn)]

    return await session.run_sync(verify)
