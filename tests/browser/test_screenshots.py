"""Screenshots of the main pages (the auction list, a live auction, an ended one, My page, the login
page, the court console, the statistics) at desktop (1280x800) and phone (390x844) width, in Chinese
and in English, of one small market caught mid-fight: ``test-artifacts/screenshots/<page>-<width>-<lang>.png``
(the folder is not tracked). With ``AUCTION_UPDATE_SCREENSHOT=1`` the live auction, desktop, Chinese
also replaces ``docs/screenshot.png`` (the README's).

Each page is checked for what it must show before it is shot, and for script errors."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.async_api import Browser, Page, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)

from tests.browser.pages import log_in, open_page
from tests.support import parse_time

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
UPDATE_DOCS = os.environ.get("AUCTION_UPDATE_SCREENSHOT", "") in ("1", "true", "yes")


async def market(service: Any) -> dict[str, Any]:
    """A Shenzhen court's morning: a flat fought over in its soft close (three extensions), an office
    floor mid-way, a car sold to 王小明 after an extension, a machine lot that drew nobody, a plant
    announced for later."""
    api, clock = service.api, service.clock
    staff = await api.staff(service.services, username="clerk-shot")
    lots = {
        "flat": await api.lot(
            staff, title="南山区阳光花园3栋1502房（住宅）", category="residential", appraisal=10_000_000_00,
            case_number="（2026）粤03执恢1234号", location="广东省深圳市南山区科苑路88号阳光花园3栋1502房",
            defects="房屋存在漏水，以现状为准。", taxes="交易税费由买卖双方各自承担。", balance_deadline_days=10,
            contact="王法官 0755-8888 0000",
        ),
        "office": await api.lot(
            staff, title="福田区深南大道6008号华信大厦12层写字楼", category="commercial", appraisal=26_000_000_00,
            case_number="（2026）粤03执567号", location="广东省深圳市福田区深南大道6008号华信大厦12层",
        ),
        "car": await api.lot(
            staff, title="粤B·7K2Q5 丰田小型轿车", category="vehicle", appraisal=160_000_00,
            case_number="（2026）粤03执2088号", location="广东省深圳市龙华区民治大道492号（法院指定停车场）",
        ),
        "machines": await api.lot(
            staff, title="数控机床一批（12台/套）", category="machinery", appraisal=1_800_000_00,
            case_number="（2026）粤03执恢310号", location="广东省深圳市宝安区航城大道972号（厂区仓库）",
        ),
        "plant": await api.lot(
            staff, title="宝安区新安六路1001号2号厂房", category="commercial", appraisal=48_000_000_00,
            case_number="（2026）粤03执1451号", location="广东省深圳市宝安区新安六路1001号2号厂房",
        ),
    }  # fmt: skip
    ten = timedelta(minutes=10)
    flat = await api.schedule(staff, lots["flat"]["id"], start_in=ten, duration=timedelta(minutes=60))
    office = await api.schedule(
        staff, lots["office"]["id"], starting_price=18_200_000_00, increment=100_000_00, start_in=ten,
        duration=timedelta(minutes=150),
    )  # fmt: skip
    car = await api.schedule(
        staff, lots["car"]["id"], starting_price=112_000_00, increment=1_000_00, start_in=ten,
        duration=timedelta(minutes=20),
    )  # fmt: skip
    await api.schedule(
        staff, lots["machines"]["id"], starting_price=1_260_000_00, increment=10_000_00, start_in=ten,
        duration=timedelta(minutes=20),
    )  # fmt: skip
    await api.schedule(
        staff, lots["plant"]["id"], starting_price=33_600_000_00, increment=200_000_00, start_in=timedelta(hours=3),
        duration=timedelta(hours=1),
    )  # fmt: skip
    wang = await api.bidder("wang", real_name="王小明")
    rivals = [await api.bidder(real_name=name) for name in ("李华", "陈静", "张伟")]
    for auction in (flat, car):
        await api.register(wang, auction["id"])
    for rival in rivals:
        for auction in (flat, office, car):
            await api.register(rival, auction["id"])
    start = parse_time(flat["start_at"])
    steps = [  # minutes after the opening, who, which auction, amount
        (3, wang, car, 112_000_00), (5, rivals[0], flat, 7_000_000_00), (8, rivals[1], car, 113_000_00),
        (12, rivals[1], flat, 7_005_000_00), (14, rivals[2], office, 18_200_000_00),
        (17, wang, car, 114_000_00), (25, wang, flat, 7_010_000_00), (31, rivals[0], office, 18_300_000_00),
        (40, rivals[0], flat, 7_015_000_00), (48, rivals[2], flat, 7_020_000_00), (56, rivals[1], flat, 7_025_000_00),
        (58, wang, flat, 7_030_000_00), (59.5, rivals[0], flat, 7_035_000_00), (61, rivals[1], flat, 7_040_000_00),
    ]  # fmt: skip
    for minutes, who, auction, amount in steps:
        clock.set(start + timedelta(minutes=minutes))
        await service.settle()
        answer = await api.bid(who, auction["id"], amount)
        assert answer.status_code == 201, answer.text
    clock.set(start + timedelta(minutes=62, seconds=40))
    await service.settle()
    sold = await api.auction(car["id"])
    assert sold["status"] == "sold"
    assert (await api.auction(flat["id"]))["extension_count"] == 4
    return {"live": flat["id"], "ended": car["id"]}


async def settled(page: Page, ready: str) -> None:
    """Wait for what the page must show, then for its requests to finish."""
    await expect(page.locator(ready).first).to_be_visible()
    await expect(page.locator("main .loading")).to_have_count(0, timeout=15_000)
    await page.wait_for_load_state("networkidle")
    await page.wait_for_timeout(300)


async def shoot(page: Page, folder: Path, name: str, viewport: str, lang: str) -> Path:
    await page.evaluate("window.scrollTo(0, 0)")
    path = folder / f"{name}-{viewport}-{lang}.png"
    await page.screenshot(path=str(path), full_page=viewport == "phone")
    return path


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_screenshots_of_the_main_pages(live_server, browser: Browser, artifacts: Path, lang, viewport):
    service = live_server
    ids = await market(service)
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    shots: list[Path] = []
    pages = []
    try:
        # a visitor: the list, the login page, the statistics
        context, page = await open_page(browser, service.base_url, lang, viewport)
        pages.append((context, page))
        await page.goto("/")
        await settled(page, f"[data-auction='{ids['live']}']")
        shots.append(await shoot(page, folder, "list", viewport, lang))
        await page.goto("/#/login")
        await settled(page, "form.auth-form")
        shots.append(await shoot(page, folder, "login", viewport, lang))
        await page.goto("/#/stats")
        await settled(page, "main h1")
        shots.append(await shoot(page, folder, "stats", viewport, lang))

        # a bidder: the live fight, the car he won, his page
        context, page = await open_page(browser, service.base_url, lang, viewport)
        pages.append((context, page))
        await log_in(page, "wang", next_path=f"/auction/{ids['live']}")
        await settled(page, "[data-testid=my-code]")
        await expect(page.get_by_test_id("extensions")).to_contain_text("4")
        await expect(page.get_by_test_id("audit")).to_contain_text("9")
        live_shot = await shoot(page, folder, "auction-live", viewport, lang)
        shots.append(live_shot)
        if UPDATE_DOCS and (lang, viewport) == ("zh", "desktop"):
            await page.screenshot(path=str(DOCS_SCREENSHOT))
        await page.goto(f"/#/auction/{ids['ended']}")
        await settled(page, "[data-testid=winner-code]")
        shots.append(await shoot(page, folder, "auction-ended", viewport, lang))
        await page.goto("/#/me")
        await settled(page, "[data-testid=my-registrations]")
        shots.append(await shoot(page, folder, "my-page", viewport, lang))

        # court staff: the console
        context, page = await open_page(browser, service.base_url, lang, viewport)
        pages.append((context, page))
        await log_in(page, "clerk-shot", next_path="/staff")
        await settled(page, "main h1")
        shots.append(await shoot(page, folder, "staff", viewport, lang))

        for _context, page in pages:
            assert not page.js_errors, page.js_errors  # type: ignore[attr-defined]
        assert all(p.stat().st_size > 10_000 for p in shots), shots
    finally:
        for context, _page in pages:
            await context.close()
