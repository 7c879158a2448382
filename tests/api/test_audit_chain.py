"""The tamper-evident bid record: every stored bid is chained to the one before it, and altering,
removing or inserting a bid after the fact is detected by the published verification."""

from sqlalchemy import text

from tests.support import parse_time


async def _auction_with_bids(service, count: int = 4) -> int:
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    auction = await api.schedule(staff, lot["id"], starting_price=7_000_000_00, increment=5_000_00)
    a, b = await api.bidder(), await api.bidder()
    await api.register(a, auction["id"])
    await api.register(b, auction["id"])
    service.clock.set(parse_time(auction["start_at"]))
    await service.settle()
    amount = 7_000_000_00
    for i in range(count):
        assert (await api.bid((a, b)[i % 2], auction["id"], amount)).status_code == 201
        amount += 5_000_00
    return auction["id"]


async def test_an_untouched_record_verifies(service):
    auction_id = await _auction_with_bids(service)
    report = (await service.client.get(f"/api/v1/auctions/{auction_id}/audit")).json()
    assert report["valid"] is True
    assert report["bids"] == 4
    bids = await service.api.bids(auction_id)
    assert report["head"] == bids[-1]["chain_hash"]


async def test_an_altered_amount_is_detected(service):
    auction_id = await _auction_with_bids(service)
    async with service.services.db.write.begin() as conn:
        await conn.execute(
            text("UPDATE bids SET amount = amount + 1 WHERE auction_id = :a AND seq = 2"), {"a": auction_id}
        )
    report = (await service.client.get(f"/api/v1/auctions/{auction_id}/audit")).json()
    assert report["valid"] is False
    assert report["first_bad_seq"] == 2


async def test_a_removed_bid_is_detected(service):
    auction_id = await _auction_with_bids(service)
    async with service.services.db.write.begin() as conn:
        await conn.execute(text("DELETE FROM bids WHERE auction_id = :a AND seq = 3"), {"a": auction_id})
    report = (await service.client.get(f"/api/v1/auctions/{auction_id}/audit")).json()
    assert report["valid"] is False
    assert report["first_bad_seq"] == 3


async def test_the_chain_continues_across_a_reload_of_the_auction(service):
    auction_id = await _auction_with_bids(service, count=2)
    service.services.engine.forget(auction_id)  # as after a restart: the head is read back from the database
    staff_free_bidder = await service.api.bidder()
    await service.api.register(staff_free_bidder, auction_id)
    assert (await service.api.bid(staff_free_bidder, auction_id, 7_010_000_00)).status_code == 201
    report = (await service.client.get(f"/api/v1/auctions/{auction_id}/audit")).json()
    assert report["valid"] is True and report["bids"] == 3


async def test_the_audit_verify_command_fails_on_a_tampered_record(service, db_url):
    import asyncio
    import os
    import sys

    auction_id = await _auction_with_bids(service)
    env = {**os.environ, "AUCTION_DATABASE_URL": db_url}

    async def verify() -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "auction_cli",
            "audit",
            "verify",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
        return proc.returncode, out.decode()

    code, out = await verify()
    assert code == 0, out
    async with service.services.db.write.begin() as conn:
        await conn.execute(
            text("UPDATE bids SET bidder_code = 'Z9999' WHERE auction_id = :a AND seq = 1"), {"a": auction_id}
        )
    code, out = await verify()
    assert code == 1
    assert f"auction {auction_id}: TAMPERED at seq 1" in out
