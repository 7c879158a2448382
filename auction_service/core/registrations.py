"""Who takes part in an auction: a bidder's registration (the deposit frozen, an anonymous bidder code)
and the priority holders (优先购买权人) the court declares, whose rank rides on the registration.

Services here only flush: the caller owns the unit of work (``core/unit_of_work.py``), and whatever must
wait for the commit (the bid engine learning of a registration, watchers hearing the registration count)
is registered with ``after_commit``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import bidding, priority
from auction_rules import eligibility as rules_eligibility
from auction_rules.bidding import Bidder
from auction_rules.errors import invalid, not_found, refused, unavailable

from ..db.models import Account, Auction, Lot, LotExclusion, PriorityHolder, Registration
from . import action_log, announcements, eligibility
from .accounts import account_by_username
from .auction_queries import get_auction_row, get_lot, registration_view
from .bidding.events import PriorityHolderDeclared, RegistrationsChanged
from .lot_records import record_deposit
from .security import Principal
from .services import Services
from .staff_actions import check_court
from .unit_of_work import after_commit
from .views import PriorityHolderView, RegistrationView


def new_bidder_code(taken: set[str]) -> str:
    """An anonymous per-auction code: a letter and four digits (e.g. ``H2515``)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    while True:
        code = f"{secrets.choice(alphabet)}{secrets.randbelow(10_000):04d}"
        if code not in taken:
            return code


async def _registration_of(session: AsyncSession, auction_id: int, bidder_id: int) -> Registration | None:
    return (
        await session.execute(
            select(Registration).where(Registration.auction_id == auction_id, Registration.bidder_id == bidder_id)
        )
    ).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class _Facts:
    """What deciding a registration needs to know, read in one statement: the auction's lot and deposit,
    the lot's category and debtor (they decide eligibility), the bidder's stored identity, an existing
    registration, a 悔拍 on this lot, and a priority right on this auction."""

    lot_id: int
    deposit: int
    category: str
    debtor_id_hash: str | None
    digest: str | None
    registration_id: int | None
    excluded: bool
    holder_rank: int | None


# One statement instead of six: a registration was about fifteen statements, most of a simulated
# market's time (docs/benchmarks.md, "The simulator through the production path"). Built once: building
# a select with its subqueries cost about as much as running it.
_FACTS = (
    select(
        Auction.lot_id,
        Auction.deposit,
        Lot.category,
        Lot.debtor_id_hash,
        select(Account.id_number_hash).where(Account.id == bindparam("bidder_id")).scalar_subquery(),
        select(Registration.id)
        .where(Registration.auction_id == Auction.id, Registration.bidder_id == bindparam("bidder_id"))
        .scalar_subquery(),
        exists().where(LotExclusion.lot_id == Auction.lot_id, LotExclusion.bidder_id == bindparam("bidder_id")),
        select(PriorityHolder.rank)
        .where(PriorityHolder.auction_id == Auction.id, PriorityHolder.bidder_id == bindparam("bidder_id"))
        .scalar_subquery(),
    )
    .join(Lot, Lot.id == Auction.lot_id)
    .where(Auction.id == bindparam("auction_id"))
)
_COUNT = select(func.count()).select_from(Registration).where(Registration.auction_id == bindparam("auction_id"))


async def _facts(session: AsyncSession, auction_id: int, bidder_id: int) -> _Facts:
    row = (await session.execute(_FACTS, {"auction_id": auction_id, "bidder_id": bidder_id})).first()
    if row is None:
        raise not_found("auction_not_found", f"no auction {auction_id}")
    return _Facts(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7])


async def register(
    session: AsyncSession,
    svc: Services,
    principal: Principal,
    auction_id: int,
    accept_terms: bool | None = None,
    *,
    terms_version: str | None = None,
) -> tuple[RegistrationView, bool]:
    """Rule 8: pay (freeze) the deposit and get an anonymous bidder code. Returns (registration, new).
    Once committed, the bid engine learns of it (no database read on the first bid) and, if new, the
    watchers get the new registration count. ``accept_terms``: the bidder acknowledged the auction's
    terms (竞买须知), recorded with the registration; None (the contract's body-less call) records
    nothing, False is refused. Eligibility (``core/eligibility.py``): the lot's debtor and, for restricted
    categories, a person on the consumption-restriction list are refused."""
    bidding.check_can_bid(principal.role)
    if accept_terms is False:
        raise invalid("terms_not_accepted", "registration requires acknowledging the auction's terms (竞买须知)")
    facts = await _facts(session, auction_id, principal.account_id)
    accepted = await _accepted_terms(session, svc, auction_id, accept_terms, terms_version)
    if facts.registration_id is not None:
        existing = await _registration_of(session, auction_id, principal.account_id)
        assert existing is not None  # read in this transaction a moment ago
        if accept_terms and existing.terms_accepted_at is None:
            existing.terms_accepted_at = svc.clock.now()
            existing.terms_version = accepted
            await session.flush()
        return _registered(session, svc, registration_view(existing), created=False), False
    rules_eligibility.check_not_excluded(facts.excluded)
    await eligibility.check_can_register(session, facts.digest, facts.category, facts.debtor_id_hash)
    book = await svc.engine.book(auction_id)
    bidding.check_registration_open(book.state, svc.clock.now())
    # The codes the book knows (its registrations as loaded, and every one committed since through this
    # process). A code another process gave out meanwhile is caught by the unique constraint below and
    # drawn again: with 240,000 codes and a few dozen bidders an auction, that is rare.
    taken: set[str] = set()
    for _attempt in range(20):
        code = new_bidder_code(taken | book.codes)
        registration = Registration(
            auction_id=auction_id,
            bidder_id=principal.account_id,
            bidder_code=code,
            deposit=facts.deposit,
            deposit_status="frozen",
            priority_rank=facts.holder_rank,
            created_at=svc.clock.now(),
            terms_accepted_at=svc.clock.now() if accept_terms else None,
            terms_version=accepted,
        )
        try:
            async with session.begin_nested():
                session.add(registration)
        except IntegrityError:
            # Either the code was taken meanwhile, or this bidder registered concurrently.
            again = await _registration_of(session, auction_id, principal.account_id)
            if again is not None:
                return _registered(session, svc, registration_view(again), created=False), False
            taken.add(code)
            continue
        await record_deposit(session, facts.lot_id, registration)
        return _registered(session, svc, registration_view(registration), created=True), True
    raise unavailable("registration_failed", "could not allocate a bidder code; retry")


