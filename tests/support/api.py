"""Test helpers that speak the public API (so tests read like a user's steps)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import httpx

from auction_service.clock import ManualClock, isoformat

from .identity import id_number

_names = itertools.count(1)
# What the judicial profile requires a lot's announcement to state before scheduling (``auction_rules/
# announcement.py``); a lot made by ``Api.lot`` states it unless the test says otherwise.
ANNOUNCEMENT = {
    "location": "深圳市南山区某路 1 号",
    "defects": "none known",
    "encumbrances": "抵押权人:某银行(成交后涤除)",
    "taxes": "买卖双方各自承担依法应缴的税费",
    "contact": "执行局 0755-00000000",
}


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Api:
    def __init__(self, client: httpx.AsyncClient, clock: ManualClock) -> None:
        self.client = client
        self.clock = clock
        self.staff_headers: dict[str, str] | None = None

    async def token(self, username: str, password: str = "password123") -> dict[str, str]:
        r = await self.client.post("/api/v1/auth/token", data={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    async def bidder(
        self, username: str | None = None, real_name: str = "张三", identity: str | None = None
    ) -> dict[str, str]:
        """A bidder signed up (with a fresh identity number unless ``identity`` is given), with the token the
        sign-up answers with (no second password check: ``token`` logs in where a test needs that)."""
        username = username or f"bidder{next(_names)}"
        body = {"username": username, "password": "password123", "real_name": real_name}
        r = await self.client.post("/api/v1/bidders", json=body | {"id_number": identity or id_number()})
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    async def staff(self, services, court: str = "深圳市中级人民法院", username: str | None = None) -> dict[str, str]:
        """Staff accounts are made by the CLI in real life; tests make them through the same service."""
        from auction_service.core import accounts

        username = username or f"clerk{next(_names)}"
        async with services.write_sessions() as session:
            court_row = await accounts.get_or_create_court(session, services.clock, court)
            await accounts.create_account(
                session,
                services.clock,
                username=username,
                password="password123",
                real_name="书记员",
                role="staff",
                court_id=court_row.id,
            )
            await session.commit()
        return await self.token(username)

    async def lot(self, staff: dict[str, str], **fields: Any) -> dict[str, Any]:
        """A lot with a complete announcement (``ANNOUNCEMENT``); a field given as None is left out."""
        body = {"title": "深圳市南山区某住宅", "category": "residential", "appraisal": 10_000_000_00} | ANNOUNCEMENT
        body = {k: v for k, v in (body | fields).items() if v is not None}
        r = await self.client.post("/api/v1/lots", json=body, headers=staff)
        assert r.status_code == 201, r.text
        return r.json()

    async def schedule(
        self,
        staff: dict[str, str],
        lot_id: int,
        *,
        starting_price: int = 7_000_000_00,
        increment: int = 5_000_00,
        deposit: int | None = None,
        start_in: timedelta = timedelta(days=31),
        duration: timedelta = timedelta(hours=24),
    ) -> dict[str, Any]:
        start = self.clock.now() + start_in
        body = {
            "starting_price": starting_price,
            "increment": increment,
            "deposit": deposit if deposit is not None else starting_price // 10,
            "start_at": isoformat(start),
            "end_at": isoformat(start + duration),
        }
        r = await self.client.post(f"/api/v1/lots/{lot_id}/auctions", json=body, headers=staff)
        assert r.status_code == 201, r.text
        return r.json()

    async def register(self, bidder: dict[str, str], auction_id: int) -> dict[str, Any]:
        r = await self.client.post(f"/api/v1/auctions/{auction_id}/registrations", headers=bidder)
        assert r.status_code in (200, 201), r.text
        return r.json()

    async def bid(self, bidder: dict[str, str], auction_id: int, amount: Any, **headers: str) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/auctions/{auction_id}/bids", json={"amount": amount}, headers={**bidder, **headers}
        )

    async def auction(self, auction_id: int) -> dict[str, Any]:
        r = await self.client.get(f"/api/v1/auctions/{auction_id}")
        assert r.status_code == 200, r.text
        return r.json()

    async def bids(self, auction_id: int, after_seq: int = 0) -> list[dict[str, Any]]:
        r = await self.client.get(f"/api/v1/auctions/{auction_id}/bids", params={"after_seq": after_seq})
        assert r.status_code == 200, r.text
        return r.json()["items"]
