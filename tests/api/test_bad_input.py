"""The hand-made bad-input table: every row is a request an attacker or a broken client sends, with the
answer it must get (status, the envelope, the code) and the proof that it changed nothing (every
table's row count and the auction's state are the same before and after).

One service per database serves the whole table (a live auction with two registered bidders and one
bid), so the table stays cheap enough to run on both databases in CI.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from auction_service.api.body_limit import MAX_BODY_BYTES
from auction_service.app import create_app
from auction_service.clock import ManualClock
from auction_service.db.models import Base
from bidder_client import WEB_ROOT
from tests.conftest import START, Service, _truncate, make_settings, run_in_thread
from tests.support.scenes import START_PRICE, assert_error, scene

BIG = MAX_BODY_BYTES + 1
NUL = "\x00"


@dataclass
class Row:
    """One bad request. ``path`` may name ``{auction}`` and ``{lot}``; ``who`` is anonymous, a
    registered bidder or the auction's clerk."""

    name: str
    method: str
    path: str
    status: int
    code: str | None = None
    who: str = "anonymous"
    kw: dict[str, Any] = field(default_factory=dict)
    header: tuple[str, str] | None = None  # a header the answer must carry (name, part of its value)


def _json(raw: str, **headers: str) -> dict[str, Any]:
    return {"content": raw.encode(), "headers": {"Content-Type": "application/json", **headers}}


def _listing(**fields: Any) -> dict[str, Any]:
    body = {
        "starting_price": START_PRICE,
        "increment": 5_000_00,
        "deposit": START_PRICE // 10,
        "start_at": "2026-07-01T02:00:00Z",
        "end_at": "2026-07-02T02:00:00Z",
    }
    return {"json": body | fields}


SIGN_UP = {"username": "newcomer", "password": "password123", "real_name": "王五", "id_number": "11010519491231002X"}
LOT = {"title": "某住宅", "category": "residential", "appraisal": 10_000_000_00}

