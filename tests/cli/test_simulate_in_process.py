"""``simulate`` in process: the market on a virtual clock is the service's only client, and the rate
limits (which count real seconds, while a simulated month passes in a few of them) are off, so no
simulated bidder is ever refused for a rate no real bidder of that month reached."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from auction_cli.simulate import run_in_process
from auction_sim.platform import BidAnswer, Platform
from auction_sim.scenario import load


async def test_a_hot_lot_on_the_virtual_clock_has_no_bid_refused_for_its_rate(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    answers: Counter[tuple[int, str | None]] = Counter()
    bid = Platform.bid

    async def counted(self: Platform, bidder: dict[str, str], auction_id: int, amount: int) -> BidAnswer:
        answer = await bid(self, bidder, auction_id, amount)
        answers[(answer.status, answer.code)] += 1
        return answer

    monkeypatch.setattr(Platform, "bid", counted)
    monkeypatch.setenv("AUCTION_RATE_LIMIT_BIDS", "5/second")  # a deployment's tight limit: not for this
    # seed 2: a run whose hot lot is fought over by eight bidders (dozens of bids; seeds differ in how many come)
    runs = await run_in_process(load("hot-lot"), 2, f"sqlite+aiosqlite:///{tmp_path}/sim.db")
    accepted = answers[(201, None)]
    assert accepted == sum(r.bids for r in runs) > 40  # a contested lot: dozens of bids in a real second
    assert answers[(429, "rate_limited")] == 0, answers


async def _through_httpx_and_threads(scenario_name: str, seed: int, url: str) -> list:
    """The run as it was made before ``AsgiClient`` and ``sqlite_on_loop``: httpx's ASGI transport, and
    aiosqlite's thread per connection (the bid writer in its own thread)."""
    from auction_cli.simulate import InProcessDriver, in_process_service
    from auction_sim.kernel import Kernel
    from auction_sim.market import clock_start

    scenario = load(scenario_name)
    async with in_process_service(url, scenario.rules, clock_start(scenario)) as (app, clock, client):
        return await Kernel(scenario, seed, InProcessDriver(app, clock, client)).run()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
async def test_the_lean_client_and_sqlite_on_the_loop_give_the_same_records_as_httpx_and_threads(
    tmp_path, seed: int
) -> None:
    """Both ways in reach the same ASGI app, routes and database: a seed's records are identical,
    every field of every auction (prices, bids by buyer and time, extensions, participants)."""
    lean = await run_in_process(load("hot-lot"), seed, f"sqlite+aiosqlite:///{tmp_path}/lean.db")
    classic = await _through_httpx_and_threads("hot-lot", seed, f"sqlite+aiosqlite:///{tmp_path}/classic.db")
    assert [dataclasses.asdict(r) for r in lean] == [dataclasses.asdict(r) for r in classic]
    assert sum(r.bids for r in lean) > 0


async def test_a_court_month_gives_the_same_records_both_ways(tmp_path) -> None:
    """A whole market (listing, registration, 变卖, settlement, relisting), not one lot: identical."""
    lean = await run_in_process(load("court-month"), 7, f"sqlite+aiosqlite:///{tmp_path}/lean.db")
    classic = await _through_httpx_and_threads("court-month", 7, f"sqlite+aiosqlite:///{tmp_path}/classic.db")
    assert len(lean) > 50
    assert [dataclasses.asdict(r) for r in lean] == [dataclasses.asdict(r) for r in classic]
