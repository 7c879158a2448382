"""When a priority holder (优先购买权人) may be declared for an auction.

Sources: the SPC's 2016 provisions on online judicial auctions, Arts. 16 and 19: the court confirms the
priority holders before the auction and the announcement names them and their rank; a holder bids with
the right to match. A holder declared once bidding has opened changes a contest already under way
(an added holder can match the leader and win), so the contract lets staff do it only with the grounds
stated (422 ``reason_required``), logged and announced to every watcher; once bidding has ended no
holder can be declared at all (409 ``auction_ended``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .bidding import AuctionState, bidding_has_ended
from .errors import invalid, refused

# The kinds of priority right a court confirms (优先购买权), with what each rests on: a co-owner's share
# (按份共有人, Civil Code Art. 305), a tenant of a house (承租人, Art. 726), a shareholder of a limited
# company whose equity is sold (股东, Company Law Art. 85), or another right a law gives.
KINDS = {"co_owner": "按份共有人", "tenant": "承租人", "shareholder": "股东", "other": "其他法定优先购买权"}


@dataclass(frozen=True, slots=True)
class PriorityGrounds:
    """What the court states with a declaration: the kind of right (a key of ``KINDS``), its basis, the
    day the holder was notified (YYYY-MM-DD), and the reason a declaration after opening needs."""

    kind: str | None = None
    basis: str | None = None
    notice_date: str | None = None
    reason: str | None = None


def bidding_has_opened(state: AuctionState, now: datetime) -> bool:
    """Bidding opens at ``start_at`` (a suspension after that does not make it unopened)."""
    return now >= state.start_at


def check_priority_holder(state: AuctionState, now: datetime, reason: str | None) -> bool:
    """Raise unless a priority holder may be declared now; return whether the declaration is late (after
    bidding opened, so it needs and has a reason)."""
    if bidding_has_ended(state, now):
        raise refused("auction_ended", "priority holders can only be declared before bidding ends")
    late = bidding_has_opened(state, now)
    if late and not (reason or "").strip():
        raise invalid(
            "reason_required",
            "bidding has opened: a priority holder declared now needs the grounds (reason) for the late addition",
            fields=[{"field": "reason", "message": "required once bidding has opened", "type": "missing"}],
        )
    return late
