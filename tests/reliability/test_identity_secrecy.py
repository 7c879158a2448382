"""Identities stay secret until bidding ends: an anonymous watcher who reads every public surface while
an auction is live (every GET of the OpenAPI document, the refusals it gets, the live feed from seq 0,
the audit, the pages) finds no real name or username next to a bidder code. Otherwise every bid by
that code is attributable, which the rules forbid before the close.

The check is per surface (one HTTP answer, one feed message): a surface that names a bidder code must
name no bidder. Bidders carry distinctive real names and usernames so a match cannot be a coincidence.
"""

from __future__ import annotations

import asyncio
import json
import re

import websockets

from tests.support.scenes import BIDDER_CODE, START_PRICE, go_to, t

INCREMENT = 5_000_00
BIDDERS = (("ouyang_minghua", "欧阳明华"), ("sima_qingyun", "司马青云"), ("zhuge_lanfang", "诸葛兰芳"))
CODE_IN_TEXT = re.compile(r"\b[A-Z][0-9]{4}\b")


async def live_auction_with_bids(service) -> dict:
    """A live auction: three bidders (one a declared priority holder), bids over HTTP and the socket."""
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    auction = await api.schedule(staff, lot["id"])
    heads = []
    for username, real_name in BIDDERS:
        head = await api.bidder(username=username, real_name=real_name)
        await api.register(head, auction["id"])
        heads.append(head)
    r = await service.client.post(
        f"/api/v1/auctions/{auction['id']}/priority-holders", json={"username": BIDDERS[2][0], "rank": 1}, headers=staff
    )
    assert r.status_code == 201, r.text
    await go_to(service, t(auction["start_at"]))
    amount = START_PRICE
    for head in heads[:2]:
        assert (await api.bid(head, auction["id"], amount)).status_code == 201
        amount += INCREMENT
    token = heads[2]["Authorization"].split(" ", 1)[1]
    async with websockets.connect(ws_url(service, auction["id"], f"?token={token}"), proxy=None) as ws:
        await ws.send(json.dumps({"type": "bid", "amount": amount, "request_id": 1}))
        while (message := json.loads(await asyncio.wait_for(ws.recv(), 10)))["type"] != "bid_result":
            pass
        assert message["ok"], message
    return {"auction": auction, "lot": lot, "heads": heads, "next": amount + INCREMENT}


def ws_url(service, auction_id: int, query: str = "") -> str:
    return service.base_url.replace("http://", "ws://") + f"/api/v1/auctions/{auction_id}/live{query}"


def leaks(text: str) -> list[str]:
    """The names on a surface that also shows a bidder code."""
    if not CODE_IN_TEXT.search(text):
        return []
    return [name for pair in BIDDERS for name in pair if name in text]


async def public_surfaces(service, scene: dict) -> dict[str, str]:
    """What anyone can read while bidding is live: every GET of the API (anonymous), the refusals of
    every other operation, the feed from seq 0 (with one more bid while it is open), the web pages."""
    client = service.client
    ids = {"auction_id": scene["auction"]["id"], "lot_id": scene["lot"]["id"], "court_id": 1, "document_id": 1}
    ids["person_id"] = 1
    document = (await client.get("/openapi.json")).json()
    surfaces: dict[str, str] = {}
    for template, operations in document["paths"].items():
        path = template.format(**ids)
        for method in operations:
            r = await client.request(method.upper(), path)
            assert r.status_code < 500, f"{method} {path}: {r.status_code}"
            surfaces[f"{method.upper()} {path} -> {r.status_code}"] = (
                r.text if "pdf" not in path else r.content.decode("latin-1")
            )
    for query in ("?status=live", "?limit=500"):
        surfaces[f"GET /api/v1/auctions{query}"] = (await client.get(f"/api/v1/auctions{query}")).text
    for page in ("/", "/index.html"):
        surfaces[f"page {page}"] = (await client.get(page)).text
    aid = scene["auction"]["id"]
    async with websockets.connect(ws_url(service, aid, "?after_seq=0"), proxy=None) as ws:
        messages = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(4)]  # snapshot + 3 bids
        assert messages[0]["type"] == "snapshot" and [m["type"] for m in messages[1:]] == ["bid"] * 3
        assert (await service.api.bid(scene["heads"][0], aid, scene["next"])).status_code == 201
        while (message := json.loads(await asyncio.wait_for(ws.recv(), 10)))["type"] != "bid":
            messages.append(message)
        messages.append(message)
        await ws.send(json.dumps({"type": "bid", "amount": 1, "request_id": "x"}))  # anonymous: refused
        messages.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
    for i, message in enumerate(messages):
        surfaces[f"feed message {i} ({message.get('type')})"] = json.dumps(message, ensure_ascii=False)
    return surfaces


async def test_no_public_surface_ties_a_name_to_a_bidder_code_before_the_close(live_server):
    scene = await live_auction_with_bids(live_server)
    surfaces = await public_surfaces(live_server, scene)
    # the surfaces did show the codes (the check below is not vacuous)
    record = surfaces[f"GET /api/v1/auctions/{scene['auction']['id']}/bids -> 200"]
    assert {b["bidder_code"] for b in json.loads(record)["items"]} and all(
        BIDDER_CODE.match(b["bidder_code"]) for b in json.loads(record)["items"]
    )
    holders = surfaces[f"GET /api/v1/auctions/{scene['auction']['id']}/priority-holders -> 200"]
    assert [h["rank"] for h in json.loads(holders)["items"]] == [1]  # the ranks are published (rule 6)
    found = {key: names for key, text in surfaces.items() if (names := leaks(text))}
    assert not found, f"names next to bidder codes before the close: {found}"
    print(f"\nidentity: {len(surfaces)} public surfaces read anonymously while live; none ties a name to a code")