TABLE: list[Row] = [
    # ---- ids beyond their columns, or not written with ASCII digits
    Row("lot id above int4", "GET", "/api/v1/lots/2147483648", 422, "validation_error"),
    Row("lot id zero", "GET", "/api/v1/lots/0", 422, "validation_error"),
    Row("lot id negative", "GET", "/api/v1/lots/-1", 422, "validation_error"),
    Row("lot id in Arabic-Indic digits", "GET", "/api/v1/lots/%D9%A1", 422, "validation_error"),
    Row("lot id with a plus sign", "GET", "/api/v1/lots/+1", 422, "validation_error"),
    Row("lot id in exponent form", "GET", "/api/v1/lots/1e3", 422, "validation_error"),
    Row("auction id of 20 digits", "GET", "/api/v1/auctions/99999999999999999999", 422, "validation_error"),
    Row("auction id in Arabic-Indic digits", "GET", "/api/v1/auctions/%D9%A1", 422, "validation_error"),
    Row("document id above int4", "GET", "/api/v1/lots/{lot}/documents/2147483648", 422, "validation_error"),
    Row("after_seq of 20 digits", "GET", "/api/v1/auctions/{auction}/bids?after_seq=99999999999999999999", 422),
    Row("after_seq negative", "GET", "/api/v1/auctions/{auction}/bids?after_seq=-1", 422, "validation_error"),
    Row("after_seq in Arabic-Indic digits", "GET", "/api/v1/auctions/{auction}/bids?after_seq=%D9%A1", 422),
    Row("bid record limit zero", "GET", "/api/v1/auctions/{auction}/bids?limit=0", 422, "validation_error"),
    Row("auctions offset of 20 digits", "GET", "/api/v1/auctions?offset=99999999999999999999", 422),
    Row("auctions limit negative", "GET", "/api/v1/auctions?limit=-1", 422, "validation_error"),
    Row("lots limit negative (as auctions)", "GET", "/api/v1/lots?limit=-1", 422, "validation_error"),
    Row("lots limit above 500", "GET", "/api/v1/lots?limit=501", 422, "validation_error"),
    Row("lots offset negative", "GET", "/api/v1/lots?offset=-1", 422, "validation_error"),
    Row("lots offset above int4", "GET", "/api/v1/lots?offset=2147483648", 422, "validation_error"),
    Row("auctions lot_id above int4", "GET", "/api/v1/auctions?lot_id=2147483648", 422, "validation_error"),
    Row("my bids limit in full-width digits", "GET", "/api/v1/me/bids?limit=%EF%BC%95", 422, who="bidder"),
    Row(
        "bid on auction in Arabic-Indic digits",
        "POST",
        "/api/v1/auctions/%D9%A1/bids",
        422,
        "validation_error",
        who="bidder",
        kw={"json": {"amount": START_PRICE + 5_000_00}},
    ),
    Row(
        "bid on auction id above int4",
        "POST",
        "/api/v1/auctions/2147483648/bids",
        422,
        who="bidder",
        kw={"json": {"amount": START_PRICE + 5_000_00}},
    ),
    Row(
        "bid on auction id zero",
        "POST",
        "/api/v1/auctions/0/bids",
        422,
        who="bidder",
        kw={"json": {"amount": START_PRICE + 5_000_00}},
    ),
    Row("register on auction id above int4", "POST", "/api/v1/auctions/2147483648/registrations", 422, who="bidder"),
    Row("deposits of auction id above int4", "GET", "/api/v1/auctions/2147483648/deposits", 422, who="staff"),
    # ---- control characters in text (PostgreSQL refuses NUL; none is ever meant)
    Row(
        "NUL in a real name",
        "POST",
        "/api/v1/bidders",
        422,
        "validation_error",
        kw={"json": SIGN_UP | {"real_name": f"王{NUL}五"}},
    ),
    Row("escape in a real name", "POST", "/api/v1/bidders", 422, kw={"json": SIGN_UP | {"real_name": "王\x1b[31m五"}}),
    Row("line break in a real name", "POST", "/api/v1/bidders", 422, kw={"json": SIGN_UP | {"real_name": "王\n五"}}),
    Row(
        "real name beyond its column (201)",
        "POST",
        "/api/v1/bidders",
        422,
        kw={"json": SIGN_UP | {"real_name": "名" * 201}},
    ),
    Row("NUL in a password", "POST", "/api/v1/bidders", 422, kw={"json": SIGN_UP | {"password": f"password{NUL}123"}}),
    Row("NUL in a username", "POST", "/api/v1/bidders", 422, kw={"json": SIGN_UP | {"username": f"new{NUL}comer"}}),
    Row(
        "lone surrogate in a real name",
        "POST",
        "/api/v1/bidders",
        422,
        kw=_json('{"username": "newcomer", "password": "password123", "real_name": "\\ud800"}'),
    ),
    Row(
        "NUL in a login name",
        "POST",
        "/api/v1/auth/token",
        422,
        kw={"data": {"username": f"bid{NUL}", "password": "password123"}},
    ),
    Row("NUL in a lot title", "POST", "/api/v1/lots", 422, who="staff", kw={"json": LOT | {"title": f"某{NUL}住宅"}}),
    Row("NUL in a lot description", "POST", "/api/v1/lots", 422, who="staff", kw={"json": LOT | {"description": NUL}}),
    Row(
        "bell in a case number",
        "POST",
        "/api/v1/lots",
        422,
        who="staff",
        kw={"json": LOT | {"case_number": "(2026)\x07"}},
    ),
    Row(
        "NUL in a suspend reason",
        "POST",
        "/api/v1/auctions/{auction}/suspend",
        422,
        who="staff",
        kw={"json": {"reason": f"查封{NUL}"}},
    ),
    Row(
        "NUL in a withdraw reason",
        "POST",
        "/api/v1/auctions/{auction}/withdraw",
        422,
        who="staff",
        kw={"json": {"reason": NUL}},
    ),
    Row(
        "NUL in a priority holder's name",
        "POST",
        "/api/v1/auctions/{auction}/priority-holders",
        422,
        who="staff",
        kw={"json": {"username": f"a{NUL}b", "rank": 1}},
    ),
    Row(
        "NUL in a disposition note",
        "POST",
        "/api/v1/lots/{lot}/disposition",
        422,
        who="staff",
        kw={"json": {"outcome": "returned", "note": NUL}},
    ),
    Row("NUL in the court filter", "GET", "/api/v1/auctions?court=%00", 422, "validation_error"),
    Row("NUL in the status filter", "GET", "/api/v1/auctions?status=live%00", 422, "validation_error"),
    Row("NUL in the lots' court filter", "GET", "/api/v1/lots?court=%00", 422, "validation_error"),
    Row("NUL in the statistics' court", "GET", "/api/v1/stats?court=%00", 422, "validation_error"),
    Row("control in the statistics' category", "GET", "/api/v1/stats/monthly?category=%01", 422),
    Row("over-long court filter", "GET", "/api/v1/auctions?court=" + "x" * 201, 422, "validation_error"),
    # ---- times outside 2000..2100 (year 1 in UTC+4 cannot even be converted to UTC)
    Row(
        "start at year 1, UTC+4",
        "POST",
        "/api/v1/lots/{lot}/auctions",
        422,
        who="staff",
        kw=_listing(start_at="0001-01-01T00:00:00+04:00"),
    ),
    Row(
        "end at year 9999, UTC-4",
        "POST",
        "/api/v1/lots/{lot}/auctions",
        422,
        who="staff",
        kw=_listing(end_at="9999-12-31T23:59:59-04:00"),
    ),
    Row(
        "start in 1999",
        "POST",
        "/api/v1/lots/{lot}/auctions",
        422,
        who="staff",
        kw=_listing(start_at="1999-12-31T00:00:00Z"),
    ),
    Row(
        "end in 2101",
        "POST",
        "/api/v1/lots/{lot}/auctions",
        422,
        who="staff",
        kw=_listing(end_at="2101-01-01T00:00:00Z"),
    ),
    Row(
        "start without an offset",
        "POST",
        "/api/v1/lots/{lot}/auctions",
        422,
        who="staff",
        kw=_listing(start_at="2026-07-01T02:00:00"),
    ),
    Row("statistics from year 1", "GET", "/api/v1/stats?from=0001-01-01T00:00:00%2B04:00", 422, "validation_error"),
    Row("statistics to year 9999", "GET", "/api/v1/stats.csv?to=9999-12-31T23:59:59-04:00", 422, "validation_error"),
    # ---- the bid route: JSON only, one amount, no repeated key, a few bytes
    Row(
        "bid without a content type",
        "POST",
        "/api/v1/auctions/{auction}/bids",
        415,
        "unsupported_media_type",
        who="bidder",
        kw={"content": b'{"amount": 700500000}'},
    ),
    Row(
        "bid as text/plain",
        "POST",
        "/api/v1/auctions/{auction}/bids",
        415,
        who="bidder",
        kw={"content": b'{"amount": 700500000}', "headers": {"Content-Type": "text/plain"}},
    ),
    Row(
        "bid as a form",
        "POST",
        "/api/v1/auctions/{auction}/bids",
        415,
        who="bidder",
        kw={"data": {"amount": "700500000"}},
    ),
    Row(
        "bid with a repeated amount",
        "POST",
        "/api/v1/auctions/{auction}/bids",
        422,
        "duplicate_key",
        who="bidder",
        kw=_json('{"amount": 1, "amount": 700500000}'),
    ),
    Row(
        "bid with an escaped repeated amount",
        "POST",
        "/api/v1/auctions/{auction}/bids",
        422,
        "duplicate_key",
        who="bidder",
        kw=_json('{"amount": 700500000, "\\u0061mount": 1}'),
    ),
    Row(
        "bid body of 5,000 bytes",
        "POST",
        "/api/v1/auctions/{auction}/bids",
        413,
        "payload_too_large",
        who="bidder",
        kw=_json('{"amount": 700500000' + " " * 5000 + "}"),
        header=("connection", "close"),
    ),
    Row(
        "bid that is not JSON",
        "POST",
        "/api/v1/auctions/{auction}/bids",
        422,
        "invalid_json",
        who="bidder",
        kw=_json("amount=1"),
    ),
    Row("bid as a JSON array", "POST", "/api/v1/auctions/{auction}/bids", 422, who="bidder", kw=_json("[700500000]")),
    Row(
        "bid amount as a string",
        "POST",
        "/api/v1/auctions/{auction}/bids",
        422,
        who="bidder",
        kw={"json": {"amount": "700500000"}},
    ),
    Row(
        "bid amount with a fraction",
        "POST",
        "/api/v1/auctions/{auction}/bids",
        422,
        who="bidder",
        kw={"json": {"amount": 700500000.5}},
    ),
    Row(
        "bid amount beyond 10^15",
        "POST",
        "/api/v1/auctions/{auction}/bids",
        422,
        who="bidder",
        kw={"json": {"amount": 10**15 + 1}},
    ),
    Row(
        "bid amount beyond 2^64",
        "POST",
        "/api/v1/auctions/{auction}/bids",
        422,
        who="bidder",
        kw=_json('{"amount": 99999999999999999999999}'),
    ),
    Row(
        "bid with an Idempotency-Key of 201 characters",
        "POST",
        "/api/v1/auctions/{auction}/bids",
        422,
        "invalid_idempotency_key",
        who="bidder",
        kw={"json": {"amount": 700500000}, "headers": {"Idempotency-Key": "k" * 201}},
    ),
    # ---- bodies beyond the limit, refused before they are read
    Row(
        "sign-up body over 1 MiB",
        "POST",
        "/api/v1/bidders",
        413,
        "payload_too_large",
        kw=_json('{"real_name": "' + "x" * BIG + '"}'),
        header=("connection", "close"),
    ),
    Row(
        "lot body over 1 MiB",
        "POST",
        "/api/v1/lots",
        413,
        "payload_too_large",
        who="staff",
        kw={"json": LOT | {"description": "x" * BIG}},
    ),
    Row(
        "login form over 1 MiB",
        "POST",
        "/api/v1/auth/token",
        413,
        "payload_too_large",
        kw={"data": {"username": "x" * BIG, "password": "p"}},
    ),
    Row("a body over 1 MiB on a GET", "GET", "/api/v1/auctions", 413, "payload_too_large", kw={"content": b"x" * BIG}),
    # ---- malformed bodies elsewhere
    Row("sign-up that is not JSON", "POST", "/api/v1/bidders", 422, kw=_json("{username: x}")),
    Row("sign-up that is JSON null", "POST", "/api/v1/bidders", 422, kw=_json("null")),
    Row(
        "lot of an unknown category",
        "POST",
        "/api/v1/lots",
        422,
        who="staff",
        kw={"json": LOT | {"category": "castle"}},
    ),
    Row("lot with an unknown field", "POST", "/api/v1/lots", 422, who="staff", kw={"json": LOT | {"owner": "me"}}),
    Row(
        "listing with a price as a string",
        "POST",
        "/api/v1/lots/{lot}/auctions",
        422,
        who="staff",
        kw=_listing(starting_price="700000000"),
    ),
    Row(
        "settlement with an unknown outcome",
        "POST",
        "/api/v1/auctions/{auction}/settlement",
        422,
        who="staff",
        kw={"json": {"outcome": "maybe"}},
    ),
    # ---- methods a route does not have: 405 with Allow
    Row("DELETE a lot", "DELETE", "/api/v1/lots/{lot}", 405, "method_not_allowed", header=("allow", "GET")),
    Row("PUT a bid", "PUT", "/api/v1/auctions/{auction}/bids", 405, "method_not_allowed", header=("allow", "POST")),
    Row("PATCH the clock", "PATCH", "/api/v1/clock", 405, "method_not_allowed", header=("allow", "GET")),
    Row("GET the sign-up route", "GET", "/api/v1/bidders", 405, "method_not_allowed", header=("allow", "POST")),
]


