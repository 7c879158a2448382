"""The monthly 司法网拍 report a court sends to the higher court: per court and per category, the rounds
(auctions ended and sold in round 1, round 2 and 变卖, and in any later round a research profile holds),
the rates, the amounts and 执行到位, for one calendar month in China time, with each court's total and the
grand total.

Every figure follows the one dating rule of ``core/stats.py``: a month's report does not change once the
month has closed (a later event shows in the month it happens). A report asked for before the month's
end says so (``final`` false). Staff get their own court's; an admin every court's, or one court's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules.errors import invalid

from ..clock import isoformat
from ..db.models import Court
from .confirmation import new_pdf
from .security import Principal
from .staff_actions import check_court
from .stats import CHINA, Figures, Filters, group_statistics, rounds_named

MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, slots=True)
class ReportRow:
    court: str
    category: str | None  # None: the court's total (and, with court None too, the grand total)
    figures: Figures


@dataclass(frozen=True, slots=True)
class CourtReport:
    month: str
    start: datetime
    end: datetime
    generated_at: datetime
    final: bool  # the month has closed: these figures will not change
    court: str | None  # the court reported on (None: every court)
    rows: list[ReportRow]


def month_window(month: str) -> tuple[datetime, datetime]:
    """``YYYY-MM`` as [its first day, the next month's first day), 00:00 Beijing time (422 otherwise)."""
    match = MONTH.fullmatch(month)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1970:
        raise invalid("invalid_month", "month: YYYY-MM, for example 2026-03")
    year, number = int(match[1]), int(match[2])
    start = datetime(year, number, 1, tzinfo=CHINA)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=CHINA)
    return start, end


async def _court_name(session: AsyncSession, principal: Principal, court: str | None) -> str | None:
    """The court the caller may report on: staff their own (naming another is 403), an admin any."""
    if principal.role == "admin":
        return court
    row = await session.get(Court, principal.court_id) if principal.court_id is not None else None
    if row is None:
        raise invalid("court_required", "the report is per court: staff of a court ask for it")
    if court is not None and court not in (row.name, str(row.id)):
        check_court(principal, -1)  # another court's report: 403 wrong_court
    return row.name


async def court_report(
    session: AsyncSession, principal: Principal, month: str, court: str | None, now: datetime
) -> CourtReport:
    start, end = month_window(month)
    name = await _court_name(session, principal, court)
    filters = Filters(court=name, start=start, end=end)
    detail = await group_statistics(session, ["court", "category"], filters, now)
    totals = await group_statistics(session, ["court"], filters, now)
    whole = await group_statistics(session, [], filters, now)
    rows: list[ReportRow] = []
    for total in totals:
        court_name = total.key["court"]
        rows.extend(ReportRow(court_name, g.key["category"], g.figures) for g in detail if g.key["court"] == court_name)
        rows.append(ReportRow(court_name, None, total.figures))
    if name is None and whole:
        rows.append(ReportRow("", None, whole[0].figures))
    return CourtReport(month, start, end, now, end <= now, name, rows)


# --- the PDF (A4 landscape, a CJK font from the host, as the confirmation) --------------------------------

# The columns before and after the rounds'; the rounds' own come from the report (``report_headers``).
LEADING = (("法院", 34), ("类别", 17))
TRAILING = (
    ("成交率", 13), ("办结", 10), ("成交额(元)", 26), ("溢价率", 14), ("以物抵债(元)", 26), ("执行到位(元)", 28),
    ("撤回", 9), ("悔拍", 9), ("更正(元)", 30),
)  # fmt: skip
ROUND_WIDTH = 11
# A round's column heading: the law's 一拍, 二拍 and 变卖, and the names a research profile's later rounds
# go by (``auction_rules.research``: at most six auction rounds).
ROUND_NAMES = {"1": "一拍", "2": "二拍", "3": "三拍", "4": "四拍", "5": "五拍", "6": "六拍", "sale": "变卖"}


def report_rounds(report: CourtReport) -> tuple[str, ...]:
    """The rounds the report's columns name, in order: the law's (the report under the law's rules looks
    as it always has), and every other round one of its rows counts (a research profile's third)."""
    return rounds_named([row.figures.ended_by_round for row in report.rows])


def round_name(r: str) -> str:
    return ROUND_NAMES.get(r, f"第{r}轮")


