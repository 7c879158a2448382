"""Eligibility and court regions as the service writes them: the restriction list (never an identity
number, not even its hash), an import's outcome, a court's region and level, and the published priority
holders with their identities withheld until the close."""

from __future__ import annotations

from typing import Any

from auction_rules.eligibility import LIST_NAMES

from ..clock import isoformat
from ..core.court_regions import LEVELS, CourtRegions
from ..core.eligibility import ImportOutcome, ListedPersonView
from ..core.views import PublishedPriorityHolder

Json = dict[str, Any]


def import_outcome_json(outcome: ImportOutcome) -> Json:
    return {"rows": outcome.rows, "added": outcome.added, "updated": outcome.updated}


def listed_person_json(person: ListedPersonView) -> Json:
    return {
        "id": person.id,
        "name": person.name,
        "court": person.court,
        "restricted_on": person.restricted_on,
        "list": person.list_kind,
        "list_name": LIST_NAMES[person.list_kind],
        "case_number": person.case_number,
        "imported_at": isoformat(person.imported_at),
        "restored_at": isoformat(person.restored_at) if person.restored_at else None,
        "restored_reason": person.restored_reason,
        "status": "restored" if person.restored_at else "restricted",
    }


def restriction_list_json(items: list[ListedPersonView], total: int, *, limit: int, offset: int) -> Json:
    return {"items": [listed_person_json(p) for p in items], "total": total, "limit": limit, "offset": offset}


def court_regions_json(court: CourtRegions) -> Json:
    return {
        "id": court.id,
        "name": court.name,
        "province": court.province,
        "city": court.city,
        "level": court.level,
        "level_name": LEVELS.get(court.level) if court.level else None,
    }


def published_priority_holders_json(holders: list[PublishedPriorityHolder], identities_published: bool) -> Json:
    """The contract's ``{"items": [{"rank", "name", "bidder_code"}]}``; before the close ``name`` and
    ``bidder_code`` are null (identities secret until bidding ends), and ``identities_published`` says so."""
    return {
        "items": [{"rank": h.rank, "kind": h.kind, "name": h.name, "bidder_code": h.bidder_code} for h in holders],
        "identities_published": identities_published,
    }
