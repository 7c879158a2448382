"""A person in the web client during a live demo (``auction-service serve --demo``, as a newcomer starts
it: its supervised live market running against the server at ten times real speed). As the Shenzhen
clerk: record the payment of a sale the market made, suspend a live auction and resume it, withdraw an
announced auction and schedule its lot again; as ``bidder1``: register for a live auction and outbid.
The simulated clerks and bidders then meet what the person did (a sale already settled, a suspension, a
withdrawn auction, a new leader), and the market carries on: bids keep coming and auctions keep closing
after the person's last step, and the server's log holds no stopped market and no traceback."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

try:
    from playwright.async_api import Browser, Page, expect
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise
    pytest.skip("the playwright package is not installed (pip install playwright)", allow_module_level=True)

from auction_service import demo_data
from tests.browser.pages import confirm
from tests.browser.test_web_client import log_in, new_page, shoot
from tests.cli.support import free_port, output_of, serving

SHENZHEN, CLERK, CLERK_PASSWORD = demo_data.STAFF[0]
BIDDER = demo_data.HUMAN_BIDDERS[0][0]
FIRST_START_SECONDS = 600  # the first start simulates the demo's past before the server answers
WAIT_SECONDS = 240  # real seconds to wait for the market to show something (an opening every ~50 s)


@dataclass
class Demo:
    url: str
    folder: Path
    port: int


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """``auction-service serve --demo`` in a folder of its own (its demo.db), with nothing but its
    defaults: sandbox rules, the clock at ten times real speed, the live market on."""
    port = free_port()
    with serving("serve", "--demo", "--port", str(port), cwd=tmp_path, port=port, wait=FIRST_START_SECONDS):
        yield Demo(f"http://127.0.0.1:{port}", tmp_path, port)


def when(moment: str) -> float:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp()


async def eventually(what: str, find: Callable[[], Awaitable[Any]]) -> Any:
    """``find``'s first answer that is not empty, asked every second for up to ``WAIT_SECONDS``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = await find()
        if found:
            return found
        await asyncio.sleep(1)
    pytest.fail(f"the live demo never showed {what} within {WAIT_SECONDS} s")


async def auctions(api: httpx.AsyncClient, status: str) -> list[dict[str, Any]]:
    answer = await api.get("/api/v1/auctions", params={"status": status, "limit": 200})
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def row_of(page: Page, auction: dict[str, Any]):
    """The auction's row on its lot's page in the court console."""
    await page.goto(f"/#/staff/lot/{auction['lot_id']}")
    row = page.get_by_test_id("lot-auctions").locator(f"tr[data-auction='{auction['id']}']")
    await expect(row).to_be_visible()
    return row


async def answer_dialog(page: Page, text: str | None = None) -> None:
    """Fill the step's question (a reason, the evidence) and press OK."""
    dialog = page.locator("dialog.modal")
    await expect(dialog).to_have_count(1)
    question = await dialog.locator("p").first.inner_text()
    if text is not None:
        await dialog.locator("textarea").fill(text)
    await dialog.locator("button[value=ok]").click()
    await expect(page.locator("dialog.modal", has_text=question)).to_have_count(0)  # the next may follow


async def record_payment(page: Page, api: httpx.AsyncClient) -> dict[str, Any]:
    """Of the court's sales awaiting payment, the latest the market made: recorded paid from its row."""

    async def awaiting() -> list[dict[str, Any]]:
        sold = [a for a in await auctions(api, "sold") if a["court"] == SHENZHEN and a["settlement"] is None]
        return sorted(sold, key=lambda a: a["end_at"], reverse=True)

    sale = (await eventually("a sale awaiting payment", awaiting))[0]
    row = await row_of(page, sale)
    await row.get_by_role("button", name="登记已付款").click()
    await answer_dialog(page, "银行回单 20261206-001")
    await answer_dialog(page)  # the confirmation
    await expect(row).to_contain_text("已付清尾款")
    return sale


async def suspend_and_resume(page: Page, api: httpx.AsyncClient) -> dict[str, Any]:
    async def fought() -> list[dict[str, Any]]:
        return [a for a in await auctions(api, "live") if a["court"] == SHENZHEN and a["bid_count"]
                and when(a["end_at"]) - when(a["server_time"]) > 600]  # fmt: skip

    auction = (await eventually("a live auction with bids", fought))[0]
    row = await row_of(page, auction)
    await row.get_by_role("button", name="中止", exact=True).click()
    await answer_dialog(page, "案外人提出异议，中止拍卖")
    await expect(row.get_by_test_id("pause-kind")).to_have_text("中止")
    await asyncio.sleep(10)  # a hundred simulated seconds: the market's bidders and its close meet the pause
    await row.get_by_role("button", name="恢复", exact=True).click()
    await answer_dialog(page, "异议已审查，恢复拍卖")
    await expect(row.get_by_test_id("pause-kind")).to_have_count(0)
    assert (await api.get(f"/api/v1/auctions/{auction['id']}")).json()["status"] == "live"
    return auction


