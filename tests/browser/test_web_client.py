"""The web client in a real browser: bidders watching and bidding live, court staff listing and
scheduling a lot, the statistics page. Screenshots go to test-artifacts/."""

from __future__ import annotations

import asyncio
import os
import re
import struct
import time
import zlib
from datetime import timedelta
from pathlib import Path

import pytest

try:
    from playwright.async_api import Browser, BrowserContext, Page, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise  # under CI the browser tests must run
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)

from tests.support import parse_time

PASSWORD = "password123"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


async def new_page(browser: Browser, base_url: str, viewport: dict[str, int] = DESKTOP) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(
        viewport=viewport, base_url=base_url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    return context, page


async def log_in(page: Page, username: str, password: str = PASSWORD, next_path: str = "") -> None:
    await page.goto(f"/#/login{'?next=' + next_path if next_path else ''}")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(password)
    await page.get_by_role("button", name="登录", exact=True).click()
    await expect(page.get_by_test_id("who")).to_have_text(username)
    # the login page takes the user on (to next_path) once /me has answered: wait for that, so that a
    # page.goto right after this is not undone by it
    await expect(page).not_to_have_url(re.compile(r"#/login"))


async def confirm(page: Page, amount: str) -> None:
    """Confirm the step the page asks about (freezing a deposit, a bid): the dialog states ``amount``."""
    dialog = page.get_by_test_id("confirm-dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_test_id("confirm-text")).to_contain_text(amount)
    await dialog.get_by_test_id("confirm-ok").click()
    await expect(dialog).to_have_count(0)


async def shoot(page: Page, artifacts: Path, name: str, full_page: bool = True) -> None:
    await page.evaluate("window.scrollTo(0, 0)")  # the sticky header belongs at the top of a full-page shot
    await page.screenshot(path=str(artifacts / f"{name}.png"), full_page=full_page)


async def live_auction(service, *, minutes: int = 60) -> tuple[dict, dict]:
    """A residential lot with a round-1 auction that opens in 10 minutes (sandbox rules)."""
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(
        staff,
        title="深圳市南山区科技园某住宅 12 栋 1502 房",
        case_number="(2026)粤03执恢123号",
        location="深圳市南山区",
        defects="房屋存在漏水,以现状为准。",
        taxes="交易税费由买卖双方各自承担。",
        balance_deadline_days=10,
        contact="王法官 0755-0000 0000",
    )
    auction = await api.schedule(staff, lot["id"], start_in=timedelta(minutes=10), duration=timedelta(minutes=minutes))
    return staff, auction


async def test_two_bidders_see_each_other_live_and_the_extension(live_server, browser: Browser, artifacts: Path):
    service = live_server
    api = service.api
    _staff, auction = await live_auction(service)
    aid = auction["id"]
    await api.bidder("alice", real_name="张三")
    bob = await api.bidder("bob", real_name="李四")
    bob_reg = await api.register(bob, aid)

    # Bidding opens; then we jump into the last five minutes.
    service.clock.set(parse_time(auction["start_at"]))
    await service.settle()
    service.clock.set(parse_time(auction["end_at"]) - timedelta(minutes=3))
    await service.settle()

    ctx_a, alice = await new_page(browser, service.base_url)
    ctx_b, bob_page = await new_page(browser, service.base_url, PHONE)
    try:
        await log_in(alice, "alice", next_path=f"/auction/{aid}")
        await expect(alice.get_by_role("heading", level=1)).to_contain_text("科技园")
        await alice.get_by_test_id("accept-terms").check()  # the 竞买须知
        await alice.get_by_test_id("register").click()
        await confirm(alice, "¥700,000.00")  # the deposit
        await expect(alice.get_by_test_id("my-code")).to_have_text(re.compile(r"^[A-Z]\d{4}$"))
        alice_code = await alice.get_by_test_id("my-code").inner_text()

        await log_in(bob_page, "bob", next_path=f"/auction/{aid}")
        # Bob registered through the API: the page knows it from the platform's record (GET /me/registrations).
        await expect(bob_page.get_by_test_id("my-code")).to_have_text(bob_reg["bidder_code"])
        await expect(bob_page.get_by_test_id("extensions")).to_have_text("延时 0 次")
        await expect(bob_page.get_by_test_id("live-mode")).to_have_text("实时")

        # Alice bids one increment (the first bid is the starting price); Bob sees it within a second.
        await alice.get_by_test_id("bid-one").click()
        await confirm(alice, "¥7,000,000.00")
        started = time.monotonic()
        await expect(bob_page.get_by_test_id("leading-code")).to_have_text(alice_code, timeout=1000)
        seen_after = time.monotonic() - started
        assert seen_after < 1.0, seen_after
        accepted = alice.locator(".bid-message")  # the answer shows beside the button, at 1280x900 too
        await expect(accepted).to_contain_text("¥7,000,000.00")
        await expect(accepted).to_be_in_viewport()
        await expect(bob_page.get_by_test_id("current-price")).to_have_text("¥7,000,000.00")
        first = bob_page.get_by_test_id("bid-record").locator("tbody tr").first
        await expect(first).to_contain_text(alice_code)
        await expect(first).to_contain_text("领先")
        # The bid came in the last five minutes: the end moved, and the countdown says so.
        await expect(bob_page.get_by_test_id("extensions")).to_have_text("延时 1 次", timeout=1000)
        await expect(alice.get_by_test_id("extensions")).to_have_text("延时 1 次")
        await expect(alice.get_by_test_id("standing")).to_have_text("您目前领先")
        after = await api.auction(aid)
        assert after["extension_count"] == 1 and after["end_at"] != after["scheduled_end_at"]

        # A refused bid is explained in words: not on the increment.
        await bob_page.get_by_test_id("custom-amount").fill("7000100")
        await bob_page.get_by_test_id("bid-custom").click()
        await confirm(bob_page, "¥7,000,100.00")
        await expect(bob_page.get_by_role("alert").filter(has_text="加价幅度")).to_contain_text(
            "出价须为当前价加整数倍的加价幅度"
        )
        # Bob outbids by two increments; Alice is told at once.
        service.clock.advance(seconds=30)
        await bob_page.get_by_test_id("steps").fill("2")
        await bob_page.get_by_test_id("bid-steps").click()
        await confirm(bob_page, "¥7,010,000.00")
        await expect(alice.get_by_test_id("leading-code")).to_have_text(bob_reg["bidder_code"], timeout=1000)
        await expect(alice.get_by_test_id("standing")).to_contain_text("您已被超越")
        await expect(alice.get_by_test_id("current-price")).to_have_text("¥7,010,000.00")
        await expect(alice.get_by_test_id("extensions")).to_have_text("延时 2 次", timeout=1000)
        await expect(alice.locator("#toast")).to_contain_text("超越")
        await shoot(alice, artifacts, "auction-live-desktop")
        await shoot(bob_page, artifacts, "auction-live-phone")

        # The close: the clock passes the (extended) end; both pages show the result.
        end = parse_time((await api.auction(aid))["end_at"])
        service.clock.set(end + timedelta(seconds=1))
        await service.settle()
        await expect(alice.get_by_test_id("winner-code")).to_have_text(bob_reg["bidder_code"], timeout=5000)
        await expect(bob_page.get_by_test_id("result")).to_contain_text("¥7,010,000.00", timeout=5000)
        await shoot(bob_page, artifacts, "auction-result-phone")

        # My page lists the registration with my bids.
        await bob_page.goto("/#/me")
        table = bob_page.get_by_test_id("my-registrations")
        await expect(table).to_contain_text(bob_reg["bidder_code"])
        await expect(table).to_contain_text("竞得")
        await shoot(bob_page, artifacts, "my-page-phone")
        assert not alice.js_errors and not bob_page.js_errors, (alice.js_errors, bob_page.js_errors)  # type: ignore[attr-defined]
    finally:
        await ctx_a.close()
        await ctx_b.close()


async def test_auction_list_filters_and_english(live_server, browser: Browser, artifacts: Path):
    service = live_server
    _staff, auction = await live_auction(service)
    service.clock.set(parse_time(auction["start_at"]))
    await service.settle()
    context, page = await new_page(browser, service.base_url)
    try:
        await page.goto("/")
        card = page.locator(f"[data-auction='{auction['id']}']")
        await expect(card).to_contain_text("¥7,000,000.00")
        await expect(card).to_contain_text("正在进行")
        await shoot(page, artifacts, "auctions-desktop")
        await page.get_by_label("类别").select_option("vehicle")
        await expect(page.get_by_text("暂无符合条件的拍卖。")).to_be_visible()
        await page.get_by_label("类别").select_option("residential")
        await expect(card).to_be_visible()
        await page.get_by_test_id("lang-switch").click()
        await expect(page.get_by_role("tab", name="Live")).to_have_attribute("aria-selected", "true")
        await expect(card).to_contain_text("Residential")
        await page.reload()
        await expect(page.get_by_role("tab", name="Upcoming")).to_be_visible()  # the choice is kept
        await page.set_viewport_size(PHONE)
        await shoot(page, artifacts, "auctions-phone-en")
        assert not page.js_errors  # type: ignore[attr-defined]
    finally:
        await context.close()


async def test_staff_lists_a_lot_and_schedules_it_through_the_ui(live_server, browser: Browser, artifacts: Path):
    service = live_server
    await service.api.staff(service.services, username="clerk-web")
    context, page = await new_page(browser, service.base_url)
    try:
        await log_in(page, "clerk-web")
        await expect(page.get_by_role("heading", name="法院工作台")).to_be_visible()
        form = page.get_by_test_id("new-lot")
        await form.get_by_label("标的物名称").fill("深圳市福田区某住宅 3 栋 801 房")
        await form.get_by_label("类别").select_option("residential")
        await form.get_by_label("评估价(元)").fill("1,000,000")
        await form.get_by_label("案号").fill("(2026)粤03执888号")
        await form.get_by_label("瑕疵说明").fill("无重大瑕疵。")
        await form.get_by_role("button", name="创建标的物").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("深圳市福田区某住宅 3 栋 801 房")

        schedule = page.get_by_test_id("schedule")
        await expect(schedule).to_contain_text("安排下一轮:一拍")
        # The listing rules are checked in the form: 60% of the appraisal is refused before submitting.
        await schedule.get_by_label("起拍价 (¥)").fill("600000")
        await expect(schedule.locator("li.bad")).to_contain_text("一拍起拍价不低于评估价的 70%")
        await expect(schedule.get_by_role("button", name="发布拍卖")).to_be_disabled()
        await schedule.get_by_label("起拍价 (¥)").fill("700000")
        await schedule.get_by_label("保证金 (¥)").fill("200000")  # 28.6%: out of range
        await expect(schedule.locator("li.bad")).to_contain_text("保证金为起拍价的 5%–20%")
        await schedule.get_by_label("保证金 (¥)").fill("70000")
        await expect(schedule.locator("li.bad")).to_have_count(0)
        await shoot(page, artifacts, "staff-schedule-desktop")
        await schedule.get_by_role("button", name="发布拍卖").click()

        rounds = page.get_by_test_id("lot-auctions")
        await expect(rounds).to_contain_text("即将开始")
        await expect(rounds).to_contain_text("¥700,000.00")
        listed = (await service.client.get("/api/v1/auctions")).json()["items"]
        assert len(listed) == 1
        assert listed[0]["starting_price"] == 700_000_00 and listed[0]["deposit"] == 70_000_00
        assert listed[0]["round"] == 1 and listed[0]["status"] == "announced"

        # Withdraw it (a legal ground and a note are asked for in a dialog), then the lot can be scheduled again.
        await rounds.get_by_role("button", name="撤回").click()
        await page.get_by_test_id("withdraw-ground").select_option("other")
        await page.locator("dialog textarea").fill("当事人达成和解")
        await page.locator("dialog").get_by_role("button", name="OK").click()
        await expect(page.get_by_test_id("lot-auctions")).to_contain_text("撤回")
        await expect(page.get_by_test_id("lot-auctions")).to_contain_text("当事人达成和解")
        await expect(page.get_by_test_id("schedule")).to_contain_text("安排下一轮:一拍")

        await page.goto("/#/staff")
        await expect(page.get_by_test_id("staff-lots")).to_contain_text("深圳市福田区某住宅")
        await page.evaluate("window.scrollTo(0, 0)")
        await shoot(page, artifacts, "staff-lots-desktop")
        await page.set_viewport_size(PHONE)
        await shoot(page, artifacts, "staff-lots-phone")
        assert not page.js_errors  # type: ignore[attr-defined]
    finally:
        await context.close()


# The chart notes (the quarters' 同比) whose box meets a value's box in the same chart: none may.
NOTES_OVER_VALUES = """() => {
  const meets = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const bad = [];
  for (const svg of document.querySelectorAll("svg[data-testid=chart]")) {
    const values = [...svg.querySelectorAll("text.val")].map((e) => [e.textContent, e.getBBox()]);
    for (const note of svg.querySelectorAll("text.note")) {
      for (const [text, box] of values) if (meets(note.getBBox(), box)) bad.push(`${text} / ${note.textContent}`);
    }
  }
  return bad;
}"""


async def test_statistics_page_renders_charts_and_exports_csv(live_server, browser: Browser, artifacts: Path):
    service = live_server
    api = service.api
    staff = await api.staff(service.services)
    sold_lot = await api.lot(staff)
    unsold_lot = await api.lot(staff, title="粤B 小型轿车", category="vehicle", appraisal=100_000_00)
    sold = await api.schedule(staff, sold_lot["id"], start_in=timedelta(minutes=5), duration=timedelta(hours=1))
    await api.schedule(
        staff,
        unsold_lot["id"],
        starting_price=70_000_00,
        increment=500_00,
        start_in=timedelta(minutes=5),
        duration=timedelta(hours=1),
    )
    bidder = await api.bidder()
    await api.register(bidder, sold["id"])
    service.clock.set(parse_time(sold["start_at"]))
    await service.settle()
    r = await api.bid(bidder, sold["id"], 7_000_000_00)
    assert r.status_code == 201, r.text
    r = await api.bid(bidder, sold["id"], 7_700_000_00)  # a 10% premium over the start
    assert r.status_code == 201, r.text
    service.clock.set(parse_time(sold["end_at"]) + timedelta(minutes=1))
    await service.settle()

    context, page = await new_page(browser, service.base_url)
    try:
        await page.goto("/#/stats")
        kpis = page.get_by_test_id("kpis")
        await expect(kpis).to_contain_text("50.00%")
        await expect(kpis).to_contain_text("1 成交 ÷ (1 成交 + 1 流拍)")
        await expect(kpis).to_contain_text("平均 10.00%")
        charts = page.locator("svg[data-testid=chart]")
        await expect(charts.nth(2)).to_be_visible()  # each chart arrives with its own request
        await expect(page.locator("svg[aria-label='成交率:按类别']")).to_contain_text("机动车")
        monthly = page.get_by_test_id("monthly-chart")
        await expect(monthly).to_be_visible()
        await expect(monthly).to_contain_text("2026-05")
        await expect(page.locator("svg text.note").first).to_be_visible()  # the quarters' 同比
        assert await page.evaluate(NOTES_OVER_VALUES) == []
        await shoot(page, artifacts, "stats-desktop")

        async with page.expect_download() as info:
            await page.get_by_test_id("export-csv").click()
        download = await info.value
        csv = (await download.path()).read_text(encoding="utf-8-sig")
        lines = csv.strip().splitlines()
        assert lines[0].startswith("group,value,auctions_ended,sold,unsold")
        assert lines[1].startswith("all,,2,1,1,0,0.5,")
        assert any(line.startswith("category,vehicle,1,0,1,") for line in lines)
        assert "7700000.00" in lines[1]

        await page.get_by_label("类别", exact=True).select_option("residential")
        await page.get_by_role("button", name="查询").click()
        await expect(kpis).to_contain_text("100.00%")
        # The server's CSV files, with the current filters.
        for testid, path in (("csv-summary", "/api/v1/stats.csv"), ("csv-monthly", "/api/v1/stats/monthly.csv")):
            link = page.get_by_test_id(testid)
            # the page is drawn again for the new filters: wait for the links of that drawing
            filtered = re.compile("^" + re.escape(path) + r"\?.*category=residential")
            await expect(link).to_have_attribute("href", filtered)
            href = await link.get_attribute("href")
            assert href is not None
            served = await page.request.get(href)
            assert served.ok and served.headers["content-type"].startswith("text/csv"), served.status
        await page.set_viewport_size(PHONE)
        await page.reload()  # the charts are drawn at the width they are shown
        await expect(page.locator("svg[data-testid=chart]").first).to_be_visible()
        await expect(page.locator("svg text.note").first).to_be_visible()
        assert await page.evaluate(NOTES_OVER_VALUES) == []  # narrow: the note goes under the bar
        await shoot(page, artifacts, "stats-phone")
        assert not page.js_errors  # type: ignore[attr-defined]
    finally:
        await context.close()


def tiny_png() -> bytes:
    """A valid 1x1 PNG (one red pixel), made here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xb3\x26\x1e")  # filter byte + one pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


async def test_documents_my_page_and_confirmation_of_a_sale(live_server, browser: Browser, artifacts: Path):
    service = live_server
    api = service.api
    await api.staff(service.services, username="clerk-docs")
    staff = await api.token("clerk-docs")
    lot = await api.lot(
        staff, title="深圳市宝安区某商铺 1 层 101", category="commercial", case_number="(2026)粤03执77号"
    )
    auction = await api.schedule(staff, lot["id"], start_in=timedelta(minutes=10), duration=timedelta(minutes=60))
    aid = auction["id"]
    carol = await api.bidder("carol", real_name="王五")
    dave = await api.bidder("dave", real_name="赵六")
    carol_reg = await api.register(carol, aid)
    await api.register(dave, aid)
    r = await service.client.post(
        f"/api/v1/auctions/{aid}/priority-holders", json={"username": "dave", "rank": 1}, headers=staff
    )
    assert r.status_code == 201, r.text
    service.clock.set(parse_time(auction["start_at"]))
    await service.settle()
    assert (await api.bid(dave, aid, 7_000_000_00)).status_code == 201
    assert (await api.bid(carol, aid, 7_005_000_00)).status_code == 201
    service.clock.set(parse_time((await api.auction(aid))["end_at"]) + timedelta(seconds=1))
    await service.settle()
    assert (await api.auction(aid))["status"] == "sold"

    # Court staff publish a photo with the lot, through the lot page.
    context, page = await new_page(browser, service.base_url)
    try:
        await log_in(page, "clerk-docs", next_path=f"/staff/lot/{lot['id']}")
        await expect(page.get_by_role("heading", level=1)).to_have_text(lot["title"])
        upload = page.get_by_test_id("doc-upload")
        await upload.get_by_test_id("doc-file").set_input_files(
            {"name": "shop-front.png", "mimeType": "image/png", "buffer": tiny_png()}
        )
        await expect(upload.get_by_test_id("doc-kind")).to_have_value("photo")
        await upload.get_by_role("button", name="上传附件").click()
        await expect(upload.get_by_test_id("doc-message")).to_contain_text("附件已上传:shop-front.png")
        await expect(page.get_by_test_id("staff-documents")).to_contain_text("shop-front.png")
        # A file that is not a PDF or an image is refused in words.
        await upload.get_by_test_id("doc-file").set_input_files(
            {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"plain text"}
        )
        await upload.get_by_role("button", name="上传附件").click()
        await expect(upload.get_by_test_id("doc-message")).to_contain_text("文件类型不受支持")
        # The deposits ledger: every registration, totals, balanced.
        ledger = page.get_by_test_id("ledgers")
        await expect(ledger).to_contain_text(carol_reg["bidder_code"])
        await expect(ledger.get_by_test_id("ledger-balanced")).to_have_text("账目平衡 ✓")
        await expect(ledger.locator("tfoot")).to_contain_text("¥1,400,000.00")
        await expect(page.get_by_test_id("staff-confirmation")).to_be_visible()
        await shoot(page, artifacts, "staff-lot-documents-desktop")
        await page.set_viewport_size(PHONE)
        await shoot(page, artifacts, "staff-lot-documents-phone")
        await page.set_viewport_size(DESKTOP)

        # The auction page lists it as a thumbnail, says the record is intact, and links the confirmation.
        await page.goto(f"/#/auction/{aid}")
        docs = page.get_by_test_id("lot-documents")
        thumb = docs.locator("img[alt='shop-front.png']")
        await expect(thumb).to_be_visible()
        await page.wait_for_function(
            "() => document.querySelector(\"img[alt='shop-front.png']\")?.naturalWidth === 1", timeout=5000
        )
        await expect(page.get_by_test_id("audit")).to_have_text("记录完整性校验通过 ✓ (2 条)")
        # the holder's bid in the record: the code marked with the holder's rank (Art. 19)
        await expect(page.locator("tr[data-seq='1']").get_by_test_id("prio-rank")).to_have_text("优先1")
        await expect(page.locator("tr[data-seq='2']").get_by_test_id("prio-rank")).to_have_count(0)
        holders = page.get_by_test_id("priority-holders")
        await expect(holders).to_contain_text("第 1 顺位")
        await expect(holders).to_contain_text("赵六")
        await expect(page.get_by_test_id("confirmation-link")).to_be_visible()
        assert not page.js_errors  # type: ignore[attr-defined]
    finally:
        await context.close()

    # The winner, in a fresh browser (nothing remembered locally): My page comes from the API.
    records = (await service.client.get("/api/v1/me/registrations", headers=carol)).json()
    mine = next(r for r in records["items"] if r["auction_id"] == aid)
    assert mine["won"] and mine["balance_due"] == 7_005_000_00 - 700_000_00
    status_text = {"frozen": "冻结", "released": "已退还", "applied": "已抵扣价款", "forfeited": "已没收"}
    for viewport, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        context, page = await new_page(browser, service.base_url, viewport)
        try:
            await log_in(page, "carol", next_path="/me")
            remembered = "Object.keys(localStorage).filter(k => k.startsWith('auction.regs')).length"
            assert await page.evaluate(remembered) == 0
            won = page.get_by_test_id("my-won")
            await expect(won).to_contain_text(lot["title"])
            await expect(won.get_by_test_id("balance-due")).to_have_text("¥6,305,000.00")
            await expect(won).to_contain_text(status_text[mine["deposit_status"]])
            regs = page.get_by_test_id("my-registrations")
            await expect(regs).to_contain_text(carol_reg["bidder_code"])
            await expect(regs).to_contain_text("竞得")
            await expect(page.get_by_test_id("my-bids")).to_contain_text("¥7,005,000.00")
            await expect(page.get_by_test_id("deposit-totals")).to_contain_text("¥700,000.00")
            await shoot(page, artifacts, f"my-page-winner-{suffix}")
            if suffix == "desktop":
                # The winner's auction page links the confirmation; it names the buyer.
                await page.goto(f"/#/auction/{aid}")
                await expect(page.get_by_test_id("my-code")).to_have_text(carol_reg["bidder_code"])
                async with context.expect_page() as info:
                    await page.get_by_test_id("confirmation-link").click()
                confirmation = await info.value
                await confirmation.wait_for_load_state()
                await expect(confirmation.locator("body")).to_contain_text("王五")
                await expect(confirmation.locator("body")).to_contain_text(carol_reg["bidder_code"])
                await shoot(confirmation, artifacts, "confirmation-desktop")
                await page.set_viewport_size(PHONE)
                await shoot(page, artifacts, "auction-sold-documents-phone")
            assert not page.js_errors  # type: ignore[attr-defined]
        finally:
            await context.close()


async def test_going_elsewhere_while_logging_in_is_not_undone(live_server, browser: Browser):
    """The header shows the user logged in as soon as the token arrives, while /me is still being asked;
    a user who opens another page in that moment stays there (the login page used to take them on to
    its `next` page afterwards, over what they had opened)."""
    service = live_server
    await service.api.staff(service.services, username="clerk-hasty")
    context, page = await new_page(browser, service.base_url)
    release = asyncio.Event()

    async def slow_me(route):
        await release.wait()
        await route.continue_()

    try:
        await page.route("**/api/v1/me", slow_me)
        await page.goto("/#/login?next=/staff")
        await page.get_by_label("用户名").fill("clerk-hasty")
        await page.get_by_label("密码").fill(PASSWORD)
        await page.get_by_role("button", name="登录", exact=True).click()
        await expect(page.get_by_test_id("who")).to_have_text("clerk-hasty")
        await page.goto("/#/stats")  # while /me is held back
        async with page.expect_response("**/api/v1/me"):
            release.set()
        await page.wait_for_timeout(300)  # the login page's own step would come now, if it still came
        await expect(page).to_have_url(re.compile(r"#/stats$"))
        assert not page.js_errors  # type: ignore[attr-defined]
    finally:
        release.set()
        await context.close()
