"""``GET /auctions?round=`` names any round the rules hold: under a research profile with three auction
rounds ``round=3`` is accepted and lists the round-3 auctions alone; under the law's rules, where no
auction is ever in round 3, it is an empty list, as for any filter value no auction has (a category, a
court)."""

from __future__ import annotations

from tests.support.research import research_service, sold_in_round_3


async def test_a_research_profiles_third_round_filters_the_list(db_url: str):
    async with research_service(db_url, "three", rule_overrides={"auction_rounds": 3}) as svc:
        third = await sold_in_round_3(svc)
        r = await svc.client.get("/api/v1/auctions", params={"round": "3"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == 1 and [a["id"] for a in body["items"]] == [third.id]
        assert body["items"][0]["round"] == 3
        ended = {"status": "sold,unsold,withdrawn"}
        assert (await svc.client.get("/api/v1/auctions", params=ended)).json()["total"] == 3
        for round_, total in (("1", 1), ("2", 1), ("sale", 0), ("4", 0)):
            answer = (await svc.client.get("/api/v1/auctions", params={**ended, "round": round_})).json()
            assert answer["total"] == total, (round_, answer)


async def test_the_laws_list_has_no_third_round(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    await service.api.schedule(staff, lot["id"])
    assert (await service.client.get("/api/v1/auctions")).json()["total"] == 1
    for params in ({"round": "3"}, {"category": "no-such-category"}):
        r = await service.client.get("/api/v1/auctions", params=params)
        assert r.status_code == 200, r.text
        assert r.json()["items"] == [] and r.json()["total"] == 0
