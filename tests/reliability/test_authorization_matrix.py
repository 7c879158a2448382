"""The authorization matrix: every operation of the OpenAPI document, called by each of six callers,
against the answer the rules give that caller. ``ok`` means the caller is let through (any answer but
401 and 403: a 404 or a 409 of the state is fine here); ``401`` and ``403`` are refusals of who is
calling. A new operation fails the test until its row is written here.

Callers: anonymous; ``bidder`` (registered to the auction, it has bid); ``other`` (a bidder not
registered); ``staff`` (a clerk of the lot's court); ``alien`` (a clerk of another court); ``admin``.
Rows that change the auction for good (withdraw, settlement, disposition) come last, and each row
calls the refused callers before the allowed ones.
"""

from __future__ import annotations

import itertools
from typing import Any

from auction_service.core import accounts as account_service
from tests.support.identity import id_number
from tests.support.scenes import START_PRICE, listing_body, scene

ROLES = ("anonymous", "bidder", "other", "staff", "alien", "admin")
# Refused callers first: an allowed call may change the state the next caller meets.
CALL_ORDER = ("anonymous", "other", "alien", "bidder", "staff", "admin")

MATRIX = """
operation                                          anonymous bidder other staff alien admin
POST /api/v1/bidders                               ok        ok     ok    ok    ok    ok
POST /api/v1/auth/token                            ok        ok     ok    ok    ok    ok
GET /api/v1/me                                     401       ok     ok    ok    ok    ok
GET /api/v1/me/registrations                       401       ok     ok    ok    ok    ok
GET /api/v1/me/bids                                401       ok     ok    ok    ok    ok
PUT /api/v1/me/identity                            401       ok     ok    403   403   403
GET /api/v1/courts                                 ok        ok     ok    ok    ok    ok
GET /api/v1/courts/{court_id}                      ok        ok     ok    ok    ok    ok
PATCH /api/v1/courts/{court_id}                    401       403    403   403   403   ok
GET /api/v1/courts/{court_id}/actions              401       403    403   ok    403   ok
GET /api/v1/courts/{court_id}/deadlines            401       403    403   ok    403   ok
GET /api/v1/staff/deadlines                        401       403    403   ok    ok    ok
POST /api/v1/lots                                  401       403    403   ok    ok    ok
GET /api/v1/lots                                   ok        ok     ok    ok    ok    ok
GET /api/v1/lots/{lot_id}                          ok        ok     ok    ok    ok    ok
PATCH /api/v1/lots/{lot_id}                        401       403    403   ok    403   ok
GET /api/v1/lots/{lot_id}/next-round               ok        ok     ok    ok    ok    ok
GET /api/v1/lots/{lot_id}/actions                  401       403    403   ok    403   ok
PUT /api/v1/lots/{lot_id}/debtor                   401       403    403   ok    403   ok
POST /api/v1/lots/{lot_id}/documents               401       403    403   ok    403   ok
GET /api/v1/lots/{lot_id}/documents                ok        ok     ok    ok    ok    ok
GET /api/v1/lots/{lot_id}/documents/{document_id}  ok        ok     ok    ok    ok    ok
POST /api/v1/lots/{lot_id}/auctions                401       403    403   ok    403   ok
GET /api/v1/auctions                               ok        ok     ok    ok    ok    ok
GET /api/v1/auctions/{auction_id}                  ok        ok     ok    ok    ok    ok
POST /api/v1/auctions/{auction_id}/bids            401       ok     403   403   403   403
GET /api/v1/auctions/{auction_id}/bids             ok        ok     ok    ok    ok    ok
POST /api/v1/auctions/{auction_id}/registrations   401       ok     ok    403   403   403
POST /api/v1/auctions/{auction_id}/priority-holders 401      403    403   ok    403   ok
GET /api/v1/auctions/{auction_id}/priority-holders ok        ok     ok    ok    ok    ok
GET /api/v1/auctions/{auction_id}/deposits         401       403    403   ok    403   ok
GET /api/v1/auctions/{auction_id}/case-file        401       403    403   ok    403   ok
GET /api/v1/auctions/{auction_id}/status-history   ok        ok     ok    ok    ok    ok
GET /api/v1/auctions/{auction_id}/audit            ok        ok     ok    ok    ok    ok
GET /api/v1/auctions/{auction_id}/result           ok        ok     ok    ok    ok    ok
GET /api/v1/auctions/{auction_id}/confirmation     ok        ok     ok    ok    ok    ok
GET /api/v1/auctions/{auction_id}/confirmation.pdf ok        ok     ok    ok    ok    ok
GET /api/v1/auctions/{auction_id}/announcement     ok        ok     ok    ok    ok    ok
GET /api/v1/auctions/{auction_id}/announcement.pdf ok        ok     ok    ok    ok    ok
GET /api/v1/auctions/{auction_id}/terms            ok        ok     ok    ok    ok    ok
GET /api/v1/auctions/{auction_id}/terms.pdf        ok        ok     ok    ok    ok    ok
GET /api/v1/auctions/{auction_id}/terms.json       ok        ok     ok    ok    ok    ok
GET /api/v1/restrictions                           401       403    403   ok    ok    ok
POST /api/v1/restrictions/import                   401       403    403   ok    ok    ok
POST /api/v1/restrictions/{person_id}/restore      401       403    403   ok    ok    ok
GET /api/v1/stats                                  ok        ok     ok    ok    ok    ok
GET /api/v1/stats/monthly                          ok        ok     ok    ok    ok    ok
GET /api/v1/stats.csv                              ok        ok     ok    ok    ok    ok
GET /api/v1/stats/monthly.csv                      ok        ok     ok    ok    ok    ok
GET /api/v1/stats/groups                           ok        ok     ok    ok    ok    ok
GET /api/v1/stats/court-report                     401       403    403   ok    ok    ok
GET /api/v1/case-file-key                          ok        ok     ok    ok    ok    ok
GET /api/v1/clock                                  ok        ok     ok    ok    ok    ok
GET /api/v1/rules                                  ok        ok     ok    ok    ok    ok
GET /healthz                                       ok        ok     ok    ok    ok    ok
GET /readyz                                        ok        ok     ok    ok    ok    ok
GET /livez                                         ok        ok     ok    ok    ok    ok
POST /api/v1/auctions/{auction_id}/suspend         401       403    403   ok    403   ok
POST /api/v1/auctions/{auction_id}/resume          401       403    403   ok    403   ok
POST /api/v1/auctions/{auction_id}/postpone        401       403    403   ok    403   ok
POST /api/v1/auctions/{auction_id}/cause-removed   401       403    403   ok    403   ok
POST /api/v1/auctions/{auction_id}/withdraw        401       403    403   ok    403   ok
POST /api/v1/auctions/{auction_id}/settlement      401       403    403   ok    403   ok
POST /api/v1/lots/{lot_id}/disposition             401       403    403   ok    403   ok
"""

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_names = itertools.count(1)


