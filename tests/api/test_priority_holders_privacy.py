"""Priority holders are published without tying a name to a bidder code before the close (identities stay
secret until bidding ends; a holder's bids carry ``priority: true`` in the public record, so a name
published beside the ranks would reveal who bids). The ranks are published throughout (rule 6); the name
and the code once bidding has ended, as the confirmation names the buyer (rule 16)."""

from __future__ import annotations

from datetime import timedelta

from tests.support.scenes import START_PRICE, go_to, scene

HOLDER_NAME, HOLDER_USERNAME = "赵六", "coowner_zhao"


async def _declare(service, s, username: str, rank: int) -> None:
    r = await service.client.post(
        f"/api/v1/auctions/{s.id}/priority-holders", json={"username": username, "rank": rank}, headers=s.staff
    )
    assert r.status_code == 201, r.text


async def _holders(service, auction_id: int, headers=None):
    r = await service.client.get(f"/api/v1/auctions/{auction_id}/priority-holders", headers=headers or {})
    assert r.status_code == 200, r.text
    return r


async def test_before_the_close_only_the_ranks_are_published(service):
    s = await scene(service, bidders=1, live=False)
    api = service.api
    holder = await api.bidder(HOLDER_USERNAME, real_name=HOLDER_NAME)
    await _declare(service, s, HOLDER_USERNAME, 1)
    code = (await api.register(holder, s.id))["bidder_code"]
    onlooker = await api.bidder()

    announced = await _holders(service, s.id)
    assert announced.json() == {
        "items": [{"rank": 1, "kind": None, "name": None, "bidder_code": None}],
        "identities_published": False,
    }

    await go_to(service, s.start_at)
    assert (await api.bid(holder, s.id, START_PRICE)).status_code == 201
    for headers in (None, onlooker, s.bidders[0]):
        live = await _holders(service, s.id, headers)
        assert live.json()["items"] == [{"rank": 1, "kind": None, "name": None, "bidder_code": None}]
        assert HOLDER_NAME not in live.text and HOLDER_USERNAME not in live.text and code not in live.text
    # the public bid record shows the code with priority: true, and nothing anywhere names its holder
    record = await service.client.get(f"/api/v1/auctions/{s.id}/bids")
    assert record.json()["items"][0]["bidder_code"] == code and record.json()["items"][0]["priority"] is True
    for url in (f"/api/v1/auctions/{s.id}", f"/api/v1/auctions/{s.id}/bids", f"/api/v1/auctions/{s.id}/audit"):
        text = (await service.client.get(url)).text
        assert HOLDER_NAME not in text and HOLDER_USERNAME not in text, url

    # suspended is not ended: still withheld
    r = await service.client.post(f"/api/v1/auctions/{s.id}/suspend", json={"reason": "案外人异议"}, headers=s.staff)
    assert r.status_code == 200, r.text
    assert (await _holders(service, s.id)).json()["identities_published"] is False


async def test_after_the_close_names_and_codes_are_published(service):
    s = await scene(service, bidders=1, live=False)
    api = service.api
    first = await api.bidder(HOLDER_USERNAME, real_name=HOLDER_NAME)
    await api.bidder("tenant_qian", real_name="钱七")
    await _declare(service, s, HOLDER_USERNAME, 1)
    await _declare(service, s, "tenant_qian", 2)
    code = (await api.register(first, s.id))["bidder_code"]
    await go_to(service, s.start_at)
    assert (await api.bid(first, s.id, START_PRICE)).status_code == 201
    # one moment before the end: still secret; at the end (time alone ends it): published
    await go_to(service, s.end_at - timedelta(seconds=1))
    assert (await _holders(service, s.id)).json()["identities_published"] is False
    await go_to(service, s.end_at)
    body = (await _holders(service, s.id)).json()
    assert body == {
        "items": [
            {"rank": 1, "kind": None, "name": HOLDER_NAME, "bidder_code": code},
            {"rank": 2, "kind": None, "name": "钱七", "bidder_code": None},  # never registered: no code
        ],
        "identities_published": True,
    }
    assert (await api.auction(s.id))["status"] == "sold"


async def test_a_holders_code_is_shown_with_its_rank_wherever_codes_are_shown(service):
    """Art. 19: holders of different ranks bid with different priority codes, so a holder's code is read
    with its rank: the bid answer, the bid record, the bidder's own bids and the leading code carry
    ``priority_rank`` (null for the others), and the rank is not a name."""
    s = await scene(service, bidders=1, live=False)
    api = service.api
    second = await api.bidder("tenant_qian", real_name="钱七")
    await _declare(service, s, "tenant_qian", 2)
    code = (await api.register(second, s.id))["bidder_code"]
    await go_to(service, s.start_at)
    plain = await api.bid(s.bidders[0], s.id, START_PRICE)
    assert plain.status_code == 201 and plain.json()["priority_rank"] is None
    matched = await api.bid(second, s.id, START_PRICE)  # a holder may match the current price
    assert matched.status_code == 201, matched.text
    assert (matched.json()["bidder_code"], matched.json()["priority"], matched.json()["priority_rank"]) == (
        code,
        True,
        2,
    )

    record = (await service.client.get(f"/api/v1/auctions/{s.id}/bids")).json()["items"]
    assert [(b["priority"], b["priority_rank"]) for b in record] == [(False, None), (True, 2)]
    auction = await api.auction(s.id)
    assert (auction["leading_code"], auction["leading_priority_rank"]) == (code, 2)
    mine = (await service.client.get("/api/v1/me/bids", headers=second)).json()["items"]
    assert [(b["bidder_code"], b["priority_rank"]) for b in mine] == [(code, 2)]
    assert "钱七" not in str(record) and "tenant_qian" not in str(record)
    await go_to(service, s.end_at)
    result = (await service.client.get(f"/api/v1/auctions/{s.id}/result")).json()
    assert (result["winner_code"], result["winner_priority_rank"]) == (code, 2)
