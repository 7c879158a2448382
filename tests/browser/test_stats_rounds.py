"""The statistics page under a research profile with three auction rounds: the share of sales per round
names 三拍 between 二拍 and 变卖 (and its share), the chart by round names it, and the round filter offers
it; in both languages."""

from __future__ import annotations

import os

import pytest

try:
    from playwright.async_api import Browser, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)

from tests.browser.pages import open_page
from tests.support.research import sold_in_round_3, three_rounds_served


@pytest.fixture
def rules(monkeypatch: pytest.MonkeyPatch) -> str:
    """``live_server``'s rules: a research profile of three auction rounds."""
    return three_rounds_served(monkeypatch)


@pytest.mark.parametrize(
    ("lang", "label", "third"),
    [("zh", "成交轮次占比 一拍/二拍/三拍/变卖", "三拍"), ("en", "Sales by round: 1 / 2 / 3 / fixed-price", "Round 3")],
)
async def test_the_share_sold_in_each_round_names_the_third(live_server, browser: Browser, lang, label, third):
    await sold_in_round_3(live_server)  # rounds 1 and 2 unsold, round 3 sold
    context, page = await open_page(browser, live_server.base_url, lang)
    try:
        await page.goto("/#/stats")
        kpis = page.get_by_test_id("kpis")
        await expect(kpis).to_contain_text(label)
        await expect(kpis).to_contain_text("0% / 0% / 100% / 0%")
        # the charts by round (the rate, the premium) name the third round as the page's language does
        await expect(page.locator("svg[data-testid=chart]", has_text=third).first).to_be_visible()
        round_filter = page.locator("select[name=round] option")
        await expect(round_filter).to_have_count(5)  # 全部, 1, 2, 3, 变卖
        assert await round_filter.nth(3).get_attribute("value") == "3"
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        await context.close()
