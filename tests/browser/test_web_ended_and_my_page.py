"""An ended auction says it ended (no live badge) and names the winner as such, with the extension count
shown as a count; My page is readable on a phone (each row a card, every value beside its column's
name, nothing cut off) and its columns say what they hold. In Chinese on a desktop and in English on a
phone."""

from __future__ import annotations

import os

import pytest

try:
    from playwright.async_api import Browser, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)

from tests.browser.pages import LAYOUTS, log_in, open_page, sold_after_an_extension

WORDS = {
    "zh": {"winner": "成交竞买号", "leading": "领先竞买号", "extensions": "延时次数", "once": "1 次",
           "bid_count": "我的出价次数"},
    "en": {"winner": "Winning bidder", "leading": "Leading bidder", "extensions": "Extensions", "once": "once",
           "bid_count": "Number of my bids"},
}  # fmt: skip


@pytest.mark.parametrize(("lang", "viewport"), LAYOUTS)
async def test_a_sold_auction_says_ended_and_names_the_winner(live_server, browser: Browser, lang, viewport):
    service = live_server
    ended, winner, _headers = await sold_after_an_extension(service)
    words = WORDS[lang]
    context, page = await open_page(browser, service.base_url, lang, viewport)
    try:
        await page.goto(f"/#/auction/{ended['id']}")
        await expect(page.get_by_test_id("winner-code")).to_have_text(winner["bidder_code"])
        # No green live badge on a finished auction, even once the live feed is connected.
        await page.wait_for_timeout(500)
        await expect(page.get_by_test_id("live-mode")).to_be_hidden()
        leader = page.locator(".price-panel .leader")
        await expect(leader).to_contain_text(words["winner"])
        await expect(leader).not_to_contain_text(words["leading"])
        # The extension count is a value beside its label, not a label itself.
        result = page.get_by_test_id("result")
        label = result.locator("dt", has_text=words["extensions"])
        await expect(label).to_have_count(1)
        await expect(result.locator("dt + dd").nth(await _index_of(result, words["extensions"]))).to_have_text(
            words["once"]
        )
        await expect(result.locator("dt", has_text="延时 1 次" if lang == "zh" else "Extended")).to_have_count(0)
        # The end time is shown once in the countdown box (the big line), the scheduled end beside it.
        big = await page.get_by_test_id("countdown").inner_text()
        box = await page.locator(".countdown-box").inner_text()
        assert box.count(big) == 1, box
        assert not page.js_errors  # type: ignore[attr-defined]
    finally:
        await context.close()


async def _index_of(result, label: str) -> int:
    labels = await result.locator("dt").all_inner_texts()
    return next(i for i, text in enumerate(labels) if label in text)


@pytest.mark.parametrize(("lang", "viewport"), [*LAYOUTS, ("zh", "phone")])
async def test_my_page_is_readable_on_a_phone(live_server, browser: Browser, lang, viewport):
    service = live_server
    _ended, winner, headers = await sold_after_an_extension(service)
    username = (await service.api.client.get("/api/v1/me", headers=headers)).json()["username"]
    words = WORDS[lang]
    context, page = await open_page(browser, service.base_url, lang, viewport)
    try:
        await log_in(page, username, next_path="/me")
        regs = page.get_by_test_id("my-registrations")
        await expect(regs).to_contain_text(winner["bidder_code"])
        # The column of the number of my bids says it is a count, next to my highest bid's amount.
        cell = regs.locator(f"td[data-label='{words['bid_count']}']")
        await expect(cell).to_have_text("1")
        for testid in ("my-won", "my-registrations", "my-bids"):
            table = page.get_by_test_id(testid)
            await expect(table).to_be_visible()
            fits = await table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth + 1")
            assert fits, f"{testid} is cut off at {viewport} width"
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
        if viewport == "phone":
            # each row a card: the header row hidden, each value labelled with its column's name
            await expect(regs.locator("thead")).to_be_hidden()
            label = await cell.evaluate("td => getComputedStyle(td, '::before').content")
            assert words["bid_count"] in label, label
        else:
            await expect(regs.locator("thead")).to_contain_text(words["bid_count"])
        assert not page.js_errors  # type: ignore[attr-defined]
    finally:
        await context.close()