async def _accepted_terms(
    session: AsyncSession, svc: Services, auction_id: int, accept_terms: bool | None, version: str | None
) -> str | None:
    """The version of the 竞买须知 the registration accepts: the current one, which a version the bidder
    names must be (409 ``terms_changed`` if the announcement was corrected since they read it)."""
    if version is not None and not accept_terms:
        raise invalid("terms_not_accepted", "terms_version names the terms accepted: send it with accept_terms true")
    if not accept_terms:
        return None
    current = (await announcements.terms_of(session, svc, auction_id)).digest
    if version is not None and version != current:
        raise refused(
            "terms_changed",
            "the terms (竞买须知) were changed since this version was read: read them again and accept the current one",
            current_version=current,
        )
    return current


def _registered(
    session: AsyncSession, svc: Services, registration: RegistrationView, *, created: bool
) -> RegistrationView:
    async def announce() -> None:
        remember_registration(svc, registration)
        if created:
            # Counted after the commit, on a fresh read: concurrent registrations then end with the
            # last announcement counting them all.
            # A connection, not a session: the session's set-up cost more than the count.
            async with svc.db.read.connect() as conn:
                count = (await conn.execute(_COUNT, {"auction_id": registration.auction_id})).scalar_one()
            svc.events.publish(registration.auction_id, [RegistrationsChanged(registration.auction_id, count)])

    after_commit(session, announce)
    return registration


def remember_registration(svc: Services, registration: RegistrationView) -> None:
    """Tell the auction's book of a committed registration."""
    svc.engine.learn_bidder(
        registration.auction_id,
        registration.bidder_id,
        Bidder(registration.id, registration.bidder_code, registration.priority_rank),
    )


async def add_priority_holder(
    session: AsyncSession,
    svc: Services,
    principal: Principal,
    auction_id: int,
    username: str,
    rank: int,
    grounds: priority.PriorityGrounds | None = None,
) -> PriorityHolderView:
    """Declare (or re-rank) a court-confirmed priority holder (优先购买权人). Holders are confirmed before
    bidding opens; a later declaration needs a ``reason`` (``auction_rules/priority.py``). Every
    declaration is on the action log and announced to the auction's watchers (rank and grounds, not the
    holder's identity). A holder already registered gets the rank on the registration too, and the book
    learns it once committed."""
    auction = await get_auction_row(session, auction_id)
    lot = await get_lot(session, auction.lot_id)
    check_court(principal, lot.court_id)
    book = await svc.engine.book(auction_id)
    now = svc.clock.now()
    grounds = grounds or priority.PriorityGrounds()
    reason = grounds.reason
    late = priority.check_priority_holder(book.state, now, reason)
    account = await account_by_username(session, username)
    if account is None:
        raise not_found("account_not_found", f"no bidder with username {username!r}")
    if account.role != "bidder":
        raise refused("not_a_bidder", "only a bidder account can hold a priority right")
    holder = await session.get(PriorityHolder, (auction_id, account.id))
    before = None if holder is None else {"rank": holder.rank, "kind": holder.kind}
    if holder is None:
        holder = PriorityHolder(auction_id=auction_id, bidder_id=account.id, rank=rank, created_at=now)
        session.add(holder)
    holder.rank = rank
    # A re-declaration keeps the grounds stated before unless it states new ones.
    holder.kind = grounds.kind or holder.kind
    holder.basis = grounds.basis or holder.basis
    holder.notice_date = grounds.notice_date or holder.notice_date
    holder.reason = reason or holder.reason
    registration = await _registration_of(session, auction_id, account.id)
    if registration is not None:
        registration.priority_rank = rank
    await session.flush()
    after = {
        "holder": account.username,
        "rank": rank,
        "after_opening": late,
        "kind": holder.kind,
        "basis": holder.basis,
        "notice_date": holder.notice_date,
    }
    await action_log.record(
        session, principal, lot.court_id, lot.id, auction_id, "priority_holder_declared", reason, before, after, at=now
    )
    if registration is not None:
        view = registration_view(registration)
        after_commit(session, lambda: remember_registration(svc, view))
    declared = PriorityHolderDeclared(auction_id, rank, late, reason, now)
    after_commit(session, lambda: svc.events.publish(auction_id, [declared]))
    return PriorityHolderView(
        auction_id=auction_id,
        username=account.username,
        rank=holder.rank,
        kind=holder.kind,
        basis=holder.basis,
        notice_date=holder.notice_date,
        reason=holder.reason,
    )
