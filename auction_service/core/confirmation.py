"""The confirmation of a sale (成交确认书, rule 16): published after the close with the buyer's real name
and bidder code (Art. 22), as a printable HTML page and as a PDF.

The PDF embeds (a subset of) a CJK font found on the host (Debian's fonts-noto-cjk), so it renders the
same in any viewer; no font is downloaded.
"""

from __future__ import annotations

import functools
import html
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import bidding
from auction_rules.errors import refused, unavailable

from ..clock import isoformat
from ..db.models import Account, Court, Registration
from .auction_queries import get_auction_row, get_lot, state_of
from .eligibility import check_buyer_eligible
from .services import Services

CHINA = timezone(timedelta(hours=8), "UTC+8")
ROUND_NAMES = {"1": "第一次拍卖（一拍）", "2": "第二次拍卖（二拍）", "sale": "变卖"}
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
)


@dataclass(frozen=True, slots=True)
class Confirmation:
    auction_id: int
    round: str
    court: str
    case_number: str | None
    lot_id: int
    lot_title: str
    location: str | None
    appraisal: int
    starting_price: int
    price: int
    buyer_name: str
    bidder_code: str
    deposit: int
    balance_due: int
    closed_at: datetime
    balance_deadline: datetime
    balance_deadline_days: int
    settlement: str | None

    @property
    def title(self) -> str:
        return "网络司法变卖成交确认书" if self.round == "sale" else "网络司法拍卖成交确认书"


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def china_time(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y年%m月%d日 %H:%M:%S") + "（北京时间）"


def china_date(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y年%m月%d日")


async def confirmation_of(session: AsyncSession, svc: Services, auction_id: int) -> Confirmation:
    """What the confirmation states; 404 for an unknown auction, 409 ``auction_not_sold`` unless the
    auction ended with a sale, 409 ``winner_ineligible`` if the winner may not buy the lot
    (``eligibility.check_buyer_eligible``)."""
    auction = await get_auction_row(session, auction_id)
    state = state_of(auction)
    status = bidding.effective_status(state, svc.clock.now())
    if status != "sold":
        raise refused("auction_not_sold", f"a confirmation exists only after a sale (the auction is {status})")
    lot = await get_lot(session, auction.lot_id)
    assert state.leader_registration_id is not None
    await check_buyer_eligible(session, lot, state.leader_registration_id)
    court = await session.get(Court, lot.court_id)
    buyer = (
        await session.execute(
            select(Account.real_name, Registration.bidder_code, Registration.deposit)
            .join(Registration, Registration.bidder_id == Account.id)
            .where(Registration.id == state.leader_registration_id)
        )
    ).one()
    price = state.current_price
    assert price is not None
    closed_at = state.closed_at or state.end_at
    days = int((lot.details or {}).get("balance_deadline_days") or svc.profile.balance_deadline.days)
    return Confirmation(
        auction_id=auction.id,
        round=auction.round,
        court=court.name if court else "",
        case_number=lot.case_number,
        lot_id=lot.id,
        lot_title=lot.title,
        location=lot.location,
        appraisal=auction.appraisal,
        starting_price=state.starting_price,
        price=price,
        buyer_name=buyer.real_name,
        bidder_code=buyer.bidder_code,
        deposit=buyer.deposit,
        balance_due=max(price - buyer.deposit, 0),
        closed_at=closed_at,
        balance_deadline=closed_at + timedelta(days=days),
        balance_deadline_days=days,
        settlement=auction.settlement,
    )


def rows_of(c: Confirmation) -> list[tuple[str, str]]:
    return [
        ("确认书编号", f"No. {c.auction_id:08d}"),
        ("执行法院", c.court),
        ("案号", c.case_number or "—"),
        ("标的物", c.lot_title),
        ("标的物所在地", c.location or "—"),
        ("拍卖轮次", ROUND_NAMES.get(c.round, c.round)),
        ("买受人（竞买人）", c.buyer_name),
        ("竞买代码", c.bidder_code),
        ("评估价", yuan(c.appraisal)),
        ("起拍价" if c.round != "sale" else "变卖价", yuan(c.starting_price)),
        ("成交价", yuan(c.price)),
        ("已缴保证金（抵作价款）", yuan(c.deposit)),
        ("应付余款", yuan(c.balance_due)),
        ("余款缴纳期限", f"{china_time(c.balance_deadline)}前（成交后{c.balance_deadline_days}日内）"),
        ("成交时间", china_time(c.closed_at)),
    ]


def notice_of(c: Confirmation) -> str:
    text = (
        f"用户姓名 {c.buyer_name} 通过竞买号 {c.bidder_code} 于 {china_time(c.closed_at)} 在本平台竞买成功，"
        f"成交价 {yuan(c.price)}。请在 {china_date(c.balance_deadline)} 前"
        f"将余款 {yuan(c.balance_due)} 缴入法院指定账户，"
        "逾期未付的，保证金不予退还，标的物重新拍卖，原买受人不得参加竞买"
        "（《最高人民法院关于人民法院网络司法拍卖若干问题的规定》第二十四条）。"
    )
    if c.settlement == "paid":
        text += " 余款已缴清。"
    elif c.settlement == "defaulted":
        text += " 买受人未按期缴纳余款（悔拍），保证金不予退还。"
    return text


def render_html(c: Confirmation) -> str:
    e = html.escape
    rows = "\n".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows_of(c))
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{e(c.title)} · No. {c.auction_id:08d}</title>
<style>
  body {{ font-family: "Noto Serif CJK SC", "Songti SC", SimSun, serif; max-width: 48rem; margin: 2rem auto;
         color: #111; line-height: 1.6; }}
  h1 {{ text-align: center; letter-spacing: .3em; font-size: 1.6rem; }}
  table {{ width: 100%; border-collapse: collapse; margin: 1.5rem 0; }}
  th, td {{ border: 1px solid #444; padding: .45rem .7rem; text-align: left; vertical-align: top; }}
  th {{ width: 13rem; background: #f3f3f3; font-weight: normal; }}
  .seal {{ text-align: right; margin-top: 3rem; }}
  .meta {{ color: #555; font-size: .85rem; }}
  @media print {{ body {{ margin: 0; }} .noprint {{ display: none; }} th {{ background: none; }} }}
</style>
</head>
<body>
<h1>{e(c.title)}</h1>
<table>
{rows}
</table>
<p>{e(notice_of(c))}</p>
<p class="seal">{e(c.court)}<br>{e(china_date(c.closed_at))}</p>
<p class="meta">成交时间（UTC）：{e(isoformat(c.closed_at) or "")} · 拍卖场次 {c.auction_id} · 标的物 {c.lot_id}</p>
<p class="noprint"><a href="/api/v1/auctions/{c.auction_id}/confirmation.pdf">下载 PDF</a></p>
</body>
</html>
"""


@functools.cache
def cjk_font() -> tuple[str, int] | None:
    """(file, index in the collection) of a Simplified Chinese font installed on the host."""
    candidates = list(FONT_CANDIDATES)
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"], capture_output=True, text=True, timeout=5
        ).stdout.strip()
        if found:
            candidates.append(found)
    except (OSError, subprocess.SubprocessError):
        pass
    for path in candidates:
        if Path(path).is_file():
            index = _sc_face(path)
            if index is not None:
                return path, index
    return None


def _sc_face(path: str) -> int | None:
    from fontTools.ttLib import TTCollection, TTFont

    try:
        if path.lower().endswith((".ttc", ".otc")):
            faces = TTCollection(path, lazy=True).fonts
        else:
            faces = [TTFont(path, lazy=True)]
        names = [str(f["name"].getDebugName(4) or "") for f in faces]
    except Exception:
        return None
    for i, name in enumerate(names):
        if name.endswith(" SC") and "Mono" not in name:
            return i
    return 0 if len(names) == 1 and "CJK" in names[0] else None


def new_pdf(title: str, created: datetime, *, landscape: bool = False, otherwise: str = "the HTML page works") -> Any:
    """An A4 ``FPDF`` with its first page and the host's CJK font as ``cjk``: every PDF the service makes
    starts here. 503 ``pdf_font_unavailable`` without such a font (``otherwise``: what still works)."""
    from fpdf import FPDF

    font = cjk_font()
    if font is None:
        raise unavailable(
            "pdf_font_unavailable",
            f"no Chinese font is installed for the PDF; install Debian's fonts-noto-cjk ({otherwise})",
        )
    pdf = FPDF(orientation="L" if landscape else "P", format="A4")
    pdf.set_title(title)
    pdf.set_creator("judicial-auction-simulator")
    pdf.set_creation_date(created)
    pdf.add_page()
    pdf.add_font("cjk", fname=font[0], collection_font_number=font[1])
    return pdf


def render_pdf(c: Confirmation) -> bytes:
    """A one-page A4 PDF (CPU-bound: run it in a worker thread)."""
    from fpdf.enums import XPos, YPos

    pdf = new_pdf(f"{c.title} No. {c.auction_id:08d}", c.closed_at)
    pdf.set_font("cjk", size=20)
    pdf.cell(0, 16, c.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("cjk", size=11)
    label_w = 52
    value_w = pdf.epw - label_w
    for label, value in rows_of(c):
        pdf.set_fill_color(243, 243, 243)
        wrapped = pdf.multi_cell(value_w, 8, value, dry_run=True, output="LINES")
        assert isinstance(wrapped, list)  # output="LINES": the wrapped lines (fpdf types every output at once)
        lines = max(1, len(wrapped))
        height = 8 * lines
        pdf.multi_cell(label_w, height, label, border=1, fill=True, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.multi_cell(value_w, 8, value, border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.multi_cell(0, 7, notice_of(c), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(14)
    pdf.cell(0, 8, c.court, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 8, china_date(c.closed_at), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(10)
    pdf.set_font("cjk", size=8)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(0, 6, f"成交时间（UTC）：{isoformat(c.closed_at)} · 拍卖场次 {c.auction_id} · 标的物 {c.lot_id}")
    return bytes(pdf.output())
