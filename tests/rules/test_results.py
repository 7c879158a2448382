"""Statistics of docs/domain.md: transaction rates, premium and discount rates, each with its denominator."""

from __future__ import annotations

import pytest

from auction_rules.results import EndedAuction, RateSummary, compute_statistics, counted_outcome, premium_rate


def sold(lot_id, price, starting_price, appraisal, bids=1, extensions=0) -> EndedAuction:
    return EndedAuction(lot_id, "sold", price, starting_price, appraisal, bids, extensions)


def unsold(lot_id, starting_price=100_000_000, appraisal=140_000_000) -> EndedAuction:
    return EndedAuction(lot_id, "unsold", None, starting_price, appraisal, 0, 0)


def withdrawn(lot_id) -> EndedAuction:
    return EndedAuction(lot_id, "withdrawn", None, 100_000_000, 140_000_000, 0, 0)


# --- premium rate -------------------------------------------------------------------------------------


def test_the_premium_over_the_starting_price_is_the_platform_convention():
    # sold for 1,150,000 yuan from a starting price of 1,000,000 yuan: 15% over the start
    assert premium_rate(115_000_000, 100_000_000) == pytest.approx(0.15)


def test_the_premium_over_the_appraisal_can_be_negative():
    # the same sale against an appraisal of 1,400,000 yuan: (1.15 - 1.4) / 1.4 = -17.857%
    assert premium_rate(115_000_000, 140_000_000) == pytest.approx(-0.25 / 1.4)


def test_a_sale_at_the_starting_price_has_no_premium():
    assert premium_rate(924_439_994, 924_439_994) == 0.0


def test_the_highest_published_premium_of_232_percent():
    assert premium_rate(332_000_000, 100_000_000) == pytest.approx(2.32)


# --- compute_statistics on a hand-computed window -------------------------------------------------------

FIXTURE = [
    sold(1, price=115_000_000, starting_price=100_000_000, appraisal=140_000_000, bids=30, extensions=10),
    sold(2, price=90_000_000, starting_price=80_000_000, appraisal=100_000_000, bids=12, extensions=2),
    sold(3, price=75_000_000, starting_price=50_000_000, appraisal=60_000_000, bids=40, extensions=21),
    unsold(4),
    unsold(5, starting_price=70_000_000, appraisal=100_000_000),
    withdrawn(6),
]


def test_the_transaction_rate_is_sold_over_sold_plus_unsold_without_withdrawn():
    stats = compute_statistics(FIXTURE, {})
    assert (stats.auctions_ended, stats.sold, stats.unsold, stats.withdrawn) == (5, 3, 2, 1)
    assert stats.transaction_rate == pytest.approx(3 / 5)


def test_the_deal_amount_is_the_sum_of_sale_prices():
    assert compute_statistics(FIXTURE, {}).deal_amount == 115_000_000 + 90_000_000 + 75_000_000


def test_premium_rates_are_summarised_over_both_bases():
    stats = compute_statistics(FIXTURE, {})
    # over the starting price: 15%, 12.5%, 50%
    assert stats.premium_rate_over_start.mean == pytest.approx((0.15 + 0.125 + 0.5) / 3)
    assert stats.premium_rate_over_start.median == pytest.approx(0.15)
    assert stats.premium_rate_over_start.max == pytest.approx(0.5)
    # over the appraisal: -25/140, -10%, +25%
    assert stats.premium_rate_over_appraisal.mean == pytest.approx((-25 / 140 - 0.1 + 0.25) / 3)
    assert stats.premium_rate_over_appraisal.median == pytest.approx(-0.1)
    assert stats.premium_rate_over_appraisal.max == pytest.approx(0.25)


def test_the_discount_rate_is_price_over_appraisal():
    stats = compute_statistics(FIXTURE, {})
    # 115/140, 90%, 125%
    assert stats.discount_rate.mean == pytest.approx((115 / 140 + 0.9 + 1.25) / 3)
    assert stats.discount_rate.median == pytest.approx(0.9)
    assert stats.discount_rate.max == pytest.approx(1.25)


