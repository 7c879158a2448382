"""The legal grounds of a withdrawal (撤回), one of which every withdrawal names.

The list is the one the Supreme People's Court's provisions on auctions and sales in civil enforcement
(《最高人民法院关于人民法院民事执行中拍卖、变卖财产的规定》) give for withdrawing an auction before it
starts: Art. 17 of the 2020 text, the text the rules digest cites ("AUC Art. 17"; the same list was Art.
20 of the 2004 text, before the 2020 amendment renumbered it). The 2016 provisions on online judicial
auctions keep that rule for online auctions. Free text is only a note added to a ground; ``other`` (the
provision's catch-all, item 7) needs that note, since it is the court's own statement of the ground.

Requests of the older form, a free-text ``reason`` with no ground, are still accepted (the public
contract accepted them): they are recorded as ``other`` with the text as its note.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import invalid

OTHER = "other"
# The provision, as the digest cites it: answered with a refusal and recorded with each withdrawal.
BASIS = "AUC Art. 17 (2020 text)"

# ground -> the provision's words (AUC Art. 17, items 1-7, in its order)
GROUNDS: dict[str, str] = {
    "judgment_revoked": "据以执行的生效法律文书被撤销",
    "enforcement_application_withdrawn": "申请执行人及其他执行债权人撤回执行申请",
    "debt_paid": "被执行人全部履行了法律文书确定的金钱债务",
    "settlement_reached": "当事人达成了执行和解协议，不需要拍卖财产",
    "third_party_objection_upheld": "案外人对拍卖财产提出确有理由的异议",
    "collusion": "拍卖机构（平台）与竞买人恶意串通",
    OTHER: "其他应当撤回的情形",
}


@dataclass(frozen=True, slots=True)
class WithdrawalGround:
    ground: str
    note: str | None

    @property
    def text(self) -> str:
        """The published reason: the provision's words, then the court's note; for ``other``, the court's
        statement alone (as an older request's free-text reason was published)."""
        if self.ground == OTHER and self.note:
            return self.note
        label = GROUNDS[self.ground]
        return f"{label}：{self.note}" if self.note else label


def withdrawal_ground(ground: str | None, note: str | None) -> WithdrawalGround:
    """The ground of a withdrawal: one of ``GROUNDS`` (422 ``ground_required`` without one, 422
    ``unknown_ground`` for another), with an optional note; ``other`` needs the note (422
    ``reason_required``). The older form, a note alone, is ``other`` with that note."""
    note = note.strip() if note else None
    if ground is None:
        if note is None:
            raise invalid(
                "ground_required",
                "a withdrawal names its legal ground (ground: one of " + ", ".join(GROUNDS) + ")",
                grounds=list(GROUNDS),
                basis=BASIS,
            )
        return WithdrawalGround(OTHER, note)
    if ground not in GROUNDS:
        raise invalid("unknown_ground", f"{ground!r} is not a ground of withdrawal", grounds=list(GROUNDS), basis=BASIS)
    if ground == OTHER and note is None:
        raise invalid("reason_required", "the ground 'other' needs the court's statement of it in reason")
    return WithdrawalGround(ground, note)