async def withdraw_and_schedule(page: Page, api: httpx.AsyncClient) -> dict[str, Any]:
    """The announced auction opening last is withdrawn (the parties settled), and its lot is scheduled
    again through the form with the round it proposes."""

    async def announced() -> list[dict[str, Any]]:
        found = [a for a in await auctions(api, "announced") if a["court"] == SHENZHEN]
        return sorted(found, key=lambda a: a["start_at"], reverse=True)

    auction = (await eventually("an announced auction", announced))[0]
    row = await row_of(page, auction)
    await row.get_by_role("button", name="撤回", exact=True).click()
    await page.get_by_test_id("withdraw-ground").select_option("settlement_reached")
    await page.locator("dialog").get_by_role("button", name="OK").click()
    await expect(row).to_contain_text("撤回")
    schedule = page.get_by_test_id("schedule")
    await expect(schedule.locator("ul.checks li.bad")).to_have_count(0)
    await schedule.get_by_role("button", name="发布拍卖").click()
    await expect(page.get_by_test_id("lot-auctions").locator("tbody tr")).to_have_count(2)
    lot = (await api.get(f"/api/v1/lots/{auction['lot_id']}")).json()
    assert [a["status"] for a in lot["auctions"]] == ["withdrawn", "announced"]
    return auction


async def register_and_outbid(page: Page, api: httpx.AsyncClient, avoid: set[int]) -> dict[str, Any]:
    """``bidder1`` registers for a contested live auction with time left and bids one increment above
    the leader (again if a simulated bidder was faster), until the page says it leads."""

    async def contested() -> list[dict[str, Any]]:
        return [a for a in await auctions(api, "live") if a["bid_count"] and a["id"] not in avoid
                and when(a["end_at"]) - when(a["server_time"]) > 600]  # fmt: skip

    auction = (await eventually("a contested live auction", contested))[0]
    await page.goto(f"/#/auction/{auction['id']}")
    await page.get_by_test_id("accept-terms").check()  # the 竞买须知, read before the deposit
    await page.get_by_test_id("register").click()
    await page.get_by_test_id("confirm-dialog").get_by_test_id("confirm-ok").click()
    await expect(page.get_by_test_id("my-code")).to_be_visible()
    message = page.locator(".bid-message")
    for _ in range(5):
        await page.get_by_test_id("bid-one").click()
        await confirm(page, "¥")
        await expect(message).to_have_class(re.compile(r"\b(ok|error)\b"))  # answered: accepted or refused
        if "ok" in (await message.get_attribute("class") or "").split():
            break
    await expect(message).to_have_class(re.compile(r"\bok\b"))
    return auction


async def test_a_person_in_the_web_client_never_stops_the_live_demo(demo: Demo, browser: Browser, artifacts: Path):
    async with httpx.AsyncClient(base_url=demo.url, timeout=30, trust_env=False) as api:
        clerk_context, clerk = await new_page(browser, demo.url)
        bidder_context, bidder = await new_page(browser, demo.url)
        try:
            await log_in(clerk, CLERK, CLERK_PASSWORD)
            await log_in(bidder, BIDDER, demo_data.BIDDER_PASSWORD)
            await record_payment(clerk, api)
            paused = await suspend_and_resume(clerk, api)
            withdrawn = await withdraw_and_schedule(clerk, api)
            await shoot(clerk, artifacts, "live-demo-clerk")
            contested = await register_and_outbid(bidder, api, {paused["id"]})
            await shoot(bidder, artifacts, "live-demo-bidder")
            assert clerk.js_errors == [] and bidder.js_errors == []  # type: ignore[attr-defined]
        finally:
            await clerk_context.close()
            await bidder_context.close()

        # The market carries on after the person's last step: simulated bidders bid, auctions close.
        after = when((await api.get("/api/v1/clock")).json()["now"])
        touched = {paused["id"], withdrawn["id"], contested["id"]}

        async def new_bids() -> list[dict[str, Any]]:
            live = [a for a in await auctions(api, "live") if a["id"] not in touched]
            found = []
            for a in live:
                if a["bid_count"]:
                    record = (await api.get(f"/api/v1/auctions/{a['id']}/bids", params={"limit": 500})).json()
                    found += [b for b in record["items"] if when(b["placed_at"]) > after]
            return found

        async def new_closes() -> list[dict[str, Any]]:
            ended = await auctions(api, "sold") + await auctions(api, "unsold")
            return [a for a in ended if when(a["end_at"]) > after]

        await eventually("a simulated bidder's bid after the person's steps", new_bids)
        await eventually("an auction closing after the person's steps", new_closes)

    said = output_of(demo.folder, demo.port)
    assert "live market of the demo stopped" not in said, said[-3000:]
    assert "Traceback" not in said, said[-3000:]
