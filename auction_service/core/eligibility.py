"""Bidder eligibility: identity numbers kept only as keyed hashes, the dishonest-debtor /
consumption-restriction list (import, credit restoration), a lot's debtor, and the registration check.

Identity numbers never reach the database, a log or an answer in clear: they are hashed with
HMAC-SHA256 under a key of their own (``service_secrets.identity_key``, generated on first use and shared
by every service process on the database, separate from the token signing key so that rotating one
never orphans the other). A keyed hash, not a plain one: the space of identity numbers is small enough
(about 10^11 valid ones) that an unkeyed SHA-256 would be reversed by enumeration.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import eligibility
from auction_rules.errors import forbidden, invalid, not_found, refused

from ..db.models import Account, Court, Lot, Registration, RestrictedPerson, ServiceSecret
from . import action_log
from .security import Principal
from .services import Services
from .unit_of_work import after_commit

IDENTITY_KEY = "identity_key"
CHINA = timezone(timedelta(hours=8), "UTC+8")


async def identity_key(session: AsyncSession) -> bytes:
    """The HMAC key for identity numbers (created on first use; concurrent creators agree on one)."""
    row = await session.get(ServiceSecret, IDENTITY_KEY)
    if row is None:
        try:
            async with session.begin_nested():
                session.add(ServiceSecret(name=IDENTITY_KEY, value=secrets.token_urlsafe(48)))
        except IntegrityError:
            pass
        row = await session.get(ServiceSecret, IDENTITY_KEY, populate_existing=True)
        assert row is not None
    return row.value.encode()


def hash_with(key: bytes, id_number: str) -> str:
    """The keyed hash of a normalised identity number (hex, 64 characters)."""
    return hmac.new(key, id_number.encode(), hashlib.sha256).hexdigest()


async def hash_id_number(session: AsyncSession, raw: str, field: str = "id_number") -> str:
    """Validate (422 ``invalid_id_number``), normalise and hash an identity number."""
    return hash_with(await identity_key(session), eligibility.parse_id_number(raw, field))


# ----------------------------------------------------------------------------- the bidder's identity


async def set_identity(session: AsyncSession, principal: Principal, id_number: str) -> None:
    """A bidder records their identity number once (accounts from before it was required at sign-up).
    Changing it afterwards is refused (409 ``identity_already_set``): a restricted person could otherwise
    swap it away; a number another account holds is 409 ``id_number_taken`` (one account per person)."""
    if principal.role != "bidder":
        raise forbidden("not_a_bidder", "only bidder accounts carry an identity number")
    account = await session.get(Account, principal.account_id)
    if account is None:
        raise not_found("account_not_found", "the account no longer exists")
    digest = await hash_id_number(session, id_number)
    if account.id_number_hash is not None:
        if hmac.compare_digest(account.id_number_hash, digest):
            return
        raise refused("identity_already_set", "the identity number is already recorded; ask the platform to correct it")
    holder = select(Account.id).where(Account.id_number_hash == digest, Account.id != account.id)
    if (await session.execute(holder)).first() is not None:
        raise refused("id_number_taken", "an account with this identity number exists: one account per person (实名)")
    account.id_number_hash = digest
    await session.flush()


# ----------------------------------------------------------------------------- registration


async def check_can_register(
    session: AsyncSession, digest: str | None, category: str, debtor_id_hash: str | None
) -> None:
    """Refuse the lot's own debtor (403 ``debtor_cannot_bid``) and a person on the restriction list for a
    restricted category (403 ``bidder_restricted``, naming the court). ``digest``: the bidder's identity
    number as stored (``Account.id_number_hash``), read by the caller with the rest of what registration
    reads; an account without one is not matched (real-name verification is simulated)."""
    if digest is None:
        return
    is_debtor = debtor_id_hash is not None and hmac.compare_digest(debtor_id_hash, digest)
    restriction = None
    if eligibility.category_is_restricted(category):
        restriction = eligibility.first_restriction(await _restrictions(session, digest))
    eligibility.check_eligibility(category, is_debtor=is_debtor, restriction=restriction)


async def _restrictions(session: AsyncSession, digest: str) -> list[eligibility.Restriction]:
    """The person's entries still in force, on either list."""
    rows = await session.execute(
        select(
            RestrictedPerson.court,
            RestrictedPerson.restricted_on,
            RestrictedPerson.list_kind,
            RestrictedPerson.case_number,
        ).where(RestrictedPerson.id_number_hash == digest, RestrictedPerson.restored_at.is_(None))
    )
    return [eligibility.Restriction(r.court, r.restricted_on, r.list_kind, r.case_number) for r in rows]


