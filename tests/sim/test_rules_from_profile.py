"""The simulator plays by the rules in force, read from ``auction_rules`` (no copy of its own): the
announcement periods per category and round (vessels included), the listing terms' bounds, and the
maritime-court scenario's ships listed as ``vessel``. Pure: no service."""

from __future__ import annotations

import dataclasses
import importlib
import random
from pathlib import Path

import pytest

from auction_rules.profiles import CATEGORIES, JUDICIAL_2016, SANDBOX
from auction_sim import clerks as court
from auction_sim import court_calendar, market, scenario
from auction_sim.market import DAY, LotPlan
from auction_sim.scenario import Listing, ScenarioError

FIRST_START = 1_776_650_400.0  # 10:00 Beijing time


def lot(category: str) -> LotPlan:
    return LotPlan(
        key=0, court=0, category=category, appraisal=100_000_000, value=0.9, heat=1.0,
        first_start=FIRST_START, priority_holder=False, title="t", location="l", case_number="c",
    )  # fmt: skip


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("round_", [1, 2])
def test_announcements_are_the_profiles(category: str, round_: int) -> None:
    period = JUDICIAL_2016.announcement_period(round_, category)
    assert period is not None
    assert court_calendar.announce_days(JUDICIAL_2016, round_, category) * DAY == period.total_seconds()
    opening = Listing().opening(0.0, round_, category)
    assert opening - 0.0 >= period.total_seconds()


@pytest.mark.parametrize("seed", range(20))
def test_round_two_of_a_vessel_is_announced_thirty_days_ahead(seed: int) -> None:
    """Special Maritime Procedure Law Art. 32: every auction of a ship, not round 2's 7 days of movables."""
    plan = lot("vessel")
    first = court.first_round(plan, Listing())
    step = court.next_round(plan, first, first.end_at, Listing(), random.Random(seed))
    assert step is not None
    announced, second = step
    assert second.start_at - announced >= JUDICIAL_2016.announcement_period(2, "vessel").total_seconds()


def test_the_maritime_court_lists_its_ships_as_vessels() -> None:
    maritime = scenario.load("maritime-court")
    assert set(maritime.categories) == {"vessel", "machinery"}
    plans = market.plan_lots(maritime, random.Random(1))
    ships = [p for p in plans if p.category == "vessel"]
    assert len(ships) > len(plans) / 2
    assert all("货船" in p.title for p in ships)
    assert not any(p.category == "other" for p in plans)


def _scenario(rules: str, **listing: object) -> scenario.Scenario:
    return scenario.parse(
        {
            "name": "terms",
            "start": "2026-04-20T02:00:00Z",
            "horizon_days": 10,
            "rules": rules,
            "courts": [
                {"name": "海事法院", "province": "广东", "city": "广州", "lots": 1, "categories": {"vessel": 1}}
            ],
            "categories": {"vessel": {"appraisal_median": 100_000}},
            "market": {"period": "2025"},
            "listing": listing,
        }
    )


@pytest.mark.parametrize(
    "term",
    [
        {"start_ratio": 0.69},
        {"round2_ratio": 0.79},
        {"deposit_ratio": 0.049},
        {"deposit_ratio": 0.21},
        {"relist_days": [3, 31]},
        {"sale_days": 61},
    ],
    ids=str,
)
def test_listing_terms_are_held_to_the_profile(term: dict) -> None:
    """Judicial rules: the floors, deposit bounds, relisting window and sale window refuse the term."""
    with pytest.raises(ScenarioError, match=next(iter(term))):
        _scenario("judicial-2016", **term)


def test_the_sandbox_keeps_the_price_rules_and_lifts_the_windows() -> None:
    with pytest.raises(ScenarioError, match="start_ratio"):
        _scenario("sandbox", start_ratio=0.69, announce_hours=1)
    lifted = _scenario("sandbox", relist_days=[3, 45], sale_days=90, announce_hours=1, bidding_hours=1)
    assert lifted.listing.relist_days == (3.0, 45.0) and lifted.listing.sale_days == 90.0


def test_the_sandbox_sets_no_relisting_or_sale_window() -> None:
    demo = scenario.load("demo-live")
    assert demo.profile is SANDBOX and demo.listing.rules is SANDBOX
    assert scenario.load("hot-lot").listing.rules is JUDICIAL_2016


def test_the_scenario_and_the_market_import_no_cycle() -> None:
    """``scenario`` needs the courts' calendar, not the market (which needs the scenario)."""
    source = Path(importlib.import_module("auction_sim.scenario").__file__ or "").read_text(encoding="utf-8")
    assert "from .market" not in source and "import market" not in source
    assert dataclasses.is_dataclass(Listing)
