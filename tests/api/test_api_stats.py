"""Statistics over a hand-computed fixture, the clock and the health check.

Fixture (every auction starts and is scheduled to end at the same moments):
  A  甲法院 residential  appraisal 10,000,000  start  8,000,000  bids 8.0M, 9.0M        sold at  9,000,000
  B  乙法院 commercial   appraisal 20,000,000  start 20,000,000  bids 20M, 21M, 25M    sold at 25,000,000
                                                                 (the last one 1 minute before the end: 1 extension)
  C  乙法院 vehicle      appraisal  1,000,000  start    700,000  no bid                unsold (流拍)
  D  甲法院 other        withdrawn before bidding starts
Premium over start: A 1/8 = 0.125, B 0.25. Over appraisal: A -0.1, B 0.25.
"""

from datetime import timedelta

import pytest

from auction_service.clock import isoformat
from tests.support.scenes import assert_error, assert_utc, go_to, t

JIA, YI = "甲法院", "乙法院"


@pytest.fixture
async def market(service):
    api = service.api
    jia = await api.staff(service.services, court=JIA)
    yi = await api.staff(service.services, court=YI)
    lot_a = await api.lot(jia, category="residential", appraisal=10_000_000)
    lot_b = await api.lot(yi, category="commercial", appraisal=20_000_000)
    lot_c = await api.lot(yi, category="vehicle", appraisal=1_000_000)
    lot_d = await api.lot(jia, category="other", appraisal=1_000_000)
    a = await api.schedule(jia, lot_a["id"], starting_price=8_000_000, increment=100_000)
    b = await api.schedule(yi, lot_b["id"], starting_price=20_000_000, increment=500_000)
    c = await api.schedule(yi, lot_c["id"], starting_price=700_000, increment=10_000)
    d = await api.schedule(jia, lot_d["id"], starting_price=700_000, increment=10_000)
    r = await service.client.post(f"/api/v1/auctions/{d['id']}/withdraw", json={"reason": "和解"}, headers=jia)
    assert r.status_code == 200, r.text
    x, y = await api.bidder(), await api.bidder()
    for auction in (a, b, c):
        await api.register(x, auction["id"])
        await api.register(y, auction["id"])
    start, end = t(a["start_at"]), t(a["end_at"])
    await go_to(service, start)
    for bidder, auction, amount in ((x, a, 8_000_000), (y, a, 9_000_000), (x, b, 20_000_000), (y, b, 21_000_000)):
        r = await api.bid(bidder, auction["id"], amount)
        assert r.status_code == 201, r.text
    service.clock.set(end - timedelta(minutes=1))
    r = await api.bid(x, b["id"], 25_000_000)
    assert r.status_code == 201, r.text
    await go_to(service, end + timedelta(minutes=10))
    for auction, status in ((a, "sold"), (b, "sold"), (c, "unsold"), (d, "withdrawn")):
        assert (await api.auction(auction["id"]))["status"] == status
    return {"end": end, "b_end": end + timedelta(minutes=4)}


