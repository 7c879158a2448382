"""The simulated market (``auction_sim.market``) and court staff (``auction_sim.clerks``)
against the rules they stand for (``docs/domain.md``: listing rules 1-5, closing rules 15-19, the
deposit rules, "Bidder behaviour"). Pure: seeded ``random.Random`` in, plans and terms out; no service.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from auction_sim import clerks as court
from auction_sim import market
from auction_sim.agents import Strategy
from auction_sim.clerks import Terms
from auction_sim.market import DAY, LotPlan, Wallet
from auction_sim.scenario import Listing, Scenario, parse

START = "2026-04-20T02:00:00Z"  # 10:00 Beijing time
BEIJING_TEN = 2 * 3600  # seconds after midnight UTC
# Real estate, land and other property rights get the long announcement periods (rule 4); vehicles,
# machinery and other goods (movables) the short ones.
LONG_ANNOUNCEMENT = ("residential", "commercial", "land", "equity")
MOVABLES = ("vehicle", "machinery", "other")
THIRTY_DAYS = 30 * DAY


def category(**changes: Any) -> dict[str, Any]:
    body = {
        "appraisal_median": 150_000_000,
        "appraisal_sigma": 0.8,
        "no_bidder": 0.3,
        "interest": 2.0,
        "heat_sigma": 1.0,
        "value_mean": 0.8,
        "value_sd": 0.2,
        "bidder_sd": 0.1,
    }
    return body | changes


def market_scenario(*, lots: int = 2_000, horizon_days: float = 30, pool: int = 200, **cat: Any) -> Scenario:
    """One court with ``lots`` flats over ``horizon_days``, built the way a TOML file would be read."""
    return parse(
        {
            "name": "market-test",
            "start": START,
            "horizon_days": horizon_days,
            "courts": [
                {
                    "name": "测试法院",
                    "province": "浙江",
                    "city": "杭州",
                    "lots": lots,
                    "categories": {"residential": 1},
                },
            ],
            "categories": {"residential": category(**cat)},
            "bidders": {"pool": pool},
        }
    )


def lot(category: str = "residential", appraisal: int = 100_000_000, key: int = 0) -> LotPlan:
    return LotPlan(
        key=key, court=0, category=category, appraisal=appraisal, value=0.9, heat=1.0, buyers=3,
        first_start=1_776_650_400.0, priority_holder=False, title="t", location="l", case_number="c",
    )  # fmt: skip


def appraisals(count: int = 500, seed: int = 1) -> list[int]:
    """Whole-yuan appraisals from ¥100 to ¥1bn, log-uniform."""
    rng = random.Random(seed)
    return [int(10 ** rng.uniform(4, 11)) // 100 * 100 for _ in range(count)]


# ================================================================= market: the lots
def test_the_same_seed_plans_the_same_lots() -> None:
    """A run is reproducible from its seed: the plan draws only from the generator it is given."""
    sc = market_scenario(lots=300)
    assert market.plan_lots(sc, random.Random(5)) == market.plan_lots(sc, random.Random(5))
    assert market.plan_lots(sc, random.Random(5)) != market.plan_lots(sc, random.Random(6))


def test_round_one_opens_at_ten_beijing_time_on_days_spread_over_the_horizon() -> None:
    """Practice: bidding opens (and ends) at 10:00 Beijing time, 02:00 UTC; the courts' listings are
    spread over the scenario's window, not bunched on its first day."""
    sc = market_scenario(lots=2_000, horizon_days=30)
    plans = market.plan_lots(sc, random.Random(1))
    t0 = sc.start.timestamp()
    starts = [p.first_start for p in plans]
    assert all(s % DAY == BEIJING_TEN for s in starts)
    assert all(t0 <= s < t0 + sc.horizon_days * DAY for s in starts)
    assert starts == sorted(starts)
    assert [p.key for p in plans] == list(range(len(plans)))
    days = {int((s - t0) // DAY) for s in starts}
    assert len(days) >= 28  # 2,000 lots over 30 days: (nearly) every day has openings
    middle = (sum(starts) / len(starts) - t0) / (sc.horizon_days * DAY)
    assert 0.4 <= middle <= 0.6


def test_appraisals_are_whole_yuan_and_at_least_a_hundred_yuan() -> None:
    """Even a category of near-worthless goods lists at ¥100 or more, in whole yuan."""
    sc = market_scenario(lots=1_000, appraisal_median=100, appraisal_sigma=2.0)
    plans = market.plan_lots(sc, random.Random(2))
    assert all(p.appraisal >= 10_000 for p in plans)
    assert all(p.appraisal % 100 == 0 for p in plans)
    assert sum(p.appraisal == 10_000 for p in plans) > 0  # the floor was needed


@pytest.mark.parametrize("no_bidder", [0.0, 0.3, 0.7])
def test_the_scenarios_share_of_lots_draws_nobody(no_bidder: float) -> None:
    """Many lots attract no bidder at all (docs/domain.md): ``no_bidder`` of them, and only those (the others draw at
    least one potential buyer)."""
    sc = market_scenario(lots=2_000, no_bidder=no_bidder)
    plans = market.plan_lots(sc, random.Random(3))
    share = sum(p.buyers == 0 for p in plans) / len(plans)
    assert abs(share - no_bidder) <= 0.04  # four standard errors at 2,000 lots
    assert all(p.buyers >= 1 for p in plans if p.buyers != 0)


# ================================================================= market: the money
def test_frozen_deposits_are_not_available() -> None:
    wallet = Wallet(1_000_000)
    wallet.freeze(1, 100_000)
    wallet.freeze(2, 200_000)
    assert wallet.available == 700_000


def test_a_released_deposit_is_available_again_once() -> None:
    """Losers' deposits come back after the close (rule 16); releasing twice gives nothing extra."""
    wallet = Wallet(1_000_000)
    wallet.freeze(1, 100_000)
    wallet.release(1)
    wallet.release(1)
    assert wallet.available == 1_000_000


def test_the_winners_deposit_counts_toward_the_price() -> None:
    """Paying a ¥500k price with a ¥100k deposit frozen costs ¥500k in all, not ¥600k (rule 16)."""
    wallet = Wallet(1_000_000)
    wallet.freeze(1, 100_000)
    wallet.freeze(2, 50_000)
    wallet.pay(1, 500_000)
    assert wallet.spent == 500_000
    assert wallet.available == 1_000_000 - 500_000 - 50_000


def test_a_defaulter_loses_the_deposit_and_nothing_more() -> None:
    """悔拍 (rule 17): the deposit is forfeited; forfeiting an auction with no deposit costs nothing."""
    wallet = Wallet(1_000_000)
    wallet.freeze(1, 100_000)
    wallet.forfeit(1)
    wallet.forfeit(99)
    assert wallet.spent == 100_000
    assert wallet.frozen == {}
    assert wallet.available == 900_000


# ================================================================= market: who registers
def test_only_those_who_want_the_lot_at_its_price_and_can_pay_the_deposit_register() -> None:
    """A bidder registers for an auction only when their valuation reaches the starting price, their
    money covers the deposit (rule 8) and they are not barred from the lot (rule 17); passive
    registrants, who will never bid, are the only ones who may value it at no more than the start."""
    sc = market_scenario(lots=400, pool=60, no_bidder=0.0, interest=8.0, bidder_sd=0.3)
    rng = random.Random(4)
    plans = market.plan_lots(sc, rng)
    wallets = market.draw_budgets(sc, rng)
    poor = set(range(0, 60, 7))
    excluded = frozenset(range(3, 60, 11))
    checked = below_start = cannot_pay = barred = 0
    for plan in plans:
        terms = court.first_round(plan, sc.listing)
        for i in poor:
            wallets[i] = Wallet(terms.deposit - 1)
        buyers = market.potential_buyers(plan, sc, rng)
        valuations = dict(buyers)
        announced = terms.start_at - 31 * DAY
        wanted = market.interests(plan, buyers, terms.starting_price, terms.deposit, terms.start_at, announced,
                                  wallets, sc, rng, excluded=excluded)  # fmt: skip
        registered = {i.bidder for i in wanted}
        assert len(registered) == len(wanted), "one registration per bidder and auction"
        for interest in wanted:
            checked += 1
            assert interest.bidder not in excluded
            assert wallets[interest.bidder].available >= terms.deposit
            assert announced < interest.register_at <= terms.start_at
            if interest.strategy is not Strategy.PASSIVE:
                assert interest.bidder in valuations
                assert plan.appraisal * valuations[interest.bidder] >= terms.starting_price
                assert terms.starting_price <= interest.valuation <= wallets[interest.bidder].available
        for bidder, ratio in buyers:
            below_start += plan.appraisal * ratio < terms.starting_price
            cannot_pay += bidder in poor
            barred += bidder in excluded
    # the rules above were put to the test, not vacuously true
    assert checked > 1_000
    assert below_start > 0 and cannot_pay > 0 and barred > 0


# ================================================================= court: listing terms
LISTINGS = [
    Listing(),
    Listing(start_ratio=1.0, deposit_ratio=0.2, increment_ratio=0.05),
    Listing(start_ratio=0.7, deposit_ratio=0.05, increment_ratio=0.0001),
]


@pytest.mark.parametrize("listing", LISTINGS, ids=["default", "high", "low"])
def test_round_one_starts_at_seventy_percent_of_the_appraisal_or_more(listing: Listing) -> None:
    """Rule 1 (Art. 10), rule 3 (deposit 5-20% of the start, Art. 17), rule 9 (a positive increment the
    first bid can be raised by) and rule 5 (24 h of bidding, 10:00 to 10:00)."""
    for appraisal in appraisals():
        terms = court.first_round(lot(appraisal=appraisal), listing)
        assert terms.round == 1
        assert terms.starting_price * 10 >= appraisal * 7
        assert 5 * terms.deposit <= terms.starting_price <= 20 * terms.deposit
        assert 0 < terms.increment <= terms.starting_price
        assert terms.end_at - terms.start_at == DAY
        assert terms.start_at % DAY == BEIJING_TEN


def failed_round_one(category: str, appraisal: int, seed: int) -> tuple[LotPlan, Terms, float, Terms, float]:
    """A lot whose round 1 failed: (lot, round 1, failure time, round 2, its announcement)."""
    plan = lot(category, appraisal)
    first = court.first_round(plan, Listing())
    step = court.next_round(plan, first, first.end_at, Listing(), random.Random(seed))
    assert step is not None
    announced, second = step
    return plan, first, first.end_at, second, announced


@pytest.mark.parametrize("category", LONG_ANNOUNCEMENT + MOVABLES)
def test_round_two_cuts_the_price_by_at_most_a_fifth(category: str) -> None:
    """Rule 2 (Art. 26): a later round starts at 80% of the previous one or more."""
    for seed, appraisal in enumerate(appraisals(200)):
        _, first, _, second, _ = failed_round_one(category, appraisal, seed)
        assert second.round == 2
        assert second.starting_price * 5 >= first.starting_price * 4
        assert second.starting_price <= first.starting_price


@pytest.mark.parametrize("category", LONG_ANNOUNCEMENT + MOVABLES)
def test_round_two_is_announced_within_thirty_days_and_long_enough_before_it_opens(category: str) -> None:
    """Rule 4 (Art. 26): the re-auction is announced within 30 days of the failure, at least 15 days
    (real estate, property rights) or 7 days (movables) before bidding starts, at 10:00 Beijing."""
    notice = 15 * DAY if category in LONG_ANNOUNCEMENT else 7 * DAY
    for seed, appraisal in enumerate(appraisals(200)):
        _, _, failed, second, announced = failed_round_one(category, appraisal, seed)
        assert failed < announced <= failed + THIRTY_DAYS
        assert second.start_at - announced >= notice
        assert second.start_at % DAY == BEIJING_TEN
        assert second.end_at - second.start_at == DAY
        assert 5 * second.deposit <= second.starting_price <= 20 * second.deposit


@pytest.mark.parametrize("category", ["residential", "vehicle"])
def test_after_round_two_fails_the_lot_goes_to_a_fixed_price_sale(category: str) -> None:
    """Rule 19 (变卖): at round 2's price, a buyer qualifies by prepaying the full price, within a
    window of at most 60 days; announced within 30 days of the failure."""
    for seed, appraisal in enumerate(appraisals(200)):
        plan, _, _, second, _ = failed_round_one(category, appraisal, seed)
        step = court.next_round(plan, second, second.end_at, Listing(), random.Random(seed))
        assert step is not None
        announced, sale = step
        assert sale.round == "sale"
        assert sale.starting_price == second.starting_price
        assert sale.deposit == sale.starting_price
        assert 0 < sale.end_at - sale.start_at <= 60 * DAY
        assert second.end_at < announced <= second.end_at + THIRTY_DAYS
        assert sale.start_at > announced


def test_without_sale_mode_round_two_is_the_last_round() -> None:
    """Rule 18: after round 2 the court may skip 变卖 (the creditor takes the lot at the reserve)."""
    plan, _, _, second, _ = failed_round_one("residential", 100_000_000, 1)
    assert court.next_round(plan, second, second.end_at, Listing(sale_mode=False), random.Random(1)) is None


def test_nothing_follows_a_failed_fixed_price_sale() -> None:
    """After 变卖 fails the lot leaves the platform (returned or 以物抵债), no further round."""
    plan, _, _, second, _ = failed_round_one("residential", 100_000_000, 1)
    step = court.next_round(plan, second, second.end_at, Listing(), random.Random(1))
    assert step is not None
    _, sale = step
    assert court.next_round(plan, sale, sale.end_at, Listing(), random.Random(1)) is None


# ================================================================= court: after a sale
def defaults(premium: float, draws: int = 2_000) -> int:
    plan = lot(appraisal=100_000_000)
    price = round(plan.appraisal * (1 + premium))
    rng = random.Random(int(premium * 1000))
    listing = Listing()
    ended = 1_776_736_800.0
    count = 0
    for _ in range(draws):
        due, outcome = court.settlement(plan, price, ended, listing, rng)
        assert ended < due <= ended + listing.balance_days * DAY  # by the balance deadline (practice)
        assert outcome in ("paid", "defaulted")
        count += outcome == "defaulted"
    return count


def test_a_winner_carried_far_above_the_appraisal_defaults_more_often() -> None:
    """悔拍 grows with the premium over the appraisal: defaults at premium 1.0 (11% by default) far
    outnumber those at no premium (1%)."""
    at_appraisal, at_double = defaults(0.0), defaults(1.0)
    assert at_appraisal < at_double
    assert at_appraisal <= 45  # expected 20 of 2,000
    assert 160 <= at_double <= 280  # expected 220 of 2,000
    assert defaults(-0.3) <= 45  # below the appraisal: the base chance, not less


# ================================================================= court: the increment
def significant_digits(n: int) -> int:
    return len(str(n).rstrip("0"))


def test_the_increment_is_whole_yuan_with_two_significant_digits() -> None:
    """Courts set increments like 5,000 or 46,000 yuan, not 46,217.31: about ``ratio`` of the start,
    rounded down to two significant digits, at least ¥1."""
    rng = random.Random(9)
    for _ in range(5_000):
        start = rng.randint(7_000, 10**11)
        ratio = rng.choice((0.0001, 0.001, 0.004, 0.005, 0.009, 0.05))
        increment = court.nice_increment(start, ratio)
        raw = start * ratio
        assert increment % 100 == 0
        assert increment >= 100
        assert significant_digits(increment) <= 2
        if raw >= 1_000:  # ¥10 or more: within the rounding of the second digit
            assert 0.9 * raw < increment <= raw


@pytest.mark.parametrize(
    ("start", "increment"),
    [(924_439_994, 4_600_000), (295_581_756, 1_400_000), (773_435_104, 3_800_000)],
    ids=["lot1", "lot2", "lot4"],
)
def test_real_increments_come_out_of_their_starting_prices_at_half_a_percent(start: int, increment: int) -> None:
    """Three of the five real records (starting price ¥9,244,399.94 -> increment ¥46,000, ¥2,955,817.56
    -> ¥14,000, ¥7,734,351.04 -> ¥38,000) are 0.5% of the start rounded down to two digits; the other two
    courts chose smaller increments."""
    assert court.nice_increment(start, 0.005) == increment
