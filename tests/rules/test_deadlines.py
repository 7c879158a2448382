"""The deadlines desk's rules (auction_rules/deadlines.py): balance (rule 6, 悔拍 rule 17), relisting (Art. 26),
pauses (rule 20, Art. 28) and openings (rule 4), judged on the court's calendar day (UTC+8)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from auction_rules.deadlines import (
    COURT_TIME,
    AuctionFacts,
    LotFacts,
    court_deadlines,
    day_end,
    lot_deadlines,
    pause_due,
    period_end,
    state_of,
)
from auction_rules.listing import PastAuction
from auction_rules.profiles import JUDICIAL_2016, SANDBOX

NOW = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
DAY = timedelta(days=1)
MS = timedelta(milliseconds=1)


def lot(*auctions: tuple[AuctionFacts, PastAuction], balance_days=None, disposed=False) -> LotFacts:
    return LotFacts(1, "某住宅", disposed, balance_days, [a for a, _ in auctions], [p for _, p in auctions])


def sold(closed_at, settlement=None, auction_id=1):
    facts = AuctionFacts(auction_id, 1, "sold", closed_at - DAY, closed_at, None, settlement, "H2515", 700)
    return facts, PastAuction(1, "sold", 700, closed_at, settlement)


def unsold(round_, ended_at, auction_id=1):
    facts = AuctionFacts(auction_id, round_, "unsold", ended_at - DAY, ended_at, None, None)
    return facts, PastAuction(round_, "unsold", 700, ended_at, None)


def test_the_court_day_ends_at_midnight_in_beijing():
    assert day_end(NOW) == datetime(2026, 5, 1, 16, 0, tzinfo=UTC)
    assert state_of(NOW + 14 * timedelta(hours=1) - MS, NOW) == "due_today"
    assert state_of(NOW + 14 * timedelta(hours=1), NOW) == "upcoming"
    assert state_of(NOW - MS, NOW) == "overdue"


def test_an_unpaid_balance_falls_due_ten_days_after_the_close_and_then_offers_default_first():
    closed = NOW - 10 * DAY
    [d] = lot_deadlines(lot(sold(closed)), JUDICIAL_2016, NOW)
    assert (d.kind, d.state, d.due_at) == ("balance", "due_today", closed + 10 * DAY)
    [d] = lot_deadlines(lot(sold(closed - MS)), JUDICIAL_2016, NOW)
    assert (d.state, d.actions[0]) == ("overdue", "default")
    [d] = lot_deadlines(lot(sold(closed), balance_days=15), JUDICIAL_2016, NOW)
    assert d.due_at == closed + 15 * DAY and d.state == "upcoming"
    assert lot_deadlines(lot(sold(closed - DAY, "paid")), JUDICIAL_2016, NOW) == []
    assert lot_deadlines(lot(sold(closed - DAY), disposed=True), JUDICIAL_2016, NOW) == []


def test_a_failed_round_must_be_relisted_within_30_days_then_restarts_or_is_disposed_of():
    [d] = lot_deadlines(lot(unsold(1, NOW - 29 * DAY)), JUDICIAL_2016, NOW)
    assert (d.kind, d.state, d.detail["next_round"], d.actions) == ("relisting", "upcoming", "2", ("relist",))
    [d] = lot_deadlines(lot(unsold(1, NOW - 30 * DAY - MS)), JUDICIAL_2016, NOW)
    assert (d.state, d.detail["next_round"], d.detail["restart"], d.actions) == (
        "overdue",
        "1",
        True,
        ("relist", "dispose"),
    )
    [d] = lot_deadlines(lot(unsold(2, NOW - DAY)), JUDICIAL_2016, NOW)
    assert d.detail["next_round"] == "sale" and d.actions == ("relist", "dispose")
    assert lot_deadlines(lot(unsold("sale", NOW - 40 * DAY)), JUDICIAL_2016, NOW) == []
    assert lot_deadlines(lot(unsold(1, NOW - 40 * DAY)), SANDBOX, NOW) == []  # no window in the sandbox


def test_a_pause_is_due_to_end_within_five_days():
    paused = AuctionFacts(1, 1, "suspended", NOW + DAY, None, NOW - 5 * DAY - MS, None, pause_kind="postponed")
    [d] = lot_deadlines(lot((paused, PastAuction(1, "suspended", 700, None, None))), JUDICIAL_2016, NOW)
    assert (d.kind, d.state, d.detail["pause_kind"]) == ("pause", "overdue", "postponed")
    assert d.actions == ("resume", "withdraw")  # paused before its start: it may still be withdrawn
    during = AuctionFacts(1, 1, "suspended", NOW - 6 * DAY, None, NOW - DAY, None, pause_kind="postponed")
    [d] = lot_deadlines(lot((during, PastAuction(1, "suspended", 700, None, None))), JUDICIAL_2016, NOW)
    assert (d.state, d.due_at, d.actions) == ("upcoming", NOW + 4 * DAY, ("resume",))


def test_a_suspension_has_no_time_running_until_its_cause_is_removed():
    """Art. 28 counts the five days from the removal of the cause of a 中止 (or the end of a 暂缓 period):
    not from the pause itself."""
    long_ago = NOW - 30 * DAY
    suspended = AuctionFacts(1, 1, "suspended", NOW - 40 * DAY, None, long_ago, None, pause_kind="suspended")
    history = (PastAuction(1, "suspended", 700, None, None),)
    assert lot_deadlines(lot((suspended, *history)), JUDICIAL_2016, NOW) == []
    removed_on = (NOW - 2 * DAY).astimezone(COURT_TIME).date()
    removed = dataclasses.replace(suspended, cause_removed_on=removed_on)
    [d] = lot_deadlines(lot((removed, *history)), JUDICIAL_2016, NOW)
    assert d.due_at == period_end(removed_on) + 5 * DAY and d.detail["cause_removed_on"] == removed_on.isoformat()
    # a 暂缓 whose cause goes before its period ends: the five days run from the earlier of the two
    postponed = dataclasses.replace(removed, pause_kind="postponed", pause_until=removed_on + timedelta(days=20))
    [d] = lot_deadlines(lot((postponed, *history)), JUDICIAL_2016, NOW)
    assert d.due_at == period_end(removed_on) + 5 * DAY
    assert pause_due(long_ago, None, JUDICIAL_2016, kind="postponed") == long_ago + 5 * DAY


def test_the_desk_lists_overdue_then_due_today_and_upcoming_only_within_the_horizon():
    lots = [
        LotFacts(1, "a", False, None, *map(list, zip(unsold(1, NOW - 20 * DAY, auction_id=1), strict=True))),
        LotFacts(2, "b", False, None, *map(list, zip(sold(NOW - 11 * DAY, auction_id=2), strict=True))),
        LotFacts(3, "c", False, None, *map(list, zip(sold(NOW - 10 * DAY, auction_id=3), strict=True))),
    ]
    assert [(d.lot_id, d.state) for d in court_deadlines(lots, JUDICIAL_2016, NOW)] == [
        (2, "overdue"),
        (3, "due_today"),
    ]
    ahead = court_deadlines(lots, JUDICIAL_2016, NOW, horizon=timedelta(days=10))
    assert [(d.lot_id, d.state) for d in ahead] == [(2, "overdue"), (3, "due_today"), (1, "upcoming")]
