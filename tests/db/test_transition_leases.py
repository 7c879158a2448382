"""Claims on an auction's due opening or close (``db/transition_leases.py``): one holder at a time,
its own claim renewable, given back on release, and taken over once it runs out (the holder died)."""

from __future__ import annotations

import asyncio

import pytest

from auction_service.db import transition_leases
from tests.support.live import live_auction


@pytest.mark.parametrize("rules", ["sandbox"])
async def test_one_process_at_a_time_holds_an_auctions_lease(service) -> None:
    auction, _ = await live_auction(service, bidders=0)
    db, aid = service.services.db, auction["id"]
    assert await transition_leases.claim(db, aid, "p1", 60)
    assert not await transition_leases.claim(db, aid, "p2", 60)  # held: the other leaves it alone
    assert await transition_leases.claim(db, aid, "p1", 60)  # the holder may renew its own
    await transition_leases.release(db, aid, "p2")  # only the holder can give it back
    assert not await transition_leases.claim(db, aid, "p2", 60)
    await transition_leases.release(db, aid, "p1")
    assert await transition_leases.claim(db, aid, "p2", 60)


@pytest.mark.parametrize("rules", ["sandbox"])
async def test_a_lease_that_ran_out_is_taken_over(service) -> None:
    auction, _ = await live_auction(service, bidders=0)
    db, aid = service.services.db, auction["id"]
    assert await transition_leases.claim(db, aid, "dead", 0.001)
    await asyncio.sleep(0.01)  # real milliseconds: a lease measures real silence, not the server's clock
    assert await transition_leases.claim(db, aid, "survivor", 60)
    assert not await transition_leases.claim(db, aid, "dead", 60)
