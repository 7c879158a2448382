"""The court desk's answers: the action log, the deadlines desk and an auction's published side-state
history (暂缓, 中止, resumption, 撤回)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auction_rules.deadlines import Deadline

from ..clock import isoformat
from ..core.action_log import ActionPage, ActionView

Json = dict[str, Any]


def action_json(a: ActionView) -> Json:
    return {
        "id": a.id,
        "court_id": a.court_id,
        "lot_id": a.lot_id,
        "auction_id": a.auction_id,
        "actor": a.actor,
        "actor_id": a.actor_id,
        "role": a.role,
        "action": a.action,
        "reason": a.reason,
        "before": a.before,
        "after": a.after,
        "at": isoformat(a.at),
        "chain": a.chain,
        "seq": a.seq,
        "prev_hash": a.prev_hash,
        "hash": a.hash,
    }


def action_page_json(page: ActionPage) -> Json:
    return {
        "items": [action_json(a) for a in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }


def _plain(value: Any) -> Any:
    return isoformat(value) if isinstance(value, datetime) else value


def deadline_json(d: Deadline) -> Json:
    return {
        "kind": d.kind,
        "state": d.state,
        "due_at": isoformat(d.due_at),
        "lot_id": d.lot_id,
        "auction_id": d.auction_id,
        "title": d.title,
        "actions": list(d.actions),
        **{k: _plain(v) for k, v in d.detail.items()},
    }


def deadlines_json(court_id: int, items: list[Deadline], *, now: datetime) -> Json:
    counts = {state: sum(1 for d in items if d.state == state) for state in ("overdue", "due_today", "upcoming")}
    return {
        "court_id": court_id,
        "server_time": isoformat(now),
        "counts": counts,
        "items": [deadline_json(d) for d in items],
    }


_KIND = {
    "auction_postponed": "postponed",
    "auction_suspended": "suspended",
    "auction_resumed": "resumed",
    "auction_withdrawn": "withdrawn",
}


def status_history_json(auction_id: int, entries: list[ActionView]) -> Json:
    """What was published, in order: each pause with its kind and reason, each resumption, a withdrawal."""
    return {
        "auction_id": auction_id,
        "items": [{"change": _KIND[e.action], "reason": e.reason, "at": isoformat(e.at)} for e in entries],
    }
