"""Auctions outside the bid path: scheduling a round, registration, priority holders, settlement,
results, and the contract's JSON shape of an auction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..clock import isoformat
from ..db.auction_rows import STATE_COLUMNS
from ..db.models import Account, Auction, Court, Lot, LotExclusion, PriorityHolder, Registration
from ..rules import bidding, listing
from ..rules.bidding import AuctionState, Bidder
from ..rules.errors import RuleViolation, forbidden, not_found, refused
from ..rules.results import premium_rate
from .books import new_bidder_code
from .security import Principal
from .services import Services


def court_condition(court: str):
    """A court given as its id or its name (filters of the lists and the statistics)."""
    return Court.id == int(court) if court.isdigit() else Court.name == court


def status_condition(status: str, now: datetime):
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


def round_out(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def round_in(value: int | str) -> str:
    return str(value)


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


async def lot_history(session: AsyncSession, lot_id: int, now: datetime, svc: Services) -> list[listing.PastAuction]:
    rows = (await session.execute(select(Auction).where(Auction.lot_id == lot_id).order_by(Auction.id))).scalars()
    history = []
    for a in rows:
        state = _state_of(a, svc)
        status = bidding.effective_status(state, now)
        ended = state.closed_at or (state.end_at if status in bidding.ENDED else None)
        history.append(listing.PastAuction(round_out(a.round), status, a.starting_price, ended, a.settlement))
    return history


def _state_of(row: Auction, svc: Services) -> AuctionState:
    """The auction's state as the row just read holds it. Not this process's book: with several service
    processes on one database the book may lag behind bids committed by another process, while a row
    read now includes every acknowledged bid."""
    del svc
    return AuctionState(id=row.id, **{c: getattr(row, c) for c in STATE_COLUMNS})


async def create_auction(session: AsyncSession, svc: Services, principal: Principal, lot_id: int, body: Any) -> Auction:
    lot = await get_lot(session, lot_id)
    check_court(principal, lot.court_id)
    if lot.disposition is not None:
        raise refused("lot_concluded", f"the lot has been disposed of ({lot.disposition})")
    now = svc.clock.now()
    plan = listing.plan_next_round(await lot_history(session, lot_id, now, svc))
    request = listing.ListingRequest(
        category=lot.category,
        appraisal=lot.appraisal,
        starting_price=body.starting_price,
        increment=body.increment,
        deposit=body.deposit,
        start_at=body.start_at,
        end_at=body.end_at,
    )
    listing.check_listing(svc.profile, plan, request, now)
    auction = Auction(
        lot_id=lot.id,
        round=round_in(plan.round),
        status="announced",
        appraisal=lot.appraisal,
        starting_price=body.starting_price,
        increment=body.increment,
        deposit=body.deposit,
        start_at=body.start_at,
        scheduled_end_at=body.end_at,
        end_at=body.end_at,
        seq=0,
        extension_count=0,
        version=0,
        created_by=principal.account_id,
        created_at=now,
    )
    session.add(auction)
    await session.flush()
    return auction


async def register(
    session: AsyncSession, svc: Services, principal: Principal, auction_id: int
) -> tuple[Registration, bool]:
    """Rule 8: pay (freeze) the deposit and get an anonymous bidder code. Returns (registration, new)."""
    bidding.check_can_bid(principal.role)
    auction = await get_auction_row(session, auction_id)
    existing = (
        await session.execute(
            select(Registration).where(
                Registration.auction_id == auction_id, Registration.bidder_id == principal.account_id
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    excluded = await session.get(LotExclusion, (auction.lot_id, principal.account_id))
    if excluded is not None:
        raise forbidden("excluded_bidder", "you defaulted on this lot (悔拍) and may not take part in its re-auction")
    book = await svc.books.book(auction_id)
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
        )
        try:
            async with session.begin_nested():
                session.add(registration)
        except IntegrityError:
            # Either the code was taken meanwhile, or this bidder registered concurrently.
            again = (
                await session.execute(
                    select(Registration).where(
                        Registration.auction_id == auction_id, Registration.bidder_id == principal.account_id
                    )
                )
            ).scalar_one_or_none()
            if again is not None:
                return again, False
            taken.add(code)
            continue
        return registration, True
    raise RuleViolation("registration_failed", "could not allocate a bidder code; retry", 503)


def remember_registration(svc: Services, registration: Registration) -> None:
    """After the registration commits, the book learns of it (no database read on the first bid)."""
    book = svc.books.cached(registration.auction_id)
    if book is not None:
        book.add_bidder(
            registration.bidder_id, Bidder(registration.id, registration.bidder_code, registration.priority_rank)
        )


async def add_priority_holder(
    session: AsyncSession, svc: Services, principal: Principal, auction_id: int, username: str, rank: int
) -> tuple[PriorityHolder, Account, Registration | None]:
    auction = await get_auction_row(session, auction_id)
    lot = await get_lot(session, auction.lot_id)
    check_court(principal, lot.court_id)
    book = await svc.books.book(auction_id)
    if bidding.bidding_has_ended(book.state, svc.clock.now()):
        raise refused("auction_ended", "priority holders can only be declared before bidding ends")
    account = (await session.execute(select(Account).where(Account.username == username))).scalar_one_or_none()
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
    registration = (
        await session.execute(
            select(Registration).where(Registration.auction_id == auction_id, Registration.bidder_id == account.id)
        )
    ).scalar_one_or_none()
    if registration is not None:
        registration.priority_rank = rank
    await session.flush()
    return holder, account, registration


async def settle(session: AsyncSession, svc: Services, principal: Principal, auction_id: int, outcome: str) -> Auction:
    """Payment of the balance, or 悔拍: the deposit is forfeited and the bidder barred from the lot."""
    # Judge from the row as it is now (not this process's book, which another process may have moved
    # on), on a read session: the close below needs the database's write lock, which the write session
    # would hold from its first statement on SQLite.
    now = svc.clock.now()
    async with svc.read_sessions() as read:
        state = _state_of(await get_auction_row(read, auction_id), svc)
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
    await session.commit()
    await session.refresh(auction)
    return auction


async def registration_count(session: AsyncSession, auction_id: int) -> int:
    return (
        await session.execute(
            select(func.count()).select_from(Registration).where(Registration.auction_id == auction_id)
        )
    ).scalar_one()


async def auction_json(session: AsyncSession, svc: Services, auction: Auction) -> dict[str, Any]:
    lot = await session.get(Lot, auction.lot_id)
    court = await session.get(Court, lot.court_id) if lot else None
    count = await registration_count(session, auction.id)
    return auction_dict(svc, auction, lot, court, count)


async def auction_view(session: AsyncSession, svc: Services, auction_id: int) -> dict[str, Any]:
    """``GET /auctions/{id}`` in one query (the auction, its lot and court, the registration count):
    bidders poll it during a sniping storm."""
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
    return auction_dict(svc, auction, lot, court, count)


def auction_dict(
    svc: Services, auction: Auction, lot: Lot | None, court: Court | None, registrations: int
) -> dict[str, Any]:
    state = _state_of(auction, svc)
    now = svc.clock.now()
    return {
        "id": auction.id,
        "lot_id": auction.lot_id,
        "round": round_out(auction.round),
        "status": bidding.effective_status(state, now),
        "appraisal": auction.appraisal,
        "starting_price": state.starting_price,
        "increment": state.increment,
        "deposit": auction.deposit,
        "start_at": isoformat(state.start_at),
        "scheduled_end_at": isoformat(state.scheduled_end_at),
        "end_at": isoformat(state.end_at),
        "current_price": state.current_price,
        "leading_code": state.leader_code,
        "bid_count": state.seq,
        "extension_count": state.extension_count,
        "registrations": registrations,
        "server_time": isoformat(now),
        "seq": state.seq,
        "status_reason": state.status_reason,
        "minimum_bid": bidding.minimum_bid(state),
        "settlement": auction.settlement,
        "watchers": svc.bus.watchers(auction.id),
        "title": lot.title if lot else None,
        "category": lot.category if lot else None,
        "court": court.name if court else None,
        "court_id": lot.court_id if lot else None,
    }


async def result_json(session: AsyncSession, svc: Services, auction: Auction) -> dict[str, Any]:
    state = _state_of(auction, svc)
    status = bidding.effective_status(state, svc.clock.now())
    if status not in bidding.ENDED:
        raise refused("auction_not_ended", f"the auction has not ended (it is {status})")
    if status == "unsold":
        return {
            "outcome": "unsold",
            "price": None,
            "winner_code": None,
            "winner_name": None,
            "premium_rate_over_start": None,
            "premium_rate_over_appraisal": None,
            "ended_at": isoformat(state.end_at),
            "bid_count": state.seq,
            "extension_count": state.extension_count,
        }
    price = state.current_price
    assert price is not None
    winner = (
        await session.execute(
            select(Account.real_name)
            .join(Registration, Registration.bidder_id == Account.id)
            .where(Registration.id == state.leader_registration_id)
        )
    ).scalar_one_or_none()
    return {
        "outcome": "sold",
        "price": price,
        "winner_code": state.leader_code,
        "winner_name": winner,
        "premium_rate_over_start": premium_rate(price, state.starting_price),
        "premium_rate_over_appraisal": premium_rate(price, auction.appraisal),
        "ended_at": isoformat(state.end_at),
        "bid_count": state.seq,
        "extension_count": state.extension_count,
        "settlement": auction.settlement,
    }


def lot_dict(lot: Lot, court: Court | None) -> dict[str, Any]:
    return {
        "id": lot.id,
        "court": court.name if court else None,
        "court_id": lot.court_id,
        "title": lot.title,
        "category": lot.category,
        "appraisal": lot.appraisal,
        "description": lot.description,
        "case_number": lot.case_number,
        "location": lot.location,
        "disposition": lot.disposition,
        "disposition_note": lot.disposition_note,
        "disposition_price": lot.disposition_price,
        "disposed_at": isoformat(lot.disposed_at) if lot.disposed_at else None,
        "created_at": isoformat(lot.created_at),
        **(lot.details or {}),
    }
