"""Auctions outside the bid path: listing a round, registration, priority holders, staff actions,
settlement and results, and the read models of an auction (``core/views.py``).

Services here only flush: the caller owns the unit of work (``core/unit_of_work.py``), and whatever must
wait for the commit (the bid engine learning of a registration, the scheduler hearing of an auction,
watchers hearing the registration count) is registered with ``after_commit``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import bidding, listing
from auction_rules.bidding import AuctionState, Bidder
from auction_rules.errors import forbidden, invalid, not_found, refused, unavailable

from ..db.auction_rows import STATE_COLUMNS
from ..db.models import Account, Auction, Bid, Court, Lot, LotExclusion, PriorityHolder, Registration
from . import action_log, eligibility
from .accounts import account_by_username
from .action_log import Attribution
from .bidding.events import RegistrationsChanged
from .security import Principal
from .services import Services
from .unit_of_work import after_commit
from .views import (
    AuctionResult,
    AuctionView,
    PriorityHolderView,
    PublishedPriorityHolder,
    RecordedBid,
    RegistrationView,
    Settlement,
)

STATUSES = ("announced", "live", "sold", "unsold", "suspended", "withdrawn")


def new_bidder_code(taken: set[str]) -> str:
    """An anonymous per-auction code: a letter and four digits (e.g. ``H2515``)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    while True:
        code = f"{secrets.choice(alphabet)}{secrets.randbelow(10_000):04d}"
        if code not in taken:
            return code


def court_condition(court: str) -> ColumnElement[bool]:
    """A court given as its id or its name (filters of the lists and the statistics)."""
    is_id = court.isascii() and court.isdigit() and len(court) < 10  # ids fit the integer column
    return Court.id == int(court) if is_id else Court.name == court


def status_condition(status: str, now: datetime) -> ColumnElement[bool]:
    """A SQL condition for "the auction's status at ``now`` is ``status``", the same status that
    ``bidding.effective_status`` reports: time alone opens and closes auctions, whether or not the
    scheduler has written the change yet."""
    running = Auction.status.in_(("announced", "live"))
    if status == "announced":
        return running & (Auction.start_at > now)
    if status == "live":
        return running & (Auction.start_at <= now) & (Auction.end_at > now)
    if status == "sold":
        return (Auction.status == "sold") | (running & (Auction.end_at <= now) & Auction.current_price.is_not(None))
    if status == "unsold":
        return (Auction.status == "unsold") | (running & (Auction.end_at <= now) & Auction.current_price.is_(None))
    return Auction.status == status


def check_court(principal: Principal, court_id: int) -> None:
    """Staff act only within their own court; an admin spans courts."""
    if principal.role == "admin":
        return
    if principal.role != "staff" or principal.court_id != court_id:
        raise forbidden("wrong_court", "only staff of the lot's court may do this")


async def get_lot(session: AsyncSession, lot_id: int) -> Lot:
    lot = await session.get(Lot, lot_id)
    if lot is None:
        raise not_found("lot_not_found", f"no lot {lot_id}")
    return lot


async def get_auction_row(session: AsyncSession, auction_id: int) -> Auction:
    auction = await session.get(Auction, auction_id)
    if auction is None:
        raise not_found("auction_not_found", f"no auction {auction_id}")
    return auction


def state_of(row: Auction) -> AuctionState:
    """The auction's state as the row just read holds it. Not this process's book: with several service
    processes on one database the book may lag behind bids committed by another process, while a row
    read now includes every acknowledged bid."""
    return AuctionState(id=row.id, **{c: getattr(row, c) for c in STATE_COLUMNS})


def view_of(auction: Auction, lot: Lot | None, court: Court | None, registrations: int) -> AuctionView:
    return AuctionView(
        state=state_of(auction),
        lot_id=auction.lot_id,
        appraisal=auction.appraisal,
        deposit=auction.deposit,
        settlement=auction.settlement,
        registrations=registrations,
        title=lot.title if lot else None,
        category=lot.category if lot else None,
        court=court.name if court else None,
        court_id=lot.court_id if lot else None,
    )


