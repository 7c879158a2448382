"""The server's clock: simulated time runs at the configured speed and never runs backwards, across
restarts too (the anchor is kept in the database)."""

import asyncio
import time

from auction_service.clock import SimulatedClock, to_ms
from auction_service.core import clock_store
from auction_service.db.connection import create_database


async def test_a_fast_clock_runs_speed_times_faster_than_real_time():
    clock = SimulatedClock(speed=600)
    real_before = time.time()
    before = clock.now()
    await asyncio.sleep(0.05)
    after = clock.now()
    real_elapsed = time.time() - real_before  # however long a busy machine made the sleep
    elapsed_ms = to_ms(after) - to_ms(before)
    assert 0.05 * 600_000 - 1 <= elapsed_ms <= real_elapsed * 600_000 + 1  # 600 simulated ms per real ms


async def test_the_clock_never_runs_backwards_across_a_restart(db_url):
    db = create_database(db_url)
    try:
        first = await clock_store.anchored_clock(db, speed=3600)  # an hour a second
        await asyncio.sleep(0.05)
        last_reported = first.now()
        await clock_store.checkpoint(db, first)
        # The process dies; a new one starts at normal speed, real time now far behind simulated time.
        second = await clock_store.anchored_clock(db, speed=1)
        assert second.now() >= last_reported
        assert to_ms(second.now()) > time.time() * 1000  # it did not fall back to real time
    finally:
        await db.dispose()


async def test_a_restart_without_a_final_checkpoint_still_does_not_go_back(db_url):
    db = create_database(db_url)
    try:
        first = await clock_store.anchored_clock(db, speed=100)
        await clock_store.checkpoint(db, first)
        await asyncio.sleep(0.2)  # less than one checkpoint interval passes before the crash
        last_reported = first.now()
        second = await clock_store.anchored_clock(db, speed=100)
        assert second.now() >= last_reported
    finally:
        await db.dispose()


async def test_two_service_processes_on_one_database_share_one_clock(db_url):
    """Several processes on one database report the same time: an auction is live on all or on none."""
    db = create_database(db_url)
    try:
        first = await clock_store.anchored_clock(db, speed=60)
        await asyncio.sleep(0.3)  # the second process starts later
        second = await clock_store.anchored_clock(db, speed=60)
        a, b, c = first.now(), second.now(), first.now()
        assert a <= b <= c  # the same clock: a read of the second falls between two reads of the first
    finally:
        await db.dispose()


async def test_changing_the_speed_continues_from_the_current_simulated_time(db_url):
    db = create_database(db_url)
    try:
        fast = await clock_store.anchored_clock(db, speed=3600)
        await asyncio.sleep(0.1)
        before = fast.now()
        slow = await clock_store.anchored_clock(db, speed=2)
        assert slow.now() >= before
        assert to_ms(slow.now()) - to_ms(before) < 3600 * 1000  # no jump: it carries on from where time stands
    finally:
        await db.dispose()
