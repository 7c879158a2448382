"""The court's deadlines: what is due today and what is overdue (the staff's deadlines desk).

Four kinds, each from a rule:
- ``balance``: the buyer pays the balance within the announced deadline after the close (rule 6,
  practice 10 days); past it, the sale is 悔拍 (rule 17) and one action declares it.
- ``relisting``: after a 流拍 the re-auction is announced within 30 days (rule 4, Art. 26); past it, the
  lot is announced afresh as round 1 or disposed of (``listing.lawful_plan``, ``check_disposition``).
- ``pause``: a postponed (暂缓) or suspended (中止) auction is resumed within 5 days (rule 20, Art. 28) of
  the end of the 暂缓 period or of the removal of the cause; a 中止 whose cause has not been recorded as
  removed has no time running yet (its cause lasts as long as it lasts), so it is not on the desk.
- ``opening``: an announced auction's announcement period ends and bidding opens (rule 4).

"Today" is the court's calendar day, China Standard Time (UTC+8, no daylight saving), since courts
work to that calendar; every time stays UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from .errors import RuleViolation, invalid
from .listing import SALE, PastAuction, plan_next_round, relisting_deadline
from .profiles import RuleProfile

COURT_TIME = timezone(timedelta(hours=8), "CST")
KINDS = ("balance", "relisting", "pause", "opening")


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: str
    state: str  # overdue, due_today, upcoming
    due_at: datetime
    lot_id: int
    auction_id: int | None
    title: str
    detail: dict = field(default_factory=dict)
    actions: tuple[str, ...] = ()  # what the console offers: default, paid, relist, dispose, resume, withdraw


@dataclass(frozen=True, slots=True)
class AuctionFacts:
    """One auction as the desk needs it (its status is the effective status now)."""

    auction_id: int
    round: int | str
    status: str
    start_at: datetime
    closed_at: datetime | None
    suspended_at: datetime | None
    settlement: str | None
    winner_code: str | None = None
    price: int | None = None
    pause_kind: str | None = None  # postponed or suspended, from the action log
    pause_until: date | None = None  # a 暂缓's period: its last day (court time), from the action log
    cause_removed_on: date | None = None  # the day the pause's cause was removed (court time), if recorded


@dataclass(frozen=True, slots=True)
class LotFacts:
    lot_id: int
    title: str
    disposed: bool
    balance_days: int | None  # the lot's announced balance deadline, if it names one
    auctions: list[AuctionFacts]  # oldest first
    history: list[PastAuction]  # the same auctions as the listing rules see them


def day_end(now: datetime) -> datetime:
    """The end of the court's calendar day containing ``now`` (as an aware UTC-comparable time)."""
    local = now.astimezone(COURT_TIME)
    return datetime(local.year, local.month, local.day, tzinfo=COURT_TIME) + timedelta(days=1)


def period_end(last_day: date) -> datetime:
    """The end of a period whose last day is ``last_day`` (court time): midnight after it."""
    return datetime(last_day.year, last_day.month, last_day.day, tzinfo=COURT_TIME) + timedelta(days=1)


def pause_due(
    suspended_at: datetime,
    until: date | None,
    profile: RuleProfile,
    *,
    kind: str | None = None,
    cause_removed_on: date | None = None,
) -> datetime | None:
    """When a paused auction must have been resumed (Art. 28): the pause limit counted from the end of the
    暂缓 period (its ruling's last day) or from the removal of the cause (the day recorded), whichever
    comes first. A 暂缓 recorded without a period counts from the pause itself (the older form). A 中止
    (``kind="suspended"``) without a recorded removal: None, no time runs while its cause lasts."""
    starts = [period_end(day) for day in (until, cause_removed_on) if day is not None]
    if not starts:
        if kind == "suspended":
            return None
        starts = [suspended_at]
    return max(min(starts), suspended_at) + profile.pause_limit


def check_pause_period(until: date | None, now: datetime) -> None:
    """A 暂缓 period ends today or later (422 ``invalid_period``)."""
    if until is not None and period_end(until) <= now:
        raise invalid("invalid_period", f"the 暂缓 period must end today or later (until: {until.isoformat()})")


