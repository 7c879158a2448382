"""``simulate`` in process: the market on a virtual clock is the service's only client, and the rate
limits (which count real seconds, while a simulated month passes in a few of them) are off, so no
simulated bidder is ever refused for a rate no real bidder of that month reached."""

from __future__ import annotations

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
