"""The API documentation pages work offline: ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) render every
operation in Chromium with every host but 127.0.0.1 blocked, ask no other host for anything, and show the
error envelope with the codes an operation answers. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

try:
    from playwright.async_api import Browser, Page, Route, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise  # under CI the browser tests must run
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)


RENDER_MS = 30_000


async def offline_page(browser: Browser, base_url: str) -> tuple[Page, list[str], list[str]]:
    """A page whose requests to any host but 127.0.0.1 are aborted (and listed), with its script errors."""
    context = await browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    blocked: list[str] = []
    errors: list[str] = []

    async def only_loopback(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            blocked.append(url)
            await route.abort()

    await context.route("**/*", only_loopback)
    page = await context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # a request the page's Content-Security-Policy refused (ReDoc's CDN logo once) is a console error
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return page, blocked, errors


async def test_swagger_ui_renders_every_operation_and_the_error_envelope_offline(live_server, browser, artifacts):
    page, blocked, errors = await offline_page(browser, live_server.base_url)
    operations = len((await live_server.client.get("/openapi.json")).json()["paths"])
    await page.goto("/docs")
    title = page.locator(".swagger-ui .info .title")
    await expect(title).to_contain_text("Judicial auction platform simulator", timeout=RENDER_MS)
    await expect(page.locator(".opblock").first).to_be_visible()
    assert await page.locator(".opblock").count() >= operations  # at least one block per path
    # the envelope is a documented schema, and an operation lists the codes it can answer
    await expect(page.locator(".models")).to_contain_text("ErrorEnvelope")
    bid = page.locator(".opblock-post", has_text="/api/v1/auctions/{auction_id}/bids").first
    await bid.locator(".opblock-summary").click()
    await expect(bid.locator(".responses-table")).to_contain_text("bid_too_low")
    await expect(bid.locator(".responses-table")).to_contain_text("not_registered")
    await bid.screenshot(path=str(artifacts / "api-docs-swagger-bid.png"))
    assert blocked == [], f"/docs asked other hosts: {blocked}"
    assert errors == [], errors


async def test_redoc_renders_the_operations_and_the_error_codes_offline(live_server, browser, artifacts):
    page, blocked, errors = await offline_page(browser, live_server.base_url)
    await page.goto("/redoc")
    # ReDoc lays out the whole document before it shows anything: seconds on a busy machine
    await expect(page.locator("h1").first).to_contain_text("Judicial auction platform simulator", timeout=RENDER_MS)
    menu = page.locator("[role=menuitem], .menu-content label")
    await expect(menu.first).to_be_visible()
    assert await menu.count() >= 30
    await expect(page.get_by_text("bid_too_low").first).to_be_attached()
    await expect(page.locator("code", has_text="error.code").first).to_be_attached()  # the envelope's codes
    await page.screenshot(path=str(artifacts / "api-docs-redoc.png"))
    assert blocked == [], f"/redoc asked other hosts: {blocked}"
    assert errors == [], errors


async def test_the_pages_name_no_cdn(live_server):
    """No page of the docs points anywhere but this service."""
    for path in ("/docs", "/redoc"):
        r = await live_server.client.get(path)
        assert r.status_code == 200
        assert "http" not in r.text.replace("http-equiv", ""), r.text
    js = await live_server.client.get("/docs-assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    redoc = await live_server.client.get("/docs-assets/redoc.standalone.js")
    assert redoc.status_code == 200 and len(redoc.content) > 100_000
    assert b"cdn.redoc.ly" not in redoc.content
