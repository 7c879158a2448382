"""The lot's record: one continuous hash chain per lot over every act of the court on the lot and every
move of a bidder's deposit, so that nothing the court keeps of a lot can be altered, removed or inserted
without breaking a hash.

The court's action log is chained per court (``action_chain.py``): complete for the court, but a case
file holds only one lot's actions, and a court-wide chain cannot show that one of them is missing. The
lot's record links them per lot: each entry names the previous entry's hash of the same lot. Its
entries are of two kinds:

* ``action``: an action-log entry of the lot, by its id and its hash (which commits to everything the
  action says: a payment's amount and day, a 悔拍's grounds, a disposition's price);
* ``deposit``: a registration's deposit as it moved (rules 8, 16, 17): frozen when the bidder
  registered, then released, applied to the price or forfeited, with the bidder code and the amount.

So a deposit's status, a registration deleted, an action's reason or a payment's amount edited in the
database, or an action dropped from a case file, each disagrees with the lot's record
(``deposit_states`` folds it into where every deposit stands). Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .audit import canonical_time

ACTION, DEPOSIT = "action", "deposit"
KINDS = (ACTION, DEPOSIT)
DEPOSIT_STATUSES = ("frozen", "released", "applied", "forfeited")


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """One entry of a lot's record. An ``action`` names ``action_id`` and ``action_hash``; a ``deposit``
    names ``registration_id``, ``bidder_code``, ``amount`` and ``status``."""

    lot_id: int
    kind: str
    auction_id: int | None
    at: datetime
    action_id: int | None = None
    action_hash: str | None = None
    registration_id: int | None = None
    bidder_code: str | None = None
    amount: int | None = None
    status: str | None = None


def genesis(lot_id: int) -> str:
    return hashlib.sha256(f"judicial-auction-lot-record:{lot_id}".encode()).hexdigest()


def _text(value: object) -> str:
    return "" if value is None else str(value)


def entry_hash(previous: str, seq: int, entry: RecordEntry) -> str:
    if entry.kind not in KINDS:
        raise ValueError(f"unknown record entry kind {entry.kind!r}")
    fields = [
        previous,
        str(entry.lot_id),
        str(seq),
        entry.kind,
        canonical_time(entry.at),
        _text(entry.auction_id),
        _text(entry.action_id),
        _text(entry.action_hash),
        _text(entry.registration_id),
        _text(entry.bidder_code),
        _text(entry.amount),
        _text(entry.status),
    ]
    return hashlib.sha256("|".join(fields).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class RecordReport:
    lot_id: int
    valid: bool
    entries: int
    head: str
    first_bad_seq: int | None
    problem: str | None


def verify_record(lot_id: int, entries: Iterable[tuple[int, RecordEntry, str, str]]) -> RecordReport:
    """``entries``: (seq, entry, prev_hash, hash) of one lot in ascending seq. The record must start at
    seq 1 from the lot's genesis, have no gap, and every hash must follow from the one before."""
    previous = genesis(lot_id)
    count = 0
    for expected, (seq, entry, named_previous, stored) in enumerate(entries, start=1):
        count += 1
        if seq != expected:
            return RecordReport(lot_id, False, count, previous, expected, f"entry {expected} is missing (found {seq})")
        if named_previous != previous or entry.lot_id != lot_id:
            return RecordReport(lot_id, False, count, previous, seq, f"entry {seq} does not follow entry {seq - 1}")
        digest = entry_hash(previous, seq, entry)
        if stored != digest:
            return RecordReport(lot_id, False, count, previous, seq, f"entry {seq} does not match its hash")
        previous = digest
    return RecordReport(lot_id, True, count, previous, None, None)


@dataclass(frozen=True, slots=True)
class DepositState:
    """Where a registration's deposit stands by the lot's record."""

    registration_id: int
    auction_id: int | None
    bidder_code: str | None
    amount: int | None
    status: str | None


def deposit_states(entries: Iterable[RecordEntry]) -> dict[int, DepositState]:
    """Each registration's deposit as its last ``deposit`` entry leaves it."""
    states: dict[int, DepositState] = {}
    for e in entries:
        if e.kind == DEPOSIT and e.registration_id is not None:
            states[e.registration_id] = DepositState(e.registration_id, e.auction_id, e.bidder_code, e.amount, e.status)
    return states


def deposit_disagreements(recorded: dict[int, DepositState], stored: Sequence[DepositState]) -> list[str]:
    """The registrations as stored (or as a case file lists them) against the lot's record, a line each:
    a registration the record never saw, one the record has and the store lacks, or a code, amount or
    status that differs. ``recorded`` must be narrowed to the same auctions as ``stored``."""
    problems = []
    seen = set()
    for s in stored:
        seen.add(s.registration_id)
        r = recorded.get(s.registration_id)
        if r is None:
            problems.append(f"registration {s.registration_id} ({s.bidder_code}) is not in the lot's record")
        elif (s.bidder_code, s.amount, s.status) != (r.bidder_code, r.amount, r.status):
            problems.append(
                f"deposit of registration {s.registration_id} is {s.bidder_code} {s.amount} {s.status}, but the "
                f"lot's record has {r.bidder_code} {r.amount} {r.status}"
            )
    for registration_id in sorted(set(recorded) - seen):
        r = recorded[registration_id]
        problems.append(f"registration {registration_id} ({r.bidder_code}) is in the lot's record but missing")
    return problems


def action_disagreements(
    recorded: Sequence[RecordEntry], actions: Sequence[tuple[int | None, str | None]]
) -> list[str]:
    """The lot's actions (id, hash) as stored against the ``action`` entries of its record, in order."""
    named = [(e.action_id, e.action_hash) for e in recorded if e.kind == ACTION]
    if named == list(actions):
        return []
    stored = dict(actions)
    problems = []
    for action_id, digest in named:
        if action_id not in stored:
            problems.append(f"action {action_id} is in the lot's record but missing from the action log")
        elif stored[action_id] != digest:
            problems.append(f"action {action_id} is not the action the lot's record holds (its hash differs)")
    in_record = {action_id for action_id, _ in named}
    problems.extend(
        f"action {action_id} is not in the lot's record" for action_id, _ in actions if action_id not in in_record
    )
    return problems or ["the lot's actions are not in the order of the lot's record"]


def deposit_entry(
    lot_id: int, auction_id: int, registration_id: int, bidder_code: str, amount: int, status: str, at: datetime
) -> RecordEntry:
    """A deposit's move as the lot's record holds it."""
    if status not in DEPOSIT_STATUSES:
        raise ValueError(f"unknown deposit status {status!r}")
    return RecordEntry(
        lot_id,
        DEPOSIT,
        auction_id,
        at,
        registration_id=registration_id,
        bidder_code=bidder_code,
        amount=amount,
        status=status,
    )
