"""A bidder's whole path through one auction, on both databases."""

from datetime import timedelta

from tests.support import parse_time


async def test_a_registered_bidder_wins_a_round_one_auction(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    auction = await api.schedule(staff, lot["id"])
    alice, bob = await api.bidder(), await api.bidder(real_name="李四")
    await api.register(alice, auction["id"])
    await api.register(bob, auction["id"])

    service.clock.set(parse_time(auction["start_at"]))
    await service.settle()
    assert (await api.auction(auction["id"]))["status"] == "live"

    r = await api.bid(alice, auction["id"], 7_000_000_00)
    assert r.status_code == 201, r.text
    r = await api.bid(bob, auction["id"], 7_005_000_00)
    assert r.status_code == 201, r.text

    service.clock.set(parse_time(auction["end_at"]))
    await service.settle()
    result = (await service.client.get(f"/api/v1/auctions/{auction['id']}/result")).json()
    assert result["outcome"] == "sold"
    assert result["price"] == 7_005_000_00
    assert result["winner_name"] == "李四"
    stored = await api.auction(auction["id"])
    assert stored["status"] == "sold"
    assert parse_time(stored["end_at"]) == parse_time(auction["end_at"])
    assert timedelta(0) == parse_time(stored["end_at"]) - parse_time(stored["scheduled_end_at"])