def registration_view(registration: Registration) -> RegistrationView:
    return RegistrationView(
        id=registration.id,
        auction_id=registration.auction_id,
        bidder_id=registration.bidder_id,
        bidder_code=registration.bidder_code,
        deposit=registration.deposit,
        deposit_status=registration.deposit_status,
        priority_rank=registration.priority_rank,
        registered_at=registration.created_at,
        deposit_updated_at=registration.deposit_updated_at,
    )


async def lot_history(session: AsyncSession, lot_id: int, now: datetime) -> list[listing.PastAuction]:
    rows = (await session.execute(select(Auction).where(Auction.lot_id == lot_id).order_by(Auction.id))).scalars()
    history = []
    for a in rows:
        state = state_of(a)
        status = bidding.effective_status(state, now)
        ended = state.closed_at or (state.end_at if status in bidding.ENDED else None)
        history.append(
            listing.PastAuction(listing.round_of(a.round), status, a.starting_price, ended, a.settlement, a.id)
        )
    return history


async def registration_count(session: AsyncSession, auction_id: int) -> int:
    return (
        await session.execute(
            select(func.count()).select_from(Registration).where(Registration.auction_id == auction_id)
        )
    ).scalar_one()


async def auction_view(session: AsyncSession, auction_id: int) -> AuctionView:
    """The auction, its lot and court and the registration count in one query: bidders poll
    ``GET /auctions/{id}`` during a sniping storm, and the live feed's snapshot reads it too."""
    registrations = (
        select(func.count()).select_from(Registration).where(Registration.auction_id == Auction.id).scalar_subquery()
    )
    row = (
        await session.execute(
            select(Auction, Lot, Court, registrations)
            .join(Lot, Lot.id == Auction.lot_id)
            .join(Court, Court.id == Lot.court_id)
            .where(Auction.id == auction_id)
        )
    ).first()
    if row is None:
        raise not_found("auction_not_found", f"no auction {auction_id}")
    auction, lot, court, count = row
    return view_of(auction, lot, court, count)


async def list_auctions(
    session: AsyncSession,
    *,
    now: datetime,
    statuses: Sequence[str] = (),
    court: str | None = None,
    category: str | None = None,
    round: str | None = None,
    lot_id: int | None = None,
    limit: int,
    offset: int,
) -> tuple[list[AuctionView], int]:
    """Auctions, newest first, whose status at ``now`` is one of ``statuses`` (any if empty), with the
    total that match the filters."""
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise invalid("invalid_status", f"unknown status {unknown[0]!r}; one of {', '.join(STATUSES)}")
    query = select(Auction, Lot, Court).join(Lot, Lot.id == Auction.lot_id).join(Court, Court.id == Lot.court_id)
    if statuses:
        query = query.where(or_(*(status_condition(s, now) for s in statuses)))
    if court:
        query = query.where(court_condition(court))
    if category:
        query = query.where(Lot.category == category)
    if round:
        query = query.where(Auction.round == round)
    if lot_id is not None:
        query = query.where(Auction.lot_id == lot_id)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = (await session.execute(query.order_by(Auction.id.desc()).limit(limit).offset(offset))).all()
    ids = [a.id for a, _, _ in rows]
    counts: dict[int, int] = {}
    if ids:
        counted = await session.execute(
            select(Registration.auction_id, func.count())
            .where(Registration.auction_id.in_(ids))
            .group_by(Registration.auction_id)
        )
        counts = {auction_id: count for auction_id, count in counted.all()}
    return [view_of(a, lot, c, counts.get(a.id, 0)) for a, lot, c in rows], total


