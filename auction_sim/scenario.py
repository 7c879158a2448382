"""Scenarios: a simulated court market described in a TOML file (``auction_sim/scenarios/``).

A scenario names its courts (with province, city and level), how many lots each lists per category and
their appraisals, the listing terms (round 1's starting price as a share of the appraisal, round 2's of
round 1's, the deposit and increment shares; each held to the rules in force, ``auction_rules.profiles``),
what the courts do after a close (relisting, settlement deadlines), the buyer population (accounts and
budgets), the period and market conditions (``[market]``: ``period`` names the market file,
``auction_sim/markets/<period>.toml``, whose per-class demand every scenario of that period shares;
``demand`` scales how many buyers come), and the published figures the runs are held against
(``targets``: each with its tolerance, its source, what the figure is divided by and optionally one
category; evaluated over many seeds by ``validation``). How buyers behave is the market file's, never a
scenario's.

Loading validates everything and says exactly what is wrong (``ScenarioError``): a typo in a field
name is an error, not a silently ignored line.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from auction_rules.errors import RuleViolation
from auction_rules.profiles import CATEGORIES, JUDICIAL_2016, PROFILES, RuleProfile
from auction_rules.research import profile_with

from .court_calendar import DAY, announce_days, day_start
from .validation import FIGURES, PER

LEVELS = ("basic", "intermediate", "high", "maritime")
# The figures a target may name, each with what it is divided by (``validation.FIGURES``).
SUMMARY_FIGURES = tuple(FIGURES)


class ScenarioError(ValueError):
    """A scenario file that cannot be run, with what is wrong and where."""


@dataclass(frozen=True)
class Court:
    name: str
    province: str
    city: str
    level: str
    lots: int
    categories: dict[str, float]  # category -> weight among this court's lots


@dataclass(frozen=True)
class Category:
    """What the courts of a scenario list in one category: lognormal appraisals around
    ``appraisal_median`` (fen) with log-sd ``appraisal_sigma``. What buyers make of those lots is the
    market's (``Demand``, from the period's market file), not the scenario's."""

    name: str
    appraisal_median: int
    appraisal_sigma: float


@dataclass(frozen=True)
class Demand:
    """The buyers of one asset class in one period (a market file, ``auction_sim/markets/``): the
    structural parameters of ``auction_sim.market``; ``docs/model-card.md`` gives each one's source.

    A lot's market value is ``value_mean`` ± ``value_sd`` of its appraisal (times the period's factor);
    each auction of it draws ``Poisson(heat * arrival * demand * (value / start) ** attention)`` new
    buyers (``heat`` lognormal with log-sd ``heat_sigma``, mean 1; buyers search for bargains, so a lot
    whose start is far below its worth, or a round whose start was cut, draws more of them) whose
    private valuations stray from the value with log-sd
    ``private_sd``; a buyer who is not served comes back for the lot's next auction with chance ``stay``.
    A buyer registers when the surplus at the start covers ``entry_cost`` (share of the appraisal: looking
    into the lot) plus ``deposit_carry`` times the deposit (the cost of having it frozen); opens the
    bidding only if that beats waiting for the next round, valued at ``patience`` (a range: the
    discounted chance of getting the lot at the next round's start); revises the valuation between
    registering and bidding with log-sd ``inspect_sd``; and after winning, with log-sd ``shock_sd``
    (the valuation may fall) and a chance ``finance_fail`` that the money falls through, pays or forfeits
    the deposit (悔拍), whichever costs less."""

    name: str
    value_mean: float
    value_sd: float
    private_sd: float
    arrival: float
    attention: float
    heat_sigma: float
    stay: float
    patience: tuple[float, float]
    entry_cost: float
    deposit_carry: float
    inspect_sd: float
    shock_sd: float
    finance_fail: float


@dataclass(frozen=True)
class MarketModel:
    """One period's market (``auction_sim/markets/<period>.toml``), shared by every scenario of that
    period: a market-wide factor on values, the mix of bidding strategies, one ``Demand`` per asset class."""

    period: str
    value_factor: float
    strategies: dict[str, float]
    classes: dict[str, Demand]
    source: str = ""