# ----------------------------------------------------------------------------- the restriction list


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    added: int
    updated: int  # already listed (or restored before): listed again with the new row's details
    rows: int


@dataclass(frozen=True, slots=True)
class ListedPersonView:
    id: int
    name: str
    court: str
    restricted_on: str
    imported_at: datetime
    restored_at: datetime | None
    restored_reason: str | None
    list_kind: str
    case_number: str | None


async def _court_name(session: AsyncSession, principal: Principal) -> str | None:
    """The name of the staff member's court, as the list names courts (None for an admin)."""
    court = await session.get(Court, principal.court_id) if principal.court_id is not None else None
    return court.name if court is not None else None


def _staff(principal: Principal) -> None:
    if principal.role not in ("staff", "admin"):
        raise forbidden("staff_only", "only court staff may do this")


async def import_list(session: AsyncSession, principal: Principal, text: str, now: datetime) -> ImportOutcome:
    """Import a list (CSV: id_number, name, court, restricted_on; optionally list and case_number). All or
    nothing: any bad row refuses the whole file (422 ``restriction_list_invalid`` with ``rows``: each bad
    line and why). A person is one entry per list: listed again on the same list, the entry is renewed."""
    _staff(principal)
    people, bad = eligibility.parse_restriction_list(text, now.astimezone(CHINA).date())
    if bad:
        shown = bad[:200]
        raise invalid(
            "restriction_list_invalid",
            f"{len(bad)} bad row(s), nothing imported; first: line {bad[0].line}: {bad[0].reason}",
            rows=[{"line": b.line, "reason": b.reason} for b in shown],
            bad_rows=len(bad),
        )
    eligibility.check_list_keeper(
        await _court_name(session, principal), principal.role == "admin", [(p.line, p.court) for p in people]
    )
    key = await identity_key(session)
    entries = {(hash_with(key, p.id_number), p.list_kind): p for p in people}
    existing: dict[tuple[str, str], RestrictedPerson] = {}
    chunk = list({digest for digest, _kind in entries})
    for i in range(0, len(chunk), 500):
        part = chunk[i : i + 500]
        query = select(RestrictedPerson).where(RestrictedPerson.id_number_hash.in_(part))
        rows = (await session.execute(query)).scalars()
        existing.update({(r.id_number_hash, r.list_kind): r for r in rows})
    added = updated = 0
    for (digest, kind), person in entries.items():
        row = existing.get((digest, kind))
        if row is None:
            session.add(
                RestrictedPerson(
                    id_number_hash=digest,
                    name=person.name,
                    court=person.court,
                    restricted_on=person.restricted_on,
                    list_kind=kind,
                    case_number=person.case_number,
                    imported_by=principal.account_id,
                    imported_at=now,
                )
            )
            added += 1
        else:
            row.name, row.court, row.restricted_on = person.name, person.court, person.restricted_on
            row.case_number = person.case_number
            row.imported_by, row.imported_at = principal.account_id, now
            row.restored_at = row.restored_by = row.restored_reason = None
            updated += 1
    outcome = ImportOutcome(added=added, updated=updated, rows=len(people))
    await action_log.record(
        session,
        principal,
        principal.court_id,
        None,
        None,
        "eligibility_changed",
        f"restriction list imported: {outcome.rows} row(s), {added} added, {updated} listed again",
        None,
        {"list": "restriction", "rows": outcome.rows, "added": added, "updated": updated},
        at=now,
    )
    return outcome


def _view(row: RestrictedPerson) -> ListedPersonView:
    return ListedPersonView(
        id=row.id,
        name=row.name,
        court=row.court,
        restricted_on=row.restricted_on,
        imported_at=row.imported_at,
        restored_at=row.restored_at,
        restored_reason=row.restored_reason,
        list_kind=row.list_kind,
        case_number=row.case_number,
    )


async def list_restricted(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str | None,
    include_restored: bool,
    limit: int,
    offset: int,
    list_kind: str | None = None,
) -> tuple[list[ListedPersonView], int]:
    """The list for staff, newest first, optionally by name (exact) and by list. Never by identity number
    here: a query string lands in access logs, and identity numbers are never logged."""
    _staff(principal)
    query = select(RestrictedPerson)
    if list_kind is not None:
        query = query.where(RestrictedPerson.list_kind == list_kind)
    if not include_restored:
        query = query.where(RestrictedPerson.restored_at.is_(None))
    if name:
        query = query.where(RestrictedPerson.name == name)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = (await session.execute(query.order_by(RestrictedPerson.id.desc()).limit(limit).offset(offset))).scalars()
    return [_view(r) for r in rows], total


