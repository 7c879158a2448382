"""The court's office as the contract writes it: an auction's deposits ledger and a lot's disposition."""

from __future__ import annotations

from typing import Any

from ..clock import isoformat
from ..core.views import DepositsLedger, Disposition


def deposits_ledger_json(ledger: DepositsLedger) -> dict[str, Any]:
    return {
        "auction_id": ledger.auction_id,
        "status": ledger.status,
        "settlement": ledger.settlement,
        "deposit": ledger.deposit,
        "currency": "CNY",
        "items": [
            {
                "registration_id": r.id,
                "bidder_code": r.bidder_code,
                "deposit": r.deposit,
                "deposit_status": r.deposit_status,
                "priority_rank": r.priority_rank,
                "registered_at": isoformat(r.registered_at),
                "deposit_updated_at": isoformat(r.deposit_updated_at),
            }
            for r in ledger.items
        ],
        "totals": {status: {"count": t.count, "amount": t.amount} for status, t in ledger.by_status.items()},
        "total": {"count": ledger.total.count, "amount": ledger.total.amount},
        "balanced": ledger.balanced,
    }


def disposition_json(disposition: Disposition) -> dict[str, Any]:
    return {
        "lot_id": disposition.lot_id,
        "disposition": disposition.disposition,
        "disposition_note": disposition.note,
        "disposition_price": disposition.price,
        "disposed_at": isoformat(disposition.disposed_at),
    }