async def _stats(service, **params):
    r = await service.client.get("/api/v1/stats", params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def test_statistics_over_all_auctions(service, market):
    s = await _stats(service)
    assert (s["auctions_ended"], s["sold"], s["unsold"], s["withdrawn"]) == (3, 2, 1, 1)
    assert s["transaction_rate"] == pytest.approx(2 / 3)
    assert s["deal_amount"] == 34_000_000
    # weighted by amount: (1M + 5M) / (8M + 20M) over the start, (34M - 30M) / 30M over the appraisal
    assert s["premium_rate_over_start"] == pytest.approx(
        {"mean": 0.1875, "median": 0.1875, "max": 0.25, "weighted": 6 / 28}
    )
    assert s["premium_rate_over_appraisal"] == pytest.approx(
        {"mean": 0.075, "median": 0.075, "max": 0.25, "weighted": 4 / 30}
    )
    assert s["bids_per_auction"] == pytest.approx(5 / 3)
    assert s["extensions_per_auction"] == pytest.approx(1 / 3)
    assert (s["lots_concluded"], s["lots_sold"]) == (2, 2)
    assert s["lot_transaction_rate"] == pytest.approx(1.0)


async def test_statistics_by_court(service, market):
    jia = await _stats(service, court=JIA)
    assert (jia["auctions_ended"], jia["sold"], jia["unsold"], jia["withdrawn"]) == (1, 1, 0, 1)
    assert jia["transaction_rate"] == pytest.approx(1.0)
    assert jia["deal_amount"] == 9_000_000
    assert jia["premium_rate_over_start"] == pytest.approx(
        {"mean": 0.125, "median": 0.125, "max": 0.125, "weighted": 0.125}
    )
    assert jia["premium_rate_over_appraisal"] == pytest.approx(
        {"mean": -0.1, "median": -0.1, "max": -0.1, "weighted": -0.1}
    )
    assert jia["bids_per_auction"] == pytest.approx(2.0)
    assert jia["extensions_per_auction"] == pytest.approx(0.0)
    yi = await _stats(service, court=YI)
    assert (yi["auctions_ended"], yi["sold"], yi["unsold"], yi["withdrawn"]) == (2, 1, 1, 0)
    assert yi["transaction_rate"] == pytest.approx(0.5)
    assert yi["deal_amount"] == 25_000_000
    assert yi["premium_rate_over_start"]["max"] == pytest.approx(0.25)
    assert yi["bids_per_auction"] == pytest.approx(1.5)
    assert yi["extensions_per_auction"] == pytest.approx(0.5)


async def test_statistics_by_category(service, market):
    car = await _stats(service, category="vehicle")
    assert (car["auctions_ended"], car["sold"], car["unsold"]) == (1, 0, 1)
    assert car["transaction_rate"] == pytest.approx(0.0)
    assert car["deal_amount"] == 0
    assert car["premium_rate_over_start"] == {"mean": None, "median": None, "max": None, "weighted": None}
    assert car["bids_per_auction"] == pytest.approx(0.0)
    shop = await _stats(service, category="commercial")
    assert (shop["sold"], shop["deal_amount"]) == (1, 25_000_000)
    assert shop["premium_rate_over_appraisal"] == pytest.approx(
        {"mean": 0.25, "median": 0.25, "max": 0.25, "weighted": 0.25}
    )
    nothing = await _stats(service, category="land")
    assert (nothing["auctions_ended"], nothing["sold"], nothing["unsold"]) == (0, 0, 0)
    assert nothing["transaction_rate"] is None  # no denominator: no rate, never 0


async def test_statistics_count_an_auction_in_the_window_of_its_true_end(service, market):
    end, b_end = market["end"], market["b_end"]
    # A and C ended at the scheduled end; B ran 4 minutes longer (one extension)
    first = await _stats(service, **{"from": isoformat(end), "to": isoformat(end + timedelta(milliseconds=1))})
    assert (first["sold"], first["unsold"]) == (1, 1)
    assert first["deal_amount"] == 9_000_000
    later = await _stats(
        service, **{"from": isoformat(end + timedelta(milliseconds=1)), "to": isoformat(b_end + timedelta(seconds=1))}
    )
    assert (later["sold"], later["unsold"], later["deal_amount"]) == (1, 0, 25_000_000)
    before = await _stats(service, to=isoformat(end))
    assert (before["auctions_ended"], before["transaction_rate"]) == (0, None)


async def test_the_clock_reports_the_server_time_and_speed(service):
    r = await service.client.get("/api/v1/clock")
    assert r.status_code == 200, r.text
    body = r.json()
    assert assert_utc(body["now"]) == service.clock.now()
    assert body["speed"] == 1
    service.clock.advance(hours=3, milliseconds=250)
    assert assert_utc((await service.client.get("/api/v1/clock")).json()["now"]) == service.clock.now()


async def test_healthz_answers_200(service):
    r = await service.client.get("/healthz")
    assert r.status_code == 200, r.text


async def test_stats_with_a_naive_window_is_422(service):
    assert_error(await service.client.get("/api/v1/stats", params={"from": "2026-05-01T00:00:00"}), 422)