async def create_auction(
    session: AsyncSession,
    svc: Services,
    principal: Principal,
    lot_id: int,
    *,
    starting_price: int,
    increment: int,
    deposit: int,
    start_at: datetime,
    end_at: datetime,
) -> AuctionView:
    """Schedule the lot's next round (the listing rules decide which and check the terms). The scheduler
    hears of it once it is committed."""
    lot = await get_lot(session, lot_id)
    check_court(principal, lot.court_id)
    if lot.disposition is not None:
        raise refused("lot_concluded", f"the lot has been disposed of ({lot.disposition})")
    now = svc.clock.now()
    plan = listing.lawful_plan(svc.profile, listing.plan_next_round(await lot_history(session, lot_id, now)), now)
    request = listing.ListingRequest(
        category=lot.category,
        appraisal=lot.appraisal,
        starting_price=starting_price,
        increment=increment,
        deposit=deposit,
        start_at=start_at,
        end_at=end_at,
    )
    listing.check_listing(svc.profile, plan, request, now)
    auction = Auction(
        lot_id=lot.id,
        round=str(plan.round),
        status="announced",
        appraisal=lot.appraisal,
        starting_price=starting_price,
        increment=increment,
        deposit=deposit,
        start_at=start_at,
        scheduled_end_at=end_at,
        end_at=end_at,
        seq=0,
        extension_count=0,
        version=0,
        created_by=principal.account_id,
        created_at=now,
    )
    session.add(auction)
    await session.flush()
    await action_log.record(
        session,
        principal,
        lot.court_id,
        lot.id,
        auction.id,
        "auction_scheduled",
        None,
        None,
        action_log.auction_snapshot(state_of(auction), deposit=deposit, restarted=plan.restarted),
        at=now,
    )
    court = await session.get(Court, lot.court_id)
    auction_id, opens_at = auction.id, auction.start_at
    after_commit(session, lambda: svc.scheduler.schedule(auction_id, opens_at))
    return view_of(auction, lot, court, 0)


async def _registration_of(session: AsyncSession, auction_id: int, bidder_id: int) -> Registration | None:
    return (
        await session.execute(
            select(Registration).where(Registration.auction_id == auction_id, Registration.bidder_id == bidder_id)
        )
    ).scalar_one_or_none()


