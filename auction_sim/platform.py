"""How the simulator reaches the platform: only through the public API (``docs/api-contract.md``), so
what it sees is what a real bidder or clerk sees.

``Platform`` is the handful of calls the simulated market makes, over an httpx client to a running
service (``--url``), or an ``AsgiClient`` that hands the service's own ASGI app in this process the
requests a server would (wired by the command line, ``auction_cli/simulate.py``). ``Driver`` is what
moves time: in process a virtual clock that jumps from event to event; against a running service, real
waiting in the service's own (possibly accelerated) time (``RealTimeDriver``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from .asgi_client import AsgiClient
from .identities import complete_announcement, id_number_for

API = "/api/v1"
RECORD_PAGE = 10_000  # the largest page of a bid record the API hands out
RATE_LIMITED_TRIES = 5  # a call answered 429 is tried this many times in all, each after its Retry-After
Headers = dict[str, str]
PHASE = "phase: "  # timings of a phase of a run (start-up, accounts...), not of a kind of API call
ID_NUMBER_TRIES = 8  # identity numbers a sign-up draws before giving up (each taken one draws the next)
RENOUNCED_REASON = "买受人书面表示放弃购买（模拟）"


def iso(t: float) -> str:
    """Epoch seconds to RFC 3339 UTC with milliseconds (what the service writes)."""
    return datetime.fromtimestamp(round(t, 3), UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


class Reply(Protocol):
    """An answer of the platform, from httpx (a running service) or ``AsgiClient`` (in process)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


# How the simulator reaches the service: over the network (httpx), or in process (``AsgiClient``)
Client = httpx.AsyncClient | AsgiClient


def retry_after(response: Reply) -> float:
    """The wait a 429 or 503 asks for, in real seconds (its ``Retry-After``; 1 s if it names none)."""
    try:
        return max(0.0, float(response.headers.get("retry-after", "1")))
    except ValueError:
        return 1.0