def check_cause_removed(removed_on: date, suspended_at: datetime, now: datetime) -> None:
    """The cause of a pause was removed on a day between the pause and today, court time (422
    ``invalid_date``): a removal in the future is not a fact yet, one before the pause is no removal."""
    today = now.astimezone(COURT_TIME).date()
    paused = suspended_at.astimezone(COURT_TIME).date()
    if removed_on > today:
        raise invalid("invalid_date", f"removed_on {removed_on.isoformat()} is in the future (today is {today})")
    if removed_on < paused:
        raise invalid("invalid_date", f"removed_on {removed_on.isoformat()} is before the pause ({paused})")


def state_of(due_at: datetime, now: datetime) -> str:
    if now > due_at:
        return "overdue"
    if due_at < day_end(now):
        return "due_today"
    return "upcoming"


def balance_due(closed_at: datetime, profile: RuleProfile, balance_days: int | None) -> datetime:
    return closed_at + (timedelta(days=balance_days) if balance_days else profile.balance_deadline)


def lot_deadlines(lot: LotFacts, profile: RuleProfile, now: datetime) -> list[Deadline]:
    """Every deadline running on one lot now (before any filtering by state)."""
    if lot.disposed:
        return []
    found: list[Deadline] = []
    for a in lot.auctions:
        if a.status == "sold" and a.settlement is None and a.closed_at is not None:
            due = balance_due(a.closed_at, profile, lot.balance_days)
            state = state_of(due, now)
            found.append(
                Deadline(
                    "balance",
                    state,
                    due,
                    lot.lot_id,
                    a.auction_id,
                    lot.title,
                    {"winner_code": a.winner_code, "price": a.price, "round": str(a.round)},
                    ("default", "paid") if state == "overdue" else ("paid", "default"),
                )
            )
        elif a.status == "suspended" and a.suspended_at is not None:
            found.extend(_pause(lot, a, profile, now))
        elif a.status == "announced":
            found.append(
                Deadline(
                    "opening",
                    state_of(a.start_at, now),
                    a.start_at,
                    lot.lot_id,
                    a.auction_id,
                    lot.title,
                    {"round": str(a.round)},
                    ("postpone", "suspend", "withdraw"),
                )
            )
    found.extend(_relisting(lot, profile, now))
    return found


def _pause(lot: LotFacts, a: AuctionFacts, profile: RuleProfile, now: datetime) -> list[Deadline]:
    assert a.suspended_at is not None
    due = pause_due(a.suspended_at, a.pause_until, profile, kind=a.pause_kind, cause_removed_on=a.cause_removed_on)
    if due is None:
        return []
    detail: dict = {"pause_kind": a.pause_kind or "suspended", "since": a.suspended_at}
    if a.cause_removed_on is not None:
        detail["cause_removed_on"] = a.cause_removed_on.isoformat()
    actions = ("resume", "withdraw") if a.start_at > a.suspended_at else ("resume",)
    return [Deadline("pause", state_of(due, now), due, lot.lot_id, a.auction_id, lot.title, detail, actions)]


def _relisting(lot: LotFacts, profile: RuleProfile, now: datetime) -> list[Deadline]:
    relevant = [(p, a) for p, a in zip(lot.history, lot.auctions, strict=True) if p.status != "withdrawn"]
    if not relevant:
        return []
    last, facts = relevant[-1]
    if last.status != "unsold" or last.round == SALE:
        return []
    try:
        plan = plan_next_round([p for p, _ in relevant], profile)
    except RuleViolation:  # the last round failed and no sale is offered: disposition, not relisting
        return []
    deadline = relisting_deadline(profile, plan)
    if deadline is None:
        return []
    state = state_of(deadline, now)
    next_round = "1" if state == "overdue" else str(plan.round)
    actions = ("relist", "dispose") if state == "overdue" or plan.round == SALE else ("relist",)
    detail = {"failed_round": str(last.round), "next_round": next_round, "restart": state == "overdue"}
    return [Deadline("relisting", state, deadline, lot.lot_id, facts.auction_id, lot.title, detail, actions)]


def court_deadlines(
    lots: Iterable[LotFacts], profile: RuleProfile, now: datetime, *, horizon: timedelta = timedelta(0)
) -> list[Deadline]:
    """What is overdue and due today in a court (and, with a ``horizon``, what falls due within it),
    most urgent first: overdue before due today before upcoming, then by due time."""
    limit = day_end(now) + horizon
    found = [d for lot in lots for d in lot_deadlines(lot, profile, now) if d.state != "upcoming" or d.due_at < limit]
    order = {"overdue": 0, "due_today": 1, "upcoming": 2}
    return sorted(found, key=lambda d: (order[d.state], d.due_at, d.lot_id))
