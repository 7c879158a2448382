"""``GET /stats/groups``: the figures courts report, grouped, against a hand-computed market (sandbox
rules, so that rounds follow each other within hours). Amounts in fen; ¥1 = 100 fen.

Courts: 甲 广东省深圳市 intermediate; 乙 广东省广州市 basic; 丙 四川省成都市 basic.

May 2026 (China time), 2026-Q2:
  E1 甲 L5 vehicle  appraisal ¥1,000,000 round 1 start ¥800,000: X ¥800,000              sold ¥800,000, paid
  E2 丙 L4 machinery appraisal ¥500,000  round 1 start ¥400,000: X ¥400,000, Y ¥420,000   sold ¥420,000, unsettled
May 2027, 2027-Q2:
  F1 甲 L1 vehicle  appraisal ¥1,000,000 round 1 start ¥800,000: X ¥800,000, Y ¥1,000,000 sold, then 悔拍 (defaulted)
  F2 甲 L1 resale   round 1 (Y excluded)        start ¥800,000: Z ¥800,000, X ¥950,000   sold ¥950,000, paid
  F3 甲 L2 vehicle  appraisal ¥2,000,000 round 1 start ¥1,600,000: no bid                  unsold
  F4 甲 L2          round 2                      start ¥1,280,000: no bid                  unsold; 以物抵债 at it
  F5 乙 L3 vehicle  appraisal ¥1,000,000 round 1 start ¥700,000: no bid                    unsold
  F6 乙 L3          round 2                      start ¥560,000: X ¥560,000                sold ¥560,000 (round 2), paid

甲 over all time: sold E1, F2 = 2 (F1 is defaulted, not a sale: before the fix it counted, sold = 3 and
the deal amount ¥2,750,000); unsold F3, F4 = 2; rate 2/4; deal ¥1,750,000; highest ¥950,000; lots
concluded L5, L1 (sold), L2 (disposed) = 3, sold 2; 以物抵债 1 at ¥1,280,000; proceeds (paid) ¥1,750,000;
bidders per ended auction (E1 1, F2 2, F3 0, F4 0) = 3/4; premium over start E1 0, F2 0.1875; over
appraisal E1 -0.2, F2 -0.05.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from auction_service.core import accounts as account_service
from tests.support.scenes import assert_error, go_to, settlement_body, t

JIA, YI, BING = "甲法院", "乙法院", "丙法院"
Y = 100  # fen per yuan


@pytest.fixture
def rules() -> str:
    return "sandbox"


async def _auction(service, staff, lot_id, start_price, bids, *, settle=None, increment=10_000 * Y):
    api = service.api
    a = await api.schedule(
        staff, lot_id, starting_price=start_price, increment=increment, start_in=timedelta(hours=1),
        duration=timedelta(hours=1),
    )  # fmt: skip
    for bidder in {id(b): b for b, _ in bids}.values():
        await api.register(bidder, a["id"])
    await go_to(service, t(a["start_at"]))
    for bidder, amount in bids:
        r = await api.bid(bidder, a["id"], amount)
        assert r.status_code == 201, r.text
    await go_to(service, t(a["end_at"]) + timedelta(minutes=1))
    assert (await api.auction(a["id"]))["status"] == ("sold" if bids else "unsold")
    if settle:
        r = await service.client.post(
            f"/api/v1/auctions/{a['id']}/settlement", json=settlement_body(settle), headers=staff
        )
        assert r.status_code == 200, r.text
    return a


@pytest.fixture
async def market(service):
    api, services = service.api, service.services
    async with services.write_sessions() as session:
        await account_service.create_account(
            session, services.clock, username="root", password="password123", real_name="管理员", role="admin"
        )
        await session.commit()
    root = await api.token("root")
    staff = {court: await api.staff(services, court=court) for court in (JIA, YI, BING)}
    courts = {c["name"]: c["id"] for c in (await service.client.get("/api/v1/courts")).json()["items"]}
    regions = {
        JIA: {"province": "广东省", "city": "深圳市", "level": "intermediate"},
        YI: {"province": "广东省", "city": "广州市", "level": "基层"},
        BING: {"province": "四川省", "city": "成都市", "level": "basic"},
    }
    for court, body in regions.items():
        r = await service.client.patch(f"/api/v1/courts/{courts[court]}", json=body, headers=root)
        assert r.status_code == 200, r.text
    x, y, z = await api.bidder(), await api.bidder(), await api.bidder()
    jia, yi, bing = staff[JIA], staff[YI], staff[BING]

    await go_to(service, datetime(2026, 5, 10, 2, 0, tzinfo=UTC))
    l5 = await api.lot(jia, category="vehicle", appraisal=1_000_000 * Y)
    await _auction(service, jia, l5["id"], 800_000 * Y, [(x, 800_000 * Y)], settle="paid")
    l4 = await api.lot(bing, category="machinery", appraisal=500_000 * Y)
    await _auction(service, bing, l4["id"], 400_000 * Y, [(x, 400_000 * Y), (y, 420_000 * Y)])

    await go_to(service, datetime(2027, 5, 10, 2, 0, tzinfo=UTC))
    l1 = await api.lot(jia, category="vehicle", appraisal=1_000_000 * Y)
    await _auction(service, jia, l1["id"], 800_000 * Y, [(x, 800_000 * Y), (y, 1_000_000 * Y)], settle="defaulted")
    await _auction(service, jia, l1["id"], 800_000 * Y, [(z, 800_000 * Y), (x, 950_000 * Y)], settle="paid")
    l2 = await api.lot(jia, category="vehicle", appraisal=2_000_000 * Y)
    await _auction(service, jia, l2["id"], 1_600_000 * Y, [])
    await _auction(service, jia, l2["id"], 1_280_000 * Y, [])
    r = await service.client.post(
        f"/api/v1/lots/{l2['id']}/disposition", json={"outcome": "creditor_taken"}, headers=jia
    )
    assert r.status_code == 200, r.text
    l3 = await api.lot(yi, category="vehicle", appraisal=1_000_000 * Y)
    await _auction(service, yi, l3["id"], 700_000 * Y, [])
    await _auction(service, yi, l3["id"], 560_000 * Y, [(x, 560_000 * Y)], settle="paid")
    return courts


async def _groups(service, **params):
    r = await service.client.get("/api/v1/stats/groups", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _by(body, *dims):
    return {tuple(item["group"][d] for d in dims): item for item in body["items"]}


async def test_a_sale_after_a_default_counts_once_and_the_defaulted_sale_not_at_all(service, market):
    jia = (await service.client.get("/api/v1/stats", params={"court": JIA})).json()
    assert (jia["sold"], jia["unsold"], jia["defaulted"], jia["auctions_ended"]) == (2, 2, 1, 4)
    assert jia["deal_amount"] == 1_750_000 * Y
    assert jia["transaction_rate"] == pytest.approx(0.5)
    assert jia["highest_price"] == 950_000 * Y
    assert (jia["lots_concluded"], jia["lots_sold"]) == (3, 2)
    assert jia["creditor_taken"] == {"count": 1, "amount": 1_280_000 * Y}
    assert jia["proceeds"] == 1_750_000 * Y
    assert jia["bidders_per_auction"] == pytest.approx(0.75)
    assert jia["registrations_per_auction"] == pytest.approx(0.75)
    assert jia["bids_per_auction"] == pytest.approx(0.75)
    # weighted: (0 + 150k) / (800k + 800k); (1,750k - 2,000k) / 2,000k; 1,750k / 2,000k
    assert jia["premium_rate_over_start"] == pytest.approx(
        {"mean": 0.09375, "median": 0.09375, "max": 0.1875, "weighted": 0.09375}
    )
    assert jia["premium_rate_over_appraisal"] == pytest.approx(
        {"mean": -0.125, "median": -0.125, "max": -0.05, "weighted": -0.125}
    )
    assert jia["discount_rate"] == pytest.approx({"mean": 0.875, "median": 0.875, "max": 0.95, "weighted": 0.875})
    # 执行到位: the paid balances, 以物抵债 and the deposit the 悔拍 forfeited
    assert jia["forfeited_deposits"]["count"] == 1 and jia["forfeited_deposits"]["amount"] > 0
    assert jia["execution_total"] == 1_750_000 * Y + 1_280_000 * Y + jia["forfeited_deposits"]["amount"]
    assert jia["sold_by_round"] == {"1": 2, "2": 0, "sale": 0}
    # the group endpoint with no dimension is the same whole
    [whole] = (await _groups(service, court=JIA))["items"]
    assert whole["group"] == {}
    for key in ("sold", "unsold", "defaulted", "deal_amount", "lots_concluded", "proceeds", "creditor_taken"):
        assert whole[key] == jia[key], key


async def test_groups_by_province_and_by_court(service, market):
    body = await _groups(service, by="province")
    assert body["by"] == ["province"]
    provinces = _by(body, "province")
    assert set(provinces) == {("广东省",), ("四川省",)}
    gd, sc = provinces[("广东省",)], provinces[("四川省",)]
    assert (gd["sold"], gd["unsold"], gd["defaulted"]) == (3, 3, 1)
    assert gd["deal_amount"] == (800_000 + 950_000 + 560_000) * Y
    assert gd["sold_by_round"] == {"1": 2, "2": 1, "sale": 0}
    assert gd["share_sold_by_round"] == pytest.approx({"1": 2 / 3, "2": 1 / 3, "sale": 0.0})
    assert gd["proceeds"] == (800_000 + 950_000 + 560_000) * Y
    assert (sc["sold"], sc["deal_amount"], sc["proceeds"], sc["highest_price"]) == (1, 420_000 * Y, 0, 420_000 * Y)
    assert sc["bidders_per_auction"] == pytest.approx(2.0)
    courts = _by(await _groups(service, by="court"), "court")
    assert courts[(YI,)]["sold_by_round"] == {"1": 0, "2": 1, "sale": 0}
    assert courts[(YI,)]["lots_concluded"] == 1 and courts[(YI,)]["lots_sold"] == 1
    # a filter on the province keeps its courts only
    only = _by(await _groups(service, by="court", province="四川省"), "court")
    assert list(only) == [(BING,)]


async def test_groups_by_level_and_quarter_with_the_change_year_on_year(service, market):
    body = await _groups(service, by="court_level,quarter")
    groups = _by(body, "court_level", "quarter")
    assert set(groups) == {
        ("intermediate", "2026-Q2"), ("intermediate", "2027-Q2"), ("basic", "2026-Q2"), ("basic", "2027-Q2")
    }  # fmt: skip
    now, before = groups[("intermediate", "2027-Q2")], groups[("intermediate", "2026-Q2")]
    assert (before["sold"], before["deal_amount"]) == (1, 800_000 * Y)
    assert (now["sold"], now["unsold"], now["defaulted"], now["deal_amount"]) == (1, 2, 1, 950_000 * Y)
    assert now["creditor_taken"] == {"count": 1, "amount": 1_280_000 * Y}
    yoy = now["yoy"]
    assert yoy["compared_with"] == "2026-Q2"
    assert yoy["sold"] == pytest.approx(0.0)
    assert yoy["deal_amount"] == pytest.approx(0.1875)  # (950k - 800k) / 800k
    assert yoy["transaction_rate_difference"] == pytest.approx(1 / 3 - 1)  # 33.3% against 100%
    assert yoy["transaction_rate_points"] == pytest.approx(100 * (1 / 3 - 1))  # -66.7 percentage points
    assert before["yoy"]["deal_amount"] is None  # nothing a year before 2026-Q2: no base, no rate
    basic = groups[("basic", "2027-Q2")]
    assert basic["yoy"]["deal_amount"] == pytest.approx((560_000 - 420_000) / 420_000)


async def test_groups_by_month_and_category_and_round(service, market):
    months = _by(await _groups(service, by="month"), "month")
    assert set(months) == {("2026-05",), ("2027-05",)}
    assert months[("2027-05",)]["yoy"]["sold"] == pytest.approx((2 - 2) / 2)
    years = _by(await _groups(service, by="year,city"), "year", "city")
    assert years[("2027", "深圳市")]["yoy"]["compared_with"] == "2026"
    assert years[("2027", "深圳市")]["yoy"]["deal_amount"] == pytest.approx(0.1875)
    assert years[("2027", "广州市")]["yoy"]["deal_amount"] is None  # 乙 sold nothing in 2026
    rounds = _by(await _groups(service, by="round"), "round")
    assert (rounds[("1",)]["sold"], rounds[("1",)]["unsold"], rounds[("1",)]["defaulted"]) == (3, 2, 1)
    assert (rounds[("2",)]["sold"], rounds[("2",)]["unsold"]) == (1, 1)
    assert rounds[("2",)]["creditor_taken"]["count"] == 1  # 以物抵债 in the round that failed last
    categories = _by(await _groups(service, by="category"), "category")
    assert categories[("machinery",)]["sold"] == 1 and categories[("vehicle",)]["sold"] == 3


async def test_a_window_is_compared_with_the_same_window_a_year_before(service, market):
    body = await _groups(service, by="province", **{"from": "2027-01-01T00:00:00Z", "to": "2028-01-01T00:00:00Z"})
    gd = _by(body, "province")[("广东省",)]
    assert (gd["sold"], gd["deal_amount"]) == (2, (950_000 + 560_000) * Y)
    assert gd["yoy"]["deal_amount"] == pytest.approx((1_510_000 - 800_000) / 800_000)


async def test_each_table_downloads_as_csv(service, market):
    r = await service.client.get("/api/v1/stats/groups", params={"by": "court_level,quarter", "format": "csv"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "stats-court_level-quarter.csv" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 4
    row = next(x for x in rows if (x["court_level"], x["quarter"]) == ("intermediate", "2027-Q2"))
    assert row["sold"] == "1" and row["defaulted (悔拍, not counted as sold)"] == "1"
    assert row["deal_amount_fen"] == str(950_000 * Y)
    assert row["creditor_taken_amount_fen"] == str(1_280_000 * Y)
    assert row["yoy_deal_amount"] == f"{0.1875:.6f}"


async def test_bad_group_requests_are_refused_clearly(service):
    assert_error(await service.client.get("/api/v1/stats/groups", params={"by": "planet"}), 422, "invalid_group_by")
    assert_error(await service.client.get("/api/v1/stats/groups", params={"by": "month,month"}), 422)
    assert_error(await service.client.get("/api/v1/stats/groups", params={"by": "court,province,month,round"}), 422)
    assert_error(await service.client.get("/api/v1/stats/groups", params={"round": "7"}), 422, "invalid_round")
    assert_error(await service.client.get("/api/v1/stats/groups", params={"court_level": "x"}), 422)
    assert_error(await service.client.get("/api/v1/stats/groups", params={"format": "xml"}), 422)
    assert_error(await service.client.get("/api/v1/stats/groups", params={"from": "2026-05-01T00:00:00"}), 422)
    empty = await _groups(service, by="province")
    assert empty["items"] == []
