"""The rules in force and a lot's next round, as the contract writes them (``GET /api/v1/rules``,
``GET /api/v1/lots/{id}/next-round``): the answers' models for the OpenAPI document and the functions that
build the JSON, in one place.

Every number comes from the service's rule profile (``auction_rules/profiles.py``) or from the listing
rules' own functions (``auction_rules/listing.py``): a client (the staff console) shows and pre-checks a
listing with these instead of a copy of the rules. Fractions are integer pairs (the rules' integer
maths), durations whole seconds, null where the profile sets no limit.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import ConfigDict, Field

from auction_rules import announcement
from auction_rules.listing import NextRound
from auction_rules.profiles import (
    CATEGORIES,
    LONG_ANNOUNCEMENT_CATEGORIES,
    REAL_ESTATE_CATEGORIES,
    VESSEL_CATEGORIES,
    RuleProfile,
)
from auction_rules.research import describe_overrides

from ..clock import isoformat
from .answers import Answer, Category, Fen, Round, Time

ROUNDS: tuple[int | str, ...] = (1, 2, "sale")
Seconds = int


class Fraction(Answer):
    """A share as the rules compute it: ``amount * denominator >= base * numerator``."""

    numerator: int
    denominator: int


class AnnouncementPeriods(Answer):
    """Seconds between announcing an auction and the start of its bidding, per round (null: any future
    start)."""

    model_config = ConfigDict(populate_by_name=True)
    round_1: Seconds | None = Field(alias="1")
    round_2: Seconds | None = Field(alias="2")
    sale: Seconds | None


class Rules(Answer):
    """The rule profile in force (``judicial-2016``, ``sandbox`` or ``research:<label>``), every quantity a
    client needs."""

    profile: str = Field(description="judicial-2016, sandbox or research:<label> (an experiment, not the law)")
    base: str | None = Field(description="a research profile's starting profile (null for the fixed ones)")
    overrides: dict[str, Any] = Field(description="what a research profile changes, as given (empty otherwise)")
    categories: list[Category]
    real_estate_categories: list[Category]
    long_announcement_categories: list[Category] = Field(description="rule 4's long announcement periods")
    vessel_categories: list[Category] = Field(description="the Special Maritime Procedure Law's period")
    first_round_floor: Fraction = Field(description="rule 1: round 1's starting price of the appraisal")
    later_round_floor: Fraction = Field(description="rule 2: a later round's of the previous round's")
    deposit_min: Fraction = Field(description="rule 3: the least deposit of the starting price")
    deposit_max: Fraction = Field(description="rule 3: the most deposit of the starting price")
    extension_seconds: Seconds = Field(description="rule 11: the soft close")
    extension_cap: int | None = Field(description="most extensions of one auction (null: no cap, the law)")
    increment_min: Fraction | None = Field(description="least increment of the starting price (null: none)")
    increment_max: Fraction | None = Field(description="most increment of the starting price (null: none)")
    auction_rounds: int = Field(description="auction rounds before the fixed-price sale (the law: 2)")
    sale_offered: bool = Field(description="whether a fixed-price sale (变卖) follows the last failed round")
    min_bidding_period_seconds: Seconds | None = Field(description="rule 5 (null: any positive period)")
    announcement_seconds: dict[Category, AnnouncementPeriods] = Field(description="rule 4, per category")
    reauction_within_seconds: Seconds | None = Field(description="Art. 26: relist a failed round within this")
    sale_window_seconds: Seconds | None = Field(
        description="rule 19: the fixed-price sale's window, which a sale lasts exactly"
    )
    sale_countdown_seconds: Seconds = Field(description="rule 19: the first offer starts this countdown")
    balance_deadline_seconds: Seconds = Field(description="rule 6: the balance is paid within this")
    pause_limit_seconds: Seconds = Field(description="rule 20: a pause longer than this is flagged")
    announcement_required_fields: list[str] = Field(
        description="Arts. 12-14: set before scheduling (empty: the profile does not require them)"
    )
    none_known: str = Field(description="the value that states no such thing is known (a defect, a burden...)")


class Blocked(Answer):
    code: str = Field(description="the refusal a scheduling request would get (lot_concluded, auction_open...)")
    message: str


class NextRoundAnswer(Answer):
    """What ``POST /lots/{id}/auctions`` would accept now: the round, its floors, its earliest start."""

    lot_id: int
    schedulable: bool
    round: Round | None
    previous_auction_id: int | None = Field(description="the failed auction the round's price refers to")
    restarted: bool = Field(description="the relisting window passed: a fresh round 1")
    blocked: Blocked | None
    announcement_seconds: Seconds | None = Field(description="null: any future start")
    earliest_start_at: Time | None = Field(
        description="bidding may start at this moment or later (strictly later when announcement_seconds is null)"
    )
    min_start_price_fen: Fen | None = Field(description="the lowest starting price (the sale's only price)")
    deposit_min_fen: Fen | None = Field(description="for the lowest starting price")
    deposit_max_fen: Fen | None = Field(description="for the lowest starting price")
    relist_by: Time | None = Field(description="Art. 26: announce the next round by then (null: no limit)")


def _seconds(period: timedelta | None) -> int | None:
    return None if period is None else int(period.total_seconds())


def _fraction(value: tuple[int, int]) -> dict[str, int]:
    return {"numerator": value[0], "denominator": value[1]}


def _ordered(categories: frozenset[str]) -> list[str]:
    return [c for c in CATEGORIES if c in categories]


def _maybe_fraction(value: tuple[int, int] | None) -> dict[str, int] | None:
    return None if value is None else _fraction(value)


def rules_json(profile: RuleProfile) -> dict[str, Any]:
    return {
        "profile": profile.name,
        "base": profile.base,
        "overrides": describe_overrides(profile),
        "categories": list(CATEGORIES),
        "real_estate_categories": _ordered(REAL_ESTATE_CATEGORIES),
        "long_announcement_categories": _ordered(LONG_ANNOUNCEMENT_CATEGORIES),
        "vessel_categories": _ordered(VESSEL_CATEGORIES),
        "first_round_floor": _fraction(profile.first_round_floor),
        "later_round_floor": _fraction(profile.later_round_floor),
        "deposit_min": _fraction(profile.deposit_min),
        "deposit_max": _fraction(profile.deposit_max),
        "extension_seconds": _seconds(profile.extension),
        "extension_cap": profile.extension_cap,
        "increment_min": _maybe_fraction(profile.increment_min),
        "increment_max": _maybe_fraction(profile.increment_max),
        "auction_rounds": profile.auction_rounds,
        "sale_offered": profile.sale_offered,
        "min_bidding_period_seconds": _seconds(profile.min_bidding_period),
        "announcement_seconds": {
            category: {str(r): _seconds(profile.announcement_period(r, category)) for r in ROUNDS}
            for category in CATEGORIES
        },
        "reauction_within_seconds": _seconds(profile.reauction_within),
        "sale_window_seconds": _seconds(profile.sale_window),
        "sale_countdown_seconds": _seconds(profile.sale_countdown),
        "balance_deadline_seconds": _seconds(profile.balance_deadline),
        "pause_limit_seconds": _seconds(profile.pause_limit),
        "announcement_required_fields": list(announcement.REQUIRED_FIELDS) if profile.complete_announcement else [],
        "none_known": announcement.NONE_KNOWN,
    }


def next_round_json(lot_id: int, nxt: NextRound) -> dict[str, Any]:
    plan = nxt.plan
    blocked: dict[str, Any] | None = None
    if nxt.blocked is not None:
        blocked = {"code": nxt.blocked.code, "message": nxt.blocked.message}
    return {
        "lot_id": lot_id,
        "schedulable": plan is not None,
        "round": plan.round if plan is not None else None,
        "previous_auction_id": plan.previous.auction_id if plan is not None and plan.previous else None,
        "restarted": plan.restarted if plan is not None else False,
        "blocked": blocked,
        "announcement_seconds": _seconds(nxt.announcement),
        "earliest_start_at": isoformat(nxt.earliest_start_at) if nxt.earliest_start_at else None,
        "min_start_price_fen": nxt.lowest_starting_price,
        "deposit_min_fen": nxt.deposit_min,
        "deposit_max_fen": nxt.deposit_max,
        "relist_by": isoformat(nxt.relist_by) if nxt.relist_by else None,
    }
