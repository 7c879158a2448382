"""One dating rule for every figure: each is dated by the moment of the event it counts (China time), so a
quarter's figures do not change once it has closed. Sandbox rules (rounds follow each other in hours);
amounts in fen, ¥1 = 100 fen. By hand, one court (甲), times in Beijing time:

  P  residential  round 1 ends 2027-03-10, sold ¥900,000 (start ¥800,000, appraisal ¥1,000,000), paid 2027-04-02
  Q  vehicle      round 1 fails 2027-01-20, round 2 fails 2027-02-10; returned on 2027-04-05
  R  vehicle      round 1 fails 2027-02-20, round 2 (start ¥400,000) fails 2027-03-01; 以物抵债 2027-03-20
  W  vehicle      scheduled to end 2027-05-10, withdrawn 2027-03-25

2027-Q1: auctions ended P1, Q1, Q2, R1, R2 = 5, sold 1, unsold 4; withdrawn W (when it was made, not at
its scheduled end in Q2) = 1; lots concluded P (sale's close), R (disposition) = 2, sold 1; 以物抵债 1 at
¥400,000; proceeds 0 (P's balance was paid in Q2).
2027-Q2: lots concluded Q (returned 5 April) = 1, sold 0; proceeds ¥900,000; 执行到位 ¥900,000.
By the old rule (a lot dated by its last auction's end) Q counted in Q1 once returned, changing a closed
quarter, and W counted in Q2.
"""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.scenes import assert_error, go_to, t

BEIJING = timezone(timedelta(hours=8))
Y = 100


@pytest.fixture
def rules() -> str:
    return "sandbox"


def bj(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=BEIJING)


async def ending_at(service, staff, lot_id: int, start_price: int, end: datetime, bids=()) -> dict:
    """An auction announced now and ending at ``end`` (Beijing time), with ``bids``."""
    api = service.api
    start = end - timedelta(hours=1)
    a = await api.schedule(
        staff, lot_id, starting_price=start_price, increment=10_000 * Y, start_in=start - service.clock.now(),
        duration=timedelta(hours=1),
    )  # fmt: skip
    for bidder in {id(b): b for b, _ in bids}.values():
        await api.register(bidder, a["id"])
    await go_to(service, start)
    for bidder, amount in bids:
        placed = await api.bid(bidder, a["id"], amount)
        assert placed.status_code == 201, placed.text
    await go_to(service, t(a["end_at"]) + timedelta(minutes=1))
    return a


async def quarters(service, **params) -> dict[str, dict]:
    r = await service.client.get("/api/v1/stats/groups", params={"by": "quarter", **params})
    assert r.status_code == 200, r.text
    return {item["group"]["quarter"]: item for item in r.json()["items"]}


@pytest.fixture
async def court(service):
    api = service.api
    staff = await api.staff(service.services, court="甲法院")
    x, y = await api.bidder(), await api.bidder()
    await go_to(service, bj(1, 5))
    p = await api.lot(staff, category="residential", appraisal=1_000_000 * Y)
    q = await api.lot(staff, category="vehicle", appraisal=1_000_000 * Y)
    r = await api.lot(staff, category="vehicle", appraisal=500_000 * Y)
    w = await api.lot(staff, category="vehicle", appraisal=500_000 * Y)
    await ending_at(service, staff, q["id"], 700_000 * Y, bj(1, 20))
    await ending_at(service, staff, q["id"], 560_000 * Y, bj(2, 10))
    await ending_at(service, staff, r["id"], 500_000 * Y, bj(2, 20))
    await ending_at(service, staff, r["id"], 400_000 * Y, bj(3, 1))
    sale = await ending_at(service, staff, p["id"], 800_000 * Y, bj(3, 10), [(x, 800_000 * Y), (y, 900_000 * Y)])
    await go_to(service, bj(3, 15))
    withdrawn = await api.schedule(staff, w["id"], starting_price=400_000 * Y, start_in=bj(5, 9) - service.clock.now())
    await go_to(service, bj(3, 20))
    disposed = await service.client.post(
        f"/api/v1/lots/{r['id']}/disposition", json={"outcome": "creditor_taken"}, headers=staff
    )
    assert disposed.status_code == 200, disposed.text
    await go_to(service, bj(3, 25))
    gone = await service.client.post(
        f"/api/v1/auctions/{withdrawn['id']}/withdraw", json={"reason": "和解"}, headers=staff
    )
    assert gone.status_code == 200, gone.text
    return {"staff": staff, "q": q, "sale": sale}