def _days(rules: RuleProfile, name: str) -> float | None:
    """One of the profile's periods in days (the scenario's terms are written in days); None: no limit."""
    period = getattr(rules, name)
    return None if period is None else period.total_seconds() / DAY


def _judicial_days(name: str) -> float:
    days = _days(JUDICIAL_2016, name)
    assert days is not None, name
    return days


def _fraction(value: tuple[int, int]) -> float:
    return value[0] / value[1]


@dataclass(frozen=True)
class Listing:
    """Listing terms and what the courts do after a close, under the rules in force (``rules``: the
    scenario's profile; the defaults are the courts' usual terms under judicial-2016)."""

    start_ratio: float = _fraction(JUDICIAL_2016.first_round_floor)  # round 1 starting price / appraisal
    round2_ratio: float = _fraction(JUDICIAL_2016.later_round_floor)  # round 2 starting price / round 1's
    deposit_ratio: float = 0.10  # within the rules' deposit bounds
    increment_ratio: float = 0.005
    relist_days: tuple[float, float] = (3.0, 20.0)  # announce the next round this long after a failure
    balance_days: float = _judicial_days("balance_deadline")  # the winner pays the balance within this
    sale_days: float = _judicial_days("sale_window")  # the 变卖 window
    creditor_takes: float = 0.5  # after a failed 变卖: chance the creditor takes the lot (else returned)
    priority_holder: float = 0.03  # share of lots with a priority holder (a co-owner, a tenant)
    sale_mode: bool = True  # after round 2 fails: 变卖 (else straight to disposition)
    # Sandbox rules only (a live demo market): bidding periods and announcements of any length, bidding
    # opening at any minute instead of 10:00 Beijing time after the rules' announcement period.
    bidding_hours: float = _judicial_days("min_bidding_period") * 24
    announce_hours: float | None = None
    rules: RuleProfile = JUDICIAL_2016  # the scenario's profile (``parse`` sets it from ``rules = ...``)

    def announce_days(self, round_: int | str, category: str) -> float:
        """Days between announcing an auction and the opening of its bidding (before the day's 10:00)."""
        if self.announce_hours is not None:
            return self.announce_hours / 24
        return announce_days(self.rules, round_, category) + 1

    def opening(self, announced_at: float, round_: int | str, category: str) -> float:
        """When bidding of an auction announced at ``announced_at`` opens."""
        moment = announced_at + self.announce_days(round_, category) * DAY
        return round(moment / 60) * 60 if self.announce_hours is not None else day_start(moment)


@dataclass(frozen=True)
class Bidders:
    """The scenario's population of buyers (accounts on the service) and their money: budgets are
    lognormal, per buyer across lots."""

    pool: int = 200
    budget_median: int = 500_000_000  # fen (¥5M)
    budget_sigma: float = 1.0


@dataclass(frozen=True)
class Target:
    """A published figure the scenario is held to: ``target`` ± ``tolerance`` (the band), its ``source``
    (who published it, for which period), what the figure is divided by (``per``, one of
    ``validation.PER``; checked against the figure's definition so a file cannot claim the wrong
    denominator) and optionally the one category it is about (``category``: "sold flats" is
    ``residential``). Met over many seeds by ``validation.evaluate``'s rule."""

    name: str  # a summary figure (SUMMARY_FIGURES)
    target: float
    tolerance: float
    per: str
    source: str
    category: str | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    seed: int
    start: datetime  # the first listing day (virtual time starts here)
    horizon_days: float  # no new round starts after this (round 1, later rounds, 变卖)
    rules: str
    courts: tuple[Court, ...]
    categories: dict[str, Category]
    listing: Listing
    bidders: Bidders
    targets: tuple[Target, ...]
    market: MarketModel
    demand: float = 1.0  # a market condition: buyers' arrival rate relative to the period's
    heat: float | None = None  # a selection condition: every lot of this popularity (None: drawn per lot)
    value: float | None = None  # a selection condition: every lot worth this share of its appraisal
    source: str = ""  # where the file came from
    # A research profile's changes to ``rules_base`` (``rules = "research:<label>"``; auction_rules/research.py)
    rule_overrides: tuple[tuple[str, Any], ...] = ()
    rules_base: str = "judicial-2016"
    # Round-1 bidding starts are spread over the first this many days (None: the whole horizon). Shorter than
    # the horizon, the lots a court lists in that period are followed through their later rounds to their end.
    listing_days: float | None = None

    @property
    def listing_period_days(self) -> float:
        """The days over which lots open their round 1: ``listing_days``, never beyond the horizon."""
        return self.horizon_days if self.listing_days is None else min(self.listing_days, self.horizon_days)

    def demand_of(self, category: str) -> Demand:
        return self.market.classes[category]

    @property
    def lots(self) -> int:
        return sum(c.lots for c in self.courts)

    @property
    def profile(self) -> RuleProfile:
        """The rules in force (``auction_rules.profiles``, or a research profile), as the service runs them."""
        overrides = {k: list(v) if isinstance(v, tuple) else v for k, v in self.rule_overrides}
        return profile_with(self.rules, overrides, base=self.rules_base)