def _code(response: Reply) -> str | None:
    """The error ``code`` of a refusal (None when the body carries none)."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error", {}).get("code") if isinstance(body, dict) else None


class PlatformError(RuntimeError):
    """The platform refused a call the simulated market expected to succeed."""

    def __init__(self, what: str, response: Reply) -> None:
        try:
            body = response.json()
        except ValueError:
            body = response.text[:300]
        self.status = response.status_code
        self.code = body.get("error", {}).get("code") if isinstance(body, dict) else None
        super().__init__(f"{what}: {response.status_code} {body}")


@dataclass(frozen=True, slots=True)
class BidAnswer:
    ok: bool
    status: int
    body: dict[str, Any]

    @property
    def code(self) -> str | None:
        return self.body.get("error", {}).get("code") if not self.ok else None

    @property
    def retry_after(self) -> float:
        """For a ``rate_limited`` refusal: the real seconds to wait before bidding again."""
        value = self.body.get("error", {}).get("retry_after") if not self.ok else None
        return float(value) if isinstance(value, int | float) and value >= 0 else 1.0


class Platform:
    """The public API calls of the simulated market."""

    def __init__(self, client: Client) -> None:
        self.client = client
        # wall time spent per kind of call, for `simulate --timings`: (calls, seconds)
        self.timings: dict[str, list[float]] = {}

    def spent(self, kind: str, began: float) -> None:
        """Count one call (or phase) of ``kind`` that began at ``began`` (``time.perf_counter``)."""
        entry = self.timings.setdefault(kind, [0, 0.0])
        entry[0] += 1
        entry[1] += time.perf_counter() - began

    async def _request(self, method: str, path: str, **kwargs: Any) -> Reply:
        """One call of the market's own business. A 429 from the service's rate limits is waited out
        (its ``Retry-After``) and the call tried again, up to ``RATE_LIMITED_TRIES`` times, so a run
        against a deployment with tight limits slows down instead of failing. Bids are not retried here:
        a bidder who is told to wait decides again afterwards (the kernel)."""
        for _ in range(RATE_LIMITED_TRIES - 1):
            response = await self.client.request(method, f"{API}{path}", **kwargs)
            if response.status_code != 429:
                return response
            await asyncio.sleep(retry_after(response))
        return await self.client.request(method, f"{API}{path}", **kwargs)

    async def _call(self, what: str, method: str, path: str, *, ok: tuple[int, ...], **kwargs: Any) -> Any:
        began = time.perf_counter()
        response = await self._request(method, path, **kwargs)
        self.spent(f"{method} {_kind(path)}", began)
        if response.status_code not in ok:
            raise PlatformError(what, response)
        return response.json()

    async def token(self, username: str, password: str) -> Headers:
        body = await self._call(
            "log in", "POST", "/auth/token", ok=(200,), data={"username": username, "password": password}
        )
        return {"Authorization": f"Bearer {body['access_token']}"}

    async def sign_up(self, username: str, password: str, real_name: str) -> Headers:
        """Sign up with the identity number the username draws (``identities.py``); a number another
        account holds already draws the next one. The sign-up's answer carries the new account's token
        (no login, no second password hash); a 409 (the account is there from an earlier run) or a
        service whose answer has none logs in."""
        for attempt in range(ID_NUMBER_TRIES):
            body = {"username": username, "password": password, "real_name": real_name}
            response = await self._request(
                "POST", "/bidders", json=body | {"id_number": id_number_for(username, attempt)}
            )
            if response.status_code == 409 and _code(response) == "id_number_taken":
                continue
            if response.status_code not in (201, 409):
                raise PlatformError("sign up", response)
            token = response.json().get("access_token") if response.status_code == 201 else None
            if isinstance(token, str) and token:
                return {"Authorization": f"Bearer {token}"}
            return await self.token(username, password)
        raise PlatformError(f"sign up ({ID_NUMBER_TRIES} identity numbers taken)", response)

    async def create_lot(self, staff: Headers, body: dict[str, Any]) -> dict[str, Any]:
        """List a lot; the simulated court states every announcement field the rules require
        (``identities.complete_announcement``) where the plan gives none."""
        body = complete_announcement(body)
        return await self._call("create a lot", "POST", "/lots", ok=(201,), json=body, headers=staff)

    async def schedule(self, staff: Headers, lot_id: int, body: dict[str, Any]) -> dict[str, Any]:
        return await self._call(
            f"schedule lot {lot_id}", "POST", f"/lots/{lot_id}/auctions", ok=(201,), json=body, headers=staff
        )

    async def register(self, bidder: Headers, auction_id: int) -> dict[str, Any]:
        return await self._call(
            f"register for auction {auction_id}", "POST", f"/auctions/{auction_id}/registrations",
            ok=(200, 201), headers=bidder,
        )  # fmt: skip

    async def add_priority_holder(
        self, staff: Headers, auction_id: int, username: str, rank: int = 1, reason: str | None = None
    ) -> None:
        """Declare a priority holder; after bidding opened the service wants the ``reason``."""
        body: dict[str, Any] = {"username": username, "rank": rank}
        if reason:
            body["reason"] = reason
        await self._call(
            "declare a priority holder", "POST", f"/auctions/{auction_id}/priority-holders",
            ok=(201,), json=body, headers=staff,
        )  # fmt: skip

    async def bid(self, bidder: Headers, auction_id: int, amount: int) -> BidAnswer:
        began = time.perf_counter()
        response = await self.client.post(f"{API}/auctions/{auction_id}/bids", json={"amount": amount}, headers=bidder)
        self.spent("POST /auctions/{id}/bids", began)
        return BidAnswer(response.status_code == 201, response.status_code, response.json())

    async def auction(self, auction_id: int) -> dict[str, Any]:
        return await self._call(f"read auction {auction_id}", "GET", f"/auctions/{auction_id}", ok=(200,))

    async def bid_record(self, auction_id: int) -> list[dict[str, Any]]:
        """The whole bid record, page after page (ascending seq)."""
        items: list[dict[str, Any]] = []
        while True:
            body = await self._call(
                "read the bid record", "GET", f"/auctions/{auction_id}/bids", ok=(200,),
                params={"after_seq": items[-1]["seq"] if items else 0, "limit": RECORD_PAGE},
            )  # fmt: skip
            page = body["items"]
            items.extend(page)
            if len(page) < RECORD_PAGE:
                return items

    async def result(self, auction_id: int) -> dict[str, Any]:
        return await self._call(
            f"read the result of auction {auction_id}", "GET", f"/auctions/{auction_id}/result", ok=(200,)
        )

    async def settle(self, staff: Headers, auction_id: int, outcome: str) -> None:
        """Settle the sale. A 悔拍 the court policy declares before the balance deadline is refused
        (``balance_not_due``) unless the buyer renounced in writing: the simulated buyer who walks away
        early is taken to have renounced, and the clerk records it so, with a reason."""
        path = f"/auctions/{auction_id}/settlement"
        began = time.perf_counter()
        response = await self._request("POST", path, json={"outcome": outcome}, headers=staff)
        self.spent("POST /auctions/{id}/settlement", began)
        if outcome == "defaulted" and response.status_code == 409 and _code(response) == "balance_not_due":
            body = {"outcome": outcome, "renounced": True, "reason": RENOUNCED_REASON}
            began = time.perf_counter()
            response = await self._request("POST", path, json=body, headers=staff)
            self.spent("POST /auctions/{id}/settlement", began)
        if response.status_code != 200:
            raise PlatformError(f"settle auction {auction_id}", response)

    async def dispose(self, staff: Headers, lot_id: int, outcome: str) -> None:
        await self._call(
            f"dispose of lot {lot_id}", "POST", f"/lots/{lot_id}/disposition",
            ok=(200, 201), json={"outcome": outcome}, headers=staff,
        )  # fmt: skip

    async def clock(self) -> tuple[float, float]:
        body = await self._call("read the clock", "GET", "/clock", ok=(200,))
        return epoch(body["now"]), float(body["speed"])


def _kind(path: str) -> str:
    """``/auctions/12/bids`` -> ``/auctions/{id}/bids`` (timings are per kind of call)."""
    return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))


class Driver(Protocol):
    """Moves time for the simulated market and gives it its accounts."""

    platform: Platform
    virtual: bool  # time jumps from event to event (in process); else it passes for real
    speed: float  # the service's seconds per real second (what a wait in real seconds is worth)

    async def now(self) -> float:
        """The service's time, epoch seconds."""
        ...

    async def advance_to(self, moment: float) -> None:
        """Return once the service's time has reached ``moment`` and it has acted on it (opened and
        closed what was due)."""
        ...

    async def staff(self, court: str, province: str, city: str, level: str) -> Headers:
        """A clerk of ``court`` (staff accounts are made by the command line, not the public API)."""
        ...

    async def bidders(self, count: int, prefix: str) -> list[tuple[str, Headers]]:
        """``count`` bidder accounts (username, auth headers)."""
        ...


