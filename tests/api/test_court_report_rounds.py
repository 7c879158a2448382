"""The monthly court report names every round its figures count: under a research profile with three
auction rounds, 三拍 has its own column between 二拍 and 变卖 in the JSON, the CSV and the PDF; under the
law's rules the PDF's columns are the ones it always had (一拍, 二拍, 变卖, same widths).

The PDF is read through the cells it writes (``FPDF.cell``, spied on): the text of a CJK PDF is glyph
numbers, and the suite has no PDF reader."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest
from fpdf import FPDF

from auction_service.core.court_report import report_headers
from auction_service.core.stats import LAW_ROUNDS, ROUNDS
from tests.conftest import Service
from tests.support.research import research_service, sold_in_round_3
from tests.support.scenes import go_to, scene

BEIJING = timezone(timedelta(hours=8))
REPORT = "/api/v1/stats/court-report"
# The PDF's columns under the law's rules, as they were before the rounds came from the report.
LAW_COLUMNS = [
    ("法院", 34), ("类别", 17), ("一拍", 11), ("二拍", 11), ("变卖", 11), ("成交率", 13), ("办结", 10),
    ("成交额(元)", 26), ("溢价率", 14), ("以物抵债(元)", 26), ("执行到位(元)", 28), ("撤回", 9), ("悔拍", 9),
    ("更正(元)", 30),
]  # fmt: skip


@pytest.fixture
async def three_rounds(db_url: str) -> AsyncIterator[Service]:
    async with research_service(db_url, "three", rule_overrides={"auction_rounds": 3}) as svc:
        yield svc


@pytest.fixture
def pdf_cells(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, str]]:
    """The (width, text) of every table cell the PDFs rendered from here on write, in order."""
    cells: list[tuple[float, str]] = []
    original = FPDF.cell

    def cell(self, w=None, h=None, text="", *args, **kwargs):
        cells.append((w, text))
        return original(self, w, h, text, *args, **kwargs)

    monkeypatch.setattr(FPDF, "cell", cell)
    return cells


def month_of(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m")


def row_after(cells: list[tuple[float, str]], first: str, n: int) -> list[str]:
    """The texts of the ``n`` cells after the first cell reading ``first``."""
    texts = [text for _, text in cells]
    at = texts.index(first)
    return texts[at + 1 : at + 1 + n]


async def test_a_third_round_has_its_own_columns_in_the_report(three_rounds, pdf_cells):
    """Rounds 1 and 2 unsold, round 3 sold, all in one month: the court's total counts 三拍 1/1."""
    svc = three_rounds
    staff = await svc.api.staff(svc.services)
    third = await sold_in_round_3(svc, staff)
    month = month_of(third.end_at)
    await go_to(svc, third.end_at + timedelta(minutes=1))

    r = await svc.client.get(REPORT, params={"month": month}, headers=staff)
    assert r.status_code == 200, r.text
    total = next(i for i in r.json()["items"] if i["total"])
    assert total["ended_by_round"] == {"1": 1, "2": 1, "3": 1, "sale": 0}
    assert total["sold_by_round"] == {"1": 0, "2": 0, "3": 1, "sale": 0}

    text = (await svc.client.get(REPORT, params={"month": month, "format": "csv"}, headers=staff)).text
    table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert (table[-1]["category"], table[-1]["ended_round_3"], table[-1]["sold_round_3"]) == ("total", "1", "1")

    pdf = await svc.client.get(REPORT, params={"month": month, "format": "pdf"}, headers=staff)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    texts = [text for _, text in pdf_cells]
    assert row_after(pdf_cells, "类别", 5) == ["一拍", "二拍", "三拍", "变卖", "成交率"]
    assert texts.count("三拍") == 1  # one heading
    # the court's total (小计): sold/ended per round, 1, 2, 3 and 变卖
    assert row_after(pdf_cells, "小计", 4) == ["0/1", "0/1", "1/1", "0/0"]
    header = pdf_cells[texts.index("法院") : texts.index("法院") + len(LAW_COLUMNS) + 1]
    assert sum(width for width, _ in header) <= 297 - 20  # A4 landscape within its 1 cm margins


async def test_under_the_law_the_report_keeps_its_columns(service, pdf_cells):
    """One round-1 sale under the law's rules: the PDF's headings and widths are exactly the old ones."""
    s = await scene(service, bidders=1)
    placed = await service.api.bid(s.bidders[0], s.id, s.auction["starting_price"])
    assert placed.status_code == 201, placed.text
    await go_to(service, s.end_at + timedelta(minutes=1))
    assert (await service.api.auction(s.id))["status"] == "sold"

    pdf = await service.client.get(REPORT, params={"month": month_of(s.end_at), "format": "pdf"}, headers=s.staff)
    assert pdf.status_code == 200, pdf.text
    texts = [text for _, text in pdf_cells]
    at = texts.index("法院")
    assert [(text, width) for width, text in pdf_cells[at : at + len(LAW_COLUMNS)]] == LAW_COLUMNS
    assert row_after(pdf_cells, "小计", 3) == ["1/1", "0/0", "0/0"]


def test_every_round_a_profile_may_hold_fits_the_page():
    """Six auction rounds and 变卖 (``MAX_ROUNDS``): every column narrows alike to the page's width."""
    headers = report_headers(ROUNDS, 297 - 20)
    assert [label for label, _ in headers[2:9]] == ["一拍", "二拍", "三拍", "四拍", "五拍", "六拍", "变卖"]
    assert sum(width for _, width in headers) == pytest.approx(297 - 20)
    assert report_headers(LAW_ROUNDS, 297 - 20) == LAW_COLUMNS
