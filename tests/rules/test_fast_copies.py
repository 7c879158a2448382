"""The bid path's fast helpers give exactly what the obvious code gives."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from auction_rules.bidding import AuctionState, evolve
from auction_service.clock import isoformat

NOW = datetime(2026, 11, 21, 8, 30, 0, 123456, tzinfo=UTC)


def state() -> AuctionState:
    return AuctionState(7, "live", NOW, NOW + timedelta(hours=24), NOW + timedelta(hours=24), 100_000, 1_000)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"version": 3},
        {"current_price": 101_000, "leader_code": "A1", "seq": 1, "last_bid_at": NOW},
        {"status_reason": None, "round": "sale", "closed_at": NOW},
    ],
)
def test_evolve_is_dataclasses_replace(changes: dict) -> None:
    assert evolve(state(), **changes) == replace(state(), **changes)
    copied = evolve(state(), **changes)
    for f in fields(AuctionState):
        assert getattr(copied, f.name) == changes.get(f.name, getattr(state(), f.name))


def test_evolve_leaves_the_original_alone_and_stays_frozen() -> None:
    original = state()
    evolve(original, seq=5)
    assert original.seq == 0
    with pytest.raises(AttributeError):
        evolve(original).seq = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (NOW, "2026-11-21T08:30:00.123Z"),
        (NOW.replace(microsecond=0), "2026-11-21T08:30:00.000Z"),
        (NOW.astimezone(ZoneInfo("Asia/Shanghai")), "2026-11-21T08:30:00.123Z"),
        (NOW.astimezone(timezone(timedelta(hours=-5))), "2026-11-21T08:30:00.123Z"),
        (None, None),
    ],
)
def test_times_are_rfc3339_utc_with_z_and_milliseconds(moment: datetime | None, text: str | None) -> None:
    assert isoformat(moment) == text