class RealTimeDriver:
    """A running service, over the network: time passes at the service's own clock speed; staff accounts
    must exist already (``auction-service staff add``), bidders sign up through the API."""

    virtual = False

    def __init__(self, platform: Platform, staff_password: str, bidder_password: str = "sim-bidder-pass") -> None:
        self.platform = platform
        self.staff_password = staff_password
        self.bidder_password = bidder_password
        self._anchor: tuple[float, float] | None = None  # (server time, local monotonic)
        self.speed = 1.0

    async def now(self) -> float:
        if self._anchor is None:
            server, self.speed = await self.platform.clock()
            self._anchor = (server, time.monotonic())
        server, local = self._anchor
        return server + (time.monotonic() - local) * self.speed

    async def advance_to(self, moment: float) -> None:
        wait = (moment - await self.now()) / self.speed
        if wait > 0:
            await asyncio.sleep(wait)

    async def staff(self, court: str, province: str, city: str, level: str) -> Headers:
        username = staff_username(court)
        try:
            return await self.platform.token(username, self.staff_password)
        except PlatformError as exc:
            raise PlatformError(
                f"log in as {username} (create it first: AUCTION_NEW_PASSWORD=... auction-service staff add "
                f"--court {court} --province {province} --city {city} --level {service_level(level)} "
                f"--username {username})",
                httpx.Response(exc.status, json={"error": {"code": exc.code}}),
            ) from None

    async def bidders(self, count: int, prefix: str) -> list[tuple[str, Headers]]:
        out = []
        for i in range(count):
            username = f"{prefix}{i:05d}"
            out.append((username, await self.platform.sign_up(username, self.bidder_password, f"模拟竞买人{i}")))
        return out


# A scenario's court levels as the service records them (basic, intermediate, high, supreme): a maritime
# court (海事法院) is a specialised court at the level of an intermediate court, and the service's
# statistics by court level count it there.
SERVICE_LEVELS = {"basic": "basic", "intermediate": "intermediate", "high": "high", "maritime": "intermediate"}


def service_level(level: str) -> str:
    """The court level the service is told for a scenario's ``level``."""
    return SERVICE_LEVELS.get(level, level)


def staff_username(court: str) -> str:
    """The clerk account the simulator uses for a court: ``sim-`` and a short stable digest of its name."""
    import hashlib

    return "sim-" + hashlib.sha1(court.encode()).hexdigest()[:10]
