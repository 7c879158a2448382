"""Appending to a lot's record and reading it back (SQLAlchemy Core on a synchronous connection).

``append`` is the one way an entry is written, always in the transaction of what it records: an action
(``action_rows.append`` adds the lot's link for every action of a lot), a registration's frozen deposit
(``core/registrations.py``), deposits released at the close or on withdrawal (the group writer) and the
winner's deposit applied or forfeited (``core/staff_actions.settle``). The lot's head is read and
extended under a lock: SQLite's ``BEGIN IMMEDIATE`` already holds the database; on PostgreSQL a
transaction-scoped advisory lock per lot serialises appenders (the unique ``(lot_id, seq)`` is the
backstop).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, insert, select

from auction_rules.lot_record import RecordEntry, entry_hash, genesis

from .chain_heads import head_query, locked_head
from .models import LotRecordEntry, table_of

LOT_RECORD = table_of(LotRecordEntry)
_LOCK_BASE = 1_400_000_000  # advisory lock keys: this + the lot (the action log's chains use 1_300_000_000 +)
_HEAD = head_query(LOT_RECORD, LOT_RECORD.c.lot_id)
_INSERT = insert(LOT_RECORD)


def append(conn: Connection, entry: RecordEntry) -> tuple[int, str]:
    """Write ``entry`` at the head of its lot's record in the open transaction; returns (seq, hash)."""
    return append_all(conn, entry.lot_id, [entry])


def append_all(conn: Connection, lot_id: int, entries: list[RecordEntry]) -> tuple[int, str]:
    """Write ``entries`` (of one lot, in order) at the head of its record in one statement (the deposits
    an auction's close releases); returns the new head (seq, hash)."""
    head = locked_head(conn, _HEAD, lot_id, _LOCK_BASE + lot_id)
    seq, previous = head if head else (0, genesis(lot_id))
    rows = []
    for entry in entries:
        if entry.lot_id != lot_id:
            raise ValueError(f"an entry of lot {entry.lot_id} appended to lot {lot_id}'s record")
        seq += 1
        digest = entry_hash(previous, seq, entry)
        rows.append({**values_of(entry), "seq": seq, "prev_hash": previous, "hash": digest})
        previous = digest
    if len(rows) == 1:
        conn.execute(_INSERT, rows[0])  # one row: a plain execute, not the executemany machinery
    elif rows:
        conn.execute(_INSERT, rows)
    return seq, previous


def values_of(entry: RecordEntry) -> dict[str, Any]:
    return {
        "lot_id": entry.lot_id,
        "kind": entry.kind,
        "auction_id": entry.auction_id,
        "action_id": entry.action_id,
        "action_hash": entry.action_hash,
        "registration_id": entry.registration_id,
        "bidder_code": entry.bidder_code,
        "amount": entry.amount,
        "status": entry.status,
        "at": entry.at,
    }


def entry_of(row: Any) -> RecordEntry:
    """A stored row as the chain hashes it."""
    return RecordEntry(
        lot_id=row.lot_id,
        kind=row.kind,
        auction_id=row.auction_id,
        at=row.at,
        action_id=row.action_id,
        action_hash=row.action_hash,
        registration_id=row.registration_id,
        bidder_code=row.bidder_code,
        amount=row.amount,
        status=row.status,
    )


def lot_rows(conn: Connection, lot_id: int) -> Iterator[tuple[int, RecordEntry, str, str]]:
    """One lot's record in ascending seq: (seq, entry, prev_hash, hash)."""
    rows = conn.execute(select(LOT_RECORD).where(LOT_RECORD.c.lot_id == lot_id).order_by(LOT_RECORD.c.seq))
    for row in rows:
        yield row.seq, entry_of(row), row.prev_hash, row.hash
