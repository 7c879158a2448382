"""The simulated courts' calendar: bidding opens and ends at 10:00 Beijing time (practice), and an
auction is announced the rules' period before it opens (``auction_rules.profiles``: rule 4 per round
and category, the maritime law's period for vessels). Pure.

Shared by the scenario's listing terms (``scenario.Listing.opening``) and the market
(``market.plan_lots``), so neither imports the other.
"""

from __future__ import annotations

import math

from auction_rules.profiles import CATEGORIES, RuleProfile

DAY = 86_400.0
BEIJING_TEN = 2 * 3600.0  # 10:00 in Beijing is 02:00 UTC: bidding opens and ends then (practice)
# Practice, not a rule: a fixed-price sale (变卖), or any round the profile sets no period for (the
# sandbox without ``announce_hours``), is announced this many days before it opens.
NOTICE_WITHOUT_PERIOD_DAYS = 3.0


def day_start(t: float) -> float:
    """The next 10:00 Beijing time at or after ``t`` (bidding opens and ends at 10:00, practice)."""
    day = math.floor((t - BEIJING_TEN) / DAY)
    moment = day * DAY + BEIJING_TEN
    return moment if moment >= t else moment + DAY


def announce_days(rules: RuleProfile, round_: int | str, category: str) -> float:
    """Days the rules in force ask between an auction's announcement and its opening."""
    period = rules.announcement_period(round_, category)
    return NOTICE_WITHOUT_PERIOD_DAYS if period is None else period.total_seconds() / DAY


def longest_first_announcement_days(rules: RuleProfile) -> float:
    """The longest round-1 announcement of any category: how far ahead a market's first listings start."""
    return max(announce_days(rules, 1, category) for category in CATEGORIES)
