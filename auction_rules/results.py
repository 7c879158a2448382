"""Closing figures (rule 15) and the court statistics (成交率, 溢价率, 折价率) as pure functions.

Every rate says what it is divided by; a rate whose denominator is zero is ``None``, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median


def premium_rate(price: int, base: int) -> float:
    """(price - base) / base: over the starting price (platform convention) or the appraisal."""
    return (price - base) / base


@dataclass(frozen=True, slots=True)
class EndedAuction:
    """One auction as the statistics see it."""

    lot_id: int
    status: str  # sold, unsold, withdrawn (suspended auctions never reach the statistics)
    price: int | None
    starting_price: int
    appraisal: int
    bid_count: int
    extension_count: int
    settlement: str | None = None  # paid, defaulted (悔拍) or not yet settled


def counted_outcome(status: str, settlement: str | None) -> str | None:
    """How an auction counts in the court statistics: ``sold``, ``unsold``, ``withdrawn``, or ``defaulted``
    for a sale whose buyer did not pay (悔拍): not a sale, neither sold nor unsold, adding nothing to the
    deal amount (the lot's resale counts once). None: not counted (under way, suspended). The service's
    SQL statistics (``auction_service.core.stats``) count the same way; the simulator's figures call this."""
    if status == "sold":
        return "defaulted" if settlement == "defaulted" else "sold"
    if status in ("unsold", "withdrawn"):
        return status
    return None


@dataclass(frozen=True, slots=True)
class RateSummary:
    mean: float | None
    median: float | None
    max: float | None

    @classmethod
    def of(cls, values: list[float]) -> RateSummary:
        if not values:
            return cls(None, None, None)
        return cls(sum(values) / len(values), median(values), max(values))


@dataclass(frozen=True, slots=True)
class Statistics:
    auctions_ended: int
    sold: int
    unsold: int
    withdrawn: int
    transaction_rate: float | None  # sold / (sold + unsold)
    lots_concluded: int
    lots_sold: int
    lot_transaction_rate: float | None  # lots eventually sold / lots concluded
    deal_amount: int
    premium_rate_over_start: RateSummary
    premium_rate_over_appraisal: RateSummary
    discount_rate: RateSummary  # price / appraisal
    bids_per_auction: float | None  # over auctions that ended (sold or unsold)
    extensions_per_auction: float | None


def _ratio(num: int | float, den: int) -> float | None:
    return num / den if den else None


def compute_statistics(auctions: list[EndedAuction], concluded_lots: dict[int, bool]) -> Statistics:
    """``auctions``: auctions that ended (or were withdrawn) in the window.
    ``concluded_lots``: lot id -> whether it was eventually sold, for lots whose fate was settled in
    the window (sold, or unsold with no further round left)."""
    counted = [(counted_outcome(a.status, a.settlement), a) for a in auctions]
    sold = [a for c, a in counted if c == "sold" and a.price is not None]
    unsold = [a for c, a in counted if c == "unsold"]
    withdrawn = sum(1 for c, _ in counted if c == "withdrawn")
    ended = sold + unsold
    lots_sold = sum(1 for v in concluded_lots.values() if v)
    return Statistics(
        auctions_ended=len(ended),
        sold=len(sold),
        unsold=len(unsold),
        withdrawn=withdrawn,
        transaction_rate=_ratio(len(sold), len(ended)),
        lots_concluded=len(concluded_lots),
        lots_sold=lots_sold,
        lot_transaction_rate=_ratio(lots_sold, len(concluded_lots)),
        deal_amount=sum(a.price for a in sold),  # type: ignore[misc]
        premium_rate_over_start=RateSummary.of([premium_rate(a.price, a.starting_price) for a in sold]),  # type: ignore[arg-type]
        premium_rate_over_appraisal=RateSummary.of([premium_rate(a.price, a.appraisal) for a in sold]),  # type: ignore[arg-type]
        discount_rate=RateSummary.of([a.price / a.appraisal for a in sold]),  # type: ignore[operator]
        bids_per_auction=_ratio(sum(a.bid_count for a in ended), len(ended)),
        extensions_per_auction=_ratio(sum(a.extension_count for a in ended), len(ended)),
    )
