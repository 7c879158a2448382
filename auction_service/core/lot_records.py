"""The lot's record (``auction_rules/lot_record.py``) as the service keeps it: entering a deposit's move,
reading a lot's record for its case file, and holding the action log and the registrations to it for
``auction-service audit verify``.

Actions enter the record by themselves (``db/action_rows.append``), deposits released by the bid engine
through the group writer; what is entered from a request's session goes through ``record_deposit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules.action_chain import entry_hash as action_hash
from auction_rules.lot_record import (
    DepositState,
    RecordEntry,
    action_disagreements,
    deposit_disagreements,
    deposit_entry,
    deposit_states,
    verify_record,
)

from ..db import action_rows, record_rows
from ..db.models import ActionLog, Auction, Lot, LotRecordEntry, Registration


async def record_deposit(session: AsyncSession, lot_id: int, registration: Registration) -> None:
    """Enter the registration's deposit, as it now stands, in the lot's record (same transaction)."""
    await session.flush()
    entry = deposit_entry(
        lot_id,
        registration.auction_id,
        registration.id,
        registration.bidder_code,
        registration.deposit,
        registration.deposit_status,
        registration.deposit_updated_at or registration.created_at,
    )
    await session.run_sync(lambda sync: record_rows.append(sync.connection(), entry))


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """One entry of a lot's record as stored, with its links."""

    seq: int
    entry: RecordEntry
    prev_hash: str
    hash: str


async def lot_record(session: AsyncSession, lot_id: int) -> list[StoredEntry]:
    rows = await session.run_sync(lambda sync: list(record_rows.lot_rows(sync.connection(), lot_id)))
    return [StoredEntry(*row) for row in rows]


async def lot_record_problems(session: AsyncSession, lot_ids: set[int] | None = None) -> list[str]:
    """Every lot's record recomputed, and the lot's action log and registrations held to it; one line
    per disagreement (an empty list: they all agree). ``lot_ids``: only these lots."""
    if lot_ids is None:
        known = set((await session.execute(select(Lot.id))).scalars())
        lot_ids = known | set((await session.execute(select(LotRecordEntry.lot_id).distinct())).scalars())
    problems: list[str] = []
    for lot_id in sorted(lot_ids):
        problems.extend(f"lot {lot_id}: {p}" for p in await _lot_problems(session, lot_id))
    return problems


async def _lot_problems(session: AsyncSession, lot_id: int) -> list[str]:
    stored = await lot_record(session, lot_id)
    report = verify_record(lot_id, [(s.seq, s.entry, s.prev_hash, s.hash) for s in stored])
    problems = [] if report.valid else [f"the lot's record is broken: {report.problem}"]
    entries = [s.entry for s in stored]
    actions = (
        await session.execute(select(ActionLog).where(ActionLog.lot_id == lot_id).order_by(ActionLog.id))
    ).scalars()
    pairs = []
    for row in actions:
        pairs.append((row.id, row.hash))
        if action_hash(row.prev_hash, row.seq, action_rows.entry_of(row)) != row.hash:
            problems.append(f"action {row.id} ({row.action}) does not match its hash")
    problems.extend(action_disagreements(entries, pairs))
    problems.extend(deposit_disagreements(deposit_states(entries), await _deposits(session, lot_id)))
    return problems


async def _deposits(session: AsyncSession, lot_id: int) -> list[DepositState]:
    rows: Any = await session.execute(
        select(Registration.id, Registration.auction_id, Registration.bidder_code, Registration.deposit,
               Registration.deposit_status)
        .join(Auction, Auction.id == Registration.auction_id)
        .where(Auction.lot_id == lot_id)
        .order_by(Registration.id)
    )  # fmt: skip
    return [DepositState(*row) for row in rows.all()]
