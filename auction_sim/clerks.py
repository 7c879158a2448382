"""What simulated court staff do with a lot, round after round (``docs/domain.md`` rules 1-4 and 15-19).
Pure: the lot, its last outcome and a seeded ``random.Random`` in, the next step out; the kernel carries
the steps out through the public API.

* round 1 at ``start_ratio`` of the appraisal (at least the rules' floor), a ~10% deposit (within the
  rules' bounds), a ~0.5% increment, the rules' bidding period from 10:00 Beijing time after the
  announcement period of the lot's category (``court_calendar``);
* after a 流拍: round 2 at ``round2_ratio`` of round 1 (at least the later-round floor), announced within
  the relisting window; after round 2 fails: 变卖 at round 2's price (the deposit is the full price,
  within the sale window); after that fails: the creditor takes the lot (以物抵债) or it is returned.
  A research profile's rounds are followed as it sets them: each further auction round cut from the one
  before like round 2, then the 变卖 if the profile offers one (``auction_rounds``, ``sale_offered``);

Every rule quantity comes from the scenario's profile (``Listing.rules``, ``auction_rules.profiles``).
* after a sale: the balance is due within ``balance_days`` (whether the winner pays is the winner's
  decision, ``auction_sim.market.pays_balance``); after a 悔拍 the lot is auctioned again in the same
  round with the defaulter barred.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from auction_rules.listing import deposit_bounds

from .court_calendar import DAY
from .market import LotPlan
from .scenario import Listing

Round = int | str


@dataclass(frozen=True, slots=True)
class Terms:
    """One auction the court lists: what the listing request says."""

    round: Round
    starting_price: int
    increment: int
    deposit: int
    start_at: float  # epoch seconds
    end_at: float


def nice_increment(starting_price: int, ratio: float) -> int:
    """An increment of about ``ratio`` of the start, rounded to a whole number of yuan with two
    significant digits (courts set 5,000 or 46,000 yuan, not 46,217.31)."""
    raw = max(starting_price * ratio, 100)
    digits = 10 ** max(int(math.log10(raw)) - 1, 2)
    return max(int(raw // digits * digits), 100)


def first_round(lot: LotPlan, listing: Listing) -> Terms:
    start_price = math.ceil(lot.appraisal * listing.start_ratio)
    return _terms(1, start_price, lot.first_start, listing)


def _terms(round_: Round, start_price: int, start_at: float, listing: Listing, *, sale: bool = False) -> Terms:
    increment = nice_increment(start_price, listing.increment_ratio)
    if sale:
        return Terms(round_, start_price, increment, start_price, start_at, start_at + listing.sale_days * DAY)
    least, most = deposit_bounds(listing.rules, round_, start_price)
    deposit = min(max(math.ceil(start_price * listing.deposit_ratio), least), most)
    end_at = start_at + listing.bidding_hours * 3600
    return Terms(round_, start_price, increment, deposit, start_at, end_at)


def next_round(
    lot: LotPlan, last: Terms, failed_at: float, listing: Listing, rng: random.Random
) -> tuple[float, Terms] | None:
    """After a 流拍 of ``last``: when the court announces the next round and its terms; None when the
    lot goes to disposition instead (the last auction round failed and no 变卖, or the 变卖 failed)."""
    announce_at = failed_at + rng.uniform(*listing.relist_days) * DAY
    rounds = listing.rules.auction_rounds  # the law: two; a research profile may have more or fewer
    if isinstance(last.round, int) and last.round < rounds:
        price = math.ceil(last.starting_price * listing.round2_ratio)
        start = listing.opening(announce_at, last.round + 1, lot.category)
        return announce_at, _terms(last.round + 1, price, start, listing)
    if isinstance(last.round, int) and listing.sale_mode and listing.rules.sale_offered:
        start = listing.opening(announce_at, "sale", lot.category)
        return announce_at, _terms("sale", last.starting_price, start, listing, sale=True)
    return None


def again_after_default(
    lot: LotPlan, last: Terms, defaulted_at: float, listing: Listing, rng: random.Random
) -> tuple[float, Terms]:
    """悔拍: the lot goes back to auction in the same round at the same price, the defaulter barred."""
    announce_at = defaulted_at + rng.uniform(*listing.relist_days) * DAY
    start = listing.opening(announce_at, last.round, lot.category)
    return announce_at, _terms(last.round, last.starting_price, start, listing, sale=last.round == "sale")


def balance_due(ended_at: float, listing: Listing, rng: random.Random, *, defaulted: bool = False) -> float:
    """When the court settles the balance of a sale: a payment some time within the balance deadline; a
    悔拍 once the deadline has passed (the service refuses it earlier unless the buyer renounced in
    writing), within the next working days."""
    if defaulted:
        return ended_at + listing.balance_days * DAY + rng.uniform(0.05, 3.0) * DAY
    return ended_at + rng.uniform(0.1, 1.0) * listing.balance_days * DAY


def next_cut(round_: Round, listing: Listing) -> float | None:
    """What the next round's start will be, as a share of this round's, if this one fails (what a
    forward-looking buyer weighs): the later-round cut after every auction round but the last of the
    rules in force (round 1 under the law); none after the last (a 变卖 is at its price) or after a 变卖
    (nothing follows)."""
    return listing.round2_ratio if isinstance(round_, int) and round_ < listing.rules.auction_rounds else None


def disposition(failed_at: float, listing: Listing, rng: random.Random) -> tuple[float, str]:
    """After the last round failed: when the court decides (as long after as it would relist) and how,
    以物抵债 (``creditor_taken``) or ``returned``."""
    outcome = "creditor_taken" if rng.random() < listing.creditor_takes else "returned"
    return failed_at + rng.uniform(*listing.relist_days) * DAY, outcome
