"""Language and polish: a first visit follows the browser's preferred languages (a choice made in the
page wins afterwards), English counts are singular for one ("1 bid"), English labels fit (no clipped
words, the bidding period on two lines at most on a phone), and the site has a favicon."""

from __future__ import annotations

import os

import httpx
import pytest

try:
    from playwright.async_api import Browser, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)

from tests.browser.pages import live_auction, open_page


@pytest.mark.parametrize(
    ("locale", "tab"),
    [("en-US", "Live"), ("en-GB", "Live"), ("zh-CN", "正在进行"), ("zh-TW", "正在进行"), ("de-DE", "正在进行")],
)
async def test_a_first_visit_follows_the_browser_language(live_server, browser: Browser, locale, tab):
    context, page = await open_page(browser, live_server.base_url, locale=locale)
    try:
        await page.goto("/")
        await expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        lang = await page.evaluate("document.documentElement.lang")
        assert lang.startswith("en" if tab == "Live" else "zh")
    finally:
        await context.close()


async def test_a_language_chosen_in_the_page_wins_over_the_browser(live_server, browser: Browser):
    context, page = await open_page(browser, live_server.base_url, locale="en-US")
    try:
        await page.goto("/")
        await expect(page.get_by_role("tab", name="Live")).to_be_visible()
        await page.get_by_test_id("lang-switch").click()
        await expect(page.get_by_role("tab", name="正在进行")).to_be_visible()
        await page.reload()
        await expect(page.get_by_role("tab", name="正在进行")).to_be_visible()
    finally:
        await context.close()


async def test_english_counts_and_labels_fit_on_a_phone(live_server, browser: Browser):
    service = live_server
    api = service.api
    _staff, auction = await live_auction(service)
    aid = auction["id"]
    bidder = await api.bidder(real_name="吴十")
    await api.register(bidder, aid)
    assert (await api.bid(bidder, aid, 7_000_000_00)).status_code == 201
    context, page = await open_page(browser, service.base_url, "en", "phone")
    try:
        await page.goto("/")
        card = page.locator(f"[data-auction='{aid}']")
        await expect(card.locator(".card-meta")).to_contain_text("1 bid")
        await expect(card.locator(".card-meta")).to_contain_text("1 registered")
        assert "1 bids" not in await page.locator("main").inner_text()
        # Badges show whole words: nothing clipped.
        for badge in await card.locator(".badge").all():
            clipped = await badge.evaluate("b => b.scrollWidth > b.clientWidth + 1")
            assert not clipped, await badge.inner_text()
        await expect(card.locator(".badge", has_text="Residential")).to_have_count(1)

        await page.goto(f"/#/auction/{aid}")
        await expect(page.get_by_test_id("audit")).to_contain_text("(1 bid)")
        period = page.get_by_test_id("bidding-period")
        await expect(period).to_be_visible()
        lines = await period.evaluate(
            "el => Math.round(el.getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(el.parentElement).lineHeight))"
        )
        assert lines <= 2, f"the bidding period takes {lines} lines"
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
        assert not page.js_errors  # type: ignore[attr-defined]
    finally:
        await context.close()


async def test_the_favicon_is_served(live_server, browser: Browser):
    async with httpx.AsyncClient(base_url=live_server.base_url, trust_env=False) as client:
        icon = await client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] in ("image/vnd.microsoft.icon", "image/x-icon")
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    context, page = await open_page(browser, live_server.base_url)
    try:
        await page.goto("/")
        href = await page.locator("link[rel=icon]").evaluate("l => l.href")
        assert href.endswith("/favicon.ico")
    finally:
        await context.close()