@dataclass
class Table:
    service: Service
    auction: int
    lot: int
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def table(request: pytest.FixtureRequest, tmp_path_factory, sqlite_template) -> AsyncIterator[Table]:
    """One live auction (two registered bidders, one bid) on a fresh service, for the whole table."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("bad-input") / "auction.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_database")
        run_in_thread(_truncate(url))
    clock = ManualClock(START)
    app = create_app(make_settings(url), clock=clock, migrate_on_start=False, web_root=WEB_ROOT)
    async with app.api.router.lifespan_context(app.api):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            service = Service(app, clock, client, "http://test")
            s = await scene(service, bidders=2)
            assert (await service.api.bid(s.bidders[0], s.id, START_PRICE)).status_code == 201
            headers = {"anonymous": {}, "bidder": s.bidders[1], "staff": s.staff}
            yield Table(service, s.id, s.lot["id"], headers)


async def state_of(t: Table) -> dict[str, Any]:
    """Every table's row count and the auction as the public reads it."""
    services = t.service.services
    counts = {}
    async with services.read_sessions() as session:
        for tbl in Base.metadata.sorted_tables:
            counts[tbl.name] = (await session.execute(select(func.count()).select_from(tbl))).scalar_one()
    auction = await t.service.api.auction(t.auction)
    for moving in ("server_time", "watchers"):
        auction.pop(moving, None)
    return {"rows": counts, "auction": auction}


@pytest.mark.parametrize("row", TABLE, ids=[r.name for r in TABLE])
async def test_bad_input_is_refused_with_the_envelope_and_changes_nothing(table: Table, row: Row):
    before = await state_of(table)
    path = row.path.format(auction=table.auction, lot=table.lot)
    kw = dict(row.kw)
    kw["headers"] = {**table.headers[row.who], **kw.get("headers", {})}
    r = await table.service.client.request(row.method, path, **kw)
    assert r.status_code < 500, f"{row.name}: {r.status_code} {r.text[:300]}"
    assert_error(r, row.status, row.code)
    if row.header is not None:
        name, part = row.header
        assert part.lower() in r.headers.get(name, "").lower(), f"{row.name}: {name} is {r.headers.get(name)!r}"
    assert await state_of(table) == before, f"{row.name} changed something"


async def test_the_table_covers_every_class_of_bad_input():
    statuses = {r.status for r in TABLE}
    assert statuses == {405, 413, 415, 422}
    assert len(TABLE) >= 75
