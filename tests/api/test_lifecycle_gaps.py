"""The lifecycle's former dead ends and silent deadlines, through the API on both databases:
- a lot whose relisting window (Art. 26's 30 days) passed has a lawful next step: a fresh round 1
  announcement, or disposition (it used to be refused both);
- an overdue balance is flagged on the deadlines desk, which offers 悔拍 as one action;
- a pause (暂缓 or 中止) longer than 5 days is flagged (rule 20), with its kind;
- vessels (船舶) have their own announcement period (30 days, Special Maritime Procedure Law Art. 32).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.api.test_action_log import admin
from tests.support.scenes import START_PRICE, assert_error, end_unsold, go_to, listing_body, t

ROUND2_PRICE = START_PRICE * 4 // 5
DAY = timedelta(days=1)
MS = timedelta(milliseconds=1)
CHINA = timezone(timedelta(hours=8))


async def desk(service, staff, court_id: int, **params) -> dict:
    r = await service.client.get(f"/api/v1/courts/{court_id}/deadlines", headers=staff, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def kinds(page: dict) -> list[tuple[str, str]]:
    return [(d["kind"], d["state"]) for d in page["items"]]


async def test_a_missed_relisting_window_leads_to_a_fresh_round_1_not_a_dead_end(service):
    api, client = service.api, service.client
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    failed = await end_unsold(service, staff, lot["id"])
    ended = t(failed["end_at"])
    # within the window: round 2 is the next step, due on the desk by its deadline
    page = await desk(service, staff, lot["court_id"], horizon_days=30)
    assert kinds(page) == [("relisting", "upcoming")]
    assert page["items"][0]["next_round"] == "2" and page["items"][0]["due_at"] == api_time(ended + 30 * DAY)
    assert_error(
        await client.post(f"/api/v1/lots/{lot['id']}/disposition", json={"outcome": "returned"}, headers=staff),
        409,
        "disposition_not_allowed",
    )
    # the window passes: flagged overdue, the next step is a fresh round 1 (or disposition)
    await go_to(service, ended + 30 * DAY + MS)
    item = (await desk(service, staff, lot["court_id"]))["items"][0]
    assert (item["kind"], item["state"], item["next_round"], item["restart"]) == ("relisting", "overdue", "1", True)
    assert item["actions"] == ["relist", "dispose"]
    # a round 2 price is below round 1's floor: refused, saying why, and nothing is scheduled
    r = await client.post(
        f"/api/v1/lots/{lot['id']}/auctions",
        json=listing_body(service.clock.now(), starting_price=ROUND2_PRICE),
        headers=staff,
    )
    assert "relisting window has passed" in assert_error(r, 422, "starting_price_below_floor")["message"]
    again = await api.schedule(staff, lot["id"])  # round 1's terms, round 1's 30-day announcement
    assert again["round"] == 1
    assert (await desk(service, staff, lot["court_id"]))["items"] == []
    logged = (await client.get(f"/api/v1/lots/{lot['id']}/actions", headers=staff)).json()["items"]
    assert logged[-1]["action"] == "auction_scheduled" and logged[-1]["after"]["restarted"] is True
    # and after that round fails, round 2 follows it as usual
    await go_to(service, t(again["start_at"]))
    await go_to(service, t(again["end_at"]))
    round2 = await api.schedule(staff, lot["id"], starting_price=ROUND2_PRICE, start_in=16 * DAY)
    assert round2["round"] == 2


async def test_a_missed_relisting_window_allows_disposition(service):
    api, client = service.api, service.client
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    failed = await end_unsold(service, staff, lot["id"])
    await go_to(service, t(failed["end_at"]) + 31 * DAY)
    r = await client.post(
        f"/api/v1/lots/{lot['id']}/disposition",
        json={"outcome": "creditor_taken", "note": "申请执行人同意以物抵债"},
        headers=staff,
    )
    assert r.status_code == 200, r.text
    assert r.json()["disposition_price"] == START_PRICE  # the failed round's reserve
    assert (await desk(service, staff, lot["court_id"]))["items"] == []
    assert_error(
        await api.client.post(
            f"/api/v1/lots/{lot['id']}/auctions", json=listing_body(service.clock.now()), headers=staff
        ),
        409,
        "lot_concluded",
    )


async def test_an_overdue_balance_is_flagged_and_default_is_one_action(service):
    api, client = service.api, service.client
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    auction = await api.schedule(staff, lot["id"])
    bidder = await api.bidder()
    reg = await api.register(bidder, auction["id"])
    await go_to(service, t(auction["start_at"]))
    assert (await api.bid(bidder, auction["id"], START_PRICE)).status_code == 201
    closed = t(auction["end_at"])
    await go_to(service, closed)
    page = await desk(service, staff, lot["court_id"], horizon_days=10)
    assert kinds(page) == [("balance", "upcoming")]
    item = page["items"][0]
    assert item["due_at"] == api_time(closed + 10 * DAY) and item["winner_code"] == reg["bidder_code"]
    assert item["price"] == START_PRICE
    await go_to(service, closed + 10 * DAY - timedelta(hours=1))
    assert kinds(await desk(service, staff, lot["court_id"])) == [("balance", "due_today")]
    await go_to(service, closed + 10 * DAY + MS)
    page = await desk(service, staff, lot["court_id"])
    assert kinds(page) == [("balance", "overdue")] and page["counts"]["overdue"] == 1
    assert page["items"][0]["actions"][0] == "default"
    # overdue: a default needs no renunciation now
    r = await client.post(f"/api/v1/auctions/{auction['id']}/settlement", json={"outcome": "defaulted"}, headers=staff)
    assert r.status_code == 200
    assert (await desk(service, staff, lot["court_id"]))["items"] == []  # 悔拍: relisted freely, no window


async def test_a_pause_longer_than_five_days_is_flagged_with_its_kind(service):
    """Art. 28: five days from the end of the 暂缓 period or from the removal of the cause. A 暂缓 recorded
    without a period counts from the pause; a 中止 has no time running until its cause is recorded as
    removed (it was once flagged overdue five days after the pause, whatever its cause)."""
    api, client = service.api, service.client
    staff = await api.staff(service.services)
    court_id = (await api.lot(staff))["court_id"]
    postponed = await api.schedule(staff, (await api.lot(staff))["id"])
    suspended = await api.schedule(staff, (await api.lot(staff))["id"])
    await client.post(f"/api/v1/auctions/{postponed['id']}/postpone", json={"reason": "执行和解"}, headers=staff)
    body = {"reason": "案外人异议", "ruling_number": "(2026)粤03执异5号"}
    r = await client.post(f"/api/v1/auctions/{suspended['id']}/suspend", json=body, headers=staff)
    assert r.status_code == 200, r.text
    paused_at = service.clock.now()
    page = await desk(service, staff, court_id, horizon_days=5)
    assert [(d["pause_kind"], d["state"]) for d in page["items"]] == [("postponed", "upcoming")]
    await go_to(service, paused_at + 5 * DAY + MS)
    page = await desk(service, staff, court_id, horizon_days=90)
    assert kinds(page) == [("pause", "overdue")] and page["items"][0]["auction_id"] == postponed["id"]
    assert page["items"][0]["since"] == api_time(paused_at)

    # the 中止's cause is removed (recorded with its day, reason and ruling): five days run from that day
    url = f"/api/v1/auctions/{suspended['id']}/cause-removed"
    today = service.clock.now().astimezone(CHINA).date()
    removal = {
        "removed_on": (today - DAY).isoformat(),
        "reason": "异议已被裁定驳回",
        "ruling_number": "(2026)粤03执异5号",
    }
    tomorrow = {**removal, "removed_on": (today + DAY).isoformat()}
    assert_error(await client.post(url, json=tomorrow, headers=staff), 422, "invalid_date")
    before_pause = {**removal, "removed_on": (paused_at.astimezone(CHINA).date() - DAY).isoformat()}
    assert_error(await client.post(url, json=before_pause, headers=staff), 422, "invalid_date")
    assert_error(await client.post(url, json={"removed_on": removal["removed_on"]}, headers=staff), 422)
    r = await client.post(url, json=removal, headers=staff)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "suspended"  # still paused until resumed
    removed_day = today - DAY
    due = datetime(removed_day.year, removed_day.month, removed_day.day, tzinfo=CHINA) + DAY + 5 * DAY
    page = await desk(service, staff, court_id, horizon_days=90)
    [item] = [d for d in page["items"] if d["auction_id"] == suspended["id"]]
    assert (item["pause_kind"], item["state"], item["due_at"]) == ("suspended", "upcoming", api_time(due))
    assert item["cause_removed_on"] == removed_day.isoformat()
    actions = (await client.get(f"/api/v1/auctions/{suspended['id']}/status-history")).json()["items"]
    assert [h["change"] for h in actions] == ["suspended"]
    logged = (await client.get(f"/api/v1/lots/{suspended['lot_id']}/actions", headers=staff)).json()["items"]
    [entry] = [a for a in logged if a["action"] == "pause_cause_removed"]
    assert entry["reason"] == "异议已被裁定驳回" and entry["after"]["removed_on"] == removed_day.isoformat()
    [paused] = [a for a in logged if a["action"] == "auction_suspended"]
    assert paused["after"]["ruling_number"] == "(2026)粤03执异5号"
    await go_to(service, due + MS)
    page = await desk(service, staff, court_id)
    assert {d["auction_id"]: d["state"] for d in page["items"]} == {
        postponed["id"]: "overdue",
        suspended["id"]: "overdue",
    }
    # resuming (with its reason and ruling) clears it; the reason of the pause stays in the published history
    resume = {"reason": "中止事由消灭", "ruling_number": "(2026)粤03执恢7号"}
    r = await client.post(f"/api/v1/auctions/{suspended['id']}/resume", json=resume, headers=staff)
    assert r.status_code == 200, r.text
    assert [d["auction_id"] for d in (await desk(service, staff, court_id))["items"]] == [postponed["id"]]
    history = (await client.get(f"/api/v1/auctions/{suspended['id']}/status-history")).json()["items"]
    assert [(h["change"], h["reason"]) for h in history] == [("suspended", "案外人异议"), ("resumed", "中止事由消灭")]
    logged = (await client.get(f"/api/v1/lots/{suspended['lot_id']}/actions", headers=staff)).json()["items"]
    [resumed] = [a for a in logged if a["action"] == "auction_resumed"]
    assert resumed["after"]["ruling_number"] == "(2026)粤03执恢7号"
    # only a paused auction has a cause to remove
    assert_error(await client.post(url, json=removal, headers=staff), 409, "auction_not_suspended")


async def test_an_announcement_ending_today_is_on_the_desk(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    auction = await api.schedule(staff, lot["id"])
    assert (await desk(service, staff, lot["court_id"]))["items"] == []
    await go_to(service, t(auction["start_at"]) - timedelta(hours=2))
    page = await desk(service, staff, lot["court_id"])
    assert kinds(page) == [("opening", "due_today")] and page["items"][0]["auction_id"] == auction["id"]
    mine = (await service.client.get("/api/v1/staff/deadlines", headers=staff)).json()
    assert mine["items"] == page["items"]


async def test_the_desk_refuses_bad_input_and_other_courts(service):
    api, client = service.api, service.client
    staff = await api.staff(service.services, court="甲法院")
    other = await api.staff(service.services, court="乙法院")
    court_id = (await api.lot(staff))["court_id"]
    assert_error(await client.get(f"/api/v1/courts/{court_id}/deadlines", headers=other), 403, "wrong_court")
    assert_error(await client.get("/api/v1/courts/424242/deadlines", headers=staff), 404, "court_not_found")
    for params in ({"horizon_days": 91}, {"horizon_days": -1}, {"horizon_days": "x"}):
        r = await client.get(f"/api/v1/courts/{court_id}/deadlines", headers=staff, params=params)
        assert_error(r, 422, "validation_error")
    boss = await admin(service)
    assert_error(await client.get("/api/v1/staff/deadlines", headers=boss), 422, "court_required")
    assert (await client.get(f"/api/v1/courts/{court_id}/deadlines", headers=boss)).status_code == 200
    bidder = await api.bidder()
    assert_error(await client.get(f"/api/v1/courts/{court_id}/deadlines", headers=bidder), 403, "staff_only")


async def test_a_vessel_is_announced_30_days_ahead_in_every_round(service):
    api, client = service.api, service.client
    staff = await api.staff(service.services, court="上海海事法院")
    lot = await api.lot(staff, title="散货船“海顺”号", category="vessel", appraisal=50_000_000_00)
    assert lot["category"] == "vessel"
    now = service.clock.now()
    short = listing_body(now, starting_price=35_000_000_00, start_in=30 * DAY - MS)
    assert_error(
        await client.post(f"/api/v1/lots/{lot['id']}/auctions", json=short, headers=staff),
        422,
        "announcement_too_short",
    )
    first = await api.schedule(staff, lot["id"], starting_price=35_000_000_00, start_in=30 * DAY)
    await go_to(service, t(first["end_at"]))
    now = service.clock.now()
    body = listing_body(now, starting_price=28_000_000_00, start_in=30 * DAY - MS)
    assert_error(
        await client.post(f"/api/v1/lots/{lot['id']}/auctions", json=body, headers=staff), 422, "announcement_too_short"
    )
    second = await api.schedule(staff, lot["id"], starting_price=28_000_000_00, start_in=30 * DAY)
    assert second["round"] == 2


def api_time(moment) -> str:
    from auction_service.clock import isoformat

    return isoformat(moment)


async def test_the_court_desks_answers_are_what_openapi_declares(service):
    """Every answer of the desk's routes (successes and errors) matches its OpenAPI declaration, objects
    closed (tests/support/openapi.py), so generated clients are right."""
    from tests.support.openapi import Recorder, Truth

    truth = Truth((await service.client.get("/openapi.json")).json())
    recorder = Recorder(service.client)
    api, client = service.api, service.client
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    court = lot["court_id"]
    await client.patch(f"/api/v1/lots/{lot['id']}", json={"contact": "0755-1234"}, headers=staff)
    await client.patch(f"/api/v1/lots/{lot['id']}", json={}, headers=staff)
    auction = await api.schedule(staff, lot["id"])
    await client.post(f"/api/v1/auctions/{auction['id']}/postpone", json={"reason": "暂缓"}, headers=staff)
    await client.post(f"/api/v1/auctions/{auction['id']}/postpone", json={"reason": "again"}, headers=staff)
    await client.get(f"/api/v1/auctions/{auction['id']}/status-history")
    await client.get(f"/api/v1/lots/{lot['id']}/actions", headers=staff)
    await client.get(f"/api/v1/courts/{court}/actions", headers=staff, params={"action": "nope"})
    await client.get(f"/api/v1/courts/{court}/deadlines", headers=staff, params={"horizon_days": 40})
    await client.get("/api/v1/staff/deadlines", headers=staff)
    await client.get(f"/api/v1/courts/{court}/deadlines", headers=staff, params={"horizon_days": 400})
    await client.get(f"/api/v1/auctions/{auction['id']}/case-file", headers=staff)
    await client.get("/api/v1/auctions/4242/case-file", headers=staff)
    mine = ("/actions", "/deadlines", "/postpone", "/status-history", "/case-file")
    answers = [a for a in recorder.answers if a.path.endswith(mine) or a.method.upper() == "PATCH"]
    assert len(answers) == 12
    problems = [p for answer in answers for p in truth.problems(answer)]
    assert not problems, "\n".join(problems)


async def test_a_postponement_counts_its_five_days_from_the_end_of_its_period_and_resuming_is_reasoned(service):
    api, client = service.api, service.client
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    auction = await api.schedule(staff, lot["id"])
    url = f"/api/v1/auctions/{auction['id']}/postpone"
    past = (service.clock.now() - 2 * DAY).date().isoformat()
    assert_error(await client.post(url, json={"reason": "x", "until": past}, headers=staff), 422, "invalid_period")
    paused_at = service.clock.now()
    last_day = (paused_at + 10 * DAY).astimezone(CHINA).date()
    body = {"reason": "申请执行人申请暂缓", "until": last_day.isoformat(), "ruling_number": "(2026)粤03执恢12号之一"}
    r = await client.post(url, json=body, headers=staff)
    assert r.status_code == 200, r.text
    # five days after the pause the 暂缓 is still within its period: not overdue
    await go_to(service, paused_at + 5 * DAY + MS)
    assert kinds(await desk(service, staff, lot["court_id"], horizon_days=30)) == [("pause", "upcoming")]
    # the limit runs from the end of the period (midnight after its last day, court time)
    period_end = datetime(last_day.year, last_day.month, last_day.day, tzinfo=CHINA) + DAY
    [item] = (await desk(service, staff, lot["court_id"], horizon_days=30))["items"]
    assert item["due_at"] == api_time(period_end + 5 * DAY)
    await go_to(service, period_end + 5 * DAY + MS)
    assert kinds(await desk(service, staff, lot["court_id"])) == [("pause", "overdue")]
    actions = (await client.get(f"/api/v1/lots/{lot['id']}/actions", headers=staff)).json()["items"]
    [entry] = [a for a in actions if a["action"] == "auction_postponed"]
    assert entry["after"]["until"] == last_day.isoformat()
    assert entry["after"]["ruling_number"] == "(2026)粤03执恢12号之一"
    # resuming takes its reason, which is on the action log
    r = await client.post(f"/api/v1/auctions/{auction['id']}/resume", json={"reason": "暂缓期满"}, headers=staff)
    assert r.status_code == 200, r.text
    actions = (await client.get(f"/api/v1/lots/{lot['id']}/actions", headers=staff)).json()["items"]
    assert [a["reason"] for a in actions if a["action"] == "auction_resumed"] == ["暂缓期满"]
