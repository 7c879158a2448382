"""Money at stake is never one click away: freezing a deposit and each bid ask for confirmation, stating
the amount, and cancelling changes nothing; a bid refused for its amount says the lowest valid amount
and offers to bid exactly that. In Chinese on a desktop and in English on a phone."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest

try:
    from playwright.async_api import Browser, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)

from tests.browser.pages import LAYOUTS, confirm, live_auction, log_in, open_page
from tests.support import parse_time


@pytest.mark.parametrize(("lang", "viewport"), LAYOUTS)
async def test_registering_and_bidding_ask_first_with_the_amount(live_server, browser: Browser, lang, viewport):
    service = live_server
    api = service.api
    _staff, auction = await live_auction(service)
    aid = auction["id"]
    await api.bidder("dora", real_name="赵四")
    context, page = await open_page(browser, service.base_url, lang, viewport)
    try:
        await log_in(page, "dora", next_path=f"/auction/{aid}")

        # Register: the 竞买须知 ticked, the dialog states the deposit; cancel leaves the bidder unregistered.
        await page.get_by_test_id("accept-terms").check()
        await page.get_by_test_id("register").click()
        await confirm(page, "¥700,000.00", ok=False)
        await expect(page.get_by_test_id("register")).to_be_visible()
        mine = await api.client.get("/api/v1/me/registrations", headers=await api.token("dora"))
        assert mine.json()["items"] == []
        await page.get_by_test_id("register").click()
        await confirm(page, "¥700,000.00")
        await expect(page.get_by_test_id("my-code")).to_have_text(re.compile(r"^[A-Z]\d{4}$"))

        # Bid: the dialog states the amount; cancel places nothing.
        await page.get_by_test_id("bid-one").click()
        await confirm(page, "¥7,000,000.00", ok=False)
        assert await api.bids(aid) == []
        await page.get_by_test_id("bid-one").click()
        await confirm(page, "¥7,000,000.00")
        await expect(page.get_by_test_id("current-price")).to_have_text("¥7,000,000.00")
        assert [b["amount"] for b in await api.bids(aid)] == [7_000_000_00]

        # Several increments at once: the dialog states that amount, not the next one.
        await page.get_by_test_id("steps").fill("3")
        await page.get_by_test_id("bid-steps").click()
        await confirm(page, "¥7,015,000.00")
        await expect(page.get_by_test_id("current-price")).to_have_text("¥7,015,000.00")
        assert not page.js_errors  # type: ignore[attr-defined]
    finally:
        await context.close()


@pytest.mark.parametrize(("lang", "viewport"), LAYOUTS)
async def test_a_bid_too_low_says_the_lowest_valid_amount(live_server, browser: Browser, lang, viewport):
    service = live_server
    api = service.api
    _staff, auction = await live_auction(service)
    aid = auction["id"]
    eve = await api.bidder("eve", real_name="钱七")
    await api.register(eve, aid)
    rival = await api.bidder(real_name="孙八")
    await api.register(rival, aid)
    assert (await api.bid(rival, aid, 7_000_000_00)).status_code == 201
    context, page = await open_page(browser, service.base_url, lang, viewport)
    try:
        await log_in(page, "eve", next_path=f"/auction/{aid}")
        await expect(page.get_by_test_id("current-price")).to_have_text("¥7,000,000.00")
        # Eve types the starting price although a bid stands at it: refused, with the lowest valid bid.
        await page.get_by_test_id("custom-amount").fill("7000000")
        await page.get_by_test_id("bid-custom").click()
        await confirm(page, "¥7,000,000.00")
        message = page.locator(".bid-message")
        refusal = "出价过低" if lang == "zh" else "Bid too low"
        await expect(message).to_contain_text(refusal)
        await expect(message).to_contain_text("¥7,005,000.00")
        await expect(message).to_have_attribute("data-minimum", "700500000")
        # ...and one click (and a confirmation) bids exactly that.
        await page.get_by_test_id("bid-minimum").click()
        await confirm(page, "¥7,005,000.00")
        await expect(page.get_by_test_id("current-price")).to_have_text("¥7,005,000.00")
        assert [b["amount"] for b in await api.bids(aid)] == [7_000_000_00, 7_005_000_00]
        assert not page.js_errors  # type: ignore[attr-defined]
    finally:
        await context.close()


async def test_an_extension_shows_the_new_end_once(live_server, browser: Browser):
    """In the soft close the countdown box names the new end once (the line under the countdown), not
    again in the extension notice."""
    service = live_server
    api = service.api
    _staff, auction = await live_auction(service)
    aid = auction["id"]
    bidder = await api.bidder(real_name="周九")
    await api.register(bidder, aid)
    service.clock.set(parse_time(auction["end_at"]) - timedelta(minutes=2))
    await service.settle()
    context, page = await open_page(browser, service.base_url)
    try:
        await page.goto(f"/#/auction/{aid}")
        await expect(page.get_by_test_id("live-mode")).to_be_visible()
        assert (await api.bid(bidder, aid, 7_000_000_00)).status_code == 201
        await expect(page.get_by_test_id("extensions")).to_have_text("延时 1 次")
        end = parse_time((await api.auction(aid))["end_at"]) + timedelta(hours=8)  # Beijing time on the page
        box = await page.locator(".countdown-box").inner_text()
        assert box.count(end.strftime("%H:%M:%S")) == 1, box
        assert "原定结束时间" in box
    finally:
        await context.close()


async def test_the_auction_page_links_the_announcement_and_the_deposit_waits_for_the_terms(
    live_server, browser: Browser
):
    """The 竞买公告 and the 竞买须知 are one click from the auction page; registering before ticking the
    须知 freezes nothing and says why; once ticked, the registration names the version the page showed."""
    service = live_server
    api = service.api
    _staff, auction = await live_auction(service)
    aid = auction["id"]
    await api.bidder("erin", real_name="钱七")
    version = (await service.client.get(f"/api/v1/auctions/{aid}/terms.json")).json()["version"]
    context, page = await open_page(browser, service.base_url)
    try:
        await log_in(page, "erin", next_path=f"/auction/{aid}")
        notice = page.get_by_test_id("notice-link")
        await expect(notice).to_have_attribute("href", f"/api/v1/auctions/{aid}/announcement")
        await expect(page.get_by_test_id("terms-pdf")).to_have_attribute("href", f"/api/v1/auctions/{aid}/terms.pdf")
        async with context.expect_page() as opened:
            await page.get_by_test_id("terms-link").click()
        terms = await opened.value
        await expect(terms.get_by_role("heading", level=1)).to_have_text("竞买须知")
        await expect(terms.get_by_test_id("document-version")).to_contain_text(version)
        await terms.close()

        await page.get_by_test_id("register").click()  # not ticked: nothing is frozen, and the page says why
        await expect(page.locator(".bid-message.error")).to_contain_text("竞买须知")
        await expect(page.get_by_test_id("confirm-dialog")).to_have_count(0)
        token = await api.token("erin")
        assert (await api.client.get("/api/v1/me/registrations", headers=token)).json()["items"] == []

        await page.get_by_test_id("accept-terms").check()
        await page.get_by_test_id("register").click()
        await confirm(page, "¥700,000.00")
        await expect(page.get_by_test_id("my-code")).to_have_text(re.compile(r"^[A-Z]\d{4}$"))
        mine = (await api.client.get("/api/v1/me/registrations", headers=token)).json()["items"]
        assert [m["terms_version"] for m in mine] == [version]
        assert not page.js_errors  # type: ignore[attr-defined]
    finally:
        await context.close()
