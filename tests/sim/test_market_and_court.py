"""The simulated market (``auction_sim.market``) and court staff (``auction_sim.clerks``)
against the rules they stand for (``docs/domain.md``: listing rules 1-5, closing rules 15-19, the
deposit rules, "Bidder behaviour") and the economics of the buyers' decisions (who registers, who waits
for round 2, who defaults). Pure: seeded ``random.Random`` in, plans, decisions and terms out; no service.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from auction_sim import clerks as court
from auction_sim import market
from auction_sim.agents import Strategy
from auction_sim.clerks import Terms
from auction_sim.market import DAY, Buyer, LotPlan, Wallet
from auction_sim.scenario import Demand, Listing, Scenario, ScenarioError, load_market, parse
from auction_sim.seeds import stream

START = "2026-04-20T02:00:00Z"  # 10:00 Beijing time
BEIJING_TEN = 2 * 3600  # seconds after midnight UTC
# Real estate, land and other property rights get the long announcement periods (rule 4); vehicles,
# machinery and other goods (movables) the short ones.
LONG_ANNOUNCEMENT = ("residential", "commercial", "land", "equity")
MOVABLES = ("vehicle", "machinery", "other")
THIRTY_DAYS = 30 * DAY


FLATS: Demand = load_market("2025").classes["residential"]


def category(**changes: Any) -> dict[str, Any]:
    return {"appraisal_median": 150_000_000, "appraisal_sigma": 0.8} | changes


def market_scenario(
    *, lots: int = 2_000, horizon_days: float = 30, pool: int = 200, demand: float = 1.0, **cat: Any
) -> Scenario:
    """One court with ``lots`` flats over ``horizon_days``, built the way a TOML file would be read
    (``listing_days=N`` among the keywords: round 1 over the first N days only)."""
    listing = {"listing_days": cat.pop("listing_days")} if "listing_days" in cat else {}
    return parse(
        {
            "name": "market-test",
            "start": START,
            "horizon_days": horizon_days,
            **listing,
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
            "market": {"period": "2025", "demand": demand},
            "bidders": {"pool": pool},
        }
    )


def lot(category: str = "residential", appraisal: int = 100_000_000, key: int = 0, value: float = 0.9) -> LotPlan:
    return LotPlan(
        key=key, court=0, category=category, appraisal=appraisal, value=value, heat=1.0,
        first_start=1_776_650_400.0, priority_holder=False, title="t", location="l", case_number="c",
    )  # fmt: skip


def buyer(ratio: float, patience: float = 0.5) -> Buyer:
    return Buyer(bidder=0, ratio=ratio, patience=patience, strategy=Strategy.LAST_MINUTE, index=0, arrived=0)


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


def test_a_period_s_lots_open_round_one_within_it_and_are_followed_after_it() -> None:
    """A scenario that lists over a shorter period than its horizon (a court's month, followed to the end
    of every lot's rounds) opens every round 1 within that period; the horizon is then only the last day a
    later round may open."""
    sc = market_scenario(lots=1_000, horizon_days=120, listing_days=30)
    t0 = sc.start.timestamp()
    starts = [p.first_start for p in market.plan_lots(sc, random.Random(1))]
    assert all(t0 <= s < t0 + 30 * DAY for s in starts)
    assert len({int((s - t0) // DAY) for s in starts}) >= 28
    assert market_scenario(lots=10, horizon_days=30).listing_period_days == 30  # by default: the horizon


def test_a_listing_period_beyond_the_horizon_is_refused() -> None:
    with pytest.raises(ScenarioError, match="listing_days"):
        market_scenario(lots=10, horizon_days=30, listing_days=31)


def test_appraisals_are_whole_yuan_and_at_least_a_hundred_yuan() -> None:
    """Even a category of near-worthless goods lists at ¥100 or more, in whole yuan."""
    sc = market_scenario(lots=1_000, appraisal_median=100, appraisal_sigma=2.0)
    plans = market.plan_lots(sc, random.Random(2))
    assert all(p.appraisal >= 10_000 for p in plans)
    assert all(p.appraisal % 100 == 0 for p in plans)
    assert sum(p.appraisal == 10_000 for p in plans) > 0  # the floor was needed


def test_many_lots_draw_nobody_and_a_cheaper_round_draws_more_buyers() -> None:
    """Many lots attract no bidder at all (docs/domain.md): arrivals are Poisson around the lot's heat
    (a heavy tail), so a good share of auctions draw nobody; buyers search for bargains, so the same lots
    at round 2's lower start draw more of them."""
    sc = market_scenario(lots=2_000)
    plans = market.plan_lots(sc, random.Random(3))
    first = [len(market.arrivals(p, sc, 0, court.first_round(p, sc.listing).starting_price, 0, set(),
                                 stream(1, "arrivals", p.key, 0))) for p in plans]  # fmt: skip
    cheaper = [len(market.arrivals(p, sc, 1, int(court.first_round(p, sc.listing).starting_price * 0.8), 0, set(),
                                   stream(1, "arrivals", p.key, 1))) for p in plans]  # fmt: skip
    assert 0.25 <= first.count(0) / len(first) <= 0.9
    assert max(first) >= 10  # the heavy tail: a few lots draw crowds
    assert sum(cheaper) > 1.3 * sum(first)


def test_a_buyer_comes_to_a_lot_once() -> None:
    """Arrivals are pool members not already following the lot."""
    sc = market_scenario(lots=200, pool=30, demand=20.0)
    for p in market.plan_lots(sc, random.Random(4)):
        present = {0, 1, 2}
        start = court.first_round(p, sc.listing).starting_price
        new = market.arrivals(p, sc, 0, start, 0, present, random.Random(p.key))
        bidders = [b.bidder for b in new]
        assert len(set(bidders)) == len(bidders)
        assert not {0, 1, 2} & set(bidders)
        assert [b.index for b in new] == list(range(len(new)))


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


# ================================================================= market: who registers, who waits
def test_only_those_whose_surplus_covers_the_cost_of_taking_part_and_who_can_pay_the_deposit_register() -> None:
    """A buyer registers only when the money covers the deposit (rule 8) and the surplus at the start
    covers looking into the lot and having the deposit frozen; the valuation it then bids with is within
    the money there is."""
    plan = lot(appraisal=100_000_000)
    start, deposit = 70_000_000, 7_000_000
    cost = market.participation_cost(plan.appraisal, deposit, FLATS)
    assert cost > 0
    rich, poor = Wallet(10**9), Wallet(deposit - 1)
    rng = random.Random(1)
    at_cost = (start + cost + 10) / plan.appraisal
    assert market.entry(buyer(at_cost), plan, start, deposit, 0.8, rich, FLATS, rng) is not None
    below_cost = (start + cost - 10) / plan.appraisal
    assert market.entry(buyer(below_cost), plan, start, deposit, 0.8, rich, FLATS, rng) is None
    assert market.entry(buyer(1.5), plan, start, deposit, 0.8, poor, FLATS, rng) is None
    tight = Wallet(80_000_000)
    for _ in range(200):
        decided = market.entry(buyer(1.5), plan, start, deposit, 0.8, tight, FLATS, rng)
        assert decided is not None and decided[0] <= tight.available


def test_a_sale_s_full_price_deposit_is_the_price_paid_early_not_a_stake() -> None:
    """In a 变卖 the buyer pays the whole price to make the offer: money raised only to buy, so it adds no
    carrying cost to taking part (a round's 10% deposit does: a stake frozen, and lost with the auction).
    The money must still be there."""
    plan = lot(appraisal=100_000_000)
    price = 56_000_000
    assert market.participation_cost(plan.appraisal, price, FLATS, price) == FLATS.entry_cost * plan.appraisal
    stake = market.participation_cost(plan.appraisal, price // 10, FLATS, price)
    assert stake == FLATS.entry_cost * plan.appraisal + FLATS.deposit_carry * (price // 10)
    just_worth_it = (price + FLATS.entry_cost * plan.appraisal + 10) / plan.appraisal
    assert market.entry(buyer(just_worth_it), plan, price, price, None, Wallet(10**9), FLATS, random.Random(1))
    assert market.entry(buyer(1.5), plan, price, price, None, Wallet(price - 1), FLATS, random.Random(1)) is None


def test_a_higher_deposit_keeps_marginal_buyers_out() -> None:
    """The same buyers (common random numbers) before a 5% and a 20% deposit: everyone who registers
    at 20% registers at 5%, and some register only at 5%."""
    plan = lot(appraisal=100_000_000, value=0.75)
    start = 70_000_000
    rng = random.Random(2)
    buyers = [buyer(0.75 * 2.718 ** rng.gauss(0, 0.15)) for _ in range(2_000)]
    wallet = Wallet(10**10)

    def registered(deposit: int) -> set[int]:
        return {i for i, b in enumerate(buyers)
                if market.entry(b, plan, start, deposit, 0.8, wallet, FLATS, random.Random(i)) is not None}  # fmt: skip

    low, high = registered(3_500_000), registered(14_000_000)
    assert high < low


def test_a_buyer_opens_only_when_it_beats_waiting_for_the_cheaper_round() -> None:
    """Opening now is worth v - s, waiting p (v - cut s): the limit is where the two are equal; no
    cheaper round (round 2 before a 变卖 at the same price, a 变卖) means no waiting."""
    v = 100_000_000
    limit = market.open_limit(v, 0.5, 0.8)
    assert v - limit == pytest.approx(0.5 * (v - 0.8 * limit), rel=1e-6)
    assert market.open_limit(v, 0.5, None) == v
    assert market.open_limit(v, 0.5, 1.0) == v
    assert market.open_limit(v, 0.0, 0.8) == v  # an impatient buyer never waits
    # a deeper cut, or a more patient buyer, waits at starts a shallower cut would open at
    assert market.open_limit(v, 0.5, 0.7) < market.open_limit(v, 0.5, 0.8) < market.open_limit(v, 0.5, 0.95)
    assert market.open_limit(v, 0.6, 0.8) < market.open_limit(v, 0.3, 0.8) <= v


def test_a_buyer_who_waits_comes_back_and_the_others_sometimes() -> None:
    rng = random.Random(3)
    assert all(market.stays(buyer(0.8), True, FLATS, rng) for _ in range(100))
    back = sum(market.stays(buyer(0.8), False, FLATS, rng) for _ in range(4_000)) / 4_000
    assert abs(back - FLATS.stay) <= 0.03


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


# ================================================================= after a sale: 悔拍 as a decision
def defaults(price: int, deposit: int, valuation: int = 100_000_000, draws: int = 4_000) -> int:
    """Defaults among ``draws`` winners facing the same valuation shocks (common random numbers)."""
    return sum(not market.pays_balance(valuation, price, deposit, FLATS, stream(9, "balance", i)) for i in range(draws))


def test_a_higher_deposit_means_fewer_defaults() -> None:
    """悔拍 weighs the deposit against the loss: the same winners default less at a 20% deposit than at 5%."""
    price = 95_000_000
    at_five, at_twenty = defaults(price, price // 20), defaults(price, price // 5)
    assert at_twenty < at_five


def test_a_winner_who_paid_more_than_the_lot_is_worth_now_defaults_more() -> None:
    """A winner who went to its valuation (or whose valuation fell after the close) walks away more
    often than one who won cheaply; even a cheap winner defaults when the financing falls through."""
    deposit = 5_000_000
    cheap, dear = defaults(80_000_000, deposit), defaults(100_000_000, deposit)
    assert cheap < dear
    assert cheap >= 1  # the financing chance
    assert abs(cheap / 4_000 - FLATS.finance_fail) <= 0.01


def test_the_balance_is_settled_by_its_deadline() -> None:
    listing, rng = Listing(), random.Random(5)
    ended = 1_776_736_800.0
    for _ in range(500):
        due = court.balance_due(ended, listing, rng)
        assert ended < due <= ended + listing.balance_days * DAY  # by the balance deadline (practice)


def test_a_default_is_declared_only_once_the_balance_deadline_has_passed() -> None:
    """The service refuses 悔拍 before the deadline (``balance_not_due``) unless the buyer renounced in
    writing: the simulated clerk declares it after the deadline, as a court does."""
    listing, rng = Listing(), random.Random(5)
    ended = 1_776_736_800.0
    for _ in range(500):
        due = court.balance_due(ended, listing, rng, defaulted=True)
        assert due > ended + listing.balance_days * DAY


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