def scaled(scenario: Scenario, lots: int | None) -> Scenario:
    """The scenario with its courts scaled to about ``lots`` lots in all (each court at least one), the
    same market, terms and buyers otherwise: a cheaper run of a large scenario. None or 0: unchanged."""
    if not lots:
        return scenario
    courts = tuple(dataclasses.replace(c, lots=max(1, round(c.lots * lots / scenario.lots))) for c in scenario.courts)
    return dataclasses.replace(scenario, courts=courts)


# ----------------------------------------------------------------- loading
SHIPPED = resources.files("auction_sim") / "scenarios"
MARKETS = resources.files("auction_sim") / "markets"


def markets() -> list[str]:
    """The periods that have a market file."""
    return sorted(p.name.removesuffix(".toml") for p in MARKETS.iterdir() if p.name.endswith(".toml"))


@functools.cache
def load_market(period: str) -> MarketModel:
    """The market file of ``period`` (``auction_sim/markets/<period>.toml``): one ``Demand`` per asset
    class, each class's table the file's ``[defaults]`` overridden by its own fields."""
    entry = MARKETS / f"{period}.toml"
    if not entry.is_file():
        raise ScenarioError(f"market.period {period!r}: no market file (one of {', '.join(markets())})")
    source = f"market:{period}"
    try:
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    r = _Reader(data, source)
    defaults = r.table("defaults")
    classes = {
        name: _demand(r.sub(f"classes.{name}", {**defaults, **body}), name)
        for name, body in r.table("classes", required=True).items()
    }
    for name in classes:
        if name not in CATEGORIES:
            raise ScenarioError(f"{source}: classes.{name}: unknown category (one of {', '.join(CATEGORIES)})")
    model = MarketModel(
        period=r.text("period"),
        value_factor=r.number("value_factor", low=0.05, high=10),
        strategies=r.weights("strategies", ("early", "last_minute", "jump")),
        classes=classes,
        source=r.text("source", ""),
    )
    r.done()
    if model.period != period:
        raise ScenarioError(f"{source}: period = {model.period!r} does not match the file's name")
    return model


def _demand(r: _Reader, name: str) -> Demand:
    patience = r._get("patience", _REQUIRED)
    if (
        not isinstance(patience, list)
        or len(patience) != 2
        or not all(isinstance(x, int | float) and 0 <= x < 1 for x in patience)
        or patience[0] > patience[1]
    ):
        raise ScenarioError(f"{r.where}: patience must be [low, high] with 0 <= low <= high < 1")
    return Demand(
        name=name,
        value_mean=r.number("value_mean", low=0.05, high=10),
        value_sd=r.number("value_sd", low=0, high=5),
        private_sd=r.number("private_sd", low=0, high=5),
        arrival=r.number("arrival", low=0, high=1000),
        attention=r.number("attention", low=0, high=20),
        heat_sigma=r.number("heat_sigma", low=0, high=4),
        stay=r.share("stay"),
        patience=(float(patience[0]), float(patience[1])),
        entry_cost=r.number("entry_cost", low=0, high=1),
        deposit_carry=r.number("deposit_carry", low=0, high=1),
        inspect_sd=r.number("inspect_sd", low=0, high=2),
        shock_sd=r.number("shock_sd", low=0, high=2),
        finance_fail=r.share("finance_fail"),
    )


