"""The head of a hash chain stored in a table (the action log's per court, a lot's record), read under
the lock that lets only one appender extend it at a time: SQLite's ``BEGIN IMMEDIATE`` already holds
the database; on PostgreSQL a transaction-scoped advisory lock on ``lock_key``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, select, text


def locked_head(conn: Connection, table: Table, condition: Any, lock_key: int) -> tuple[int, str] | None:
    """(seq, hash) of the chain's last entry (``condition`` selects the chain), or None if it is empty."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key})
    head = conn.execute(
        select(table.c.seq, table.c.hash).where(condition).order_by(table.c.seq.desc()).limit(1)
    ).first()
    return None if head is None else (head.seq, head.hash)