def test_bids_and_extensions_per_auction_are_over_ended_auctions_only():
    stats = compute_statistics(FIXTURE, {})
    assert stats.bids_per_auction == pytest.approx((30 + 12 + 40) / 5)
    assert stats.extensions_per_auction == pytest.approx((10 + 2 + 21) / 5)


def test_the_median_of_an_even_number_of_sales_is_the_mean_of_the_middle_two():
    stats = compute_statistics(FIXTURE[:2], {})
    assert stats.premium_rate_over_start.median == pytest.approx((0.15 + 0.125) / 2)


def test_one_court_sold_41_of_85_concluded_lots():
    concluded = {lot: lot <= 41 for lot in range(1, 86)}
    stats = compute_statistics([], concluded)
    assert (stats.lots_concluded, stats.lots_sold) == (85, 41)
    assert stats.lot_transaction_rate == 41 / 85
    assert round(100 * stats.lot_transaction_rate, 1) == 48.2


def test_the_lot_rate_counts_lots_not_auctions():
    # lot 1 failed round 1 and sold in round 2; lot 2 failed all rounds: 1 of 2 lots, but 1 of 3 auctions
    auctions = [unsold(1), sold(1, 90_000_000, 80_000_000, 140_000_000), unsold(2)]
    stats = compute_statistics(auctions, {1: True, 2: False})
    assert stats.transaction_rate == pytest.approx(1 / 3)
    assert stats.lot_transaction_rate == pytest.approx(1 / 2)


def test_every_rate_with_a_zero_denominator_is_none():
    stats = compute_statistics([], {})
    assert stats.auctions_ended == 0
    assert stats.transaction_rate is None
    assert stats.lot_transaction_rate is None
    assert stats.bids_per_auction is None
    assert stats.extensions_per_auction is None
    assert stats.deal_amount == 0
    for summary in (stats.premium_rate_over_start, stats.premium_rate_over_appraisal, stats.discount_rate):
        assert summary == RateSummary(None, None, None)


def test_a_window_with_only_withdrawn_auctions_has_no_transaction_rate():
    stats = compute_statistics([withdrawn(1), withdrawn(2)], {})
    assert stats.withdrawn == 2
    assert stats.auctions_ended == 0
    assert stats.transaction_rate is None
    assert stats.bids_per_auction is None


def test_a_window_with_only_failures_has_a_zero_rate_and_no_premium():
    stats = compute_statistics([unsold(1), unsold(2)], {1: False, 2: False})
    assert stats.transaction_rate == 0.0
    assert stats.lot_transaction_rate == 0.0
    assert stats.premium_rate_over_start == RateSummary(None, None, None)
    assert stats.bids_per_auction == 0.0


# --- 悔拍: one counting rule for the service and the simulator --------------------------------------------


def test_a_sale_that_ended_in_default_is_not_a_sale():
    """A buyer who did not pay (悔拍): the auction is neither sold nor unsold and adds nothing to the deal
    amount; the lot's resale counts once (the service's statistics and the simulator's figures both)."""
    defaulted = EndedAuction(1, "sold", 120_000_000, 100_000_000, 140_000_000, 9, 2, settlement="defaulted")
    resold = EndedAuction(1, "sold", 90_000_000, 80_000_000, 140_000_000, 3, 0, settlement="paid")
    stats = compute_statistics([defaulted, resold], {1: True})
    assert (stats.sold, stats.unsold, stats.auctions_ended) == (1, 0, 1)
    assert stats.deal_amount == 90_000_000
    assert stats.transaction_rate == 1.0


@pytest.mark.parametrize(
    ("status", "settlement", "counted"),
    [
        ("sold", None, "sold"),
        ("sold", "paid", "sold"),
        ("sold", "defaulted", "defaulted"),
        ("unsold", None, "unsold"),
        ("withdrawn", None, "withdrawn"),
        ("live", None, None),
        ("suspended", None, None),
    ],
)
def test_how_each_auction_counts(status, settlement, counted):
    assert counted_outcome(status, settlement) == counted
