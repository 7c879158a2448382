"""A service whose clock is simulated (the demo: ten times real speed, ahead of real time) says so on every
page, in a strip under the header: its speed, its time and how far ahead of the visitor's clock it is. At
real speed there is no strip."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta

import pytest

try:
    from playwright.async_api import Browser, Route, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)

from tests.browser.pages import open_page


def clock_answer(speed: float, ahead: timedelta):
    async def fulfil(route: Route) -> None:
        now = (datetime.now(UTC) + ahead).isoformat().replace("+00:00", "Z")
        await route.fulfill(content_type="application/json", body=json.dumps({"now": now, "speed": speed}))

    return fulfil


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("zh", r"模拟时间，10 倍速：.*比实际时间快 02:0"), ("en", r"10× real speed: .*, 02:0\d:\d\d ahead")],
)
async def test_a_simulated_clock_is_said_with_its_speed_and_lead(live_server, browser: Browser, lang, expected):
    context, page = await open_page(browser, live_server.base_url, lang)
    try:
        await page.route("**/api/v1/clock", clock_answer(10, timedelta(hours=2)))
        await page.goto("/")
        await expect(page.get_by_test_id("sim-clock")).to_have_text(re.compile(expected), timeout=5000)
    finally:
        await context.close()


async def test_a_clock_at_real_speed_shows_no_strip(live_server, browser: Browser):
    context, page = await open_page(browser, live_server.base_url)
    try:
        await page.route("**/api/v1/clock", clock_answer(1, timedelta(0)))
        await page.goto("/")
        await expect(page.get_by_role("tab").first).to_be_visible()
        await expect(page.get_by_test_id("sim-clock")).to_be_hidden()
    finally:
        await context.close()
