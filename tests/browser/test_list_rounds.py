"""The auction list and the staff's scheduling form under a research profile with three auction rounds:
the list's round filter offers 三拍 and filtering by it shows the round-3 auction alone; the form for a
lot's third round checks its starting price against the floor of round 2's, as it does for round 2. Under
the law's rules the filter offers 一拍, 二拍 and 变卖 as before."""

from __future__ import annotations

import os
import re

import pytest

try:
    from playwright.async_api import Browser, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)

from tests.browser.pages import log_in, open_page
from tests.support.research import QUICK, sold_in_round_3, three_rounds_served
from tests.support.scenes import end_unsold


@pytest.fixture
def rules(monkeypatch: pytest.MonkeyPatch) -> str:
    """``live_server``'s rules: a research profile of three auction rounds."""
    return three_rounds_served(monkeypatch)


async def test_the_list_filters_by_the_third_round(live_server, browser: Browser):
    third = await sold_in_round_3(live_server)  # rounds 1 and 2 unsold, round 3 sold: three ended auctions
    context, page = await open_page(browser, live_server.base_url, "zh")
    try:
        await page.goto("/#/?tab=ended")
        cards = page.locator(".cards a.card")
        await expect(cards).to_have_count(3)
        options = page.locator("select[name=round] option")
        await expect(options).to_have_count(5)  # 全部, 一拍, 二拍, 三拍, 变卖
        assert await options.nth(3).get_attribute("value") == "3"
        await expect(options.nth(3)).to_have_text("三拍")
        await page.locator("select[name=round]").select_option("3")
        await expect(page).to_have_url(re.compile(r"round=3"))
        await expect(cards).to_have_count(1)
        card = cards.first
        assert await card.get_attribute("data-auction") == str(third.id)
        await expect(card.locator(".badge.round")).to_have_text("三拍")
        await expect(page.locator("select[name=round]")).to_have_value("3")  # the filter keeps its choice
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        await context.close()


async def test_the_schedule_form_checks_the_third_rounds_floor(live_server, browser: Browser):
    svc = live_server
    staff = await svc.api.staff(svc.services, username="clerk_san")
    lot = await svc.api.lot(staff)
    await end_unsold(svc, staff, lot["id"], **QUICK)
    await end_unsold(svc, staff, lot["id"], starting_price=5_600_000_00, **QUICK)  # round 3: 80% of it
    context, page = await open_page(browser, svc.base_url, "zh")
    try:
        await log_in(page, "clerk_san", next_path="/staff")
        await page.goto(f"/#/staff/lot/{lot['id']}")
        form = page.get_by_test_id("schedule")
        await expect(form.locator("h2")).to_contain_text("三拍")
        floor = page.get_by_test_id("checks").locator("li", has_text="再次拍卖起拍价不低于上一轮起拍价的 80%")
        await expect(floor).to_have_count(1)
        await expect(floor).to_contain_text("4,480,000")
        await expect(floor).to_have_class(re.compile(r"\bok\b"))
        await form.locator("input[name=starting_price]").fill("4479999")
        await expect(floor).to_have_class(re.compile(r"\bbad\b"))
        await expect(form.locator("button[type=submit]")).to_be_disabled()
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        await context.close()


@pytest.mark.parametrize("rules", ["judicial-2016"])
async def test_the_laws_list_offers_its_three_rounds(live_server, browser: Browser, rules):
    context, page = await open_page(browser, live_server.base_url, "zh")
    try:
        await page.goto("/#/")
        options = page.locator("select[name=round] option")
        await expect(options).to_have_count(4)  # 全部, 一拍, 二拍, 变卖
        assert [await options.nth(i).get_attribute("value") for i in range(4)] == ["", "1", "2", "sale"]
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        await context.close()
