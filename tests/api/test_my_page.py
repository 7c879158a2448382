"""A bidder's own page: registrations with the deposits ledger, won lots and what is due, own bids."""

from tests.support import parse_time


async def test_a_winner_sees_the_lot_won_the_balance_due_and_a_loser_sees_the_deposit_released(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    auction = await api.schedule(staff, lot["id"], starting_price=7_000_000_00, increment=5_000_00)
    winner, loser = await api.bidder(), await api.bidder()
    await api.register(winner, auction["id"])
    await api.register(loser, auction["id"])
    service.clock.set(parse_time(auction["start_at"]))
    await service.settle()
    assert (await api.bid(loser, auction["id"], 7_000_000_00)).status_code == 201
    assert (await api.bid(winner, auction["id"], 7_005_000_00)).status_code == 201
    service.clock.set(parse_time(auction["end_at"]))
    await service.settle()

    mine = (await service.client.get("/api/v1/me/registrations", headers=winner)).json()
    [entry] = mine["items"]
    assert entry["won"] is True
    assert entry["deposit_status"] == "frozen"
    assert entry["balance_due"] == 7_005_000_00 - 7_000_000_00 // 10
    theirs = (await service.client.get("/api/v1/me/registrations", headers=loser)).json()
    assert theirs["items"][0]["deposit_status"] == "released"
    assert theirs["deposit_totals"]["released"] == 7_000_000_00 // 10
    bids = (await service.client.get("/api/v1/me/bids", headers=winner)).json()["items"]
    assert [b["amount"] for b in bids] == [7_005_000_00]


async def test_my_page_needs_a_token(service):
    r = await service.client.get("/api/v1/me/registrations")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
