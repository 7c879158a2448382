"""Listing rules 1-7: which round a lot is in, and whether a proposed auction may be scheduled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import RuleViolation, invalid, refused
from .profiles import RuleProfile

Round = int | str  # 1, 2 (more in research profiles) or "sale" (变卖)


def round_of(stored: str) -> Round:
    """The round as the rules count it (``1``, ``2``, ``"sale"``) from its stored spelling (``"1"``, ``"2"``,
    ``"sale"``, as rows and ``AuctionState`` keep it); ``str()`` is the way back. The contract writes
    rounds the rules' way, so this is the one conversion."""
    return int(stored) if stored.isdigit() else stored


SALE = "sale"
OPEN_STATUSES = frozenset({"announced", "live", "suspended"})


@dataclass(frozen=True, slots=True)
class PastAuction:
    """What the listing rules need to know of an earlier auction of the same lot."""

    round: Round
    status: str  # effective status: announced, live, suspended, withdrawn, sold, unsold
    starting_price: int
    ended_at: datetime | None
    settlement: str | None  # None, "paid" or "defaulted"
    auction_id: int | None = None  # for the answer that names the auction a round refers to


@dataclass(frozen=True, slots=True)
class ListingRequest:
    category: str
    appraisal: int
    starting_price: int
    increment: int
    deposit: int
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True, slots=True)
class RoundPlan:
    """The round a new auction of the lot will be, and the auction its price rules refer to."""

    round: Round
    previous: PastAuction | None  # the failed auction whose starting price this round refers to
    after_failure: bool = False  # this auction re-lists a lot right after a 流拍 (Art. 26's 30 days)
    restarted: bool = False  # the relisting window was missed: a fresh round 1 announcement


def plan_next_round(history: list[PastAuction], profile: RuleProfile | None = None) -> RoundPlan:
    """Follow the lot's history (oldest first) to the round of its next auction (rules 15-18).

    Withdrawn auctions do not count. An open auction or a sale awaiting settlement blocks a new one.
    ``profile`` sets how many auction rounds come before the fixed-price sale and whether it is offered
    (the law: two, and yes; research profiles vary them).
    """
    rounds = profile.auction_rounds if profile is not None else 2
    sale_offered = profile.sale_offered if profile is not None else True
    relevant = [a for a in history if a.status != "withdrawn"]
    if any(a.status in OPEN_STATUSES for a in relevant):
        raise refused("auction_open", "the lot already has an auction that has not ended")
    if not relevant:
        return RoundPlan(1, None)
    last = relevant[-1]
    if last.status == "sold":
        if last.settlement == "defaulted":
            # 悔拍: the lot goes back to auction in the same round, the defaulter excluded (rule 17).
            earlier = next((a for a in reversed(relevant[:-1]) if a.status == "unsold"), None)
            return RoundPlan(last.round, earlier if last.round != 1 else None)
        if last.settlement == "paid":
            raise refused("lot_already_sold", "the lot has been sold and paid for")
        raise refused("lot_already_sold", "the lot has been sold; settle that sale before listing again")
    # last.status == "unsold" (流拍)
    if isinstance(last.round, int) and last.round < rounds:
        return RoundPlan(last.round + 1, last, after_failure=True)
    if isinstance(last.round, int) and sale_offered:
        return RoundPlan(SALE, last, after_failure=True)
    if last.round == SALE:
        raise refused("lot_concluded", "the fixed-price sale failed: the lot is returned or taken by the creditor")
    raise refused("lot_concluded", "the last auction round failed and no fixed-price sale is offered")


def relisting_deadline(profile: RuleProfile, plan: RoundPlan) -> datetime | None:
    """Art. 26: the re-auction after a 流拍 is announced within 30 days of the failure (None: no limit)."""
    if (
        profile.reauction_within is None
        or not plan.after_failure
        or plan.previous is None
        or plan.previous.ended_at is None
    ):
        return None
    return plan.previous.ended_at + profile.reauction_within


