"""The rules in force on every auction page: a research profile is named as an experiment, never
passed off as the law."""

from __future__ import annotations

import os

import pytest

try:
    from playwright.async_api import Browser, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)

from tests.browser.pages import live_auction, open_page


@pytest.fixture
def rules() -> str:
    return "research:classroom"


async def test_an_auction_page_names_the_research_profile_in_force(live_server, browser: Browser):
    _staff, auction = await live_auction(live_server)
    context, page = await open_page(browser, live_server.base_url, "en")
    try:
        await page.goto(f"/#/auction/{auction['id']}")
        shown = page.get_by_test_id("research-rules")
        await expect(shown).to_contain_text("research:classroom")
        await expect(shown).to_contain_text("an experiment, not the law")
    finally:
        await context.close()
