"""The court's action log (全程留痕) as a tamper-evident chain, like the bid record (``auction_rules/audit.py``).

Every staff or admin action (listing or editing a lot, scheduling, suspending, resuming, withdrawing,
settling, declaring 悔拍, disposing, uploading, eligibility changes) is one entry: who, which court, when
(the server's clock), why, and the state before and after. Entries are chained per court: each hash
commits to the previous entry's hash of the same court and to the entry's own fields, so removing,
altering or inserting an entry breaks every hash after it. Actions with no court (an admin's
platform-wide change, such as a dishonest-debtor list import) form chain 0.

Pure: the canonical text of an entry is fixed here and never borrowed from the API's formatters, so a
change in how the API *shows* an entry never changes what the chain *commits to*.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .audit import canonical_time

PLATFORM_CHAIN = 0  # the chain of actions that belong to no court

ACTIONS = frozenset(
    {
        "lot_created",
        "lot_edited",
        "auction_scheduled",
        "auction_postponed",
        "auction_suspended",
        "auction_resumed",
        "pause_cause_removed",
        "auction_withdrawn",
        "sale_paid",
        "sale_defaulted",
        "lot_disposed",
        "document_uploaded",
        "eligibility_changed",
        "priority_holder_declared",
        "court_edited",
    }
)


@dataclass(frozen=True, slots=True)
class ActionEntry:
    """One action as recorded. ``before``/``after`` hold only JSON values (str, int, bool, None, lists
    and objects of them): times are written with ``canonical_time`` by whoever builds the entry."""

    chain: int  # the court's id, or PLATFORM_CHAIN
    court_id: int | None
    lot_id: int | None
    auction_id: int | None
    actor_id: int | None
    actor: str  # the actor's username at the time
    role: str  # staff, admin (or "system")
    action: str
    reason: str | None
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    at: datetime


def chain_of(court_id: int | None) -> int:
    return court_id if court_id is not None else PLATFORM_CHAIN


def genesis(chain: int) -> str:
    return hashlib.sha256(f"judicial-auction-actions:{chain}".encode()).hexdigest()


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, non-ASCII kept: one text for one value on every machine. Floats are
    refused (their text is not stable across producers); money is integer fen anyway."""

    def check(v: Any) -> None:
        if isinstance(v, float):
            raise ValueError("floats are not allowed in an action's state")
        if isinstance(v, Mapping):
            for item in v.values():
                check(item)
        elif isinstance(v, list | tuple):
            for item in v:
                check(item)

    check(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(previous: str, seq: int, entry: ActionEntry) -> str:
    fields = [
        previous,
        str(entry.chain),
        str(seq),
        canonical_time(entry.at),
        "" if entry.court_id is None else str(entry.court_id),
        "" if entry.lot_id is None else str(entry.lot_id),
        "" if entry.auction_id is None else str(entry.auction_id),
        "" if entry.actor_id is None else str(entry.actor_id),
        entry.actor,
        entry.role,
        entry.action,
        canonical_json(entry.reason),
        canonical_json(entry.before),
        canonical_json(entry.after),
    ]
    return hashlib.sha256("|".join(fields).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ActionChainReport:
    chain: int
    valid: bool
    entries: int
    head: str
    first_bad_seq: int | None
    problem: str | None


def verify_actions(chain: int, entries: Iterable[tuple[int, ActionEntry, str]]) -> ActionChainReport:
    """``entries``: (seq, entry, stored hash) of one chain in ascending seq, from seq 1."""
    previous = genesis(chain)
    count = 0
    for expected, (seq, entry, stored) in enumerate(entries, start=1):
        count += 1
        if seq != expected:
            return ActionChainReport(
                chain, False, count, previous, expected, f"seq {seq} where {expected} was expected"
            )
        digest = entry_hash(previous, seq, entry)
        if stored != digest:
            return ActionChainReport(chain, False, count, previous, seq, f"action {seq} does not match its hash")
        previous = digest
    return ActionChainReport(chain, True, count, previous, None, None)


def verify_links(entries: Iterable[tuple[int, ActionEntry, str, str]]) -> int | None:
    """A part of a chain (a lot's entries in a case file): each entry's hash must follow from the
    previous hash it names. Returns the first seq that does not, or None. (Completeness needs the whole
    chain: ``verify_actions``.)"""
    for seq, entry, previous, stored in entries:
        if entry_hash(previous, seq, entry) != stored:
            return seq
    return None