def lawful_plan(profile: RuleProfile, plan: RoundPlan, now: datetime) -> RoundPlan:
    """The plan a court can still follow at ``now``. Once the relisting window has passed, the next round
    can no longer be announced as a continuation (its reduced price and shorter announcement rest on a
    timely relisting): the lot starts over with a fresh round 1 announcement (round 1's price floor and
    announcement period), or the court disposes of it (``check_disposition``). Never a dead end."""
    deadline = relisting_deadline(profile, plan)
    if deadline is not None and now > deadline:
        return RoundPlan(1, None, restarted=True)
    return plan


def _at_least(amount: int, base: int, fraction: tuple[int, int]) -> bool:
    num, den = fraction
    return amount * den >= base * num


def _at_most(amount: int, base: int, fraction: tuple[int, int]) -> bool:
    num, den = fraction
    return amount * den <= base * num


def percent(fraction: tuple[int, int]) -> str:
    """``(7, 10)`` -> ``"70%"``: a rule's fraction in a message, from the profile, never a literal."""
    num, den = fraction
    return f"{100 * num / den:g}%"


def _ceil_share(base: int, fraction: tuple[int, int]) -> int:
    num, den = fraction
    return -(-base * num // den)


def _floor_share(base: int, fraction: tuple[int, int]) -> int:
    num, den = fraction
    return base * num // den


def first_round_floor_price(profile: RuleProfile, appraisal: int) -> int:
    """Round 1's lowest starting price for ``appraisal`` (rule 1), in whole fen."""
    return _ceil_share(appraisal, profile.first_round_floor)


def lowest_starting_price(profile: RuleProfile, plan: RoundPlan, appraisal: int) -> int | None:
    """The lowest starting price ``check_listing`` accepts for ``plan`` (rules 1, 2 and 19): round 1's
    floor of the appraisal, a later round's floor of the previous round's start, the fixed-price sale's
    one price. None: no price rule applies (a round without the auction it would refer to)."""
    if plan.round == 1:
        return first_round_floor_price(profile, appraisal)
    if plan.previous is None:
        return None
    if plan.round != SALE:
        return _ceil_share(plan.previous.starting_price, profile.later_round_floor)
    return plan.previous.starting_price


def deposit_bounds(profile: RuleProfile, round_: Round, starting_price: int) -> tuple[int, int]:
    """The least and the most deposit ``check_listing`` accepts for ``starting_price`` (rule 3; the
    fixed-price sale's deposit is the full price, rule 19), in whole fen, inclusive."""
    if round_ == SALE:
        return starting_price, starting_price
    return _ceil_share(starting_price, profile.deposit_min), _floor_share(starting_price, profile.deposit_max)


def earliest_start(profile: RuleProfile, plan: RoundPlan, category: str, now: datetime) -> datetime:
    """The earliest moment bidding may start when the auction is announced at ``now`` (rule 4). With no
    announcement period (the sandbox) any moment after ``now``: bidding must start in the future."""
    period = profile.announcement_period(plan.round, category)
    return now if period is None else now + period


@dataclass(frozen=True, slots=True)
class NextRound:
    """What a court may schedule next for a lot at a moment, as ``check_listing`` will judge it: the
    lawful plan with its bounds, or the refusal that blocks any new auction."""

    plan: RoundPlan | None
    blocked: RuleViolation | None = None
    announcement: timedelta | None = None
    earliest_start_at: datetime | None = None
    lowest_starting_price: int | None = None
    deposit_min: int | None = None
    deposit_max: int | None = None
    relist_by: datetime | None = None


def next_round(
    profile: RuleProfile, history: list[PastAuction], category: str, appraisal: int, now: datetime
) -> NextRound:
    """The lot's next round at ``now`` (``plan_next_round`` then ``lawful_plan``) and the bounds its
    listing request must keep; a refusal of ``plan_next_round`` is returned, not raised. The deposit
    bounds are those of the lowest starting price."""
    try:
        planned = plan_next_round(history, profile)
    except RuleViolation as refusal:
        return NextRound(None, refusal)
    plan = lawful_plan(profile, planned, now)
    lowest = lowest_starting_price(profile, plan, appraisal)
    low, high = deposit_bounds(profile, plan.round, lowest) if lowest is not None else (None, None)
    return NextRound(
        plan=plan,
        announcement=profile.announcement_period(plan.round, category),
        earliest_start_at=earliest_start(profile, plan, category, now),
        lowest_starting_price=lowest,
        deposit_min=low,
        deposit_max=high,
        relist_by=relisting_deadline(profile, plan),
    )


def check_listing(profile: RuleProfile, plan: RoundPlan, req: ListingRequest, now: datetime) -> None:
    """Raise a 422 naming the first listing rule the request breaks; return None if it may be listed."""
    _check_price(profile, plan, req)
    _check_deposit_and_increment(profile, plan, req)
    _check_dates(profile, plan, req, now)


def _check_price(profile: RuleProfile, plan: RoundPlan, req: ListingRequest) -> None:
    """The starting price: round 1 and round 2 against their floors, the sale at round 2's price."""
    if plan.round == 1:
        if not _at_least(req.starting_price, req.appraisal, profile.first_round_floor):
            num, den = profile.first_round_floor
            why = " (the relisting window has passed: the lot is announced afresh as round 1)" if plan.restarted else ""
            raise invalid(
                "starting_price_below_floor",
                f"round 1 starting price must be at least {percent((num, den))} of the appraisal ({req.appraisal} fen)"
                + why,
            )
    elif plan.round != SALE:
        base = plan.previous.starting_price if plan.previous else None
        if base is None:
            raise invalid("price_cut_too_deep", f"round {plan.round} needs a failed round to refer to")
        if not _at_least(req.starting_price, base, profile.later_round_floor):
            num, den = profile.later_round_floor
            raise invalid(
                "price_cut_too_deep",
                f"a later round's starting price must be at least {percent((num, den))} of the previous "
                f"round's ({base} fen)",
            )
    elif plan.round == SALE and plan.previous is not None:
        if req.starting_price != plan.previous.starting_price:
            raise invalid(
                "sale_price_mismatch",
                # the last auction round's price: round 2 under the law, a later one under a research profile
                f"the fixed-price sale (变卖) price is round {plan.previous.round}'s starting price "
                f"({plan.previous.starting_price} fen)",
            )


def _check_deposit_and_increment(profile: RuleProfile, plan: RoundPlan, req: ListingRequest) -> None:
    if plan.round == SALE:
        # Rule 19: a buyer qualifies for the fixed-price sale by prepaying the full price.
        if req.deposit != req.starting_price:
            raise invalid(
                "sale_deposit_must_be_full_price",
                f"in a fixed-price sale (变卖) the deposit is the full price ({req.starting_price} fen)",
            )
    elif not (
        _at_least(req.deposit, req.starting_price, profile.deposit_min)
        and _at_most(req.deposit, req.starting_price, profile.deposit_max)
    ):
        raise invalid(
            "deposit_out_of_range",
            f"the deposit must be between {percent(profile.deposit_min)} and {percent(profile.deposit_max)} of the "
            "starting price, inclusive",
        )
    if req.increment < 1:
        raise invalid("increment_not_positive", "the increment must be at least 1 fen")
    if req.increment > req.starting_price:
        raise invalid("increment_too_large", "the increment may not exceed the starting price")
    _check_increment_bounds(profile, req)


def _check_increment_bounds(profile: RuleProfile, req: ListingRequest) -> None:
    """Bounds on the increment as shares of the starting price: none in the law, set by research profiles."""
    if profile.increment_min is not None and not _at_least(req.increment, req.starting_price, profile.increment_min):
        raise invalid(
            "increment_out_of_range",
            f"the increment must be at least {percent(profile.increment_min)} of the starting price",
        )
    if profile.increment_max is not None and not _at_most(req.increment, req.starting_price, profile.increment_max):
        raise invalid(
            "increment_out_of_range",
            f"the increment may be at most {percent(profile.increment_max)} of the starting price",
        )


def _check_dates(profile: RuleProfile, plan: RoundPlan, req: ListingRequest, now: datetime) -> None:
    """The announcement period, the relisting window and the bidding period."""
    if req.start_at <= now:
        raise invalid("start_in_past", "bidding must start in the future")
    period = profile.announcement_period(plan.round, req.category)
    if period is not None and req.start_at - now < period:
        raise invalid(
            "announcement_too_short",
            f"round {plan.round} of a {req.category} lot must be announced at least {period.days} days "
            "before bidding starts",
        )
    if (
        profile.reauction_within is not None
        and plan.after_failure
        and plan.previous is not None
        and plan.previous.ended_at is not None
        and now - plan.previous.ended_at > profile.reauction_within
    ):
        raise invalid(
            "reauction_announced_too_late",
            f"a re-auction must be announced within {profile.reauction_within.days} days of the failure",
        )
    if req.end_at <= req.start_at:
        raise invalid("bidding_period_too_short", "bidding must end after it starts")
    if profile.min_bidding_period is not None and req.end_at - req.start_at < profile.min_bidding_period:
        hours = int(profile.min_bidding_period.total_seconds() // 3600)
        raise invalid("bidding_period_too_short", f"the bidding period must be at least {hours} hours")
    if plan.round == SALE:
        _check_sale_window(profile, req)


def _check_sale_window(profile: RuleProfile, req: ListingRequest) -> None:
    """Rule 19: the fixed-price sale (变卖) is open for its window, the whole of it: no shorter (a 24-hour
    变卖 would leave buyers no time to learn of it and prepay the full price) and no longer. The digest
    gives the sale no announcement period of its own (rule 4 names rounds 1 and 2): the window is the
    time buyers have, so it is the quantity enforced. None (the sandbox): any positive window."""
    window = profile.sale_window
    if window is None:
        return
    if req.end_at - req.start_at > window:
        raise invalid("sale_window_too_long", f"a fixed-price sale (变卖) window lasts {_days(window)} days, no longer")
    if req.end_at - req.start_at < window:
        raise invalid(
            "sale_window_too_short",
            f"a fixed-price sale (变卖) window lasts {_days(window)} days: buyers have the whole window to prepay "
            "the full price and make the first offer",
            window_seconds=int(window.total_seconds()),
        )


def _days(period: timedelta) -> str:
    return f"{period.total_seconds() / 86400:g}"


def concluded(disposition: str) -> RuleViolation:
    """Rule 18: a lot the creditor took or that was returned is concluded: it is never listed again nor
    disposed of a second time (the refusal, for a caller that reports it rather than raising it)."""
    return refused("lot_concluded", f"the lot has been disposed of ({disposition})")


def check_not_disposed(disposition: str | None) -> None:
    """Raise ``lot_concluded`` for a lot already disposed of (``concluded``)."""
    if disposition is not None:
        raise concluded(disposition)


def check_disposition(
    history: list[PastAuction], profile: RuleProfile | None = None, now: datetime | None = None
) -> PastAuction:
    """Rule 18 / AUC Art. 16: once round 2 or the fixed-price sale has failed, the court may let the
    creditor take the lot at that round's reserve (以物抵债) or return it; likewise after a failed round
    1 whose relisting window has passed (given ``profile`` and ``now``): the lot is not left without a
    lawful step. Under a research profile, any later round counts as round 2 does (the rounds a profile
    adds come after it), and a profile of one auction round ends its rounds with round 1. Returns the
    failed auction (its starting price is the reserve); raises 409 otherwise."""
    relevant = [a for a in history if a.status != "withdrawn"]
    if any(a.status in OPEN_STATUSES for a in relevant):
        raise refused("auction_open", "the lot has an auction that has not ended")
    last = relevant[-1] if relevant else None
    final = min(2, profile.auction_rounds) if profile is not None else 2  # failed from this round on: dispose
    if (
        last is not None
        and last.status == "unsold"
        and (last.round == SALE or (isinstance(last.round, int) and last.round >= final))
    ):
        return last
    if last is not None and last.status == "unsold" and profile is not None and now is not None:
        deadline = relisting_deadline(profile, RoundPlan(2, last, after_failure=True))
        if deadline is not None and now > deadline:
            return last
    raise refused(
        "disposition_not_allowed",
        "a lot is taken by the creditor or returned only after round 2 or the fixed-price sale failed, "
        "or once the relisting window after a failed round has passed",
    )
