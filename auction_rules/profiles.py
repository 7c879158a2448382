"""Rule profiles: the quantities of the 2016 provisions, and a sandbox that lifts the waiting periods.

``sandbox`` differs from ``judicial-2016`` only in listing rules 4 and 5 (announcement period and the
24-hour minimum bidding period; likewise the 60-day window of a fixed-price sale), so that
simulations and demos can run auctions that start now, and in not requiring a complete announcement
(``announcement.py``: the contract names that requirement for ``judicial-2016``). Research profiles
(``research.py``) vary any quantity for experiments; ``judicial-2016`` itself is the law and never varies.

The quantities the law leaves open have the law's value here: no cap on extensions (rule 11), no bound
on the increment beyond "positive, at most the starting price" (rule 9), two auction rounds before the
fixed-price sale (Art. 26) and the sale itself offered (rule 19).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

REAL_ESTATE_CATEGORIES = frozenset({"residential", "commercial", "land"})
# Rule 4 (Art. 12): "30 days for real estate and other property rights (其他财产权), 15 days for movables".
# Equity is a property right; so is ``property_right`` (intellectual property, claims, use rights...),
# split from ``other``, which holds the remaining movables at 15 days: staff say which by the category.
LONG_ANNOUNCEMENT_CATEGORIES = REAL_ESTATE_CATEGORIES | {"equity", "property_right"}
# 船舶: sold by maritime courts; the Special Maritime Procedure Law (海事诉讼特别程序法, Art. 32) sets its
# own announcement period: at least 30 days before the auction.
VESSEL_CATEGORIES = frozenset({"vessel"})
CATEGORIES = (
    "residential", "commercial", "land", "vehicle", "equity", "machinery", "other", "vessel", "property_right",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RuleProfile:
    name: str
    # Rule 1: round 1 starting price >= 70% of the appraisal (as a fraction num/den, integer maths).
    first_round_floor: tuple[int, int] = (7, 10)
    # Rule 2: a later round's starting price >= 80% of the previous round's.
    later_round_floor: tuple[int, int] = (4, 5)
    # Rule 3: deposit between 5% and 20% of the starting price, inclusive.
    deposit_min: tuple[int, int] = (1, 20)
    deposit_max: tuple[int, int] = (1, 5)
    # Rule 4: announcement periods (None: any future start).
    announce_round1_long: timedelta | None = timedelta(days=30)
    announce_round1_short: timedelta | None = timedelta(days=15)
    announce_round2_long: timedelta | None = timedelta(days=15)
    announce_round2_short: timedelta | None = timedelta(days=7)
    # Vessels (Special Maritime Procedure Law Art. 32): at least 30 days for every auction of a ship.
    announce_vessel: timedelta | None = timedelta(days=30)
    # Rule 4 (Art. 26): a re-auction is announced within 30 days of the failure.
    reauction_within: timedelta | None = timedelta(days=30)
    # Rule 5: minimum bidding period (None: any positive duration).
    min_bidding_period: timedelta | None = timedelta(hours=24)
    # Rule 11: soft close, and a cap on how many times a bid may extend the end (None: no cap, the law).
    extension: timedelta = timedelta(minutes=5)
    extension_cap: int | None = None
    # Rule 9: the increment's bounds as shares of the starting price (None: the law sets none).
    increment_min: tuple[int, int] | None = None
    increment_max: tuple[int, int] | None = None
    # Art. 26 and rule 19: auction rounds before the fixed-price sale (变卖), and whether it is offered.
    auction_rounds: int = 2
    sale_offered: bool = True
    # Rule 19: the fixed-price sale window, which a sale lasts exactly (None: any positive window). The
    # digest gives 变卖 no announcement period of its own (rule 4 names rounds 1 and 2 only).
    sale_window: timedelta | None = timedelta(days=60)
    # Rule 19: the first offer in a fixed-price sale starts this countdown.
    sale_countdown: timedelta = timedelta(hours=24)
    # Rule 6 (practice): balance payment deadline after the close.
    balance_deadline: timedelta = timedelta(days=10)
    # Rule 20 (Art. 28): a paused (暂缓 or 中止) auction is resumed within 5 days; a longer pause is flagged.
    pause_limit: timedelta = timedelta(days=5)
    # Arts. 12-14: the announcement states location, defects, encumbrances, taxes and a contact before
    # an auction is scheduled (``announcement.py``); the sandbox lists made-up lots without them.
    complete_announcement: bool = True
    # A research profile's origin: the profile it starts from and what it changes (research.py).
    base: str | None = None
    overrides: tuple[tuple[str, object], ...] = ()

    def announcement_period(self, round_: int | str, category: str) -> timedelta | None:
        if category in VESSEL_CATEGORIES and round_ != "sale":
            return self.announce_vessel
        long = category in LONG_ANNOUNCEMENT_CATEGORIES
        if round_ == 1:
            return self.announce_round1_long if long else self.announce_round1_short
        if isinstance(round_, int) and round_ >= 2:
            # A later round (rounds beyond 2 exist only in research profiles) is announced as round 2.
            return self.announce_round2_long if long else self.announce_round2_short
        return None

    @property
    def rounds(self) -> tuple[int | str, ...]:
        """The rounds a lot may go through, in order: the auction rounds, then the sale if offered."""
        return (*range(1, self.auction_rounds + 1), *(("sale",) if self.sale_offered else ()))


JUDICIAL_2016 = RuleProfile(name="judicial-2016")
SANDBOX = RuleProfile(
    name="sandbox",
    announce_round1_long=None,
    announce_round1_short=None,
    announce_round2_long=None,
    announce_round2_short=None,
    announce_vessel=None,
    reauction_within=None,
    min_bidding_period=None,
    sale_window=None,
    complete_announcement=False,
)
PROFILES = {p.name: p for p in (JUDICIAL_2016, SANDBOX)}


def get_profile(name: str) -> RuleProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown rule profile {name!r}; choose one of {sorted(PROFILES)}") from None
