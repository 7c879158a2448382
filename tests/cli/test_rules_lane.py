"""The rules lane (``simulate --lane rules``, ``auction_sim/rules_lane.py``) gives the records of the
default lane, the whole service in process, for the same scenario and seed: every field of every
auction (ids, prices, times, extensions, registrations, participants, the bid log by buyer and moment).

Over many seeds and over the scenarios and rule variants that exercise what the lane decides: the soft
close (none, short, long, capped), the deposit, a research profile with three rounds and no 变卖, a
fixed-price sale, priority holders, 悔拍 and its re-auction, dispositions, several courts. If the lane
ever decides differently from the service (a bid, a close, a round, a settlement, a disposition), the
records part and the test names the first field that differs."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import pytest

from auction_cli.simulate import run_in_process, run_one
from auction_sim.experiment import Experiment, Variant
from auction_sim.records import AuctionRecord
from auction_sim.scenario import Scenario, load, scaled


def _variant(
    base: str, name: str, *, lots: int | None = None, fields: dict[str, Any] | None = None, **changes: Any
) -> Scenario:
    """``base`` with ``fields`` changed and, under a research profile, ``changes`` to its rules (an
    experiment's variant)."""
    experiment = Experiment("lane", "", base, [1], [Variant(name, rules=changes, scenario=fields or {})], name)
    return scaled(experiment.scenario_of(experiment.variants[0]), lots)


def _first_difference(api: list[AuctionRecord], rules: list[AuctionRecord]) -> str:
    for a, b in zip(api, rules, strict=False):
        left, right = dataclasses.asdict(a), dataclasses.asdict(b)
        for key, value in left.items():
            if right[key] != value:
                return f"auction {left['auction_id']}: {key}: service {value!r}, rules lane {right[key]!r}"
    return f"{len(api)} auctions through the service, {len(rules)} in the rules lane"


async def _same_records(scenario: Scenario, seed: int, tmp_path) -> list[AuctionRecord]:
    api = await run_in_process(scenario, seed, f"sqlite+aiosqlite:///{tmp_path}/{seed}.db")
    rules = await run_one(scenario, seed, lane="rules")
    assert [dataclasses.asdict(r) for r in rules] == [dataclasses.asdict(r) for r in api], _first_difference(api, rules)
    return api


@pytest.mark.parametrize("seed", range(1, 13))
async def test_a_contested_flat_gets_the_same_records_in_both_lanes(seed: int, tmp_path) -> None:
    records = await _same_records(load("hot-lot"), seed, tmp_path)
    assert records  # (a seed whose buyers all hold out for round 2 has an auction without bids)


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("no soft close", {"extension_seconds": 0}),
        ("one minute", {"extension_seconds": 60}),
        ("ten minutes", {"extension_seconds": 600}),
        ("two extensions at most", {"extension_cap": 2}),
    ],
)
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_every_soft_close_gives_the_same_records_in_both_lanes(
    name: str, changes: dict[str, Any], seed: int, tmp_path
) -> None:
    await _same_records(_variant("hot-lot", name, **changes), seed, tmp_path)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_a_court_month_gets_the_same_records_in_both_lanes(seed: int, tmp_path) -> None:
    """Rounds 1 and 2, 变卖, 悔拍 and the re-auction without the defaulter, dispositions, priority
    holders: all of them happen over these seeds (checked below), and the lanes agree on each."""
    records = await _same_records(scaled(load("court-month"), 60), seed, tmp_path)
    assert {r.round for r in records} >= {1, 2}


async def test_the_court_month_seeds_cover_what_the_lane_decides(tmp_path) -> None:
    """The seeds above are not idle: over them the market meets every step the rules lane decides."""
    seen: Counter[str] = Counter()
    for seed in (1, 2, 3, 4):
        for r in await run_one(scaled(load("court-month"), 60), seed, lane="rules"):
            seen[f"round {r.round}"] += 1
            seen["sold"] += r.outcome == "sold"
            seen["defaulted"] += r.defaulted
            seen["disposed"] += r.disposition is not None
            seen["extended"] += r.extensions > 0
    assert all(
        seen[k] > 0 for k in ("round 1", "round 2", "round sale", "sold", "defaulted", "disposed", "extended")
    ), seen


@pytest.mark.parametrize("seed", [1, 2])
async def test_a_lower_deposit_gives_the_same_records_in_both_lanes(seed: int, tmp_path) -> None:
    scenario = _variant("court-month", "deposit 5%", lots=50, fields={"listing": {"deposit_ratio": 0.05}})
    await _same_records(scenario, seed, tmp_path)


@pytest.mark.parametrize("seed", [1, 2])
async def test_a_research_profile_with_three_rounds_and_no_sale_gives_the_same_records(seed: int, tmp_path) -> None:
    scenario = _variant("court-month", "three rounds, no sale", lots=50, auction_rounds=3, sale_offered=False)
    records = await _same_records(scenario, seed, tmp_path)
    rounds = {r.round for r in records}
    assert 3 in rounds and "sale" not in rounds, rounds
    assert any(r.round == 3 and r.disposition for r in records)  # round 3 failed: the lot is disposed of


@pytest.mark.parametrize("scenario", ["province-quarter", "maritime-court"])
async def test_several_courts_and_ships_get_the_same_records_in_both_lanes(scenario: str, tmp_path) -> None:
    await _same_records(scaled(load(scenario), 80), 1, tmp_path)


async def test_the_lane_is_not_the_default() -> None:
    """``run_one`` without a lane runs the service: the rules lane is the second choice, asked for."""
    import inspect

    assert inspect.signature(run_one).parameters["lane"].default == "api"
