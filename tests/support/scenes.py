"""Small helpers for the service-level suite: the error envelope, time checks and auction set-ups that
read like a court's and a bidder's steps."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from auction_service.clock import isoformat

from .api import parse_time

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
BIDDER_CODE = re.compile(r"^[A-Z][0-9]{4}$")
MAX_MONEY = 10**15

# Residential lot of the default fixture: appraisal 10,000,000 yuan.
APPRAISAL = 10_000_000_00
START_PRICE = 7_000_000_00
INCREMENT = 5_000_00

# Inputs that are not an integer number of fen from 1 to 10^15 (a whole number written with a fraction,
# ``1.0``, is one: JSON and JSON Schema count it as the integer, and so does the service; ``0.0`` and
# ``1e16`` are whole numbers outside the range).
BAD_MONEY: list[Any] = [1.5, 0.0, 1e16, True, False, "12", None, 0, -1, -500, MAX_MONEY + 1]
BAD_MONEY_IDS = [
    "float-1.5", "float-0.0", "float-1e16", "true", "false", "string", "null", "zero", "neg-1", "neg-500", "1e15+1"
]  # fmt: skip


# 悔拍 before the balance deadline is the buyer's written renunciation, recorded with its reason (a test
# about something else declares it at the close rather than waiting out the deadline).
RENOUNCED = {"renounced": True, "reason": "买受人书面表示放弃购买"}


def settlement_body(outcome: str) -> dict[str, Any]:
    """The settlement's body: a default is declared as the buyer's written renunciation."""
    return {"outcome": outcome} | (RENOUNCED if outcome == "defaulted" else {})


def assert_error(r: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The contract's envelope: any non-2xx body is {"error": {"code": snake_case, "message": text}}."""
    assert r.status_code == status, f"expected {status} {code}, got {r.status_code}: {r.text}"
    body = r.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), body
    error = body["error"]
    assert re.fullmatch(r"[a-z][a-z0-9_]*", error.get("code", "")), error
    assert isinstance(error.get("message"), str) and error["message"], error
    if code is not None:
        assert error["code"] == code, f"expected code {code!r}, got {error}"
    return error


def assert_utc(value: str | None) -> datetime:
    assert isinstance(value, str) and RFC3339_UTC.match(value), f"not an RFC 3339 UTC time ending in Z: {value!r}"
    return parse_time(value)


def t(value: str) -> datetime:
    return parse_time(value)


def listing_body(
    now: datetime,
    *,
    starting_price: int = START_PRICE,
    increment: int = INCREMENT,
    deposit: int | None = None,
    start_in: timedelta = timedelta(days=31),
    duration: timedelta = timedelta(hours=24),
) -> dict[str, Any]:
    start = now + start_in
    return {
        "starting_price": starting_price,
        "increment": increment,
        "deposit": deposit if deposit is not None else starting_price // 10,
        "start_at": isoformat(start),
        "end_at": isoformat(start + duration),
    }


@dataclass
class Scene:
    """One auction with its court clerk and registered bidders."""

    staff: dict[str, str]
    lot: dict[str, Any]
    auction: dict[str, Any]
    bidders: list[dict[str, str]] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.auction["id"]

    @property
    def start_at(self) -> datetime:
        return t(self.auction["start_at"])

    @property
    def end_at(self) -> datetime:
        return t(self.auction["end_at"])


async def scene(
    service,
    *,
    bidders: int = 2,
    live: bool = True,
    staff: dict[str, str] | None = None,
    lot: dict[str, Any] | None = None,
    real_names: list[str] | None = None,
    **schedule: Any,
) -> Scene:
    """A residential round-1 auction (appraisal 10M yuan, start 7M yuan, increment 5k yuan), ``bidders``
    registered bidders, and, if ``live``, the clock at its start."""
    api = service.api
    staff = staff or await api.staff(service.services)
    lot = lot or await api.lot(staff)
    auction = await api.schedule(staff, lot["id"], **schedule)
    s = Scene(staff, lot, auction)
    for i in range(bidders):
        name = real_names[i] if real_names else f"竞买人{i}"
        b = await api.bidder(real_name=name)
        reg = await api.register(b, auction["id"])
        s.bidders.append(b)
        s.codes.append(reg["bidder_code"])
    if live:
        await go_to(service, s.start_at)
    return s


async def go_to(service, moment: datetime) -> None:
    """Move the server clock and let the scheduler and the writer catch up with it."""
    service.clock.set(moment)
    await settle(service)


async def settle(service) -> None:
    """``service.settle()`` until no opening or closing is due any more and nothing waits for a commit."""
    services = service.services
    for _ in range(40):
        await service.settle()
        if services.scheduler.idle() and services.engine.idle():
            return


async def end_unsold(service, api_staff: dict[str, str], lot_id: int, **schedule: Any) -> dict[str, Any]:
    """Schedule the lot's next round and let it end with no bid (流拍)."""
    auction = await service.api.schedule(api_staff, lot_id, **schedule)
    await go_to(service, t(auction["end_at"]))
    state = await service.api.auction(auction["id"])
    assert state["status"] == "unsold", state
    return auction


_HASH: list[str] = []
_quick = itertools.count(1)


async def quick_bidders(service, n: int, prefix: str = "crowd") -> list[dict[str, str]]:
    """``n`` bidder accounts at once, for tests about something else (concurrency, code allocation): the
    accounts are stored like sign-up stores them, with one precomputed password hash, and their tokens
    are issued by the service's own token service (sign-up and the token endpoint have their own tests)."""
    from auction_service.core.security import hash_password
    from auction_service.db.models import Account

    if not _HASH:
        _HASH.append(hash_password("password123"))
    services = service.services
    serial = next(_quick)
    accounts = [
        Account(
            username=f"{prefix}{serial}_{i}",
            password_hash=_HASH[0],
            role="bidder",
            real_name=f"竞买人{i}",
            court_id=None,
            created_at=services.clock.now(),
        )
        for i in range(n)
    ]
    async with services.write_sessions() as session:
        session.add_all(accounts)
        await session.commit()
    return [{"Authorization": f"Bearer {services.tokens.issue(a.id, a.username, 'bidder', None)}"} for a in accounts]