def report_headers(rounds: tuple[str, ...], page_width: float) -> list[tuple[str, float]]:
    """The PDF's column headings and widths (mm): one column per round. The law's three rounds fit the
    A4 landscape page (``page_width`` between the margins) as they are; more rounds narrow every column
    alike, so that the table stays on the page."""
    headers = [*LEADING, *((round_name(r), ROUND_WIDTH) for r in rounds), *TRAILING]
    total = sum(width for _, width in headers)
    scale = min(1.0, page_width / total)
    return [(label, width * scale) for label, width in headers]


# The categories' names as the web client's Chinese texts give them (the PDF is read by people).
CATEGORY_NAMES = {
    "residential": "住宅用房", "commercial": "商业用房", "land": "土地", "vehicle": "机动车", "equity": "股权",
    "machinery": "机器设备", "other": "其他", "vessel": "船舶",
}  # fmt: skip


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def pdf_cells(row: ReportRow, rounds: tuple[str, ...]) -> list[str]:
    f = row.figures
    court = row.court if row.category is not None or row.court else "合计"
    category = CATEGORY_NAMES.get(row.category, row.category) if row.category else ("小计" if row.court else "")
    return [
        court,
        category,
        *(f"{f.sold_by_round.get(r, 0)}/{f.ended_by_round.get(r, 0)}" for r in rounds),
        _pct(f.transaction_rate),
        f"{f.lots_sold}/{f.lots_concluded}",
        _yuan(f.deal_amount),
        _pct(f.premium_weighted_over_start),
        _yuan(f.creditor_taken_amount),
        _yuan(f.execution_total),
        str(f.withdrawn),
        str(f.defaulted),
        f"-{_yuan(f.corrected_amount)} ({f.corrected_sales})" if f.corrected_sales else "",
    ]


def render_pdf(report: CourtReport) -> bytes:
    """The report as a one-table A4 landscape PDF (CPU-bound: run it in a worker thread)."""
    from fpdf.enums import XPos, YPos

    pdf = new_pdf(f"司法网拍月报 {report.month}", report.generated_at, landscape=True, otherwise="JSON and CSV work")
    pdf.set_font("cjk", size=16)
    title = f"网络司法拍卖工作月报（{report.month[:4]}年{int(report.month[5:])}月）"
    pdf.cell(0, 12, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=9)
    state = "本月已结束，数据不再变动" if report.final else "本月尚未结束，数据为临时数"
    pdf.cell(0, 7, f"{report.court or '全部法院'} · {state}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("cjk", size=8)
    pdf.set_fill_color(235, 235, 235)
    rounds = report_rounds(report)
    headers = report_headers(rounds, pdf.epw)
    for label, width in headers:
        pdf.cell(width, 8, label, border=1, align="C", fill=True)
    pdf.ln()
    for row in report.rows:
        total = row.category is None
        pdf.set_fill_color(245, 245, 245)
        for (_, width), text in zip(headers, pdf_cells(row, rounds), strict=True):
            pdf.cell(width, 7, text, border=1, align="L" if width > 20 and not text[:1].isdigit() else "R", fill=total)
        pdf.ln()
    pdf.ln(4)
    pdf.set_font("cjk", size=7)
    pdf.set_text_color(90, 90, 90)
    notes = (
        f"{'/'.join(map(round_name, rounds))}：成交场次/结束场次；"
        "成交率 = 成交 ÷ (成交 + 流拍)；办结：成交办结/办结标的物；"
        "溢价率：按金额加权，Σ(成交价 − 起拍价) ÷ Σ起拍价；"
        "执行到位 = 已付尾款的成交价 + 以物抵债金额 + 悔拍没收的保证金。"
        "各数按其事件发生时刻（北京时间）计入月份：成交与流拍按结束时刻，撤回按撤回时刻，标的物按办结时刻，"
        "付款与悔拍按登记时刻。已结束月份的数据不再改写：成交所在月份结束后才登记的悔拍，在登记月份列为更正"
        "（更正：撤销的成交场次及其成交额）。"
        f"统计区间 {isoformat(report.start)} 至 {isoformat(report.end)}（不含）；生成于 "
        f"{isoformat(report.generated_at)}。"
    )
    pdf.multi_cell(0, 5, notes, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