async def register(
    session: AsyncSession, svc: Services, principal: Principal, auction_id: int, accept_terms: bool | None = None
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
    auction = await get_auction_row(session, auction_id)
    existing = await _registration_of(session, auction_id, principal.account_id)
    if existing is not None:
        if accept_terms and existing.terms_accepted_at is None:
            existing.terms_accepted_at = svc.clock.now()
            await session.flush()
        return _registered(session, svc, registration_view(existing), created=False), False
    excluded = await session.get(LotExclusion, (auction.lot_id, principal.account_id))
    if excluded is not None:
        raise forbidden("excluded_bidder", "you defaulted on this lot (悔拍) and may not take part in its re-auction")
    await eligibility.check_can_register(session, principal.account_id, await get_lot(session, auction.lot_id))
    book = await svc.engine.book(auction_id)
    bidding.check_registration_open(book.state, svc.clock.now())
    holder = await session.get(PriorityHolder, (auction_id, principal.account_id))
    taken = set(
        (await session.execute(select(Registration.bidder_code).where(Registration.auction_id == auction_id))).scalars()
    )
    for _attempt in range(20):
        code = new_bidder_code(taken | book.codes)
        registration = Registration(
            auction_id=auction_id,
            bidder_id=principal.account_id,
            bidder_code=code,
            deposit=auction.deposit,
            deposit_status="frozen",
            priority_rank=holder.rank if holder else None,
            created_at=svc.clock.now(),
            terms_accepted_at=svc.clock.now() if accept_terms else None,
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
        return _registered(session, svc, registration_view(registration), created=True), True
    raise unavailable("registration_failed", "could not allocate a bidder code; retry")


def _registered(
    session: AsyncSession, svc: Services, registration: RegistrationView, *, created: bool
) -> RegistrationView:
    async def announce() -> None:
        remember_registration(svc, registration)
        if created:
            # Counted after the commit, on a fresh read: concurrent registrations then end with the
            # last announcement counting them all.
            async with svc.read_sessions() as read:
                count = await registration_count(read, registration.auction_id)
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
    session: AsyncSession, svc: Services, principal: Principal, auction_id: int, username: str, rank: int
) -> PriorityHolderView:
    """Declare (or re-rank) a court-confirmed priority holder (优先购买权人). A holder already registered
    gets the rank on the registration too, and the book learns it once committed."""
    auction = await get_auction_row(session, auction_id)
    lot = await get_lot(session, auction.lot_id)
    check_court(principal, lot.court_id)
    book = await svc.engine.book(auction_id)
    if bidding.bidding_has_ended(book.state, svc.clock.now()):
        raise refused("auction_ended", "priority holders can only be declared before bidding ends")
    account = await account_by_username(session, username)
    if account is None:
        raise not_found("account_not_found", f"no bidder with username {username!r}")
    if account.role != "bidder":
        raise refused("not_a_bidder", "only a bidder account can hold a priority right")
    holder = await session.get(PriorityHolder, (auction_id, account.id))
    if holder is None:
        holder = PriorityHolder(auction_id=auction_id, bidder_id=account.id, rank=rank, created_at=svc.clock.now())
        session.add(holder)
    else:
        holder.rank = rank
    registration = await _registration_of(session, auction_id, account.id)
    if registration is not None:
        registration.priority_rank = rank
    await session.flush()
    if registration is not None:
        view = registration_view(registration)
        after_commit(session, lambda: remember_registration(svc, view))
    return PriorityHolderView(auction_id=auction_id, username=account.username, rank=holder.rank)


async def priority_holders(
    session: AsyncSession, auction_id: int, now: datetime
) -> tuple[list[PublishedPriorityHolder], bool]:
    """The announcement publishes the priority holders and their ranks (rule 6), best rank first, and
    whether their identities are published. Bidders' identities stay secret until bidding ends (rule 13,
    Art. 18) and a holder's bids carry ``priority: true`` in the public bid record: a name published
    beside the ranks while bidding runs would tie that person to a bidder code. So before the auction
    has ended (sold or unsold) only the ranks are published, the name and the code withheld (None);
    once it has ended, both, as the confirmation names the buyer (rule 16)."""
    auction = await get_auction_row(session, auction_id)
    published = bidding.effective_status(state_of(auction), now) in bidding.ENDED
    rows = (
        await session.execute(
            select(PriorityHolder.rank, Account.real_name, Registration.bidder_code)
            .join(Account, Account.id == PriorityHolder.bidder_id)
            .outerjoin(
                Registration,
                (Registration.auction_id == PriorityHolder.auction_id)
                & (Registration.bidder_id == PriorityHolder.bidder_id),
            )
            .where(PriorityHolder.auction_id == auction_id)
            .order_by(PriorityHolder.rank, Account.real_name)
        )
    ).all()
    if not published:
        return [PublishedPriorityHolder(r.rank, None, None) for r in rows], False
    return [PublishedPriorityHolder(r.rank, r.real_name, r.bidder_code) for r in rows], True


async def _check_staff_of(session: AsyncSession, principal: Principal, auction_id: int) -> Attribution:
    auction = await get_auction_row(session, auction_id)
    lot = await get_lot(session, auction.lot_id)
    check_court(principal, lot.court_id)
    by = Attribution(principal, lot.court_id, lot.id)
    await session.rollback()  # end the read transaction before the change commits
    return by


async def _fresh_view(session: AsyncSession, auction_id: int) -> AuctionView:
    session.expire_all()
    return await auction_view(session, auction_id)


async def suspend(
    session: AsyncSession, svc: Services, principal: Principal, auction_id: int, reason: str, *, kind: str = "suspended"
) -> AuctionView:
    """Staff of the lot's court suspend (中止) or postpone (暂缓, ``kind="postponed"``) the auction. The
    change goes through the book and commits on its own, with its action-log entry
    (``core/bidding/lifecycle.py``); ``session`` only reads, before and after."""
    by = await _check_staff_of(session, principal, auction_id)
    await svc.lifecycle.suspend(auction_id, reason, by=by, kind=kind)
    return await _fresh_view(session, auction_id)


async def resume(
    session: AsyncSession, svc: Services, principal: Principal, auction_id: int, reason: str | None = None
) -> AuctionView:
    """Like ``suspend``; the reason of the pause stays in the published history."""
    by = await _check_staff_of(session, principal, auction_id)
    await svc.lifecycle.resume(auction_id, by=by, reason=reason)
    return await _fresh_view(session, auction_id)


async def withdraw(
    session: AsyncSession, svc: Services, principal: Principal, auction_id: int, reason: str
) -> AuctionView:
    """Like ``suspend``; every deposit is released."""
    by = await _check_staff_of(session, principal, auction_id)
    await svc.lifecycle.withdraw(auction_id, reason, by=by)
    return await _fresh_view(session, auction_id)


async def settle(
    session: AsyncSession, svc: Services, principal: Principal, auction_id: int, outcome: str
) -> Settlement:
    """Payment of the balance, or 悔拍: the deposit is forfeited and the bidder barred from the lot."""
    # Judge from the row as it is now (not this process's book, which another process may have moved
    # on), on a read session: the close below needs the database's write lock, which ``session`` would
    # hold from its first statement on SQLite. So ``session`` must not have been used before this call.
    now = svc.clock.now()
    async with svc.read_sessions() as read:
        state = state_of(await get_auction_row(read, auction_id))
    status = bidding.effective_status(state, now)
    if status == "sold" and state.status != "sold":
        await svc.lifecycle.close(auction_id)  # the close job has not run yet: run it now
    auction = await get_auction_row(session, auction_id)
    lot = await get_lot(session, auction.lot_id)
    check_court(principal, lot.court_id)
    if status != "sold":
        raise refused("auction_not_sold", f"only a sold auction can be settled (it is {status})")
    if auction.settlement is not None:
        raise refused("already_settled", f"the sale was already settled ({auction.settlement})")
    winner = (
        await session.execute(select(Registration).where(Registration.id == auction.leader_registration_id))
    ).scalar_one()
    result = await session.execute(
        update(Auction)
        .where(Auction.id == auction_id, Auction.settlement.is_(None))
        .values(settlement=outcome, settled_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise refused("already_settled", "the sale was already settled")
    winner.deposit_status = "applied" if outcome == "paid" else "forfeited"
    winner.deposit_updated_at = now
    if outcome == "defaulted":
        session.add(LotExclusion(lot_id=lot.id, bidder_id=winner.bidder_id, auction_id=auction_id, created_at=now))
    await action_log.record(
        session,
        principal,
        lot.court_id,
        lot.id,
        auction_id,
        "sale_paid" if outcome == "paid" else "sale_defaulted",
        None,
        {"settlement": None, "winner_code": winner.bidder_code, "deposit_status": "frozen"},
        {"settlement": outcome, "winner_code": winner.bidder_code, "deposit_status": winner.deposit_status},
        at=now,
    )
    return Settlement(auction_id=auction_id, outcome=outcome, settled_at=now)


async def auction_result(session: AsyncSession, svc: Services, auction_id: int) -> AuctionResult:
    """The outcome once bidding has ended (409 ``auction_not_ended`` before)."""
    auction = await get_auction_row(session, auction_id)
    state = state_of(auction)
    status = bidding.effective_status(state, svc.clock.now())
    if status not in bidding.ENDED:
        raise refused("auction_not_ended", f"the auction has not ended (it is {status})")
    winner = None
    if status == "sold":
        winner = (
            await session.execute(
                select(Account.real_name)
                .join(Registration, Registration.bidder_id == Account.id)
                .where(Registration.id == state.leader_registration_id)
            )
        ).scalar_one_or_none()
    return AuctionResult(
        status=status, state=state, appraisal=auction.appraisal, settlement=auction.settlement, winner_name=winner
    )


async def bid_record(session: AsyncSession, auction_id: int, after_seq: int, limit: int) -> list[RecordedBid]:
    """The full bid record in ascending ``seq`` (rule 13), from ``after_seq`` on."""
    await get_auction_row(session, auction_id)
    rows = (
        await session.execute(
            select(
                Bid.auction_id,
                Bid.seq,
                Bid.amount,
                Bid.bidder_code,
                Bid.placed_at,
                Bid.priority,
                Bid.end_at,
                Bid.chain_hash,
            )
            .where(Bid.auction_id == auction_id, Bid.seq > after_seq)
            .order_by(Bid.seq)
            .limit(limit)
        )
    ).all()
    return [RecordedBid(**row._mapping) for row in rows]
