"""A reported period is frozen once closed: a 悔拍 declared after the month (quarter) of the sale's close
shows as a correction in the month it was declared, never as a rewrite of the closed one. Sandbox rules;
amounts in fen, ¥1 = 100 fen. By hand, one court (甲), times in Beijing time:

  A  residential  round 1 ends 2027-03-10, sold ¥900,000 (deposit ¥80,000); 悔拍 declared 2027-04-03
  B  vehicle      round 1 ends 2027-03-12, sold ¥450,000 (deposit ¥40,000); 悔拍 declared 2027-03-20
  C  vehicle      round 1 ends 2027-04-15, sold ¥600,000
  A  again        round 1 again ends 2027-05-20, sold ¥850,000

March (asked on 31 March, and again on 20 April: the same): sold A = 1; defaulted B = 1 (its 悔拍 fell
within March: neither sold nor unsold, so auctions ended = sold + unsold = 1); deal ¥900,000; forfeited
deposits B ¥40,000.
April: sold C = 1, deal ¥600,000; corrections: sales −1, deal −¥900,000, lots sold −1 (A, reported sold
and concluded in March); forfeited deposits A ¥80,000. May: A resold, concluded again: lots 1, sold 1.
Lots concluded in March: A (B's sale was undone within March) = 1; over the year: B has not concluded, A
and C have (A once, by its resale) = 2. By quarter: Q1 as March; Q2 carries A's correction. By year (2027 as one
period): A and B are both defaulted within it, sold C only, no correction.
By the old rule (a 悔拍 undoes the sale wherever its close is counted) March's report changed in April:
sold 0, defaulted 2, deal ¥0.
"""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.test_stats_dating import Y, bj, ending_at
from tests.support.scenes import go_to

RENOUNCED = {"outcome": "defaulted", "renounced": True, "reason": "买受人书面表示放弃购买"}


@pytest.fixture
def rules() -> str:
    return "sandbox"


async def court_report(service, staff, month: str) -> dict:
    r = await service.client.get("/api/v1/stats/court-report", params={"month": month}, headers=staff)
    assert r.status_code == 200, r.text
    return next(i for i in r.json()["items"] if i["court"] == "甲法院" and i["total"])


async def groups(service, by: str) -> dict[str, dict]:
    r = await service.client.get("/api/v1/stats/groups", params={"by": by, "court": "甲法院"})
    assert r.status_code == 200, r.text
    return {item["group"][by]: item for item in r.json()["items"]}


async def default(service, staff, auction_id: int) -> None:
    r = await service.client.post(f"/api/v1/auctions/{auction_id}/settlement", json=RENOUNCED, headers=staff)
    assert r.status_code == 200, r.text


def figures(row: dict) -> tuple:
    return (
        row["auctions_ended"], row["sold"], row["defaulted"], row["deal_amount"],
        row["corrections"], row["forfeited_deposits"], row["lots_concluded"], row["lots_sold"],
    )  # fmt: skip


async def test_a_default_after_the_month_closed_is_a_correction_in_the_next(service):
    api = service.api
    staff = await api.staff(service.services, court="甲法院")
    x, y = await api.bidder(), await api.bidder()
    await go_to(service, bj(1, 5))
    a = await api.lot(staff, category="residential", appraisal=1_000_000 * Y)
    b = await api.lot(staff, category="vehicle", appraisal=500_000 * Y)
    c = await api.lot(staff, category="vehicle", appraisal=700_000 * Y)
    sale_a = await ending_at(service, staff, a["id"], 800_000 * Y, bj(3, 10), [(x, 800_000 * Y), (y, 900_000 * Y)])
    sale_b = await ending_at(service, staff, b["id"], 400_000 * Y, bj(3, 12), [(x, 400_000 * Y), (y, 450_000 * Y)])
    await go_to(service, bj(3, 20))
    await default(service, staff, sale_b["id"])
    await go_to(service, bj(3, 31, 12))
    march = {"auctions_ended": 1, "sold": 1, "defaulted": 1, "deal_amount": 900_000 * Y}
    none = {"sales": 0, "deal_amount": 0, "lots_sold": 0}
    as_reported = (1, 1, 1, 900_000 * Y, none, {"count": 1, "amount": 40_000 * Y}, 1, 1)
    assert figures(await court_report(service, staff, "2027-03")) == as_reported

    await go_to(service, bj(4, 3))
    await default(service, staff, sale_a["id"])
    await ending_at(service, staff, c["id"], 500_000 * Y, bj(4, 15), [(x, 500_000 * Y), (y, 600_000 * Y)])
    await go_to(service, bj(4, 20))

    assert figures(await court_report(service, staff, "2027-03")) == as_reported  # March stays as reported
    april = await court_report(service, staff, "2027-04")
    correction = {"sales": -1, "deal_amount": -900_000 * Y, "lots_sold": -1}
    assert figures(april) == (1, 1, 0, 600_000 * Y, correction, {"count": 1, "amount": 80_000 * Y}, 1, 1)
    x_again = await api.bidder()  # the defaulting bidder (y) may not take part in the lot's resale
    await ending_at(service, staff, a["id"], 800_000 * Y, bj(5, 20), [(x, 800_000 * Y), (x_again, 850_000 * Y)])
    await go_to(service, bj(6, 2))
    assert figures(await court_report(service, staff, "2027-03")) == as_reported  # still
    may = await court_report(service, staff, "2027-05")
    assert (may["sold"], may["lots_concluded"], may["lots_sold"], may["corrections"]) == (1, 1, 1, none)

    months = await groups(service, "month")
    assert {k: months["2027-03"][k] for k in march} == march and months["2027-03"]["corrections"] == none
    assert (months["2027-04"]["sold"], months["2027-04"]["corrections"]) == (1, correction)
    quarters = await groups(service, "quarter")
    assert (quarters["2027-Q1"]["sold"], quarters["2027-Q1"]["defaulted"]) == (1, 1)
    assert quarters["2027-Q2"]["corrections"] == correction
    year = (await groups(service, "year"))["2027"]
    assert (year["sold"], year["defaulted"], year["deal_amount"], year["corrections"]) == (2, 2, 1_450_000 * Y, none)
    assert (year["lots_concluded"], year["lots_sold"]) == (2, 2)

    csv_text = (
        await service.client.get(
            "/api/v1/stats/court-report", params={"month": "2027-04", "format": "csv"}, headers=staff
        )
    ).content.decode("utf-8-sig")
    total = list(csv.DictReader(io.StringIO(csv_text)))[-1]
    assert total["correction_sales (earlier periods' sales undone by 悔拍 in this one)"] == "-1"
    assert total["correction_deal_amount_fen"] == str(-900_000 * Y)
    pdf = await service.client.get(
        "/api/v1/stats/court-report", params={"month": "2027-04", "format": "pdf"}, headers=staff
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
