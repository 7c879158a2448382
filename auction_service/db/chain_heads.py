"""The head of a hash chain stored in a table (the action log's per court, a lot's record), read under
the lock that lets only one appender extend it at a time: SQLite's ``BEGIN IMMEDIATE`` already holds
the database; on PostgreSQL a transaction-scoped advisory lock on ``lock_key``."""

from __future__ import annotations

from sqlalchemy import Column, Connection, Select, Table, bindparam, select, text


def head_query(table: Table, key: Column) -> Select:
    """The query of a chain's last entry, ``key`` (the column naming the chain) bound as ``:chain``.
    Built once per table by the caller: building it per append cost as much as running it."""
    return select(table.c.seq, table.c.hash).where(key == bindparam("chain")).order_by(table.c.seq.desc()).limit(1)


def locked_head(conn: Connection, query: Select, chain: int, lock_key: int) -> tuple[int, str] | None:
    """(seq, hash) of the chain's last entry (``query`` from ``head_query``), or None if it is empty."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key})
    head = conn.execute(query, {"chain": chain}).first()
    return None if head is None else (head.seq, head.hash)
