"""Where a court sits and its level, as court reports group their figures: province, city, and the
level of the court (基层 basic, 中级 intermediate, 高级 high, 最高 supreme). Set when a court is created
(``auction-service staff add --province --city --level``) or by an admin (``PATCH /courts/{id}``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules.errors import forbidden, invalid, not_found

from ..db.models import Court
from . import action_log
from .security import Principal

# The stored code and its Chinese name; either is accepted on input.
LEVELS = {"basic": "基层", "intermediate": "中级", "high": "高级", "supreme": "最高"}
_LEVEL_ALIASES = {**{k: k for k in LEVELS}, **{v: k for k, v in LEVELS.items()}} | {
    f"{v}人民法院": k for k, v in LEVELS.items()
}


def parse_level(value: str) -> str:
    code = _LEVEL_ALIASES.get(value.strip().lower())
    if code is None:
        raise invalid(
            "invalid_court_level",
            f"level: one of {', '.join(LEVELS)} (or {', '.join(LEVELS.values())}), not {value!r}",
            fields=[{"field": "level", "message": "unknown court level", "type": "enum"}],
        )
    return code


def _text(value: str, field: str) -> str | None:
    text = value.strip()
    if len(text) > 50 or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise invalid("validation_error", f"{field}: at most 50 characters, no control characters")
    return text or None


def apply(court: Court, *, province: str | None = None, city: str | None = None, level: str | None = None) -> None:
    """Set the regions given (None leaves a field as it is; an empty string clears it)."""
    if province is not None:
        court.province = _text(province, "province")
    if city is not None:
        court.city = _text(city, "city")
    if level is not None:
        court.level = parse_level(level) if level.strip() else None


@dataclass(frozen=True, slots=True)
class CourtRegions:
    id: int
    name: str
    province: str | None
    city: str | None
    level: str | None


def regions_of(court: Court) -> CourtRegions:
    return CourtRegions(court.id, court.name, court.province, court.city, court.level)


async def update_regions(
    session: AsyncSession,
    principal: Principal,
    court_id: int,
    *,
    province: str | None,
    city: str | None,
    level: str | None,
    now: datetime,
) -> CourtRegions:
    """An admin sets a court's province, city and level; the change goes on the court's action log
    (statistics by region and level are what courts report, so who moved a court where is on record)."""
    if principal.role != "admin":
        raise forbidden("admin_only", "only a platform administrator may change a court's region or level")
    court = await session.get(Court, court_id)
    if court is None:
        raise not_found("court_not_found", f"no court {court_id}")
    before = _regions_dict(court)
    apply(court, province=province, city=city, level=level)
    after = _regions_dict(court)
    if after != before:
        await action_log.record(
            session, principal, court_id, None, None, "court_edited", "court region or level set", before, after, at=now
        )
    await session.flush()
    return regions_of(court)


def _regions_dict(court: Court) -> dict[str, str | None]:
    return {"province": court.province, "city": court.city, "level": court.level}


async def court_by_id(session: AsyncSession, court_id: int) -> CourtRegions | None:
    court = await session.get(Court, court_id)
    return regions_of(court) if court is not None else None
