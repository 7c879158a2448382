"""What court staff do to an auction outside bidding: schedule a lot's next round, suspend (中止) or
postpone (暂缓), resume, withdraw (撤回), and settle the sale (the balance paid, or 悔拍). Each is checked
against the staff member's court (``check_court``, also used by every other staff service) and recorded
in the court's action log (``core/action_log.py``).

Scheduling and settling only flush (the caller owns the unit of work, ``core/unit_of_work.py``); the
side-state changes go through the book and commit on their own (``core/bidding/lifecycle.py``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import announcement, bidding, deadlines, listing, settlement, withdrawal
from auction_rules.errors import forbidden, refused

from ..clock import isoformat
from ..db.models import Auction, LotExclusion, Registration
from . import action_log
from .action_log import Attribution
from .auction_queries import (
    auction_view,
    get_auction_row,
    get_lot,
    get_lot_and_court,
    lot_history,
    state_of,
    view_of,
)
from .lot_records import record_deposit
from .security import Principal
from .services import Services
from .unit_of_work import after_commit
from .views import AuctionView, Settlement


def check_court(principal: Principal, court_id: int) -> None:
    """Staff act only within their own court; an admin spans courts."""
    if principal.role == "admin":
        return
    if principal.role != "staff" or principal.court_id != court_id:
        raise forbidden("wrong_court", "only staff of the lot's court may do this")


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
    lot, court = await get_lot_and_court(session, lot_id)
    check_court(principal, lot.court_id)
    listing.check_not_disposed(lot.disposition)
    now = svc.clock.now()
    plan = listing.lawful_plan(
        svc.profile, listing.plan_next_round(await lot_history(session, lot_id, now), svc.profile), now
    )
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
    announcement.check_announcement(svc.profile, {**(lot.details or {}), "location": lot.location})
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
    auction_id, opens_at = auction.id, auction.start_at
    after_commit(session, lambda: svc.scheduler.schedule(auction_id, opens_at))
    return view_of(auction, lot, court, 0)


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
    session: AsyncSession,
    svc: Services,
    principal: Principal,
    auction_id: int,
    reason: str,
    *,
    kind: str = "suspended",
    until: date | None = None,
    ruling_number: str | None = None,
) -> AuctionView:
    """Staff of the lot's court suspend (中止) or postpone (暂缓, ``kind="postponed"``) the auction. The
    change goes through the book and commits on its own, with its action-log entry
    (``core/bidding/lifecycle.py``); ``session`` only reads, before and after."""
    deadlines.check_pause_period(until, svc.clock.now())
    by = await _check_staff_of(session, principal, auction_id)
    grounds = {"until": until.isoformat() if until else None, "ruling_number": ruling_number}
    await svc.lifecycle.suspend(auction_id, reason, by=by, kind=kind, grounds=grounds)
    return await _fresh_view(session, auction_id)


async def resume(
    session: AsyncSession,
    svc: Services,
    principal: Principal,
    auction_id: int,
    reason: str | None = None,
    ruling_number: str | None = None,
) -> AuctionView:
    """Like ``suspend``; the reason of the pause stays in the published history, and the resumption's
    reason and ruling number (恢复拍卖的决定/裁定) go into the action log."""
    by = await _check_staff_of(session, principal, auction_id)
    await svc.lifecycle.resume(auction_id, by=by, reason=reason, ruling_number=ruling_number)
    return await _fresh_view(session, auction_id)


async def record_cause_removed(
    session: AsyncSession,
    svc: Services,
    principal: Principal,
    auction_id: int,
    removed_on: date,
    reason: str,
    ruling_number: str | None = None,
) -> AuctionView:
    """The cause of a pause (中止, or a 暂缓 before its period ends) was removed on ``removed_on``: the
    five-day limit to resume runs from then (``auction_rules/deadlines.py``). The auction stays paused
    until it is resumed; the removal is on the action log with its reason and ruling number. Only a
    paused auction (409 ``auction_not_suspended``)."""
    now = svc.clock.now()
    auction = await get_auction_row(session, auction_id)
    lot = await get_lot(session, auction.lot_id)
    check_court(principal, lot.court_id)
    if auction.status != "suspended" or auction.suspended_at is None:
        raise refused("auction_not_suspended", f"the auction is {auction.status}, not paused")
    deadlines.check_cause_removed(removed_on, auction.suspended_at, now)
    await action_log.record(
        session,
        principal,
        lot.court_id,
        lot.id,
        auction.id,
        "pause_cause_removed",
        reason,
        None,
        {"removed_on": removed_on.isoformat(), "ruling_number": ruling_number},
        at=now,
    )
    return await auction_view(session, auction_id)


async def withdraw(
    session: AsyncSession, svc: Services, principal: Principal, auction_id: int, ground: str | None, note: str | None
) -> AuctionView:
    """Like ``suspend``; every deposit is released. The withdrawal names its legal ground
    (``auction_rules/withdrawal.py``): the published reason is the ground's words and the note; the
    action log keeps the ground's code."""
    grounds = withdrawal.withdrawal_ground(ground, note)
    by = await _check_staff_of(session, principal, auction_id)
    await svc.lifecycle.withdraw(auction_id, grounds.text, by=by, ground=grounds.ground, basis=withdrawal.BASIS)
    return await _fresh_view(session, auction_id)


