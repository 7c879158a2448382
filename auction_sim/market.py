"""The demand side of a simulated market: which lots exist, who wants them, at what private valuation,
with how much money. Pure: every draw comes from the ``random.Random`` passed in, so one seed gives one
market.

A lot has a market value relative to its appraisal (``Category.value_mean`` ± ``value_sd``: some lots
are appraised too high and sell only after a price cut, some too low and draw a premium) and a *heat*
(lognormal: a heavy tail of popular lots). Its potential buyers are drawn once per lot (none for a share
``no_bidder`` of lots); each values it at the market value times their own lognormal factor, and takes
part in a round only when that valuation reaches the round's starting price and their budget covers the
deposit. Budgets are per bidder across lots: a deposit stays frozen from registration until the
auction's close, and a purchase uses up the budget.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from . import places
from .agents import Strategy, draw_strategy
from .court_calendar import DAY, day_start, longest_first_announcement_days
from .scenario import Category, Court, Scenario

# Most of a lot's bids come from two or three committed buyers; the rest value it lower and drop out
# early (docs/domain.md: "2-3 bidders make most bids; many registrants bid once or not at all").
COMMITTED = 0.5
CASUAL_SHIFT = -0.15  # log-valuation of a casual buyer relative to the lot's value


@dataclass(frozen=True, slots=True)
class LotPlan:
    """One lot the courts will list: what it is and what the market makes of it."""

    key: int  # 0.. in listing order
    court: int  # index into scenario.courts
    category: str
    appraisal: int  # fen
    value: float  # what the market thinks it is worth, relative to the appraisal
    heat: float
    buyers: int  # potential buyers (0: nobody wants it)
    first_start: float  # epoch seconds: round 1 bidding opens
    priority_holder: bool
    title: str
    location: str
    case_number: str


@dataclass(frozen=True, slots=True)
class Interest:
    """One bidder's interest in one auction: who, at what valuation, bidding how."""

    bidder: int  # index into the pool
    valuation: int  # fen
    strategy: Strategy
    register_at: float  # epoch seconds
    priority: bool = False


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
    over the horizon (each lot announced the rules' period before), in order of opening."""
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
                offset = t0 + slot / court.lots * scenario.horizon_days * DAY
                first_start: float = round(offset / 60) * 60
            else:
                first_start = day_start(t0 + rng.uniform(0, max(scenario.horizon_days - 1, 0)) * DAY)
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
    value = max(0.05, rng.gauss(cat.value_mean, cat.value_sd))
    heat = math.exp(rng.gauss(-(cat.heat_sigma**2) / 2, cat.heat_sigma))  # mean 1
    buyers = 0 if rng.random() < cat.no_bidder else 1 + _poisson(rng, heat * cat.interest)
    title, location, case_number = describe(cat.name, court, key, first_start, appraisal, rng)
    return LotPlan(
        key=key,
        court=c,
        category=cat.name,
        appraisal=appraisal,
        value=value,
        heat=heat,
        buyers=buyers,
        first_start=first_start,
        priority_holder=buyers > 0 and rng.random() < scenario.listing.priority_holder,
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


def potential_buyers(lot: LotPlan, scenario: Scenario, rng: random.Random) -> list[tuple[int, float]]:
    """The lot's potential buyers, drawn once per lot: (pool index, valuation relative to appraisal).
    The same people come back for the next round at its lower price."""
    cat = scenario.categories[lot.category]
    chosen = rng.sample(range(scenario.bidders.pool), min(lot.buyers, scenario.bidders.pool))
    return [
        (i, lot.value * math.exp(rng.gauss(0 if rng.random() < COMMITTED else CASUAL_SHIFT, cat.bidder_sd)))
        for i in chosen
    ]


def interests(
    lot: LotPlan,
    buyers: list[tuple[int, float]],
    starting_price: int,
    deposit: int,
    start_at: float,
    announced_at: float,
    wallets: list[Wallet],
    scenario: Scenario,
    rng: random.Random,
    *,
    excluded: frozenset[int] = frozenset(),
) -> list[Interest]:
    """Who registers for one auction of ``lot``: the potential buyers whose valuation reaches the
    starting price and whose money covers the deposit (a defaulter of this lot is excluded), plus a few
    passive registrants among them who looked but will not bid."""
    mix = {Strategy(k): v for k, v in scenario.bidders.strategies.items()}
    out: list[Interest] = []
    holder_given = not lot.priority_holder
    for bidder, ratio in buyers:
        if bidder in excluded:
            continue
        valuation = int(lot.appraisal * ratio)
        wallet = wallets[bidder]
        if valuation < starting_price or wallet.available < deposit:
            continue
        valuation = min(valuation, wallet.available)  # never bid more than the money there is
        if valuation < starting_price:
            continue
        strategy = draw_strategy(rng, mix)
        priority = not holder_given and strategy is not Strategy.PASSIVE
        holder_given = holder_given or priority
        out.append(Interest(bidder, valuation, strategy, _register_time(start_at, announced_at, rng), priority))
    if out:
        taken = {i.bidder for i in out} | set(excluded)
        for _ in range(_poisson(rng, scenario.bidders.passive_registrants)):
            bidder = rng.randrange(scenario.bidders.pool)
            if bidder in taken or wallets[bidder].available < deposit:
                continue
            taken.add(bidder)
            out.append(Interest(bidder, starting_price, Strategy.PASSIVE, _register_time(start_at, announced_at, rng)))
    return out


def _register_time(start_at: float, announced_at: float, rng: random.Random) -> float:
    """Most register in the last days before bidding opens."""
    return max(announced_at + 60.0, start_at - rng.uniform(0.1, 3.0) * DAY)
