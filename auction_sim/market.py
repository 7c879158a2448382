"""The demand side of a simulated market: which lots exist, who wants them, at what private valuation,
with how much money, and what each buyer decides. Pure: every draw comes from the ``random.Random``
passed in (the kernel derives one stream per purpose and thing from the run's seed, ``auction_sim.seeds``).

Structural, per asset class and period (``Demand``, the market file ``auction_sim/markets/<period>.toml``):

* a lot has a market value relative to its appraisal (``value_mean`` ± ``value_sd``, times the period's
  factor) and a *heat* (lognormal, mean 1: a heavy tail of popular lots);
* each auction of a lot draws ``Poisson(heat * arrival * demand)`` new buyers (``arrivals``), with
  private valuations around the lot's value, a patience and a bidding strategy; buyers not served come
  back for the next auction with chance ``stay`` (those who chose to wait for it, always);
* a buyer registers (``entry``) when the surplus at the starting price covers the cost of taking part:
  looking into the lot and having the deposit frozen (so a higher deposit keeps marginal buyers out), and
  the money covers the deposit; between registering and bidding the valuation is revised (inspection),
  so a registrant may find the start too dear and not bid;
* a registrant looks forward: it opens the bidding only when the surplus now beats waiting for the next
  round's lower start (``open_limit``); once someone opens, waiting is pointless and it bids up to its
  valuation. So a registered lot can fail because everyone there would rather wait;
* the winner pays the balance or forfeits the deposit (``pays_balance``, 悔拍), whichever costs less once
  the valuation has moved (or the financing fell through).

Budgets are per buyer across lots: a deposit stays frozen from registration until the auction's close, and
a purchase uses up the budget.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from . import places
from .agents import Strategy, draw_strategy
from .court_calendar import DAY, day_start, longest_first_announcement_days
from .scenario import Category, Court, Demand, Scenario


@dataclass(frozen=True, slots=True)
class LotPlan:
    """One lot the courts will list: what it is and what the market makes of it."""

    key: int  # 0.. in listing order
    court: int  # index into scenario.courts
    category: str
    appraisal: int  # fen
    value: float  # what the market thinks it is worth, relative to the appraisal
    heat: float
    first_start: float  # epoch seconds: round 1 bidding opens
    priority_holder: bool
    title: str
    location: str
    case_number: str


@dataclass(frozen=True, slots=True)
class Buyer:
    """One potential buyer of one lot, drawn when it first looks at one of the lot's auctions: who
    (``bidder``, index into the pool), what the lot is worth to them (``ratio``, relative to the
    appraisal), how patient (``patience``: the discounted chance they put on getting the lot at the next
    round's start) and how they bid."""

    bidder: int
    ratio: float
    patience: float
    strategy: Strategy
    index: int  # the lot's n-th buyer: the key of this buyer's random streams
    arrived: int  # the lot's auction (0, 1, ...) at which they first came


@dataclass(frozen=True, slots=True)
class Interest:
    """One buyer's registration for one auction: at what valuation (after inspection, within the money
    there is) and with what opening limit, bidding how."""

    bidder: int  # index into the pool
    valuation: int  # fen
    strategy: Strategy
    register_at: float  # epoch seconds
    priority: bool = False
    open_limit: int | None = None  # opens the bidding only at or below this start (None: at any)
    index: int = 0  # the buyer's index on the lot
    budget: int = 0  # the money available when registering, fen


@dataclass
class Wallet:
    """Money of one bidder across lots: budget minus frozen deposits minus purchases."""

    budget: int
    frozen: dict[int, int] = field(default_factory=dict)  # auction key -> deposit
    spent: int = 0

    @property
    def available(self) -> int:
        return self.budget - self.spent - sum(self.frozen.values())

    def freeze(self, auction: int, deposit: int) -> None:
        self.frozen[auction] = deposit

    def release(self, auction: int) -> None:
        self.frozen.pop(auction, None)

    def pay(self, auction: int, price: int) -> None:
        """The winner's deposit counts toward the price."""
        self.frozen.pop(auction, None)
        self.spent += price

    def forfeit(self, auction: int) -> None:
        self.spent += self.frozen.pop(auction, 0)


def epoch_of(scenario: Scenario) -> float:
    return scenario.start.timestamp()


def plan_lots(scenario: Scenario, rng: random.Random) -> list[LotPlan]:
    """Every lot of the scenario: round-1 bidding opens at 10:00 Beijing time on a day spread evenly
    over the listing period (the horizon unless the scenario lists over a shorter one and follows the lots
    to their end; each lot announced the rules' period before), in order of opening."""
    t0 = epoch_of(scenario)
    plans: list[tuple[float, int, str]] = []
    continuous = scenario.listing.announce_hours is not None  # sandbox: bidding opens at any minute
    courts = len(scenario.courts)
    for c, court in enumerate(scenario.courts):
        names, weights = list(court.categories), list(court.categories.values())
        for i in range(court.lots):
            category = rng.choices(names, weights=weights)[0]
            if continuous:  # evenly spaced openings of each court (a live demo is never idle), jittered
                slot = i + (c + rng.uniform(0, 0.5)) / courts  # the courts take turns
                offset = t0 + slot / court.lots * scenario.listing_period_days * DAY
                first_start: float = round(offset / 60) * 60
            else:
                first_start = day_start(t0 + rng.uniform(0, max(scenario.listing_period_days - 1, 0)) * DAY)
            plans.append((first_start, c, category))
    plans.sort()
    return [
        _lot(key, c, scenario.courts[c], scenario.categories[category], first_start, scenario, rng)
        for key, (first_start, c, category) in enumerate(plans)
    ]


def present_start(scenario: Scenario, now: float) -> float:
    """Where a scenario's horizon opens when it is run from ``now`` in real time (``--url``, the demo's
    live market): as soon as its first announcements, made now, allow."""
    if scenario.listing.announce_hours is not None:
        return now + scenario.listing.announce_hours * 3600 + 60
    return now + (longest_first_announcement_days(scenario.profile) + 1) * DAY + 3600


# How much earlier than the longest round-1 announcement the virtual clock starts (a margin, not a rule).
CLOCK_MARGIN_DAYS = 10


def clock_start(scenario: Scenario) -> float:
    """Where the virtual clock starts: early enough for every round-1 announcement (the rules' longest
    and a margin) before the horizon opens."""
    return epoch_of(scenario) - (longest_first_announcement_days(scenario.profile) + CLOCK_MARGIN_DAYS) * DAY


def _lot(
    key: int, c: int, court: Court, cat: Category, first_start: float, scenario: Scenario, rng: random.Random
) -> LotPlan:
    appraisal = int(cat.appraisal_median * math.exp(rng.gauss(0, cat.appraisal_sigma)))
    appraisal = max(appraisal // 100 * 100, 10_000)  # whole yuan, at least ¥100
    demand = scenario.demand_of(cat.name)
    value = max(0.05, rng.gauss(demand.value_mean, demand.value_sd)) * scenario.market.value_factor
    heat = math.exp(rng.gauss(-(demand.heat_sigma**2) / 2, demand.heat_sigma))  # mean 1
    if scenario.heat is not None:  # the scenario picks lots of a known popularity (the draw is still made)
        heat = scenario.heat
    if scenario.value is not None:  # ...or of a known worth
        value = scenario.value
    priority = rng.random() < scenario.listing.priority_holder
    title, location, case_number = describe(cat.name, court, key, first_start, appraisal, rng)
    return LotPlan(
        key=key,
        court=c,
        category=cat.name,
        appraisal=appraisal,
        value=value,
        heat=heat,
        first_start=first_start,
        priority_holder=priority,
        title=title,
        location=location,
        case_number=case_number,
    )


def first_start_year(t: float) -> int:
    return 1970 + int(t // (365.2425 * DAY))


_KINDS = {
    "residential": ("住宅", "商品房", "公寓"),
    "commercial": ("商铺", "写字楼", "厂房"),
    "land": ("国有建设用地使用权", "工业用地使用权"),
    "vehicle": ("小型轿车", "货车", "客车"),
    "equity": ("有限公司股权", "合伙企业份额"),
    "machinery": ("数控机床", "生产线设备", "工程机械"),
    "other": ("艺术品", "珠宝首饰", "林权"),
    "vessel": ("船舶",),  # ships: the maritime courts' lots, with their own announcement period
}


def describe(
    category: str, court: Court, key: int, first_start: float, appraisal: int, rng: random.Random
) -> tuple[str, str, str]:
    """A plausible title, location and case number for a lot of ``court`` (``places``): a real district
    and street of its city, its own court code. Only the kind of lot is drawn from the market's ``rng``;
    the words come from a stream of their own, so the market a seed gives is the same with or without
    them."""
    kinds = _KINDS[category]
    kind = kinds[0] if len(kinds) == 1 else rng.choice(kinds)  # one kind: no draw from the market's stream
    words = random.Random(f"{court.name}:{key}:{first_start}:{appraisal}")
    title, location = places.describe(category, kind, court, words)
    return title, location, places.case_number(court, first_start_year(first_start), words.randint(1, 2999), words)


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


# ----------------------------------------------------------------- the bidder pool
def draw_budgets(scenario: Scenario, rng: random.Random) -> list[Wallet]:
    b = scenario.bidders
    return [Wallet(int(b.budget_median * math.exp(rng.gauss(0, b.budget_sigma)))) for _ in range(b.pool)]


def arrivals(
    lot: LotPlan,
    scenario: Scenario,
    auction: int,
    starting_price: int,
    first_index: int,
    present: set[int],
    rng: random.Random,
) -> list[Buyer]:
    """The new buyers who look at the lot's ``auction``-th auction (0: round 1): ``Poisson(heat *
    arrival * demand * bargain ** attention)`` of them, where ``bargain`` is the lot's worth over the
    starting price (buyers search for bargains: a cheaper round draws more of them); pool members not
    already following the lot, each with a private valuation around the lot's value, a patience and a
    strategy. ``first_index``: the index the first of them gets (buyers are numbered per lot, the key
    of their streams)."""
    demand = scenario.demand_of(lot.category)
    bargain = lot.value * lot.appraisal / max(starting_price, 1)
    count = _poisson(rng, lot.heat * demand.arrival * scenario.demand * bargain**demand.attention)
    out: list[Buyer] = []
    for _ in range(count):
        bidder = rng.randrange(scenario.bidders.pool)
        if bidder in present:
            continue  # already following this lot: the same person does not come twice
        present.add(bidder)
        out.append(buyer(lot, scenario, bidder, first_index + len(out), auction, rng))
    return out


def buyer(lot: LotPlan, scenario: Scenario, bidder: int, index: int, auction: int, rng: random.Random) -> Buyer:
    demand = scenario.demand_of(lot.category)
    return Buyer(
        bidder=bidder,
        ratio=lot.value * math.exp(rng.gauss(0.0, demand.private_sd)),
        patience=rng.uniform(*demand.patience),
        strategy=draw_strategy(rng, {Strategy(k): v for k, v in scenario.market.strategies.items()}),
        index=index,
        arrived=auction,
    )


def participation_cost(appraisal: int, deposit: int, demand: Demand, starting_price: int | None = None) -> float:
    """What taking part in one auction costs a buyer (fen): looking into the lot, and having the deposit
    frozen until the close. A deposit of the whole price (a 变卖's: the buyer pays the price to make the
    offer) is the purchase paid early, not a stake that may be lost or sit idle: the buyer raises that money
    only to buy, and the money must be there (``entry`` checks the wallet), so it carries no extra cost."""
    stake = 0 if starting_price is not None and deposit >= starting_price else deposit
    return demand.entry_cost * appraisal + demand.deposit_carry * stake


def open_limit(valuation: int, patience: float, cut: float | None) -> int:
    """The highest start at which a buyer opens the bidding rather than wait for the next round, whose
    start is ``cut`` times this one (None: no cheaper round follows). Opening now is worth ``v - s``;
    waiting ``patience * (v - cut * s)``; so the buyer opens while ``s <= v (1 - p) / (1 - p cut)``."""
    if cut is None or cut >= 1:
        return valuation
    return int(valuation * (1 - patience) / (1 - patience * cut))


def entry(
    who: Buyer,
    lot: LotPlan,
    starting_price: int,
    deposit: int,
    cut: float | None,
    wallet: Wallet,
    demand: Demand,
    rng: random.Random,
) -> tuple[int, int] | None:
    """Whether ``who`` registers for an auction of ``lot``: only when the money covers the deposit and
    the surplus at the start covers the cost of taking part. Then (valuation when bidding, after
    inspection and within the money there is; the opening limit); else None."""
    if wallet.available < deposit:
        return None
    value = lot.appraisal * who.ratio
    if value - starting_price < participation_cost(lot.appraisal, deposit, demand, starting_price):
        return None
    revised = min(int(value * math.exp(rng.gauss(0.0, demand.inspect_sd))), wallet.available)
    return revised, open_limit(revised, who.patience, cut)


def stays(who: Buyer, waited: bool, demand: Demand, rng: random.Random) -> bool:
    """Whether a buyer not served by this auction looks at the lot's next one: always when they chose
    to wait for it, else with chance ``stay``."""
    return waited or rng.random() < demand.stay


def pays_balance(valuation: int, price: int, deposit: int, demand: Demand, rng: random.Random) -> bool:
    """悔拍 as a decision: by the balance deadline the winner's valuation has moved (log-sd
    ``shock_sd``); paying is worth ``v' - price``, defaulting ``-deposit`` (the deposit counts toward
    the price if paid, is forfeit if not). The winner pays when ``v' - price >= -deposit``, unless the
    financing fell through (chance ``finance_fail``)."""
    if rng.random() < demand.finance_fail:
        return False
    later = valuation * math.exp(rng.gauss(0.0, demand.shock_sd))
    return later - price >= -deposit


def register_time(start_at: float, announced_at: float, rng: random.Random) -> float:
    """Most register in the last days before bidding opens."""
    return max(announced_at + 60.0, start_at - rng.uniform(0.1, 3.0) * DAY)
