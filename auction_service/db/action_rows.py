"""Appending to the action log and reading it back (SQLAlchemy Core on a synchronous connection).

``append`` is the one way an entry is written: from a request's session (``core/action_log.record``,
through ``run_sync``) and from the bid engine's group writer (the ``RecordAction`` effect), so an
action and its entry always commit in one transaction. The chain's head is read and extended under a
lock: SQLite's ``BEGIN IMMEDIATE`` already holds the database; on PostgreSQL a transaction-scoped
advisory lock per chain serialises appenders of one court (the unique ``(chain, seq)`` is the backstop).
An action on a lot is also linked into the lot's record (``record_rows.append``) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, func, insert, select

from auction_rules.action_chain import ActionEntry, entry_hash, genesis
from auction_rules.lot_record import ACTION, RecordEntry

from . import record_rows
from .chain_heads import head_query, locked_head
from .models import ActionLog, table_of

ACTION_LOG = table_of(ActionLog)
_LOCK_BASE = 1_300_000_000  # advisory lock keys: this + the chain (migrations use 7301966)
_HEAD = head_query(ACTION_LOG, ACTION_LOG.c.chain)


def append(conn: Connection, entry: ActionEntry) -> tuple[int, str]:
    """Write ``entry`` at the head of its chain in the open transaction; returns (seq, hash)."""
    head = locked_head(conn, _HEAD, entry.chain, _LOCK_BASE + entry.chain)
    seq, previous = (head[0] + 1, head[1]) if head else (1, genesis(entry.chain))
    digest = entry_hash(previous, seq, entry)
    row = {
        "chain": entry.chain,
        "seq": seq,
        "court_id": entry.court_id,
        "lot_id": entry.lot_id,
        "auction_id": entry.auction_id,
        "actor_id": entry.actor_id,
        "actor": entry.actor,
        "role": entry.role,
        "action": entry.action,
        "reason": entry.reason,
        "before": _plain(entry.before),
        "after": _plain(entry.after),
        "at": entry.at,
        "prev_hash": previous,
        "hash": digest,
    }
    inserted = conn.execute(_INSERT, row)  # one statement for every entry: compiled once, not per entry's values
    if entry.lot_id is not None:
        (action_id,) = inserted.inserted_primary_key or (None,)
        link = RecordEntry(entry.lot_id, ACTION, entry.auction_id, entry.at, action_id=action_id, action_hash=digest)
        record_rows.append(conn, link)
    return seq, digest


_INSERT = insert(ACTION_LOG)


def _plain(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else dict(value)


def entry_of(row: Any) -> ActionEntry:
    """A stored row as the chain hashes it."""
    return ActionEntry(
        chain=row.chain,
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
    )


def chains(conn: Connection) -> list[int]:
    return list(conn.execute(select(ACTION_LOG.c.chain).distinct().order_by(ACTION_LOG.c.chain)).scalars())


def chain_rows(conn: Connection, chain: int, batch: int = 1000) -> Iterator[tuple[int, ActionEntry, str]]:
    """One chain in ascending seq, read in batches (a court's record may be long)."""
    after = 0
    while True:
        rows = conn.execute(
            select(ACTION_LOG)
            .where(ACTION_LOG.c.chain == chain, ACTION_LOG.c.seq > after)
            .order_by(ACTION_LOG.c.seq)
            .limit(batch)
        ).all()
        for row in rows:
            yield row.seq, entry_of(row), row.hash
        if len(rows) < batch:
            return
        after = rows[-1].seq


def count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(ACTION_LOG)).scalar_one()