async def restore_credit(
    session: AsyncSession, principal: Principal, person_id: int, reason: str, now: datetime
) -> ListedPersonView:
    """Credit restoration (信用修复): the person leaves the list (the row stays as its record)."""
    _staff(principal)
    row = await session.get(RestrictedPerson, person_id)
    if row is None:
        raise not_found("restricted_person_not_found", f"no entry {person_id} on the restriction list")
    eligibility.check_list_keeper(
        await _court_name(session, principal), principal.role == "admin", [(f"entry {row.id}", row.court)]
    )
    if row.restored_at is not None:
        raise refused("already_restored", "this person's credit was already restored")
    row.restored_at, row.restored_by, row.restored_reason = now, principal.account_id, reason
    await action_log.record(
        session,
        principal,
        principal.court_id,
        None,
        None,
        "eligibility_changed",
        reason,
        {**_logged(row), "status": "restricted"},
        {**_logged(row), "status": "restored"},
        at=now,
    )
    return _view(row)


def _logged(row: RestrictedPerson) -> dict[str, object]:
    """An entry as the action log keeps it: which list, which case, which court."""
    return {
        "restricted_person": row.id,
        "name": row.name,
        "court": row.court,
        "list": row.list_kind,
        "case_number": row.case_number,
    }


# ----------------------------------------------------------------------------- a lot's debtor


async def set_lot_debtor(session: AsyncSession, lot: Lot, id_number: str | None) -> bool:
    """Record (or clear, with None) the hashed identity of the lot's debtor. Returns whether one is set."""
    lot.debtor_id_hash = await hash_id_number(session, id_number, "id_number") if id_number else None
    await session.flush()
    return lot.debtor_id_hash is not None


# ----------------------------------------------------------------------------- re-checked at every bid


def recheck_bidders_after_commit(session: AsyncSession, svc: Services, lot_id: int | None = None) -> None:
    """Once the change to the list (or to the lot's debtor) commits, the open auctions' books read their
    ineligible bidders again: a person listed, or named the debtor, after registering is refused at the
    next bid (``auction_rules/eligibility.py``), without a database read on the bid path. The other
    service processes on the database are told through the live bus (``live/redis_bus.py``), and
    their books read them again too."""

    async def recheck() -> None:
        await svc.engine.recheck_eligibility(lot_id)
        svc.events.eligibility_changed(lot_id)  # and every other service process's books

    after_commit(session, recheck)


async def check_buyer_eligible(session: AsyncSession, lot: Lot, registration_id: int) -> None:
    """The winner of a sale is checked again after the close, when the sale is to be confirmed.

    Our reading of the rules: the 2016 provisions (Art. 31(4)) make a sale to a buyer who lacks the
    qualification to bid one the court revokes; the platform cannot revoke it itself. So a winner who
    was listed (for a restricted category) or named the lot's debtor, even after the last bid, gets no
    confirmation (成交确认书): 409 ``winner_ineligible`` naming the ground, which tells the court's staff
    to rule on the sale. The bids and the close stay on the record as they happened."""
    digest = (
        await session.execute(
            select(Account.id_number_hash)
            .join(Registration, Registration.bidder_id == Account.id)
            .where(Registration.id == registration_id)
        )
    ).scalar_one_or_none()
    if digest is None:
        return
    is_debtor = lot.debtor_id_hash is not None and hmac.compare_digest(lot.debtor_id_hash, digest)
    listed = eligibility.first_restriction(await _restrictions(session, digest))
    code = eligibility.ineligibility(lot.category, is_debtor=is_debtor, restricted=listed is not None)
    if code is not None:
        on_list = None if code == eligibility.DEBTOR else listed
        ground = "is the lot's debtor" if on_list is None else f"is on {eligibility.LIST_WORDS[on_list.list_kind]}"
        raise refused(
            "winner_ineligible",
            f"the winner {ground} and may not buy this lot (Art. 31(4) of the 2016 provisions): no confirmation is "
            "issued; the court rules on the sale",
            ground=code,
            **({"list": on_list.list_kind, "case_number": on_list.case_number} if on_list is not None else {}),
        )
