"""The court console in a real browser, under the judicial rules: the deadlines desk flags a lot whose
relisting window passed and a sale whose balance is overdue; 悔拍 is one click (and a confirmation), the
stuck lot is announced afresh as round 1 from its page, and the action log shows each step with its
actor. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
from datetime import timedelta, timezone
from pathlib import Path

import pytest

try:
    from playwright.async_api import Browser, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)

from tests.browser.test_web_client import log_in, new_page, shoot
from tests.support.scenes import START_PRICE, go_to, t

DAY = timedelta(days=1)
CHINA = timezone(timedelta(hours=8))


@pytest.fixture
def rules() -> str:
    return "judicial-2016"  # the relisting window and the announcement periods apply


async def test_the_stuck_lot_and_the_overdue_balance_through_the_console(
    live_server, browser: Browser, artifacts: Path
):
    service = live_server
    api = service.api
    staff = await api.staff(service.services, court="深圳市中级人民法院", username="clerk_li")
    stuck = await api.lot(staff, title="无人竞买的厂房")
    sold = await api.lot(staff, title="已成交的住宅")
    failed = await api.schedule(staff, stuck["id"])
    sale = await api.schedule(staff, sold["id"])
    buyer = await api.bidder("buyer1", real_name="赵六")
    await api.register(buyer, sale["id"])
    await go_to(service, t(sale["start_at"]))
    assert (await api.bid(buyer, sale["id"], START_PRICE)).status_code == 201
    await go_to(service, t(failed["end_at"]))
    await go_to(service, t(failed["end_at"]) + 31 * DAY)  # past the balance deadline and the relisting window

    context, page = await new_page(browser, service.base_url)
    try:
        await log_in(page, "clerk_li", next_path="/staff")
        await page.goto("/#/staff")
        desk = page.get_by_test_id("deadlines")
        balance = desk.locator("tr[data-kind=balance][data-state=overdue]")
        relisting = desk.locator("tr[data-kind=relisting][data-state=overdue]")
        await expect(balance).to_have_count(1)
        await expect(relisting).to_have_count(1)
        await expect(relisting.get_by_test_id("desk-restart")).to_be_visible()
        await expect(balance).to_contain_text("已逾期")
        await shoot(page, artifacts, "court-console-deadlines")

        # 悔拍 with one action (a confirmation, then its grounds): the item leaves the desk
        await balance.locator("[data-desk-action=default]").click()
        await page.locator("dialog.modal button[value=ok]").click()
        await page.locator("dialog.modal textarea").fill("逾期未缴纳余款")
        await page.locator("dialog.modal button[value=ok]").click()
        await expect(balance).to_have_count(0)
        await expect(relisting).to_have_count(1)

        # the stuck lot: from the desk to its page, announced afresh as round 1
        await relisting.locator("[data-desk-action=relist]").click()
        await expect(page.get_by_test_id("schedule-restart")).to_be_visible()
        schedule = page.get_by_test_id("schedule")
        await expect(schedule.locator("h2")).to_contain_text("一拍")
        await expect(schedule.locator("ul.checks li.bad")).to_have_count(0)
        await schedule.locator("button[type=submit]").click()
        rounds = page.get_by_test_id("lot-auctions").locator("tbody tr")
        await expect(rounds).to_have_count(2)
        await expect(rounds.nth(1)).to_contain_text("一拍")
        log = page.get_by_test_id("action-log-table")
        await expect(log.locator("tr[data-action=auction_scheduled]")).to_have_count(2)
        await expect(log.locator("tr[data-action=lot_created]")).to_contain_text("clerk_li")
        await shoot(page, artifacts, "court-console-relisted")

        # the sold lot's log shows the default, by whom
        await page.goto(f"/#/staff/lot/{sold['id']}")
        defaulted = page.get_by_test_id("action-log-table").locator("tr[data-action=sale_defaulted]")
        await expect(defaulted).to_have_count(1)
        await expect(defaulted).to_contain_text("clerk_li")
        await expect(page.get_by_test_id("lot-auctions")).to_contain_text("悔拍")

        # nothing left on the desk
        await page.goto("/#/staff")
        await expect(page.get_by_test_id("deadlines").locator(".empty")).to_be_visible()
        court_log = page.get_by_test_id("court-log")
        await court_log.locator("summary").click()
        await expect(court_log.locator("tr[data-action=sale_defaulted]")).to_contain_text("clerk_li")
        await expect(court_log.locator("tbody tr")).to_have_count(6)  # 2 lots, 3 schedules, 1 default
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        await context.close()

    auctions = (await service.client.get(f"/api/v1/lots/{stuck['id']}")).json()["auctions"]
    assert [a["round"] for a in auctions] == [1, 1]
    settled = (await service.client.get(f"/api/v1/auctions/{sale['id']}")).json()
    assert settled["settlement"] == "defaulted"


async def test_postpone_and_edit_through_the_console(live_server, browser: Browser, artifacts: Path):
    service = live_server
    api = service.api
    staff = await api.staff(service.services, username="clerk_zhou")
    lot = await api.lot(staff, title="待更正的住宅")
    auction = await api.schedule(staff, lot["id"])
    context, page = await new_page(browser, service.base_url)
    try:
        await log_in(page, "clerk_zhou", next_path="/staff")
        await page.goto(f"/#/staff/lot/{lot['id']}")
        # a correction before bidding opens, with its reason
        edit = page.get_by_test_id("edit-lot")
        await edit.locator("summary").click()
        await expect(edit.locator("[name=edit_appraisal]")).to_be_disabled()  # a round is announced
        await edit.locator("[name=edit_defects]").fill("屋顶渗水")
        await edit.locator("[name=edit_reason]").fill("补充瑕疵说明")
        await edit.locator("button[type=submit]").click()
        log = page.get_by_test_id("action-log-table")
        edited = log.locator("tr[data-action=lot_edited]")
        await expect(edited).to_contain_text("补充瑕疵说明")
        await expect(edited).to_contain_text("屋顶渗水")
        # 暂缓, distinct from 中止, its reason kept; the form asks for the period and the ruling's number
        row = page.get_by_test_id("lot-auctions").locator(f"tr[data-auction='{auction['id']}']")
        await row.get_by_role("button", name="暂缓", exact=True).click()
        dialog = page.get_by_test_id("pause-dialog")
        await dialog.get_by_test_id("pause-reason").fill("申请执行人申请暂缓")
        last_day = (service.clock.now() + 10 * DAY).astimezone(CHINA).date()
        await dialog.get_by_test_id("pause-until").fill(last_day.isoformat())
        await dialog.get_by_test_id("pause-ruling").fill("(2026)粤03执恢12号之一")
        await dialog.get_by_test_id("pause-ok").click()
        await expect(row.get_by_test_id("pause-kind")).to_have_text("暂缓")
        postponed = log.locator("tr[data-action=auction_postponed]")
        await expect(postponed).to_contain_text("申请执行人申请暂缓")
        await expect(postponed).to_contain_text("(2026)粤03执恢12号之一")
        await shoot(page, artifacts, "court-console-postponed")
        # the cause is removed early: recorded with its day, and the desk counts five days from then
        row = page.get_by_test_id("lot-auctions").locator(f"tr[data-auction='{auction['id']}']")
        await row.get_by_role("button", name="事由消除", exact=True).click()
        dialog = page.get_by_test_id("pause-dialog")
        await dialog.get_by_test_id("pause-reason").fill("执行和解协议已履行")
        today = service.clock.now().astimezone(CHINA).date()
        await dialog.get_by_test_id("pause-removed-on").fill(today.isoformat())
        await dialog.get_by_test_id("pause-ok").click()
        await expect(log.locator("tr[data-action=pause_cause_removed]")).to_contain_text("执行和解协议已履行")
        # resuming asks for its reason and ruling
        row = page.get_by_test_id("lot-auctions").locator(f"tr[data-auction='{auction['id']}']")
        await row.get_by_role("button", name="恢复", exact=True).click()
        dialog = page.get_by_test_id("pause-dialog")
        await dialog.get_by_test_id("pause-reason").fill("暂缓事由消除")
        await dialog.get_by_test_id("pause-ruling").fill("(2026)粤03执恢13号")
        await dialog.get_by_test_id("pause-ok").click()
        await expect(log.locator("tr[data-action=auction_resumed]")).to_contain_text("(2026)粤03执恢13号")
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        await context.close()
    actions = (await service.client.get(f"/api/v1/lots/{lot['id']}/actions", headers=staff)).json()["items"]
    [entry] = [a for a in actions if a["action"] == "auction_postponed"]
    assert (entry["after"]["until"], entry["after"]["ruling_number"]) == (
        last_day.isoformat(),
        "(2026)粤03执恢12号之一",
    )
    [removed] = [a for a in actions if a["action"] == "pause_cause_removed"]
    assert removed["after"]["removed_on"] == today.isoformat()