def shipped() -> list[str]:
    """Names of the scenarios that come with the simulator."""
    return sorted(p.name.removesuffix(".toml") for p in SHIPPED.iterdir() if p.name.endswith(".toml"))


def load(name_or_path: str | Path) -> Scenario:
    """A shipped scenario by name (``hot-lot``) or a TOML file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise ScenarioError(f"{path}: no such scenario file")
        text, source = path.read_text(encoding="utf-8"), str(path)
    else:
        entry = SHIPPED / f"{name_or_path}.toml"
        if not entry.is_file():
            raise ScenarioError(
                f"unknown scenario {str(name_or_path)!r}: give a path to a .toml file or one of {', '.join(shipped())}"
            )
        text, source = entry.read_text(encoding="utf-8"), f"shipped:{name_or_path}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    return parse(data, source)


def parse(data: dict[str, Any], source: str = "<dict>") -> Scenario:
    r = _Reader(data, source)
    categories = {
        name: _category(r.sub(f"categories.{name}", body), name)
        for name, body in r.table("categories", required=True).items()
    }
    for name in categories:
        if name not in CATEGORIES:
            raise ScenarioError(f"{source}: categories.{name}: unknown category (one of {', '.join(CATEGORIES)})")
    courts = tuple(_court(r.sub(f"courts[{i}]", body), categories) for i, body in enumerate(r.list("courts")))
    if not courts:
        raise ScenarioError(f"{source}: at least one [[courts]] entry is needed")
    rules, profile, overrides, rules_base = _rules(r)
    listing_r = r.sub("listing", r.table("listing"))
    listing = _listing(listing_r, profile)
    bidders_r = r.sub("bidders", r.table("bidders"))
    bidders = _bidders(bidders_r)
    targets = tuple(_target(r.sub(f"targets[{i}]", body), categories) for i, body in enumerate(r.list("targets")))
    market_r = r.sub("market", r.table("market", required=True))
    model = load_market(market_r.text("period"))
    demand = market_r.number("demand", 1.0, low=0, high=100)
    heat = market_r.number("heat", low=0, high=100) if "heat" in market_r.data else None
    value = market_r.number("value", low=0.05, high=10) if "value" in market_r.data else None
    for name in categories:
        if name not in model.classes:
            raise ScenarioError(f"{source}: categories.{name}: the {model.period} market file has no such class")
    start = r.time("start")
    fixed_days = _days(profile, "min_bidding_period")  # None: the sandbox, any bidding period
    if fixed_days is not None and (listing.bidding_hours != fixed_days * 24 or listing.announce_hours is not None):
        short, long_ = announce_days(profile, 1, "other"), announce_days(profile, 1, "residential")
        raise ScenarioError(
            f'{source}: listing.bidding_hours and listing.announce_hours need rules = "sandbox" (the judicial '
            f"rules fix {fixed_days * 24:g}-hour bidding and {short:g}/{long_:g}-day announcements)"
        )
    horizon_days = r.number("horizon_days", low=1, high=3660)
    scenario = Scenario(
        name=r.text("name"),
        description=r.text("description", ""),
        seed=r.integer("seed", 1, low=0),
        start=start,
        horizon_days=horizon_days,
        listing_days=r.number("listing_days", low=1, high=horizon_days) if "listing_days" in r.data else None,
        rules=rules,
        courts=courts,
        categories=categories,
        listing=listing,
        bidders=bidders,
        targets=targets,
        market=model,
        demand=demand,
        heat=heat,
        value=value,
        source=source,
        rule_overrides=overrides,
        rules_base=rules_base,
    )
    r.done()
    return scenario


def _rules(r: _Reader) -> tuple[str, RuleProfile, tuple[tuple[str, Any], ...], str]:
    """``rules`` (judicial-2016, sandbox or research:<label>), with a research profile's ``rules_base``
    and ``[rule_overrides]``; the fixed profiles take no override (auction_rules/research.py)."""
    rules = r.text("rules", JUDICIAL_2016.name)
    rules_base = r.choice("rules_base", tuple(PROFILES), JUDICIAL_2016.name)
    overrides = dict(r.table("rule_overrides"))
    try:
        profile = profile_with(rules, overrides, base=rules_base)
    except RuleViolation as exc:
        raise ScenarioError(f"{r.where}: rules: {exc.message}") from None
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in overrides.items()))
    return rules, profile, frozen, rules_base


class _Reader:
    """Reads one TOML table, remembering which keys were used so unknown ones are reported."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        if not isinstance(data, dict):
            raise ScenarioError(f"{where}: expected a table")
        self.data = data
        self.where = where
        self.used: set[str] = set()
        self.children: list[_Reader] = []
        self.nested = False

    def _get(self, key: str, default: Any) -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is _REQUIRED:
                raise ScenarioError(f"{self.where}: missing {key!r}")
            return default
        return self.data[key]

    def sub(self, where: str, data: Any) -> _Reader:
        """A nested table; its errors name the file and the path to the field."""
        child = _Reader(data, f"{self.where}." + where if self.nested else f"{self.where}: {where}")
        child.nested = True
        self.children.append(child)
        return child

    def table(self, key: str, *, required: bool = False) -> dict[str, Any]:
        value = self._get(key, _REQUIRED if required else {})
        if not isinstance(value, dict):
            raise ScenarioError(f"{self.where}: {key} must be a table")
        return value

    def list(self, key: str) -> list[Any]:
        value = self._get(key, [])
        if not isinstance(value, list):
            raise ScenarioError(f"{self.where}: {key} must be an array of tables")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self._get(key, _REQUIRED if default is None else default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise ScenarioError(f"{self.where}: {key} must be a non-empty string")
        return value

    def number(self, key: str, default: Any = None, *, low: float | None = None, high: float | None = None) -> float:
        value = self._get(key, _REQUIRED if default is None else default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(f"{self.where}: {key} must be a number, got {value!r}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ScenarioError(f"{self.where}: {key} = {value} is outside [{low}, {high}]")
        return float(value)

    def integer(self, key: str, default: Any = None, *, low: int | None = None) -> int:
        value = self._get(key, _REQUIRED if default is None else default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(f"{self.where}: {key} must be an integer, got {value!r}")
        if low is not None and value < low:
            raise ScenarioError(f"{self.where}: {key} = {value} must be at least {low}")
        return value

    def share(self, key: str, default: Any = None) -> float:
        return self.number(key, default, low=0.0, high=1.0)

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self._get(key, default)
        if value not in options:
            raise ScenarioError(f"{self.where}: {key} must be one of {', '.join(options)}, got {value!r}")
        return value

    def time(self, key: str) -> datetime:
        value = self._get(key, _REQUIRED)
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise ScenarioError(f"{self.where}: {key} must be an RFC 3339 time") from None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ScenarioError(f"{self.where}: {key} must be a time with its offset (e.g. 2025-01-02T02:00:00Z)")
        return value.astimezone(UTC)

    def weights(self, key: str, allowed: tuple[str, ...], default: dict[str, float] | None = None) -> dict[str, float]:
        value = self._get(key, _REQUIRED if default is None else default)
        if not isinstance(value, dict) or not value:
            raise ScenarioError(f"{self.where}: {key} must be a non-empty table of weights")
        for name, weight in value.items():
            if name not in allowed:
                raise ScenarioError(f"{self.where}: {key}.{name}: unknown (one of {', '.join(allowed)})")
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
                raise ScenarioError(f"{self.where}: {key}.{name} must be a weight >= 0")
        if sum(value.values()) <= 0:
            raise ScenarioError(f"{self.where}: {key}: the weights add up to nothing")
        return {k: float(v) for k, v in value.items()}

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ScenarioError(f"{self.where}: unknown field(s) {', '.join(unknown)}")
        for child in self.children:
            child.done()


_REQUIRED = object()


def _category(r: _Reader, name: str) -> Category:
    return Category(
        name=name,
        appraisal_median=r.integer("appraisal_median", low=100),
        appraisal_sigma=r.number("appraisal_sigma", 0.6, low=0, high=3),
    )


def _court(r: _Reader, categories: dict[str, Category]) -> Court:
    weights = r.weights("categories", tuple(categories))
    return Court(
        name=r.text("name"),
        province=r.text("province"),
        city=r.text("city"),
        level=r.choice("level", LEVELS, "basic"),
        lots=r.integer("lots", low=1),
        categories=weights,
    )


def _listing(r: _Reader, rules: RuleProfile) -> Listing:
    """The listing terms, each held to the rules in force: the price floors and deposit bounds
    (rules 1-3), the relisting window (Art. 26) and the fixed-price sale's window (rule 19)."""
    d = Listing()
    relist = r._get("relist_days", list(d.relist_days))
    within = _days(rules, "reauction_within")  # Art. 26: announced within this of the failure
    if (
        not isinstance(relist, list)
        or len(relist) != 2
        or not all(isinstance(x, int | float) for x in relist)
        or not 0 < relist[0] <= relist[1]
        or (within is not None and relist[1] > within)
    ):
        bound = f" <= {within:g}" if within is not None else ""
        raise ScenarioError(f"{r.where}: relist_days must be [low, high] with 0 < low <= high{bound} (Art. 26)")
    sale_window = _days(rules, "sale_window")
    return Listing(
        start_ratio=r.number("start_ratio", d.start_ratio, low=_fraction(rules.first_round_floor), high=2),
        round2_ratio=r.number("round2_ratio", d.round2_ratio, low=_fraction(rules.later_round_floor), high=1),
        deposit_ratio=r.number(
            "deposit_ratio", d.deposit_ratio, low=_fraction(rules.deposit_min), high=_fraction(rules.deposit_max)
        ),
        increment_ratio=r.number("increment_ratio", d.increment_ratio, low=0.0001, high=0.05),
        relist_days=(float(relist[0]), float(relist[1])),
        balance_days=r.number("balance_days", d.balance_days, low=0.001, high=60),
        sale_days=r.number(
            "sale_days", d.sale_days, low=sale_window or 0.001, high=sale_window
        ),  # rule 19: the whole window
        creditor_takes=r.share("creditor_takes", d.creditor_takes),
        priority_holder=r.share("priority_holder", d.priority_holder),
        sale_mode=bool(r._get("sale_mode", d.sale_mode)),
        bidding_hours=r.number("bidding_hours", d.bidding_hours, low=0.01, high=24 * 60),
        announce_hours=(
            r.number("announce_hours", low=0.001, high=24 * 90) if r.data.get("announce_hours") is not None else None
        ),
        rules=rules,
    )


def _bidders(r: _Reader) -> Bidders:
    d = Bidders()
    return Bidders(
        pool=r.integer("pool", d.pool, low=2),
        budget_median=r.integer("budget_median", d.budget_median, low=100),
        budget_sigma=r.number("budget_sigma", d.budget_sigma, low=0, high=4),
    )


def _target(r: _Reader, categories: dict[str, Category]) -> Target:
    name = r.text("name")
    if name not in SUMMARY_FIGURES:
        raise ScenarioError(f"{r.where}: name {name!r} is not a summary figure (one of {', '.join(SUMMARY_FIGURES)})")
    per = r.choice("per", tuple(PER), "")
    if per != FIGURES[name].per:
        raise ScenarioError(f"{r.where}: {name} is per {FIGURES[name].per!r} ({PER[FIGURES[name].per]}), not {per!r}")
    category = r._get("category", None)
    if category is not None and category not in categories:
        raise ScenarioError(f"{r.where}: category {category!r} is not one of the scenario's ({', '.join(categories)})")
    return Target(
        name=name,
        target=r.number("target"),
        tolerance=r.number("tolerance", low=0),
        per=per,
        source=r.text("source"),
        category=category,
    )