async def test_lots_concluded_per_quarter_match_the_hand_count_and_a_closed_quarter_stays_closed(service, court):
    await go_to(service, bj(4, 1))
    q1_at_close = (await quarters(service))["2027-Q1"]
    assert (q1_at_close["auctions_ended"], q1_at_close["sold"], q1_at_close["unsold"]) == (5, 1, 4)
    assert q1_at_close["withdrawn"] == 1  # withdrawn on 25 March, though scheduled to end in May
    assert (q1_at_close["lots_concluded"], q1_at_close["lots_sold"]) == (2, 1)  # P sold, R taken by the creditor
    assert q1_at_close["creditor_taken"] == {"count": 1, "amount": 400_000 * Y}
    assert q1_at_close["proceeds"] == 0 and q1_at_close["execution_total"] == 400_000 * Y

    staff = court["staff"]
    await go_to(service, bj(4, 2))
    paid = await service.client.post(
        f"/api/v1/auctions/{court['sale']['id']}/settlement", json={"outcome": "paid"}, headers=staff
    )
    assert paid.status_code == 200, paid.text
    await go_to(service, bj(4, 5))
    returned = await service.client.post(
        f"/api/v1/lots/{court['q']['id']}/disposition", json={"outcome": "returned"}, headers=staff
    )
    assert returned.status_code == 200, returned.text

    after = await quarters(service)
    assert after["2027-Q1"] == q1_at_close  # the returned lot and the payment leave the closed quarter alone
    q2 = after["2027-Q2"]
    assert (q2["lots_concluded"], q2["lots_sold"], q2["auctions_ended"], q2["withdrawn"]) == (1, 0, 0, 0)
    assert (q2["proceeds"], q2["paid_sales"], q2["execution_total"]) == (900_000 * Y, 1, 900_000 * Y)


async def test_plain_dates_are_beijing_days_and_bad_ones_are_refused(service, court):
    await go_to(service, bj(4, 1))
    q1 = (await quarters(service))["2027-Q1"]
    r = await service.client.get("/api/v1/stats", params={"from": "2027-01-01", "to": "2027-04-01"})
    assert r.status_code == 200, r.text
    whole = r.json()
    for key in ("auctions_ended", "sold", "unsold", "withdrawn", "lots_concluded", "deal_amount", "creditor_taken"):
        assert whole[key] == q1[key], key
    # 1 March 00:00 in Beijing is 28 February 16:00 UTC: R's round 2, ending at 10:00 on 1 March, is in March
    march = (await service.client.get("/api/v1/stats", params={"from": "2027-03-01", "to": "2027-04-01"})).json()
    assert (march["auctions_ended"], march["sold"]) == (2, 1)
    utc_day = {"from": "2027-03-01T00:00:00Z", "to": "2027-04-01T00:00:00Z"}
    assert (await service.client.get("/api/v1/stats", params=utc_day)).json()["auctions_ended"] == 2
    grouped = await quarters(service, **{"from": "2027-01-01", "to": "2027-04-01"})
    assert set(grouped) == {"2027-Q1"}
    assert_error(await service.client.get("/api/v1/stats", params={"from": "2027-02-30"}), 422)
    assert_error(await service.client.get("/api/v1/stats/groups", params={"to": "2027-13-01"}), 422)


async def test_auction_and_sale_are_split(service, court):
    await go_to(service, bj(4, 1))
    r = await service.client.get("/api/v1/stats/groups", params={"by": "mode"})
    modes = {item["group"]["mode"]: item for item in r.json()["items"]}
    assert set(modes) == {"auction"}  # no 变卖 in this court
    assert modes["auction"]["ended_by_round"] == {"1": 3, "2": 2, "sale": 0}


