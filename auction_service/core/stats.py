"""Court statistics as courts report them, computed by the database: one SQL aggregate per kind of event
(grouped by any of court, court level, province, city, category, round, mode, year, quarter and month),
one window query for the medians. Python only merges the groups' rows (a handful per chart), never the
auctions' rows. ``contract/stats.py`` writes the figures out as JSON and CSV.

One dating rule for every figure (``docs/api-extensions.md``, Statistics): **each figure is dated by the
moment of the event it counts**, in China time (UTC+8), and a later event never moves an earlier one:

* an auction's outcome (sold, unsold) at its close (the closing time; before the close job ran, its end);
* a withdrawal (撤回) when it was made (its ``auction_withdrawn`` entry), not at the scheduled end;
* a lot's conclusion at the first of: the close of the sale that sold it, the close of a failed 变卖, the
  disposition (以物抵债 or return); grouped in the round of the lot's last auction;
* 以物抵债 at the disposition, at the disposition price;
* execution proceeds (执行到位) when the money arrived: a paid balance at its settlement (the price), a
  forfeited deposit at the 悔拍 (the deposit), 以物抵债 at the disposition (the disposition price).

So a quarter's figures are fixed once the quarter has closed: a lot returned on 5 April counts in Q2,
whatever happened to it before. A 悔拍 (``settlement = defaulted``) follows the same rule: within the
period of the sale's close (the grouped year, quarter or month, or the window asked for), the sale is
not a sale (``defaulted``, neither sold nor unsold, nothing in the deal amount); once that period has
closed, the sale stays as reported and the 悔拍 shows as a **correction** in the period it was declared
(``corrections``: the sales undone and their prices), never as a silent rewrite of the closed period.
With neither a period nor a window there is no earlier period, and the sale is simply ``defaulted``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Float, String, case, cast, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql import ColumnElement, Select

from auction_rules.errors import invalid
from auction_rules.research import MAX_ROUNDS
from auction_rules.results import RateSummary

from ..db.models import ActionLog, Auction, Bid, Court, Lot, Registration
from .auction_queries import court_condition, status_condition

CHINA = timezone(timedelta(hours=8), "UTC+8")
PERIODS = ("year", "quarter", "month")
DIMENSIONS = ("court", "court_level", "province", "city", "category", "round", "mode", *PERIODS)
# Every round any rules can hold: the law's two auction rounds, more under a research profile
# (``auction_rules.research``), then 变卖. Counted by round and accepted as a filter. One digit each, so
# the rounds sort as text ("1" < "6" < "sale"), as the lot's last round is found below.
ROUNDS = (*(str(n) for n in range(1, MAX_ROUNDS + 1)), "sale")
# The rounds every answer names, with 0 when none ended: the law's. A research profile's later rounds are
# named as well wherever an auction of them ended (``by_round``).
LAW_ROUNDS = ("1", "2", "sale")
MODES = ("auction", "sale")  # 拍卖 (the auction rounds) and 变卖 (the fixed-price sale)
MAX_DIMENSIONS = 3
NO_RATES = RateSummary(None, None, None)  # no sale: no rate, never 0

Key = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Filters:
    """Which auctions the figures cover: court (id or name), category, round, province, court level and
    the window [start, end) on the auction's end."""

    court: str | None = None
    category: str | None = None
    round: str | None = None
    province: str | None = None
    court_level: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of one group. Field names follow ``rules.results.Statistics`` where they overlap."""

    auctions_ended: int = 0  # sold + unsold
    sold: int = 0
    unsold: int = 0
    withdrawn: int = 0
    defaulted: int = 0  # sales that ended in 悔拍: not counted as sold
    transaction_rate: float | None = None  # sold / (sold + unsold)
    lots_concluded: int = 0
    lots_sold: int = 0
    lot_transaction_rate: float | None = None
    deal_amount: int = 0
    highest_price: int | None = None
    premium_rate_over_start: RateSummary = NO_RATES
    premium_rate_over_appraisal: RateSummary = NO_RATES
    discount_rate: RateSummary = NO_RATES
    # amount-weighted: sum(price - base) / sum(base) over the sales (a large sale weighs as its amount)
    premium_weighted_over_start: float | None = None
    premium_weighted_over_appraisal: float | None = None
    discount_weighted: float | None = None  # sum(price) / sum(appraisal)
    bids_per_auction: float | None = None  # over sold + unsold
    extensions_per_auction: float | None = None
    bidders_per_auction: float | None = None  # distinct bidders who bid, over sold + unsold
    registrations_per_auction: float | None = None  # registrations (deposits paid), over sold + unsold
    sold_by_round: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LAW_ROUNDS, 0))
    ended_by_round: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LAW_ROUNDS, 0))
    creditor_taken: int = 0  # 以物抵债: lots the creditor took
    creditor_taken_amount: int = 0
    proceeds: int = 0  # 执行到位 from sales: prices of the sales whose balance was paid (dated by the payment)
    paid_sales: int = 0
    forfeited_deposits: int = 0  # 悔拍: deposits forfeited (dated by the 悔拍)
    forfeited_amount: int = 0
    # Corrections: sales reported as sold in an earlier, closed period, undone by a 悔拍 in this one
    corrected_sales: int = 0
    corrected_amount: int = 0  # their prices (to take off the earlier period's deal amount)

    @property
    def execution_total(self) -> int:
        """执行到位: paid balances, 以物抵债 and forfeited deposits applied to the debt."""
        return self.proceeds + self.creditor_taken_amount + self.forfeited_amount

    @property
    def share_sold_by_round(self) -> dict[str, float | None]:
        return {r: _ratio(n, self.sold) for r, n in self.sold_by_round.items()}


@dataclass(frozen=True, slots=True)
class YearOnYear:
    """The change against the same group a year before: relative for counts and amounts
    ((now - before) / before, None without a base); for the transaction rate, the difference of the two
    rates, as a fraction (``transaction_rate_difference``, 0.1423) and in percentage points
    (``transaction_rate_points``, 14.23)."""

    period: str | None  # the group's period a year before (None when grouped by no period)
    sold: float | None
    auctions_ended: float | None
    deal_amount: float | None
    proceeds: float | None
    creditor_taken_amount: float | None
    execution_total: float | None
    transaction_rate_difference: float | None

    @property
    def transaction_rate_points(self) -> float | None:
        return None if self.transaction_rate_difference is None else 100 * self.transaction_rate_difference


@dataclass(frozen=True, slots=True)
class Group:
    key: dict[str, Any]  # dimension -> value (None: unknown, e.g. a court without a level)
    figures: Figures
    yoy: YearOnYear | None


def _ratio(num: float, den: float | None) -> float | None:
    return num / den if den else None


def rounds_named(counts: list[dict[str, Any]]) -> tuple[str, ...]:
    """The rounds an answer names, in order: the law's, and any other round that has a count in
    ``counts`` (each a figure's ``{round: count}``): a third round under a research profile."""
    present = {r for c in counts for r, n in c.items() if n}
    return tuple(r for r in ROUNDS if r in LAW_ROUNDS or r in present)


def with_rounds(figures: Figures, rounds: tuple[str, ...]) -> Figures:
    """The figures naming every round of ``rounds`` (0 where none ended), so that every group of one
    answer names the same rounds."""
    return replace(
        figures,
        sold_by_round={r: figures.sold_by_round.get(r, 0) for r in rounds},
        ended_by_round={r: figures.ended_by_round.get(r, 0) for r in rounds},
    )


def _change(now: float | None, before: float | None) -> float | None:
    if now is None or not before:
        return None
    return (now - before) / before


def parse_dimensions(text: str | None) -> list[str]:
    """``by=province,quarter``: known dimensions, no repeats, at most three (422 otherwise)."""
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown:
        raise invalid("invalid_group_by", f"unknown dimension {unknown[0]!r}; choose from {', '.join(DIMENSIONS)}")
    if len(set(names)) != len(names):
        raise invalid("invalid_group_by", "a dimension is named twice")
    if len(names) > MAX_DIMENSIONS:
        raise invalid("invalid_group_by", f"at most {MAX_DIMENSIONS} dimensions at once")
    return names


# ----------------------------------------------------------------------------- SQL pieces


def _period(dialect: str, moment: Any, period: str) -> ColumnElement[str]:
    """The calendar year, quarter (``2026-Q2``) or month (``2026-05``) of a UTC moment in China time."""
    if dialect == "sqlite":
        year = func.strftime("%Y", moment, "+8 hours", type_=String)
        month = func.strftime("%m", moment, "+8 hours", type_=String)
        if period == "year":
            return year
        if period == "month":
            return func.strftime("%Y-%m", moment, "+8 hours", type_=String)
        quarter = case((month <= "03", "-Q1"), (month <= "06", "-Q2"), (month <= "09", "-Q3"), else_="-Q4")
        return year.concat(quarter)
    local = func.timezone("UTC", moment) + timedelta(hours=8)
    fmt = {"year": "YYYY", "quarter": 'YYYY-"Q"Q', "month": "YYYY-MM"}[period]
    return func.to_char(local, fmt, type_=String)


def _dimension_columns(
    dialect: str, moment: Any, round_column: Any
) -> dict[str, ColumnElement[Any] | QueryableAttribute[Any]]:
    columns: dict[str, ColumnElement[Any] | QueryableAttribute[Any]] = {
        "court": Court.name,
        "court_level": Court.level,
        "province": Court.province,
        "city": Court.city,
        "category": Lot.category,
        "round": round_column,
        "mode": case((round_column == "sale", "sale"), else_="auction"),
    }
    for period in PERIODS:
        columns[period] = _period(dialect, moment, period)
    return columns


def _filtered(query: Select, filters: Filters, round_column: Any) -> Select:
    if filters.court:
        query = query.where(court_condition(filters.court))
    if filters.category:
        query = query.where(Lot.category == filters.category)
    if filters.round:
        query = query.where(round_column == filters.round)
    if filters.province:
        query = query.where(Court.province == filters.province)
    if filters.court_level:
        query = query.where(Court.level == filters.court_level)
    return query


def _withdrawals() -> Any:
    """When each withdrawn auction was withdrawn: its ``auction_withdrawn`` entry's time."""
    return (
        select(ActionLog.auction_id, func.max(ActionLog.at).label("at"))
        .where(ActionLog.action == "auction_withdrawn")
        .group_by(ActionLog.auction_id)
        .subquery("withdrawals")
    )


def _other_period(dialect: str, dims: list[str], closed: Any, settled: Any, edge: Any) -> list[ColumnElement[bool]]:
    """When a 悔拍 (``settled``) falls in another reported period than the sale's close: another year,
    quarter or month of each grouped period, or past ``edge`` (the window's end or start, compared by
    the caller)."""
    conditions = [_period(dialect, closed, p) != _period(dialect, settled, p) for p in dims if p in PERIODS]
    if edge is not None:
        conditions.append(edge)
    return conditions


def _auction_rows(dialect: str, dims: list[str], filters: Filters, now: datetime) -> Select:
    """One row per auction in scope: its outcome, the columns the figures need, its group's values. Dated
    by the close, a withdrawal by the moment it was made. A sale undone by a 悔拍 in a later reported
    period stays a sale here (its period is closed); the 悔拍 is a correction (``_corrections_by_group``)."""
    withdrawals = _withdrawals()
    closed = func.coalesce(Auction.closed_at, Auction.end_at)
    ended_at = case((Auction.status == "withdrawn", func.coalesce(withdrawals.c.at, closed)), else_=closed)
    sold_now = status_condition("sold", now)
    unsold_now = status_condition("unsold", now)
    defaulted = _defaulted_in_period(dialect, dims, filters, closed)
    outcome = case(
        (sold_now & defaulted, "defaulted"),
        (sold_now, "sold"),
        (unsold_now, "unsold"),
        (Auction.status == "withdrawn", "withdrawn"),
        else_=None,
    )
    # Per-auction counts as grouped tables joined by hash: one pass over the bids and registrations
    # instead of a sub-query per auction.
    counted_bidders = (
        select(Bid.auction_id, func.count(func.distinct(Bid.bidder_id)).label("n"))
        .group_by(Bid.auction_id)
        .subquery("bidders")
    )
    counted_registrations = (
        select(Registration.auction_id, func.count().label("n")).group_by(Registration.auction_id).subquery("regs")
    )
    bidders = func.coalesce(counted_bidders.c.n, 0)
    registrations = func.coalesce(counted_registrations.c.n, 0)
    dimension = _dimension_columns(dialect, ended_at, Auction.round)
    query = (
        select(
            outcome.label("outcome"),
            Auction.round.label("round_"),
            Auction.current_price.label("price"),
            Auction.starting_price.label("start"),
            Auction.appraisal.label("appraisal"),
            Auction.seq.label("bids"),
            Auction.extension_count.label("extensions"),
            bidders.label("bidders"),
            registrations.label("registrations"),
            *(dimension[d].label(f"d_{d}") for d in dims),
        )
        .join(Lot, Lot.id == Auction.lot_id)
        .join(Court, Court.id == Lot.court_id)
        .outerjoin(withdrawals, withdrawals.c.auction_id == Auction.id)
        .outerjoin(counted_bidders, counted_bidders.c.auction_id == Auction.id)
        .outerjoin(counted_registrations, counted_registrations.c.auction_id == Auction.id)
        .where(or_(sold_now, unsold_now, Auction.status == "withdrawn"))
    )
    return _windowed(_filtered(query, filters, Auction.round), filters, ended_at)


def _windowed(query: Select, filters: Filters, moment: Any) -> Select:
    if filters.start is not None:
        query = query.where(moment >= filters.start)
    if filters.end is not None:
        query = query.where(moment < filters.end)
    return query


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _total(condition: ColumnElement[bool], value: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _rate(num: Any, den: Any) -> ColumnElement[float]:
    return cast(num, Float(asdecimal=False)) / cast(den, Float(asdecimal=False))


async def _figures_by_group(session: AsyncSession, dialect: str, dims: list[str], filters: Filters, now: datetime):
    """Group key -> a dict of the aggregates: one GROUP BY over the auctions, one window query for the
    medians of the premium rates."""
    # Materialised for the aggregate: the outcome and the flags are computed once per auction rather than
    # once per aggregate that reads them (inlined, PostgreSQL re-evaluated them ~30 times a row).
    rows = _auction_rows(dialect, dims, filters, now).cte("ended").prefix_with("MATERIALIZED")
    keys = [rows.c[f"d_{d}"] for d in dims]
    outcome = rows.c.outcome
    sold = outcome == "sold"
    ended = outcome.in_(("sold", "unsold"))
    over_start = _rate(rows.c.price - rows.c.start, rows.c.start)
    over_appraisal = _rate(rows.c.price - rows.c.appraisal, rows.c.appraisal)
    aggregate = select(
        *keys,
        _count(ended).label("ended"),
        _count(sold).label("sold"),
        _count(outcome == "unsold").label("unsold"),
        _count(outcome == "withdrawn").label("withdrawn"),
        _count(outcome == "defaulted").label("defaulted"),
        _total(sold, rows.c.price).label("deal_amount"),
        func.max(case((sold, rows.c.price))).label("highest_price"),
        func.avg(case((sold, over_start))).label("start_mean"),
        func.max(case((sold, over_start))).label("start_max"),
        func.avg(case((sold, over_appraisal))).label("appraisal_mean"),
        func.max(case((sold, over_appraisal))).label("appraisal_max"),
        func.avg(case((sold, _rate(rows.c.price, rows.c.appraisal)))).label("discount_mean"),
        func.max(case((sold, _rate(rows.c.price, rows.c.appraisal)))).label("discount_max"),
        _total(sold, rows.c.start).label("sold_start"),
        _total(sold, rows.c.appraisal).label("sold_appraisal"),
        _total(ended, rows.c.bids).label("bids"),
        _total(ended, rows.c.extensions).label("extensions"),
        _total(ended, rows.c.bidders).label("bidders"),
        _total(ended, rows.c.registrations).label("registrations"),
        *(_count(sold & (rows.c.round_ == r)).label(f"sold_{r}") for r in ROUNDS),
        *(_count(ended & (rows.c.round_ == r)).label(f"ended_{r}") for r in ROUNDS),
    ).group_by(*keys)
    groups: dict[Key, dict[str, Any]] = {}
    for row in (await session.execute(aggregate)).mappings():
        groups[tuple(row[k.name] for k in keys)] = dict(row)
    # Medians: each sold auction's rank within its group (window functions); the middle one or two.
    # (On the rows inlined: PostgreSQL then leaves out the joins this query does not read.)
    plain = _auction_rows(dialect, dims, filters, now).subquery("ended")
    pkeys = [plain.c[f"d_{d}"] for d in dims]
    p_start = _rate(plain.c.price - plain.c.start, plain.c.start)
    p_appraisal = _rate(plain.c.price - plain.c.appraisal, plain.c.appraisal)
    ranked = (
        select(
            *pkeys,
            p_start.label("s"),
            p_appraisal.label("a"),
            func.row_number().over(partition_by=pkeys or None, order_by=p_start).label("n_s"),
            func.row_number().over(partition_by=pkeys or None, order_by=p_appraisal).label("n_a"),
            func.count().over(partition_by=pkeys or None).label("n"),
        )
        .where(plain.c.outcome == "sold")
        .subquery("ranked")
    )
    rkeys = [ranked.c[k.name] for k in keys]

    def middle(rank: Any) -> ColumnElement[bool]:  # 2 * rank in [n, n + 2]: the middle one or two
        return (rank * 2 >= ranked.c.n) & (rank * 2 <= ranked.c.n + 2)

    medians = select(
        *rkeys,
        func.avg(case((middle(ranked.c.n_s), ranked.c.s))).label("start_median"),
        func.avg(case((middle(ranked.c.n_a), ranked.c.a))).label("appraisal_median"),
    ).group_by(*rkeys)
    for row in (await session.execute(medians)).mappings():
        groups[tuple(row[k.name] for k in rkeys)].update(row)
    return groups


async def _creditor_taken_by_group(
    session: AsyncSession, dialect: str, dims: list[str], filters: Filters
) -> dict[Key, tuple[int, int]]:
    """以物抵债 per group: lots the creditor took, in the period of the disposition, in the round of the
    lot's last auction ("sale" sorts after every numbered round, "2" after "1": ``ROUNDS``)."""
    last_round = select(func.max(Auction.round)).where(Auction.lot_id == Lot.id).scalar_subquery()
    dimension = _dimension_columns(dialect, Lot.disposed_at, last_round)
    keys = [dimension[d].label(f"d_{d}") for d in dims]
    query = (
        select(*keys, func.count().label("n"), func.coalesce(func.sum(Lot.disposition_price), 0).label("amount"))
        .select_from(Lot)
        .join(Court, Court.id == Lot.court_id)
        .where(Lot.disposition == "creditor_taken")
    )
    query = _windowed(_filtered(query, filters, last_round), filters, Lot.disposed_at)
    if keys:
        query = query.group_by(*(k.element for k in keys))
    result = await session.execute(query)
    return {tuple(row[: len(keys)]): (int(row.n), int(row.amount)) for row in result if row.n}


def _earliest(*moments: Any) -> ColumnElement[Any]:
    """The earliest of moments that may be NULL (SQL's MIN over a row ignores nothing)."""
    first, *rest = moments
    for other in rest:
        first = case((first.is_(None), other), (other.is_(None), first), (other < first, other), else_=first)
    return first


def _defaulted_in_period(dialect: str, dims: list[str], filters: Filters, closed: Any) -> ColumnElement[bool]:
    """A sale undone by a 悔拍 within the reported period of its close (so not a sale there)."""
    settled = func.coalesce(Auction.settled_at, closed)
    later = _other_period(dialect, dims, closed, settled, None if filters.end is None else settled >= filters.end)
    defaulted = func.coalesce(Auction.settlement == "defaulted", False)  # NULL (unsettled) is not 悔拍
    return defaulted & ~or_(*later) if later else defaulted


async def _grouped_counts(session: AsyncSession, query: Select, keys: list[Any]) -> dict[Key, tuple[int, int]]:
    if keys:
        query = query.group_by(*(k.element for k in keys))
    result = await session.execute(query)
    return {tuple(row[: len(keys)]): (int(row.n), int(row.sold)) for row in result if row.n}


async def _lots_by_group(
    session: AsyncSession, dialect: str, dims: list[str], filters: Filters, now: datetime
) -> dict[Key, tuple[int, int]]:
    """Lots concluded (and of them sold) per group, dated by the conclusion: the close of a sale that
    concluded the lot as reported (not undone by a 悔拍 within its period), in that sale's round; for a
    lot no sale concluded for good, the first of a failed 变卖's close and the disposition, in the round
    of the lot's last auction. A sale undone by a 悔拍 in a later period stays a conclusion of its closed
    period (the 悔拍's period carries the correction), and the lot may conclude again later."""
    closed = func.coalesce(Auction.closed_at, Auction.end_at)
    sold_now = status_condition("sold", now)
    dimension = _dimension_columns(dialect, closed, Auction.round)
    keys = [dimension[d].label(f"d_{d}") for d in dims]
    sales = (
        select(*keys, func.count().label("n"), func.count().label("sold"))
        .select_from(Auction)
        .join(Lot, Lot.id == Auction.lot_id)
        .join(Court, Court.id == Lot.court_id)
        .where(sold_now, ~_defaulted_in_period(dialect, dims, filters, closed))
    )
    concluded = await _grouped_counts(
        session, _windowed(_filtered(sales, filters, Auction.round), filters, closed), keys
    )

    sold_for_good = sold_now & func.coalesce(Auction.settlement != "defaulted", True)
    failed_sale = status_condition("unsold", now) & (Auction.round == "sale")
    per_lot = (
        select(
            Auction.lot_id.label("lot_id"),
            func.min(case((sold_for_good, closed))).label("sold_at"),
            func.min(case((failed_sale, closed))).label("failed_at"),
            func.max(Auction.round).label("last_round"),
        )
        .group_by(Auction.lot_id)
        .subquery("per_lot")
    )
    ended_at = _earliest(per_lot.c.failed_at, Lot.disposed_at)
    dimension = _dimension_columns(dialect, ended_at, per_lot.c.last_round)
    keys = [dimension[d].label(f"d_{d}") for d in dims]
    unsold = (
        select(*keys, func.count().label("n"), literal(0).label("sold"))
        .select_from(Lot)
        .join(per_lot, per_lot.c.lot_id == Lot.id)
        .join(Court, Court.id == Lot.court_id)
        .where(per_lot.c.sold_at.is_(None), ended_at.is_not(None))
    )
    ended = await _grouped_counts(
        session, _windowed(_filtered(unsold, filters, per_lot.c.last_round), filters, ended_at), keys
    )
    for key, (n, sold) in ended.items():
        before = concluded.get(key, (0, 0))
        concluded[key] = (before[0] + n, before[1] + sold)
    return concluded


async def _money_by_group(
    session: AsyncSession, dialect: str, dims: list[str], filters: Filters
) -> dict[Key, tuple[int, int, int, int]]:
    """执行到位 from settlements per group, dated by the settlement: (paid sales, their prices, deposits
    forfeited by 悔拍, their amount)."""
    dimension = _dimension_columns(dialect, Auction.settled_at, Auction.round)
    keys = [dimension[d].label(f"d_{d}") for d in dims]
    paid = Auction.settlement == "paid"
    forfeited = (Auction.settlement == "defaulted") & (Registration.deposit_status == "forfeited")
    query = (
        select(
            *keys,
            _count(paid).label("paid"),
            _total(paid, Auction.current_price).label("proceeds"),
            _count(forfeited).label("forfeited"),
            _total(forfeited, Registration.deposit).label("forfeited_amount"),
        )
        .select_from(Auction)
        .join(Lot, Lot.id == Auction.lot_id)
        .join(Court, Court.id == Lot.court_id)
        .outerjoin(Registration, Registration.id == Auction.leader_registration_id)
        .where(Auction.settlement.is_not(None), Auction.settled_at.is_not(None))
    )
    query = _windowed(_filtered(query, filters, Auction.round), filters, Auction.settled_at)
    if keys:
        query = query.group_by(*(k.element for k in keys))
    result = await session.execute(query)
    return {
        tuple(row[: len(keys)]): (int(row.paid), int(row.proceeds), int(row.forfeited), int(row.forfeited_amount))
        for row in result
        if row.paid or row.forfeited
    }


async def _corrections_by_group(
    session: AsyncSession, dialect: str, dims: list[str], filters: Filters, now: datetime
) -> dict[Key, tuple[int, int]]:
    """悔拍 of sales reported in an earlier, closed period, per group of the 悔拍: (count, prices). An
    earlier period: another grouped year, quarter or month than the close's, or before the window."""
    closed = func.coalesce(Auction.closed_at, Auction.end_at)
    settled = Auction.settled_at
    earlier = _other_period(dialect, dims, closed, settled, None if filters.start is None else closed < filters.start)
    if not earlier:
        return {}
    dimension = _dimension_columns(dialect, settled, Auction.round)
    keys = [dimension[d].label(f"d_{d}") for d in dims]
    query = (
        select(*keys, func.count().label("n"), func.coalesce(func.sum(Auction.current_price), 0).label("amount"))
        .select_from(Auction)
        .join(Lot, Lot.id == Auction.lot_id)
        .join(Court, Court.id == Lot.court_id)
        .where(status_condition("sold", now), Auction.settlement == "defaulted", settled.is_not(None), or_(*earlier))
    )
    query = _windowed(_filtered(query, filters, Auction.round), filters, settled)
    if keys:
        query = query.group_by(*(k.element for k in keys))
    result = await session.execute(query)
    return {tuple(row[: len(keys)]): (int(row.n), int(row.amount)) for row in result if row.n}


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class _Events:
    """A group's figures from the queries other than the auctions' aggregate."""

    creditor: tuple[int, int] | None = None  # 以物抵债: count, amount
    lots: tuple[int, int] | None = None  # lots concluded, of them sold
    money: tuple[int, int, int, int] | None = None  # paid sales, proceeds, forfeited deposits, their amount
    corrections: tuple[int, int] | None = None  # earlier periods' sales undone here: count, prices


def _weighted(num: Any, den: Any) -> float | None:
    return _ratio(float(num), float(den)) if num is not None and den else None


def _by_round(row: dict[str, Any], prefix: str) -> dict[str, int]:
    counts = {r: int(row[f"{prefix}_{r}"]) for r in ROUNDS}
    return {r: counts[r] for r in rounds_named([counts])}


def _figures(row: dict[str, Any] | None, events: _Events) -> Figures:
    taken, taken_amount = events.creditor or (0, 0)
    lots_concluded, lots_sold = events.lots or (0, 0)
    paid, proceeds, forfeited, forfeited_amount = events.money or (0, 0, 0, 0)
    corrected, corrected_amount = events.corrections or (0, 0)
    common: dict[str, Any] = {
        "creditor_taken": taken,
        "creditor_taken_amount": taken_amount,
        "lots_concluded": lots_concluded,
        "lots_sold": lots_sold,
        "lot_transaction_rate": _ratio(lots_sold, lots_concluded),
        "paid_sales": paid,
        "proceeds": proceeds,
        "forfeited_deposits": forfeited,
        "forfeited_amount": forfeited_amount,
        "corrected_sales": corrected,
        "corrected_amount": corrected_amount,
    }
    if row is None:
        return Figures(**common)
    ended, sold = int(row["ended"]), int(row["sold"])
    appraisal_median = _float(row.get("appraisal_median"))
    deal, sold_start, sold_appraisal = int(row["deal_amount"]), int(row["sold_start"]), int(row["sold_appraisal"])
    return Figures(
        auctions_ended=ended,
        sold=sold,
        unsold=int(row["unsold"]),
        withdrawn=int(row["withdrawn"]),
        defaulted=int(row["defaulted"]),
        transaction_rate=_ratio(sold, ended),
        deal_amount=deal,
        highest_price=None if row["highest_price"] is None else int(row["highest_price"]),
        premium_rate_over_start=RateSummary(
            _float(row["start_mean"]), _float(row.get("start_median")), _float(row["start_max"])
        ),
        premium_rate_over_appraisal=RateSummary(
            _float(row["appraisal_mean"]), appraisal_median, _float(row["appraisal_max"])
        ),
        # price / appraisal = 1 + (price - appraisal) / appraisal: the median follows from that one
        discount_rate=RateSummary(
            _float(row["discount_mean"]),
            None if appraisal_median is None else 1 + appraisal_median,
            _float(row["discount_max"]),
        ),
        premium_weighted_over_start=_weighted(deal - sold_start, sold_start) if sold else None,
        premium_weighted_over_appraisal=_weighted(deal - sold_appraisal, sold_appraisal) if sold else None,
        discount_weighted=_weighted(deal, sold_appraisal) if sold else None,
        bids_per_auction=_ratio(int(row["bids"]), ended),
        extensions_per_auction=_ratio(int(row["extensions"]), ended),
        bidders_per_auction=_ratio(int(row["bidders"]), ended),
        registrations_per_auction=_ratio(int(row["registrations"]), ended),
        sold_by_round=_by_round(row, "sold"),
        ended_by_round=_by_round(row, "ended"),
        **common,
    )


async def _grouped(session: AsyncSession, dims: list[str], filters: Filters, now: datetime) -> dict[Key, Figures]:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # The correlated sub-queries inflate the planner's cost estimate past ``jit_above_cost``, and
        # compiling these wide aggregates took PostgreSQL seconds for a query that runs in milliseconds.
        await session.execute(text("SET LOCAL jit = off"))
    auctions = await _figures_by_group(session, dialect, dims, filters, now)
    creditor = await _creditor_taken_by_group(session, dialect, dims, filters)
    lots = await _lots_by_group(session, dialect, dims, filters, now)
    money = await _money_by_group(session, dialect, dims, filters)
    corrections = await _corrections_by_group(session, dialect, dims, filters, now)
    keys = set(auctions) | set(creditor) | set(lots) | set(money) | set(corrections)
    figures = {
        key: _figures(
            auctions.get(key), _Events(creditor.get(key), lots.get(key), money.get(key), corrections.get(key))
        )
        for key in keys
    }
    rounds = rounds_named([f.ended_by_round for f in figures.values()])
    return {key: with_rounds(f, rounds) for key, f in figures.items()}


def _sort_key(key: Key) -> tuple:
    return tuple((v is None, str(v) if v is not None else "") for v in key)


def year_before(moment: datetime) -> datetime:
    """The same moment a year earlier (29 February goes to the 28th)."""
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)


def _period_year_before(period: str) -> str:
    year, rest = period[:4], period[4:]
    return f"{int(year) - 1:04d}{rest}"


def _yoy(now: Figures, before: Figures | None, period: str | None) -> YearOnYear:
    b = before or Figures()
    return YearOnYear(
        period=period,
        sold=_change(now.sold, b.sold),
        auctions_ended=_change(now.auctions_ended, b.auctions_ended),
        deal_amount=_change(now.deal_amount, b.deal_amount),
        proceeds=_change(now.proceeds, b.proceeds),
        creditor_taken_amount=_change(now.creditor_taken_amount, b.creditor_taken_amount),
        execution_total=_change(now.execution_total, b.execution_total),
        transaction_rate_difference=(
            None
            if now.transaction_rate is None or b.transaction_rate is None
            else now.transaction_rate - b.transaction_rate
        ),
    )


async def group_statistics(session: AsyncSession, dims: list[str], filters: Filters, now: datetime) -> list[Group]:
    """The figures per group of ``dims`` (none: one group, the whole), each with its year-on-year change:
    grouped by a period (year, quarter, month), against the same period a year before; otherwise
    against the same filters over the window a year before (only when the window has both ends)."""
    current = await _grouped(session, dims, filters, now)
    periods = [i for i, d in enumerate(dims) if d in PERIODS]
    previous: dict[Key, Figures] | None = None
    if periods:
        if filters.start is not None or filters.end is not None:
            earlier = replace(
                filters,
                start=year_before(filters.start) if filters.start else None,
                end=year_before(filters.end) if filters.end else None,
            )
            previous = await _grouped(session, dims, earlier, now)
        else:
            previous = current
    elif filters.start is not None and filters.end is not None:
        previous = await _grouped(
            session, dims, replace(filters, start=year_before(filters.start), end=year_before(filters.end)), now
        )
    groups = []
    for key in sorted(current, key=_sort_key):
        yoy = None
        if previous is not None:
            shifted = list(key)
            period = None
            for i in periods:
                if shifted[i] is not None:
                    shifted[i] = _period_year_before(shifted[i])
                    period = shifted[i] if period is None else f"{period},{shifted[i]}"
            yoy = _yoy(current[key], previous.get(tuple(shifted)), period)
        groups.append(Group(dict(zip(dims, key, strict=True)), current[key], yoy))
    return groups


# ----------------------------------------------------------------------------- the contract's statistics


async def statistics(
    session: AsyncSession,
    *,
    court: str | None = None,
    category: str | None = None,
    round: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime,
) -> Figures:
    """``GET /stats``: the figures over auctions that ended in [start, end)."""
    filters = Filters(court=court, category=category, round=round, start=start, end=end)
    whole = await _grouped(session, [], filters, now)
    return whole.get((), Figures())


def _months_between(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    months: list[str] = []
    while f"{year:04d}-{month:02d}" <= last and len(months) < 1200:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


async def monthly_statistics(
    session: AsyncSession,
    *,
    court: str | None = None,
    category: str | None = None,
    round: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime,
) -> list[tuple[str, Figures]]:
    """``GET /stats/monthly``: the figures per calendar month of the auctions' end in China time; months
    without an ended auction between the first and the last are included (all zero, rates None)."""
    filters = Filters(court=court, category=category, round=round, start=start, end=end)
    by_month = {key[0]: figures for key, figures in (await _grouped(session, ["month"], filters, now)).items()}
    if not by_month:
        return []
    empty = with_rounds(Figures(), tuple(next(iter(by_month.values())).ended_by_round))
    return [(m, by_month.get(m, empty)) for m in _months_between(min(by_month), max(by_month))]