async def settle(
    session: AsyncSession, svc: Services, principal: Principal, auction_id: int, request: settlement.SettlementRequest
) -> Settlement:
    """Payment of the balance, or 悔拍: the deposit is forfeited and the bidder barred from the lot. 悔拍
    before the balance deadline only on the buyer's recorded written renunciation
    (``auction_rules/settlement.py``). The grounds (reason, ruling number, evidence, a payment's amount
    and day) go into the action log with the step."""
    # Judge from the row as it is now (not this process's book, which another process may have moved
    # on), on a read session: the close below needs the database's write lock, which ``session`` would
    # hold from its first statement on SQLite. So ``session`` must not have been used before this call.
    now = svc.clock.now()
    outcome = request.outcome
    async with svc.read_sessions() as read:
        state = state_of(await get_auction_row(read, auction_id))
    status = bidding.effective_status(state, now)
    if status == "sold" and state.status != "sold":
        await svc.lifecycle.close(auction_id)  # the close job has not run yet: run it now
    auction = await get_auction_row(session, auction_id)
    lot = await get_lot(session, auction.lot_id)
    check_court(principal, lot.court_id)
    settlement.check_settleable(status, auction.settlement)
    winner = (
        await session.execute(select(Registration).where(Registration.id == auction.leader_registration_id))
    ).scalar_one()
    due_at = deadlines.balance_due(
        auction.closed_at or auction.end_at, svc.profile, (lot.details or {}).get("balance_deadline_days")
    )
    settlement.check_settlement(
        request, now=now, balance_due_at=due_at, balance_due=(auction.current_price or 0) - winner.deposit
    )
    settled = await session.execute(
        update(Auction)
        .where(Auction.id == auction_id, Auction.settlement.is_(None))
        .values(settlement=outcome, settled_at=now)
        .returning(Auction.id)
        .execution_options(synchronize_session=False)
    )
    if settled.first() is None:
        raise refused("already_settled", "the sale was already settled")
    winner.deposit_status = "applied" if outcome == "paid" else "forfeited"
    winner.deposit_updated_at = now
    if outcome == "defaulted":
        session.add(LotExclusion(lot_id=lot.id, bidder_id=winner.bidder_id, auction_id=auction_id, created_at=now))
    await record_deposit(session, lot.id, winner)
    grounds = _grounds(request, due_at)
    await action_log.record(
        session,
        principal,
        lot.court_id,
        lot.id,
        auction_id,
        "sale_paid" if outcome == "paid" else "sale_defaulted",
        request.reason,
        {"settlement": None, "winner_code": winner.bidder_code, "deposit_status": "frozen"},
        {"settlement": outcome, "winner_code": winner.bidder_code, "deposit_status": winner.deposit_status} | grounds,
        at=now,
    )
    return Settlement(auction_id=auction_id, outcome=outcome, settled_at=now, grounds=grounds)


def _grounds(request: settlement.SettlementRequest, due_at: datetime) -> dict[str, object]:
    """What the settlement rests on, as recorded (the stated fields only, and the balance deadline)."""
    stated = {
        "reason": request.reason,
        "ruling_number": request.ruling_number,
        "evidence": request.evidence,
        "amount": request.amount,
        "paid_on": request.paid_on,
    }
    grounds: dict[str, object] = {k: v for k, v in stated.items() if v is not None}
    if request.outcome == "defaulted":
        grounds["renounced"] = request.renounced
    grounds["balance_due_at"] = isoformat(due_at)
    return grounds