def expected_table() -> dict[str, dict[str, str]]:
    rows = [line.split() for line in MATRIX.strip().splitlines()[1:]]
    return {f"{r[0]} {r[1]}": dict(zip(ROLES, r[2:], strict=True)) for r in rows}


def request_for(operation: str, ids: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """A well-formed request for the operation (so that only the caller decides the answer)."""
    method, template = operation.split(" ", 1)
    path = template.format(**ids)
    n = next(_names)
    bodies: dict[str, dict[str, Any]] = {
        "POST /api/v1/bidders": {
            "json": {"username": f"matrix{n}", "password": "password123", "real_name": "某", "id_number": id_number()}
        },
        "POST /api/v1/auth/token": {"data": {"username": ids["bidder_name"], "password": "password123"}},
        "PUT /api/v1/me/identity": {"json": {"id_number": "11010519491231002X"}},
        "PATCH /api/v1/courts/{court_id}": {"json": {"city": "深圳市"}},
        "POST /api/v1/lots": {"json": {"title": "某设备", "category": "machinery", "appraisal": 100_000_00}},
        "PATCH /api/v1/lots/{lot_id}": {"json": {"description": "补充说明"}},
        "PUT /api/v1/lots/{lot_id}/debtor": {"json": {"id_number": None}},
        "POST /api/v1/lots/{lot_id}/documents": {"files": {"file": ("report.pdf", PDF, "application/pdf")}},
        "POST /api/v1/lots/{lot_id}/auctions": {"json": ids["listing"]},
        "POST /api/v1/auctions/{auction_id}/bids": {"json": {"amount": START_PRICE + n * 5_000_00}},
        "POST /api/v1/auctions/{auction_id}/registrations": {"json": {"accept_terms": True}},
        "POST /api/v1/auctions/{auction_id}/priority-holders": {"json": {"username": ids["holder_name"], "rank": 1}},
        "POST /api/v1/restrictions/import": {
            "content": b"id_number,name,court,restricted_on\n",
            "headers": {"Content-Type": "text/csv"},
        },
        "POST /api/v1/restrictions/{person_id}/restore": {"json": {"reason": "已履行"}},
        "POST /api/v1/auctions/{auction_id}/suspend": {"json": {"reason": "案外人异议"}},
        "POST /api/v1/auctions/{auction_id}/postpone": {"json": {"reason": "暂缓"}},
        "POST /api/v1/auctions/{auction_id}/cause-removed": {
            "json": {"removed_on": "2026-01-01", "reason": "事由消除"}
        },
        "POST /api/v1/auctions/{auction_id}/withdraw": {"json": {"reason": "撤回"}},
        "POST /api/v1/auctions/{auction_id}/settlement": {"json": {"outcome": "paid"}},
        "POST /api/v1/lots/{lot_id}/disposition": {"json": {"outcome": "returned"}},
        "GET /api/v1/stats/court-report": {"params": {"month": "2026-05"}},
    }
    return method, path, bodies.get(operation, {})


def verdict(status: int) -> str:
    return str(status) if status in (401, 403) else "ok"


async def test_every_operation_answers_each_caller_as_the_matrix_says(service):
    table = expected_table()
    document = (await service.client.get("/openapi.json")).json()
    operations = {f"{m.upper()} {p}" for p, ops in document["paths"].items() for m in ops}
    assert operations == set(table), (
        f"operations without a row: {sorted(operations - set(table))}; rows without an operation: "
        f"{sorted(set(table) - operations)}"
    )

    api = service.api
    s = await scene(service, bidders=1)
    assert (await api.bid(s.bidders[0], s.id, START_PRICE)).status_code == 201
    other = await api.bidder(username=f"matrix_other{next(_names)}")
    holder_name = f"matrix_holder{next(_names)}"
    await api.bidder(username=holder_name)
    alien = await api.staff(service.services, court="北京市第一中级人民法院")
    async with service.services.write_sessions() as session:
        await account_service.create_account(
            session, service.clock, username="matrix_admin", password="password123", real_name="管理员", role="admin"
        )
        await session.commit()
    admin = await api.token("matrix_admin")
    me = (await service.client.get("/api/v1/me", headers=s.bidders[0])).json()
    staff_me = (await service.client.get("/api/v1/me", headers=s.staff)).json()
    document_id = (
        await service.client.post(
            f"/api/v1/lots/{s.lot['id']}/documents",
            files={"file": ("photo.pdf", PDF, "application/pdf")},
            headers=s.staff,
        )
    ).json()["id"]
    ids = {
        "lot_id": s.lot["id"],
        "auction_id": s.id,
        "court_id": staff_me.get("court_id") or s.lot.get("court_id") or 1,
        "document_id": document_id,
        "person_id": 1,
        "bidder_name": me["username"],
        "holder_name": holder_name,
        "listing": listing_body(service.clock.now()),
    }
    callers = {
        "anonymous": {},
        "bidder": s.bidders[0],
        "other": other,
        "staff": s.staff,
        "alien": alien,
        "admin": admin,
    }

    wrong, cells = [], 0
    for operation, expected in table.items():
        for role in CALL_ORDER:
            method, path, kw = request_for(operation, ids)
            kw = dict(kw)
            kw["headers"] = {**callers[role], **kw.get("headers", {})}
            r = await service.client.request(method, path, **kw)
            cells += 1
            assert r.status_code < 500, f"{operation} as {role}: {r.status_code} {r.text[:300]}"
            if verdict(r.status_code) != expected[role]:
                wrong.append(f"{operation} as {role}: expected {expected[role]}, got {r.status_code} {r.text[:160]}")
    print(f"\nauthorization matrix: {len(table)} operations x {len(ROLES)} callers = {cells} cells, {len(wrong)} wrong")
    assert not wrong, "\n".join(wrong)
