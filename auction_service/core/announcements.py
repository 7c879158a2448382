"""The auction's announcement (竞买公告) and its bidding terms (竞买须知), generated from the lot's and the
auction's data by one template (``templates/announcement_document.html``), as a printable HTML page and
as a PDF made like the confirmation's (fpdf2 with the host's CJK font).

The terms carry a version: the SHA-256 of exactly what they say (``Document.digest``). A bidder accepts
the 须知 before the deposit is frozen by naming that version (``registrations.register``): the version
is recorded with the registration and kept in the case file, so the court can show which text each
bidder accepted. If the lot's announcement is corrected after a bidder read it, the version changes and
an acceptance of the old one is refused (409 ``terms_changed``).

Unstated fields read "未说明" (not stated), and a field staff marked "none known" reads "经查未发现"
(none known): the page never says "none" where nobody said so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules.announcement import is_none_known
from auction_rules.eligibility import category_is_restricted
from auction_rules.profiles import RuleProfile

from ..db.models import Auction, Court, Lot
from .auction_queries import get_auction_row, get_lot, holder_rows
from .confirmation import ROUND_NAMES, china_date, china_time, new_pdf, yuan
from .documents import list_documents
from .services import Services

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
CATEGORY_NAMES = {
    "residential": "住宅用房", "commercial": "商业用房", "land": "土地", "vehicle": "机动车", "vessel": "船舶",
    "equity": "股权", "machinery": "机器设备", "property_right": "其他财产权", "other": "其他",
}  # fmt: skip
NOTICE, TERMS = "notice", "terms"


@dataclass(frozen=True, slots=True)
class Document:
    """One of the two documents as it reads now: a table of facts and numbered paragraphs."""

    kind: str  # notice (竞买公告) or terms (竞买须知)
    auction_id: int
    title: str
    court: str
    intro: str
    rows: list[tuple[str, str]]
    paragraphs: list[str]
    dated: str
    generated_at: datetime

    @property
    def digest(self) -> str:
        """The version: SHA-256 of what the document says (not of when it was rendered)."""
        body = {"kind": self.kind, "auction_id": self.auction_id, "title": self.title, "court": self.court,
                "intro": self.intro, "rows": self.rows, "paragraphs": self.paragraphs}  # fmt: skip
        return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()

    @property
    def html_url(self) -> str:
        return f"/api/v1/auctions/{self.auction_id}/{'announcement' if self.kind == NOTICE else 'terms'}"

    @property
    def pdf_url(self) -> str:
        return f"{self.html_url}.pdf"

    @property
    def footer(self) -> str:
        return f"版本（SHA-256）：{self.digest} · 拍卖场次 {self.auction_id}"


def stated(value: Any) -> str:
    """A field as the announcement shows it: unstated, stated as none known, or its words."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "未说明"
    if is_none_known(value):
        return "经查未发现"
    return str(value)


@dataclass(frozen=True, slots=True)
class _Facts:
    lot: Lot
    auction: Auction
    court: str
    holders: list[int]  # the published ranks
    documents: list[str]
    balance_days: int


async def _facts(session: AsyncSession, svc: Services, auction_id: int) -> _Facts:
    auction = await get_auction_row(session, auction_id)
    lot = await get_lot(session, auction.lot_id)
    court = await session.get(Court, lot.court_id)
    ranks = sorted(h.rank for h, _name, _code in await holder_rows(session, auction_id))
    files = [f"{d.filename}" for d in await list_documents(session, lot.id)]
    days = int((lot.details or {}).get("balance_deadline_days") or svc.profile.balance_deadline.days)
    return _Facts(lot, auction, court.name if court else "", ranks, files, days)


def _notice(f: _Facts, profile: RuleProfile, now: datetime) -> Document:
    lot, a, details = f.lot, f.auction, f.lot.details or {}
    sale = a.round == "sale"
    rows = [
        ("案号", stated(lot.case_number)),
        ("标的物", lot.title),
        ("类别", CATEGORY_NAMES.get(lot.category, lot.category)),
        ("所在地", stated(lot.location)),
        ("拍卖轮次", ROUND_NAMES.get(a.round, a.round)),
        ("评估价", yuan(a.appraisal)),
        ("评估方式", stated(details.get("appraisal_method"))),
        ("变卖价" if sale else "起拍价", yuan(a.starting_price)),
        ("加价幅度", yuan(a.increment)),
        ("保证金", yuan(a.deposit)),
        ("竞价时间", f"{china_time(a.start_at)} 至 {china_time(a.scheduled_end_at)}"),
        ("标的物瑕疵", stated(details.get("defects"))),
        ("权利负担（抵押、查封、租赁等）", stated(details.get("encumbrances"))),
        ("税费负担", stated(details.get("taxes"))),
        ("优先购买权人", "、".join(f"第{r}顺位" for r in f.holders) if f.holders else "经查未发现"),
        ("余款缴纳期限", f"成交后{f.balance_days}日内"),
        ("联系方式", stated(details.get("contact"))),
        ("标的物介绍", stated(lot.description)),
        ("附件（评估报告、照片）", "、".join(f.documents) if f.documents else "未说明"),
    ]
    intro = (
        f"{f.court}将于{china_time(a.start_at)}起在本平台对下列标的物进行公开{'变卖' if sale else '拍卖'}，"
        "现公告如下。竞买人应于竞价开始前阅读《竞买须知》并报名交纳保证金。"
    )
    return Document(NOTICE, a.id, "网络司法拍卖公告" if not sale else "网络司法变卖公告", f.court, intro, rows, [],
                    china_date(a.created_at), now)  # fmt: skip


