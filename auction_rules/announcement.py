"""What a lot's announcement (拍卖公告) must state before its auction may be scheduled.

Source: the SPC's 2016 provisions on online judicial auctions, Arts. 12-14: the announcement states the
property's location (Art. 12), its known defects (瑕疵) and the rights and burdens on it (权利负担:
mortgages, leases, seizures; Art. 13), the taxes and fees of the transfer and who bears them (Art. 14),
and whom to ask (the court's contact). An empty field reads to a bidder as "there is none"; the court
must say so itself. So under the judicial profile every required field must be set, and where the court
knows of nothing it writes the explicit marker ``NONE_KNOWN`` ("none known"), which is shown as a
statement of the court, not as a blank.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import invalid
from .profiles import RuleProfile

# The announcement fields a lot needs before scheduling, in the order the announcement prints them.
REQUIRED_FIELDS = ("location", "defects", "encumbrances", "taxes", "contact")
# The value staff give a field to state that nothing is known (no defect, no encumbrance...). Stored and
# answered as is, so every reader (web client, case file, announcement templates) can tell it from text.
NONE_KNOWN = "none known"


def is_none_known(value: object) -> bool:
    """Whether a field holds the explicit "none known" statement (compared without case or spaces)."""
    return isinstance(value, str) and value.strip().lower() == NONE_KNOWN


def missing_fields(announcement: Mapping[str, object]) -> list[str]:
    """The required fields that are absent or blank (a field holding ``NONE_KNOWN`` is set)."""
    return [
        name
        for name in REQUIRED_FIELDS
        if not (isinstance(announcement.get(name), str) and str(announcement.get(name)).strip())
    ]


def check_announcement(profile: RuleProfile, announcement: Mapping[str, object]) -> None:
    """Refuse to schedule an auction of a lot whose announcement is incomplete (422
    ``announcement_incomplete``, naming the missing fields in ``missing`` and ``fields``). The sandbox
    profile does not require it (its lots are made up on the spot)."""
    if not profile.complete_announcement:
        return
    missing = missing_fields(announcement)
    if missing:
        raise invalid(
            "announcement_incomplete",
            f"the lot's announcement lacks {', '.join(missing)}: set each (write {NONE_KNOWN!r} where the "
            "court knows of none) before scheduling an auction",
            missing=missing,
            fields=[{"field": name, "message": "required before scheduling", "type": "missing"} for name in missing],
        )
