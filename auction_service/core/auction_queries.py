"""Reading auctions outside the bid path: the list with its filters, one auction with its lot and court,
the published priority holders, the result, the bid record, and the read models they return
(``core/views.py``). Also the small lookups every auction service starts from (``get_lot``,
``get_auction_row``, ``state_of``): registration (``core/registrations.py``) and staff actions
(``core/staff_actions.py``) build on these, never the other way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import bidding, listing
from auction_rules.bidding import AuctionState
from auction_rules.errors import invalid, not_found, refused

from ..db.auction_rows import STATE_COLUMNS
from ..db.models import Account, Auction, Bid, Court, Lot, PriorityHolder, Registration
from .services import Services
from .views import (
    AuctionResult,
    AuctionView,
    PublishedPriorityHolder,
    RecordedBid,
    RegistrationView,
)

STATUSES = ("announced", "live", "sold", "unsold", "suspended", "withdrawn")


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


async def get_lot(session: AsyncSession, lot_id: int) -> Lot:
    lot = await session.get(Lot, lot_id)
    if lot is None:
        raise not_found("lot_not_found", f"no lot {lot_id}")
    return lot


async def get_lot_and_court(session: AsyncSession, lot_id: int) -> tuple[Lot, Court]:
    """The lot and its court in one statement (scheduling names both)."""
    query = select(Lot, Court).join(Court, Court.id == Lot.court_id).where(Lot.id == lot_id)
    row = (await session.execute(query)).first()
    if row is None:
        raise not_found("lot_not_found", f"no lot {lot_id}")
    return row[0], row[1]


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
        terms_version=registration.terms_version,
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
    rows = await holder_rows(session, auction_id)
    if not published:
        return [PublishedPriorityHolder(h.rank, None, None, h.kind) for h, _name, _code in rows], False
    return [PublishedPriorityHolder(h.rank, name, code, h.kind) for h, name, code in rows], True


async def holder_rows(session: AsyncSession, auction_id: int) -> list[Any]:
    """The auction's priority holders as (holder, real name, bidder code or None until the holder
    registers), best rank first: what the announcement publishes and the case file keeps."""
    query = (
        select(PriorityHolder, Account.real_name, Registration.bidder_code)
        .join(Account, Account.id == PriorityHolder.bidder_id)
        .outerjoin(
            Registration,
            (Registration.auction_id == PriorityHolder.auction_id)
            & (Registration.bidder_id == PriorityHolder.bidder_id),
        )
        .where(PriorityHolder.auction_id == auction_id)
        .order_by(PriorityHolder.rank, Account.real_name)
    )
    return list((await session.execute(query)).all())


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
                case((Bid.priority, Registration.priority_rank), else_=None).label("priority_rank"),
            )
            .outerjoin(Registration, Registration.id == Bid.registration_id)
            .where(Bid.auction_id == auction_id, Bid.seq > after_seq)
            .order_by(Bid.seq)
            .limit(limit)
        )
    ).all()
    return [RecordedBid(**row._mapping) for row in rows]
