"""The tamper-evident bid record (rule 14: nobody may alter, delete or insert a bid).

Each bid's ``chain_hash`` commits to the previous bid's hash and to the bid's own fields, so changing,
removing or inserting any stored bid breaks every hash after it. Anyone holding the published record
can recompute the chain with ``verify_chain``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime


def genesis(auction_id: int) -> str:
    return hashlib.sha256(f"judicial-auction:{auction_id}".encode()).hexdigest()


def canonical_time(moment: datetime) -> str:
    """The bid time as the chain hashes it: UTC, millisecond precision, a ``Z`` (``2026-05-01T02:00:00.000Z``).

    Fixed here, not borrowed from the API's formatter: every stored chain was hashed with exactly these
    characters, so changing how the API *shows* a time must never change what the chain *commits to*
    (``tests/rules/test_audit_chain_format.py`` pins it against stored hashes)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: bid times are timezone-aware UTC")
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def bid_hash(
    previous: str, auction_id: int, seq: int, bidder_code: str, amount: int, placed_at: datetime, priority: bool
) -> str:
    canonical = f"{previous}|{auction_id}|{seq}|{bidder_code}|{amount}|{canonical_time(placed_at)}|{int(priority)}"
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainReport:
    valid: bool
    bids: int
    head: str
    first_bad_seq: int | None
    problem: str | None


def verify_chain(auction_id: int, bids: Iterable[tuple[int, str, int, datetime, bool, str | None]]) -> ChainReport:
    """``bids``: (seq, bidder_code, amount, placed_at, priority, chain_hash) in ascending seq."""
    previous = genesis(auction_id)
    count = 0
    for expected_seq, (seq, code, amount, placed_at, priority, stored) in enumerate(bids, start=1):
        count += 1
        if seq != expected_seq:
            return ChainReport(False, count, previous, expected_seq, f"seq {seq} where {expected_seq} was expected")
        digest = bid_hash(previous, auction_id, seq, code, amount, placed_at, priority)
        if stored != digest:
            return ChainReport(False, count, previous, seq, f"bid {seq} does not match its hash")
        previous = digest
    return ChainReport(True, count, previous, None, None)
