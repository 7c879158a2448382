"""Monthly statistics and the CSV exports, against a hand-computed fixture.

Months are calendar months of the auction's end in China time (UTC+8). Fixture (vehicle lots, so a
15-day announcement; amounts in fen):
  A  appraisal 1,000,000  start 800,000  bids 800,000, 900,000  ends 2026-06-30 15:00Z = 06-30 23:00 CST  sold
  B  appraisal 1,000,000  start 800,000  no bid                  ends 2026-06-30 17:00Z = 07-01 01:00 CST  unsold
  C  appraisal 2,000,000  start 1,600,000  one bid at the start  ends 2026-09-10 02:00Z                     sold
Months: 2026-06 (A: 1 sold, 1/1), 2026-07 (B: 1 unsold, 0/1), 2026-08 (none: rates null), 2026-09 (C).
Premium over start: A 0.125, C 0. Over appraisal: A -0.1, C -0.2.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from auction_rules.results import EndedAuction, compute_statistics
from tests.support.scenes import go_to

A_END = datetime(2026, 6, 30, 15, 0, tzinfo=UTC)
B_END = datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
C_END = datetime(2026, 9, 10, 2, 0, tzinfo=UTC)


def test_one_court_sold_41_of_85_concluded_lots_a_lot_transaction_rate_of_48_2_percent():
    auctions = [
        EndedAuction(
            lot_id=i,
            status="sold" if i < 41 else "unsold",
            price=100 if i < 41 else None,
            starting_price=100,
            appraisal=125,
            bid_count=1 if i < 41 else 0,
            extension_count=0,
        )
        for i in range(85)
    ]
    stats = compute_statistics(auctions, {i: i < 41 for i in range(85)})
    assert (stats.lots_concluded, stats.lots_sold) == (85, 41)
    assert round(stats.lot_transaction_rate * 100, 1) == 48.2


@pytest.fixture
async def months(service):
    api = service.api
    staff = await api.staff(service.services, court="丙法院")
    buyer, rival = await api.bidder(), await api.bidder()
    now = service.clock.now()
    plans = [
        (1_000_000, 800_000, A_END, [(buyer, 800_000), (rival, 900_000)]),
        (1_000_000, 800_000, B_END, []),
        (2_000_000, 1_600_000, C_END, [(buyer, 1_600_000)]),
    ]
    auctions = []
    for appraisal, start_price, end, bids in plans:
        lot = await api.lot(staff, category="vehicle", appraisal=appraisal)
        start = end - timedelta(hours=24)
        a = await api.schedule(staff, lot["id"], starting_price=start_price, increment=10_000, start_in=start - now)
        for bidder in (buyer, rival):
            await api.register(bidder, a["id"])
        auctions.append((a, start, end, bids))
    # bids an hour after each start, and the ends, in the order of the clock
    events = [(start + timedelta(hours=1), a, bids) for a, start, _end, bids in auctions]
    events += [(end, a, []) for a, _start, end, _bids in auctions]
    for moment, a, bids in sorted(events, key=lambda e: e[0]):
        await go_to(service, moment)
        for bidder, amount in bids:
            r = await api.bid(bidder, a["id"], amount)
            assert r.status_code == 201, r.text
    return auctions


async def test_the_monthly_series_follows_the_auctions_end_in_china_time(service, months):
    r = await service.client.get("/api/v1/stats/monthly", params={"court": "丙法院"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["timezone"] == "UTC+08:00"
    items = {m["month"]: m for m in body["items"]}
    assert list(items) == ["2026-06", "2026-07", "2026-08", "2026-09"]
    june, july, august, september = items.values()
    assert (june["sold"], june["unsold"], june["transaction_rate"], june["deal_amount"]) == (1, 0, 1.0, 900_000)
    assert june["premium_rate_over_start"]["mean"] == pytest.approx(0.125)
    assert june["premium_rate_over_appraisal"]["mean"] == pytest.approx(-0.1)
    assert (june["lots_concluded"], june["lots_sold"], june["bids_per_auction"]) == (1, 1, 2.0)
    # B ended at 01:00 on 1 July in Beijing, though still 30 June in UTC
    assert (july["sold"], july["unsold"], july["transaction_rate"], july["lots_concluded"]) == (0, 1, 0.0, 0)
    assert (august["auctions_ended"], august["transaction_rate"], august["premium_rate_over_start"]["mean"]) == (
        0,
        None,
        None,
    )
    assert (september["sold"], september["deal_amount"]) == (1, 1_600_000)
    assert september["premium_rate_over_appraisal"]["max"] == pytest.approx(-0.2)
    # the months add up to the whole
    whole = (await service.client.get("/api/v1/stats", params={"court": "丙法院"})).json()
    for key in ("auctions_ended", "sold", "unsold", "deal_amount", "lots_concluded", "lots_sold"):
        assert sum(m[key] for m in items.values()) == whole[key], key
    assert whole["transaction_rate"] == pytest.approx(2 / 3)
    # a window in UTC still groups by China month
    r = await service.client.get(
        "/api/v1/stats/monthly", params={"from": "2026-06-30T16:00:00Z", "to": "2026-07-31T16:00:00Z"}
    )
    assert [(m["month"], m["unsold"]) for m in r.json()["items"]] == [("2026-07", 1)]


async def test_the_csv_exports_label_both_denominators_and_both_premium_bases(service, months):
    r = await service.client.get("/api/v1/stats.csv", params={"court": "丙法院"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["transaction_rate = sold / (sold + unsold auctions)"] == f"{2 / 3:.6f}"
    assert row["lot_transaction_rate = lots sold / lots concluded"] == "1.000000"
    assert row["premium_rate_over_starting_price_mean = (price - start) / start"] == f"{0.0625:.6f}"
    assert row["premium_rate_over_appraisal_mean = (price - appraisal) / appraisal"] == f"{-0.15:.6f}"
    assert row["deal_amount_fen"] == "2500000"

    r = await service.client.get("/api/v1/stats/monthly.csv", params={"court": "丙法院"})
    assert r.status_code == 200, r.text
    monthly = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [m["month (UTC+8)"] for m in monthly] == ["2026-06", "2026-07", "2026-08", "2026-09"]
    assert [m["sold"] for m in monthly] == ["1", "0", "0", "1"]
    assert monthly[2]["transaction_rate = sold / (sold + unsold auctions)"] == ""  # no denominator: empty


async def test_a_lot_concluded_by_a_disposition_counts_unsold_in_the_month_of_its_last_failure(service):
    api = service.api
    staff = await api.staff(service.services, court="丁法院")
    lot = await api.lot(staff, category="vehicle", appraisal=1_000_000)
    first = await api.schedule(staff, lot["id"], starting_price=800_000, increment=10_000, start_in=timedelta(days=16))
    await go_to(service, datetime.fromisoformat(first["end_at"].replace("Z", "+00:00")))
    second = await api.schedule(staff, lot["id"], starting_price=640_000, increment=10_000, start_in=timedelta(days=8))
    await go_to(service, datetime.fromisoformat(second["end_at"].replace("Z", "+00:00")))
    r = await service.client.post(f"/api/v1/lots/{lot['id']}/disposition", json={"outcome": "returned"}, headers=staff)
    assert r.status_code == 200, r.text
    whole = (await service.client.get("/api/v1/stats", params={"court": "丁法院"})).json()
    assert (whole["unsold"], whole["lots_concluded"], whole["lots_sold"], whole["lot_transaction_rate"]) == (
        2,
        1,
        0,
        0.0,
    )
    items = (await service.client.get("/api/v1/stats/monthly", params={"court": "丁法院"})).json()["items"]
    assert sum(m["lots_concluded"] for m in items) == 1
