"""The rules lane's platform (``auction_sim/rules_lane.py``) decides each call by the rules: a bad call is
refused with the service's status and code and changes nothing, and a good one moves the auction the
way the service would (the soft close, the close, 悔拍 and the exclusion it brings, the disposition).
The two lanes' records are held identical in ``tests/cli/test_rules_lane.py``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from auction_rules.profiles import JUDICIAL_2016
from auction_sim.platform import PlatformError
from auction_sim.rules_lane import RulesDriver, isoformat

START = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)
OPENS = START + 16 * DAY  # round 1 of a vehicle: announced at least 15 days before bidding opens
APPRAISAL = 1_000_000


def terms(opens: datetime = OPENS, price: int = 800_000, deposit: int = 80_000) -> dict:
    return {
        "starting_price": price,
        "increment": 5_000,
        "deposit": deposit,
        "start_at": isoformat(opens),
        "end_at": isoformat(opens + DAY),
    }


async def market() -> tuple[RulesDriver, dict, dict, dict, int, int]:
    """A driver at ``START``, a clerk of 甲法院 and one of 乙法院, two bidders, a listed vehicle and its
    round 1 (auction id)."""
    driver = RulesDriver(JUDICIAL_2016, START.timestamp())
    clerk = await driver.staff("甲法院", "广东", "深圳", "basic")
    other = await driver.staff("乙法院", "广东", "深圳", "basic")
    (_, a), (_, b) = await driver.bidders(2, "t")
    lot = await driver.rules.create_lot(clerk, {"title": "小型轿车", "category": "vehicle", "appraisal": APPRAISAL})
    auction = await driver.rules.schedule(clerk, lot["id"], terms())
    return driver, clerk, other, {"a": a, "b": b}, lot["id"], auction["id"]


def refusal(exc: pytest.ExceptionInfo[PlatformError]) -> tuple[int, str | None]:
    return exc.value.status, exc.value.code


async def test_a_clerk_of_another_court_cannot_schedule_and_nothing_is_listed() -> None:
    driver, _clerk, other, _bidders, lot, _auction = await market()
    with pytest.raises(PlatformError) as caught:
        await driver.rules.schedule(other, lot, terms(OPENS + 2 * DAY))
    assert refusal(caught) == (403, "wrong_court")
    with pytest.raises(PlatformError) as caught:
        await driver.rules.auction(2)
    assert refusal(caught) == (404, "auction_not_found")


async def test_the_listing_rules_refuse_a_start_below_the_floor_or_too_soon() -> None:
    driver = RulesDriver(JUDICIAL_2016, START.timestamp())
    clerk = await driver.staff("甲法院", "广东", "深圳", "basic")
    lot = await driver.rules.create_lot(clerk, {"title": "货车", "category": "vehicle", "appraisal": APPRAISAL})
    with pytest.raises(PlatformError) as caught:
        await driver.rules.schedule(clerk, lot["id"], terms(price=600_000, deposit=60_000))
    assert refusal(caught) == (422, "starting_price_below_floor")
    with pytest.raises(PlatformError) as caught:
        await driver.rules.schedule(clerk, lot["id"], terms(opens=START + 2 * DAY))
    assert caught.value.status == 422
    with pytest.raises(PlatformError) as caught:
        await driver.rules.schedule(clerk, lot["id"], terms(deposit=400_000))
    assert refusal(caught) == (422, "deposit_out_of_range")


async def test_a_bid_needs_a_registration_and_a_clerk_never_bids() -> None:
    driver, clerk, _other, bidders, _lot, auction = await market()
    await driver.advance_to(OPENS.timestamp() + 60)
    answer = await driver.rules.bid(bidders["a"], auction, 800_000)
    assert (answer.ok, answer.status, answer.code) == (False, 403, "not_registered")
    assert (await driver.rules.bid(clerk, auction, 800_000)).code == "staff_cannot_bid"
    page = await driver.rules.auction(auction)
    assert (page["status"], page["bid_count"], page["current_price"]) == ("live", 0, None)


async def test_a_bid_in_the_last_five_minutes_moves_the_end_and_a_bid_after_it_is_refused() -> None:
    driver, _clerk, _other, bidders, _lot, auction = await market()
    for who in bidders.values():
        await driver.rules.register(who, auction)
    end = OPENS + DAY
    await driver.advance_to((end - timedelta(minutes=2)).timestamp())
    first = await driver.rules.bid(bidders["a"], auction, 800_000)
    assert first.ok and first.body["end_at"] == isoformat(end + timedelta(minutes=3))
    low = await driver.rules.bid(bidders["b"], auction, 800_000)
    assert (low.status, low.code) == (409, "bid_too_low")
    await driver.advance_to((end + timedelta(minutes=3)).timestamp())
    late = await driver.rules.bid(bidders["b"], auction, 805_000)
    assert (late.status, late.code) == (409, "auction_not_live")
    page = await driver.rules.auction(auction)
    assert (page["status"], page["current_price"], page["bid_count"]) == ("sold", 800_000, 1)
    assert [b["amount"] for b in await driver.rules.bid_record(auction)] == [800_000]


async def test_a_default_bars_the_winner_from_the_re_auction_and_a_sale_is_settled_once() -> None:
    driver, clerk, _other, bidders, lot, auction = await market()
    await driver.rules.register(bidders["a"], auction)
    await driver.advance_to(OPENS.timestamp() + 60)
    assert (await driver.rules.bid(bidders["a"], auction, 800_000)).ok
    await driver.advance_to((OPENS + DAY).timestamp())
    # before the balance deadline a 悔拍 stands only as a written renunciation, which the lane records
    await driver.rules.settle(clerk, auction, "defaulted")
    with pytest.raises(PlatformError) as caught:
        await driver.rules.settle(clerk, auction, "paid")
    assert refusal(caught) == (409, "already_settled")
    again = await driver.rules.schedule(clerk, lot, terms(OPENS + 20 * DAY))
    assert again["round"] == 1  # 悔拍: the same round again
    with pytest.raises(PlatformError) as caught:
        await driver.rules.register(bidders["a"], again["id"])
    assert refusal(caught) == (403, "excluded_bidder")
    assert (await driver.rules.register(bidders["b"], again["id"]))["bidder_code"]


async def test_a_lot_is_disposed_of_only_after_its_last_round_failed() -> None:
    driver, clerk, _other, _bidders, lot, _auction = await market()
    await driver.advance_to((OPENS + DAY).timestamp())
    with pytest.raises(PlatformError) as caught:
        await driver.rules.dispose(clerk, lot, "returned")
    assert refusal(caught) == (409, "disposition_not_allowed")
    round2 = await driver.rules.schedule(clerk, lot, terms(OPENS + 10 * DAY, price=640_000, deposit=64_000))
    assert round2["round"] == 2
    await driver.advance_to((OPENS + 11 * DAY).timestamp())
    await driver.rules.dispose(clerk, lot, "creditor_taken")
    with pytest.raises(PlatformError) as caught:
        await driver.rules.dispose(clerk, lot, "returned")
    assert refusal(caught) == (409, "lot_concluded")