async def test_the_monthly_court_report_matches_the_hand_count(service, court):
    """March 2027 by hand: residential P sold in round 1 at ¥900,000 (start ¥800,000); vehicle R's round 2
    failed on 1 March and the creditor took R at ¥400,000 on 20 March; vehicle W withdrawn on 25 March.
    P's balance is paid in April: not in March's 执行到位."""
    staff = court["staff"]
    await go_to(service, bj(4, 2))
    paid = await service.client.post(
        f"/api/v1/auctions/{court['sale']['id']}/settlement", json={"outcome": "paid"}, headers=staff
    )
    assert paid.status_code == 200, paid.text
    r = await service.client.get("/api/v1/stats/court-report", params={"month": "2027-03"}, headers=staff)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["month"], report["court"], report["final"]) == ("2027-03", "甲法院", True)
    assert report["from"] == "2027-02-28T16:00:00.000Z" and report["to"] == "2027-03-31T16:00:00.000Z"
    rows = {(i["court"], i["category"]): i for i in report["items"]}
    assert set(rows) == {("甲法院", "residential"), ("甲法院", "vehicle"), ("甲法院", None)}
    home, car, total = rows[("甲法院", "residential")], rows[("甲法院", "vehicle")], rows[("甲法院", None)]
    assert (home["ended_by_round"], home["sold_by_round"]) == ({"1": 1, "2": 0, "sale": 0}, {"1": 1, "2": 0, "sale": 0})
    assert (home["transaction_rate"], home["deal_amount"], home["lots_concluded"], home["lots_sold"]) == (
        1.0, 900_000 * Y, 1, 1
    )  # fmt: skip
    assert home["premium_rate_over_start"]["weighted"] == pytest.approx(0.125)
    assert (car["ended_by_round"], car["sold"], car["transaction_rate"], car["withdrawn"]) == (
        {"1": 0, "2": 1, "sale": 0}, 0, 0.0, 1
    )  # fmt: skip
    assert car["creditor_taken"] == {"count": 1, "amount": 400_000 * Y} and car["execution_total"] == 400_000 * Y
    assert (total["auctions_ended"], total["sold"], total["transaction_rate"], total["withdrawn"]) == (2, 1, 0.5, 1)
    assert (total["lots_concluded"], total["lots_sold"], total["deal_amount"]) == (2, 1, 900_000 * Y)
    assert (total["proceeds"], total["execution_total"]) == (0, 400_000 * Y)
    april = await service.client.get("/api/v1/stats/court-report", params={"month": "2027-04"}, headers=staff)
    assert april.json()["final"] is False and april.json()["items"][-1]["proceeds"] == 900_000 * Y

    csv_text = (
        await service.client.get(
            "/api/v1/stats/court-report", params={"month": "2027-03", "format": "csv"}, headers=staff
        )
    ).content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(csv_text)))
    assert [(row["court"], row["category"]) for row in table] == [
        ("甲法院", "residential"), ("甲法院", "vehicle"), ("甲法院", "total")
    ]  # fmt: skip
    assert table[2]["execution_total_fen (执行到位: paid + 以物抵债 + forfeited deposits)"] == str(400_000 * Y)
    pdf = await service.client.get(
        "/api/v1/stats/court-report", params={"month": "2027-03", "format": "pdf"}, headers=staff
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    other = await service.api.staff(service.services, court="乙法院")
    refused = await service.client.get(
        "/api/v1/stats/court-report", params={"month": "2027-03", "court": "甲法院"}, headers=other
    )
    assert_error(refused, 403, "wrong_court")
    assert_error(
        await service.client.get("/api/v1/stats/court-report", params={"month": "2027-3"}, headers=staff),
        422,
        "invalid_month",
    )


async def test_the_report_is_also_a_command(service, court, tmp_path):
    """``auction-service stats report`` writes the same report from the database (CSV, PDF)."""
    from typer.testing import CliRunner

    from auction_cli.main import app as cli

    await go_to(service, bj(4, 2))
    url = service.services.settings.database_url
    runner = CliRunner()
    shown = await asyncio.to_thread(
        runner.invoke, cli, ["stats", "report", "--month", "2027-03", "--database-url", url]
    )
    assert shown.exit_code == 0, shown.output
    table = list(csv.DictReader(io.StringIO(shown.output)))
    assert [(row["court"], row["category"]) for row in table] == [
        ("甲法院", "residential"), ("甲法院", "vehicle"), ("甲法院", "total"), ("all courts", "total")
    ]  # fmt: skip
    assert table[-1]["execution_total_fen (执行到位: paid + 以物抵债 + forfeited deposits)"] == str(400_000 * Y)
    pdf = tmp_path / "report.pdf"
    done = await asyncio.to_thread(
        runner.invoke, cli, ["stats", "report", "--month", "2027-03", "--database-url", url, "--out", str(pdf)]
    )
    assert done.exit_code == 0, done.output
    assert pdf.read_bytes().startswith(b"%PDF")
    bad = await asyncio.to_thread(runner.invoke, cli, ["stats", "report", "--month", "March", "--database-url", url])
    assert bad.exit_code != 0 and "YYYY-MM" in f"{bad.output}{bad.exception}"  # a Problem: one line, exit 2
