"""When a lot's announcement may still be corrected (edited), and what may change.

A lot is edited before its auction opens: once any round has started bidding, the announcement bidders
relied on is fixed (the record must show what was sold on which terms). While a round is announced
but not yet open, the descriptive fields may be corrected, but not the appraisal or the category: the
announced starting price, deposit and announcement period were checked against them (rules 1, 3, 4);
withdraw the round first to change those.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .errors import invalid, refused
from .listing import PastAuction

PRICED_FIELDS = frozenset({"appraisal", "category"})


def check_lot_edit(history: Iterable[PastAuction], changes: Mapping[str, Any], disposed: bool) -> None:
    """Raise if the lot may not be edited so; ``history`` holds each auction's effective status now."""
    if not changes:
        raise invalid("nothing_to_change", "name at least one field to change")
    if disposed:
        raise refused("lot_concluded", "the lot has been disposed of; its record is closed")
    relevant = [a for a in history if a.status != "withdrawn"]
    started = [a for a in relevant if a.status != "announced"]
    if started:
        raise refused(
            "lot_auction_opened",
            "the lot's auction has opened (or ended): its announcement can no longer be edited",
        )
    touched = sorted(PRICED_FIELDS & set(changes))
    if relevant and touched:
        raise refused(
            "lot_terms_announced",
            f"{', '.join(touched)} cannot change while a round is announced (its price and announcement "
            "period rest on them): withdraw the round first",
        )
