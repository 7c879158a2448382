"""The restricted bidder's path in a real browser: court staff import the consumption-restriction list in
the console (a malformed list is refused with its bad lines, nothing imported), a listed bidder is refused
registration on the auction page with the court to contact, staff restore the person's credit in the
console, and the bidder then registers, acknowledging the terms (竞买须知)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

try:
    from playwright.async_api import Browser, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)

from auction_service.db.models import ActionLog, Registration
from tests.browser.test_web_client import PASSWORD, log_in, new_page, shoot
from tests.support.identity import id_number

RESTRICTING = "深圳市中级人民法院"  # the clerk's own court: only the listing court keeps its entries


async def test_a_restricted_bidder_is_refused_until_staff_restore_their_credit(
    live_server, browser: Browser, artifacts: Path
):
    service = live_server
    api = service.api
    staff = await api.staff(service.services, username="clerk-lists")
    lot = await api.lot(staff, title="深圳市南山区某住宅 5 栋 302 房")
    auction = await api.schedule(staff, lot["id"], start_in=timedelta(minutes=10), duration=timedelta(minutes=60))
    number = id_number()
    good = f"身份证号,姓名,执行法院,限制日期\n{number},李四,{RESTRICTING},2025-03-01\n"
    bad = f"{good}12345,王五,{RESTRICTING},2025-03-01\n"  # line 3: not an identity number

    clerk_context, clerk = await new_page(browser, service.base_url)
    bidder_context, bidder = await new_page(browser, service.base_url)
    try:
        # The clerk imports a list with a bad line: refused, the line named, nothing imported.
        await log_in(clerk, "clerk-lists", next_path="/staff")
        panel = clerk.get_by_test_id("restrictions")
        await expect(panel.get_by_test_id("restr-list")).to_contain_text("名单为空")
        await panel.get_by_test_id("restr-file").set_input_files(
            {"name": "list.csv", "mimeType": "text/csv", "buffer": bad.encode()}
        )
        await panel.get_by_test_id("restr-import").click()
        await expect(panel.get_by_test_id("restr-errors")).to_contain_text("第 3 行")
        await expect(panel.get_by_test_id("restr-message")).to_contain_text("未导入任何内容")
        await expect(panel.get_by_test_id("restr-list")).to_contain_text("名单为空")
        # The corrected list goes in.
        await panel.get_by_test_id("restr-file").set_input_files(
            {"name": "list.csv", "mimeType": "text/csv", "buffer": good.encode()}
        )
        await panel.get_by_test_id("restr-import").click()
        await expect(panel.get_by_test_id("restr-message")).to_contain_text("新增 1")
        await expect(panel.get_by_test_id("restr-list")).to_contain_text(RESTRICTING)
        await expect(panel.get_by_test_id("restr-kind")).to_have_text("限制消费")  # the older form's list
        await expect(panel.get_by_test_id("restr-list")).not_to_contain_text(number)
        await shoot(clerk, artifacts, "staff-restrictions-desktop")

        # The listed person signs up in the web client, giving the identity number the list names.
        await bidder.goto(f"/#/signup?next=/auction/{auction['id']}")
        await bidder.get_by_label("用户名").fill("lisi")
        await bidder.get_by_label("密码").fill(PASSWORD)
        await bidder.get_by_label("真实姓名").fill("李四")
        await bidder.get_by_test_id("id-number").fill(number)
        await bidder.get_by_role("button", name="注册并登录").click()
        await expect(bidder.get_by_test_id("who")).to_have_text("lisi")
        # ... and tries to register: refused, told which court to contact.
        await bidder.goto(f"/#/auction/{auction['id']}")
        await bidder.get_by_test_id("accept-terms").check()
        await bidder.get_by_test_id("register").click()
        await expect(bidder.get_by_test_id("confirm-text")).to_contain_text("竞买须知")
        await bidder.get_by_test_id("confirm-ok").click()
        refusal = bidder.locator(".bid-message.error")
        await expect(refusal).to_contain_text("限制消费")
        await expect(refusal).to_contain_text(RESTRICTING)
        await shoot(bidder, artifacts, "bidder-restricted-desktop")
        assert (await service.client.get(f"/api/v1/auctions/{auction['id']}")).json()["registrations"] == 0

        # The clerk records the credit restoration, with its reason.
        await panel.get_by_test_id("restr-restore").click()
        await clerk.locator("dialog textarea").fill("已履行全部义务,信用修复")
        await clerk.locator("dialog").get_by_role("button", name="OK").click()
        await expect(panel.get_by_test_id("restr-list")).to_contain_text("名单为空")

        # Now the bidder registers, acknowledging the terms.
        await bidder.reload()
        await bidder.get_by_test_id("accept-terms").check()
        await bidder.get_by_test_id("register").click()
        await bidder.get_by_test_id("confirm-ok").click()
        await expect(bidder.get_by_test_id("my-code")).to_have_text(re.compile(r"^[A-Z][0-9]{4}$"))
        assert not clerk.js_errors and not bidder.js_errors  # type: ignore[attr-defined]
    finally:
        await clerk_context.close()
        await bidder_context.close()

    async with service.services.read_sessions() as session:
        [registration] = (await session.execute(select(Registration))).scalars()
        assert registration.terms_accepted_at is not None  # the web client sends the acknowledgement
        reasons = [a.reason for a in (await session.execute(select(ActionLog))).scalars()]
    assert "已履行全部义务,信用修复" in reasons