def _terms(f: _Facts, profile: RuleProfile, now: datetime) -> Document:
    lot, a, details = f.lot, f.auction, f.lot.details or {}
    minutes = int(profile.extension.total_seconds() // 60)
    restricted = category_is_restricted(lot.category)
    paragraphs = [
        "竞买人应当具备完全民事行为能力，以真实身份（实名及身份证号码）注册；法律、行政法规对买受人资格有规定的，"
        "竞买人应当具备相应资格。被执行人（本案债务人）不得竞买。"
        + ("失信被执行人、被限制高消费的人员不得竞买本标的物。" if restricted else ""),
        f"本场保证金为{yuan(a.deposit)}。报名即冻结保证金，报名成功后取得本场唯一的匿名竞买代码。"
        "未成交的竞买人的保证金在竞价结束后解冻；买受人的保证金自动抵作价款。",
        f"{'变卖价' if a.round == 'sale' else '起拍价'}为{yuan(a.starting_price)}，加价幅度为{yuan(a.increment)}。"
        "出价不得低于起拍价，每次出价应当高于当前最高价并符合加价幅度；出价一经作出即不可撤回。",
        f"竞价结束前{minutes}分钟内有人出价的，竞价结束时间自该出价时起顺延{minutes}分钟，直至无人出价。"
        "竞价时间以本平台服务器时间为准。",
        "有优先购买权人的，优先购买权人经法院确认后参加竞买，可以与最高出价相同的价格出价；"
        "无更高出价的，由顺位在先的优先购买权人买受。",
        f"成交后，买受人应在{f.balance_days}日内将余款（成交价减去保证金）缴入法院指定账户；"
        "买受人悔拍的，交纳的保证金不予退还，该标的物重新拍卖，原买受人不得参加竞买。",
        f"标的物按现状拍卖。已知瑕疵：{stated(details.get('defects'))}；"
        f"权利负担：{stated(details.get('encumbrances'))}；税费负担：{stated(details.get('taxes'))}。"
        "竞买人报名前应自行了解标的物状况。",
        "竞买人报名即表示已阅读并同意本须知的全部内容；本须知的版本号见页末，报名时记录竞买人接受的版本。",
    ]
    intro = (
        f"本须知适用于{f.court}对“{lot.title}”的网络司法{'变卖' if a.round == 'sale' else '拍卖'}（拍卖场次 {a.id}）。"
    )
    return Document(TERMS, a.id, "竞买须知", f.court, intro, [], paragraphs, china_date(a.created_at), now)


async def notice_of(session: AsyncSession, svc: Services, auction_id: int) -> Document:
    """The 竞买公告 as it reads now (404 ``auction_not_found``)."""
    return _notice(await _facts(session, svc, auction_id), svc.profile, svc.clock.now())


async def terms_of(session: AsyncSession, svc: Services, auction_id: int) -> Document:
    """The 竞买须知 as it reads now (404 ``auction_not_found``)."""
    return _terms(await _facts(session, svc, auction_id), svc.profile, svc.clock.now())


def render_html(doc: Document) -> str:
    return TEMPLATES.get_template("announcement_document.html").render(doc=doc)


def render_pdf(doc: Document) -> bytes:
    """An A4 PDF of the document (CPU-bound: run it in a worker thread). 503 ``pdf_font_unavailable``
    without a CJK font on the host, as the confirmation."""
    from fpdf.enums import XPos, YPos

    pdf = new_pdf(f"{doc.title} No. {doc.auction_id:08d}", doc.generated_at)
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 14, doc.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=10.5)
    pdf.multi_cell(0, 7, doc.intro, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    label_w = 52
    for label, value in doc.rows:
        lines = pdf.multi_cell(pdf.epw - label_w, 7, value, dry_run=True, output="LINES")
        assert isinstance(lines, list)  # output="LINES": the wrapped lines
        pdf.set_fill_color(243, 243, 243)
        pdf.multi_cell(label_w, 7 * max(1, len(lines)), label, border=1, fill=True, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.multi_cell(pdf.epw - label_w, 7, value, border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for number, paragraph in enumerate(doc.paragraphs, start=1):
        # no space after the number: the line would break there, before text that has none
        pdf.multi_cell(0, 7, f"{number}．{paragraph}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    pdf.ln(8)
    pdf.cell(0, 8, doc.court, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 8, doc.dated, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font("cjk", size=7)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 5, doc.footer, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
