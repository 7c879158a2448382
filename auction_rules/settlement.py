"""Settling a sale: the balance paid, or 悔拍 (the buyer's default), each with its grounds.

Sources: the SPC's 2016 provisions on online judicial auctions, Art. 24: a buyer who fails to pay the
balance within the time the announcement set forfeits the deposit and may not bid for the lot again;
until that time has passed the buyer has not defaulted, unless the buyer renounces the purchase in
writing (a statement the court records). So 悔拍 before the balance deadline is refused (409
``balance_not_due``) unless the court records that renunciation with its grounds (``reason``), and a
renunciation claimed without grounds is malformed (422 ``reason_required``). A payment, when its amount
is stated, is the balance due: the price less the deposit already applied to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .errors import invalid, refused


@dataclass(frozen=True, slots=True)
class SettlementRequest:
    """What staff state when settling (``reason``, ``ruling_number`` and ``evidence`` are its grounds)."""

    outcome: str  # "paid" | "defaulted"
    reason: str | None = None
    renounced: bool = False
    ruling_number: str | None = None  # the court's ruling (裁定书) on the forfeiture, if one was made
    evidence: str | None = None  # what the step rests on: a receipt number, the written renunciation...
    amount: int | None = None  # a payment: the balance received, fen
    paid_on: str | None = None  # a payment: the day it was received (YYYY-MM-DD)


def check_settleable(status: str, settled: str | None) -> None:
    """Only a sold auction is settled, and only once (the balance paid, or 悔拍)."""
    if status != "sold":
        raise refused("auction_not_sold", f"only a sold auction can be settled (it is {status})")
    if settled is not None:
        raise refused("already_settled", f"the sale was already settled ({settled})")


def check_settlement(req: SettlementRequest, *, now: datetime, balance_due_at: datetime, balance_due: int) -> None:
    """Raise unless the sale may be settled so now: 悔拍 only after ``balance_due_at`` or on a recorded
    written renunciation with its reason; a payment's stated amount is the ``balance_due``."""
    if req.outcome == "defaulted":
        if req.renounced and not (req.reason or "").strip():
            raise invalid(
                "reason_required",
                "a renunciation (renounced: true) is recorded with its grounds: give a reason",
                fields=[{"field": "reason", "message": "required with renounced", "type": "missing"}],
            )
        if now < balance_due_at and not req.renounced:
            raise refused(
                "balance_not_due",
                f"the balance is due by {balance_due_at.isoformat()}: the buyer has not defaulted before then "
                "unless they renounced the purchase in writing (renounced: true with a reason)",
                balance_due_at=balance_due_at.isoformat().replace("+00:00", "Z"),
            )
        return
    if req.renounced:
        raise invalid(
            "validation_error",
            "renounced applies to a default (悔拍) only",
            fields=[{"field": "renounced", "message": "only with outcome defaulted", "type": "value_error"}],
        )
    if req.amount is not None and req.amount != balance_due:
        raise invalid(
            "payment_amount_mismatch",
            f"the balance due is {balance_due} fen (the price less the deposit applied); {req.amount} was stated",
            balance_due=balance_due,
        )
