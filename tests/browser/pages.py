"""Helpers of the browser tests: a page in a given language and width, logging in whatever the page's
language, confirming a step, and the scenes the tests start from (an auction live, one sold after an
extension)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.support import parse_time

PASSWORD = "password123"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LOCALES = {"zh": "zh-CN", "en": "en-US"}
# (language, viewport): every check runs in Chinese on a desktop and in English on a phone, the pair
# where layouts break most (long English words in narrow columns)
LAYOUTS = [("zh", "desktop"), ("en", "phone")]
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


async def open_page(
    browser: Browser, base_url: str, lang: str = "zh", viewport: str = "desktop", *, locale: str | None = None
) -> tuple[BrowserContext, Page]:
    """A fresh browser profile whose preferred language is ``lang`` (the client follows it on a first
    visit) in Beijing time; page errors are collected on ``page.js_errors``."""
    context = await browser.new_context(
        viewport=VIEWPORTS[viewport], base_url=base_url, locale=locale or LOCALES[lang], timezone_id="Asia/Shanghai"
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    return context, page


async def log_in(page: Page, username: str, next_path: str = "") -> None:
    """Log in through the form (its fields by name: the labels are in the page's language)."""
    await page.goto(f"/#/login{'?next=' + next_path if next_path else ''}")
    await page.locator("input[name=username]").fill(username)
    await page.locator("input[name=password]").fill(PASSWORD)
    await page.locator("form.auth-form button[type=submit]").click()
    await expect(page.get_by_test_id("who")).to_have_text(username)
    # the login page takes the user on (to next_path) once /me has answered: wait for that, so that a
    # page.goto right after this is not undone by it
    await expect(page).not_to_have_url(re.compile(r"#/login"))


async def confirm(page: Page, amount: str, *, ok: bool = True) -> None:
    """Answer the confirmation the page asks for: the dialog states ``amount`` (on its text and on the
    confirm button); ``ok=False`` cancels."""
    dialog = page.get_by_test_id("confirm-dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_test_id("confirm-text")).to_contain_text(amount)
    await expect(dialog.get_by_test_id("confirm-ok")).to_contain_text(amount)
    await dialog.get_by_test_id("confirm-ok" if ok else "confirm-cancel").click()
    await expect(dialog).to_have_count(0)


async def live_auction(service: Any, *, minutes: int = 60, **lot: Any) -> tuple[dict, dict]:
    """A residential lot of the Shenzhen court with a round-1 auction (¥7,000,000 start, ¥5,000
    increment, ¥700,000 deposit) whose bidding is open now."""
    api = service.api
    staff = await api.staff(service.services)
    fields = {
        "title": "深圳市南山区科苑路 88 号阳光花园 3 栋 1502 房",
        "case_number": "（2026）粤03执恢123号",
        "location": "广东省深圳市南山区科苑路88号阳光花园3栋1502房",
    } | lot
    created = await api.lot(staff, **fields)
    auction = await api.schedule(
        staff, created["id"], start_in=timedelta(minutes=10), duration=timedelta(minutes=minutes)
    )
    service.clock.set(parse_time(auction["start_at"]))
    await service.settle()
    return staff, auction


async def sold_after_an_extension(service: Any) -> tuple[dict, dict, dict]:
    """An auction two bidders fought over in its last minutes (one extension), closed and sold. Returns
    the auction as it ended, the winner's registration and the winner's headers."""
    _staff, auction = await live_auction(service)
    aid = auction["id"]
    alice, bob = await service.api.bidder(real_name="张三"), await service.api.bidder(real_name="李四")
    await service.api.register(alice, aid)
    bob_reg = await service.api.register(bob, aid)
    assert (await service.api.bid(alice, aid, 7_000_000_00)).status_code == 201  # 58 minutes before the end
    service.clock.set(parse_time(auction["end_at"]) - timedelta(minutes=2))
    await service.settle()
    assert (await service.api.bid(bob, aid, 7_005_000_00)).status_code == 201  # extends the end
    ended = await service.api.auction(aid)
    assert ended["extension_count"] == 1
    service.clock.set(parse_time(ended["end_at"]) + timedelta(seconds=1))
    await service.settle()
    ended = await service.api.auction(aid)
    assert ended["status"] == "sold"
    return ended, bob_reg, bob
