"""``/openapi.json`` tells the truth: a whole flow (accounts, a lot with documents, rounds sold, unsold,
withdrawn and disposed of, registrations, bids, staff actions, results, settlement, the confirmation,
statistics, my page; the court's desk and eligibility; and the errors of each) is driven through the
public API, every answer is recorded, and each must be declared by its operation: the status, the
media type, the body against the schema (objects closed: an undeclared key fails) and, for an error,
the code among those listed. Every operation of the document is exercised by the flow.
"""

from __future__ import annotations

from datetime import timedelta, timezone

import orjson
import pytest

from auction_service.clock import isoformat
from tests.support.identity import id_number
from tests.support.openapi import Recorder, Truth, copy_of
from tests.support.scenes import INCREMENT, START_PRICE, assert_error, end_unsold, go_to, listing_body, scene, t

TYPED = {"$ref", "properties", "oneOf", "anyOf"}  # a schema that says what the keys are
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHINA = timezone(timedelta(hours=8))  # the court calendar
ROUND2_PRICE = START_PRICE * 4 // 5


async def truth_of(service) -> Truth:
    r = await service.client.get("/openapi.json")
    assert r.status_code == 200
    return Truth(r.json())


async def whole_flow(service) -> None:
    """Every operation, with its success and the errors a client meets most."""
    api, client = service.api, service.client
    # accounts
    zhang_number = id_number()
    r = await client.post(
        "/api/v1/bidders",
        json={"username": "zhang_san", "password": "password123", "real_name": "张三", "id_number": zhang_number},
    )
    assert r.status_code == 201
    again = {"username": "Zhang_San", "password": "password123", "real_name": "x", "id_number": id_number()}
    assert_error(await client.post("/api/v1/bidders", json=again), 409, "username_taken")
    same_person = again | {"username": "zhang_again", "id_number": zhang_number}
    assert_error(await client.post("/api/v1/bidders", json=same_person), 409, "id_number_taken")
    assert_error(await client.post("/api/v1/bidders", json={"username": "x"}), 422, "validation_error")
    assert_error(await client.post("/api/v1/auth/token", data={"username": "zhang_san", "password": "wrong-pass"}), 401)
    zhang = await api.token("zhang_san")
    assert (await client.get("/api/v1/me", headers=zhang)).status_code == 200
    assert_error(await client.get("/api/v1/me"), 401, "unauthorized")

    # a lot with its documents
    staff = await api.staff(service.services)
    assert_error(await client.post("/api/v1/lots", json={"title": "x"}, headers=zhang), 403, "staff_only")
    lot = await api.lot(staff, appraisal_method="市场比较法", contact="0755-1234", balance_deadline_days=30)
    assert (await client.get("/api/v1/courts")).status_code == 200
    assert (await client.get("/api/v1/lots", params={"limit": 5})).status_code == 200
    assert (await client.get(f"/api/v1/lots/{lot['id']}")).status_code == 200
    bare = await api.lot(staff, taxes=None)
    late = f"/api/v1/lots/{bare['id']}/auctions"
    body = listing_body(api.clock.now())
    assert_error(await client.post(late, json=body, headers=staff), 422, "announcement_incomplete")
    assert_error(await client.get("/api/v1/lots/999999"), 404, "lot_not_found")
    assert_error(await client.get("/api/v1/lots/abc"), 422, "validation_error")
    assert (await client.get("/api/v1/rules")).status_code == 200
    assert (await client.get(f"/api/v1/lots/{lot['id']}/next-round")).status_code == 200
    assert_error(await client.get("/api/v1/lots/999999/next-round"), 404, "lot_not_found")
    files = {"file": ("report.pdf", PDF, "application/pdf")}
    doc = await client.post(f"/api/v1/lots/{lot['id']}/documents", files=files, headers=staff)
    assert doc.status_code == 201, doc.text
    assert (await client.get(f"/api/v1/lots/{lot['id']}/documents")).status_code == 200
    assert (await client.get(doc.json()["url"])).status_code == 200
    assert_error(await client.get(f"/api/v1/lots/{lot['id']}/documents/999999"), 404, "document_not_found")

    # round 1: a listing rule broken; scheduled, announced, registered, live, bid on, suspended and
    # resumed, sold, settled
    now = service.clock.now()
    cheap = {"starting_price": 1, "increment": 1, "deposit": 1}
    bad = {**cheap, "start_at": isoformat(now), "end_at": isoformat(now + timedelta(days=1))}
    assert_error(await client.post(f"/api/v1/lots/{lot['id']}/auctions", json=bad, headers=staff), 422)
    s = await scene(service, bidders=2, live=False, staff=staff, lot=lot, real_names=["王五", "赵六"])
    again = {**cheap, "start_at": s.auction["start_at"], "end_at": s.auction["end_at"]}
    assert_error(await client.post(f"/api/v1/lots/{lot['id']}/auctions", json=again, headers=staff), 409)
    assert (await client.get("/api/v1/auctions", params={"status": "announced,live"})).status_code == 200
    assert_error(await client.get("/api/v1/auctions", params={"status": "open"}), 422, "invalid_status")
    assert_error(await client.get("/api/v1/auctions/999999"), 404, "auction_not_found")
    holder = await client.post(
        f"/api/v1/auctions/{s.id}/priority-holders", json={"username": "zhang_san", "rank": 1}, headers=staff
    )
    assert holder.status_code == 201, holder.text
    assert (await client.get(f"/api/v1/auctions/{s.id}/priority-holders")).status_code == 200
    assert (await client.post(f"/api/v1/auctions/{s.id}/registrations", headers=zhang)).status_code == 201
    assert (await client.post(f"/api/v1/auctions/{s.id}/registrations", headers=zhang)).status_code == 200
    assert_error(await client.post(f"/api/v1/auctions/{s.id}/registrations", headers=staff), 403, "staff_cannot_bid")
    assert_error(await client.get(f"/api/v1/auctions/{s.id}/result"), 409, "auction_not_ended")
    assert_error(await api.bid(s.bidders[0], s.id, START_PRICE), 409, "auction_not_live")
    await go_to(service, s.start_at)
    assert (await api.bid(s.bidders[0], s.id, START_PRICE)).status_code == 201
    low = assert_error(await api.bid(s.bidders[1], s.id, START_PRICE), 409, "bid_too_low")
    assert low["minimum"] == START_PRICE + INCREMENT
    assert (await api.bid(zhang, s.id, START_PRICE, **{"Idempotency-Key": "k-1"})).status_code == 201  # priority
    assert_error(await api.bid(s.bidders[1], s.id, 1.5), 422, "validation_error")
    as_json = s.bidders[1] | {"Content-Type": "application/json"}
    assert_error(await client.post(f"/api/v1/auctions/{s.id}/bids", content=b"{", headers=as_json), 422, "invalid_json")
    assert_error(await client.post(f"/api/v1/auctions/{s.id}/bids", content=b" " * 5000, headers=as_json), 413)
    assert_error(await client.post(f"/api/v1/auctions/{s.id}/bids", content=b"amount=1", headers=s.bidders[1]), 415)
    assert_error(await api.bid({}, s.id, START_PRICE), 401, "unauthorized")
    assert_error(await api.bid(await api.bidder(), s.id, START_PRICE), 403, "not_registered")
    assert_error(await api.bid(s.bidders[1], 999999, START_PRICE), 404, "auction_not_found")
    assert_error(await api.bid(s.bidders[1], 99999999999, START_PRICE), 422, "validation_error")
    assert (await client.post(f"/api/v1/auctions/{s.id}/suspend", json={"reason": "异议"}, headers=staff)).is_success
    assert_error(await client.post(f"/api/v1/auctions/{s.id}/suspend", json={"reason": "x"}, headers=staff), 409)
    assert (await client.post(f"/api/v1/auctions/{s.id}/resume", headers=staff)).status_code == 200
    assert (await client.get(f"/api/v1/auctions/{s.id}/bids")).status_code == 200
    assert (await client.get(f"/api/v1/auctions/{s.id}/audit")).status_code == 200
    assert (await client.get(f"/api/v1/auctions/{s.id}/deposits", headers=staff)).status_code == 200
    assert_error(await client.get(f"/api/v1/auctions/{s.id}/deposits", headers=zhang), 403, "staff_only")
    assert_error(await client.get(f"/api/v1/auctions/{s.id}/confirmation"), 409, "auction_not_sold")
    for document in ("announcement", "announcement.pdf", "terms", "terms.pdf", "terms.json"):
        assert (await client.get(f"/api/v1/auctions/{s.id}/{document}")).status_code in (200, 503)
    await go_to(service, t((await api.auction(s.id))["end_at"]))
    assert (await client.get(f"/api/v1/auctions/{s.id}/result")).status_code == 200
    paid = {"outcome": "paid"}
    assert (await client.post(f"/api/v1/auctions/{s.id}/settlement", json=paid, headers=staff)).status_code == 200
    assert_error(await client.post(f"/api/v1/auctions/{s.id}/settlement", json=paid, headers=staff), 409)
    assert (await client.get(f"/api/v1/auctions/{s.id}/confirmation")).status_code == 200
    assert (await client.get(f"/api/v1/auctions/{s.id}/confirmation.pdf")).status_code in (200, 503)

    # my page
    assert (await client.get("/api/v1/me/registrations", headers=zhang)).status_code == 200
    assert (await client.get("/api/v1/me/bids", headers=zhang)).status_code == 200
    assert_error(await client.get("/api/v1/me/bids", params={"limit": "many"}, headers=zhang), 422)

    # another lot: round 1 and round 2 unsold (流拍), then returned; a third withdrawn
    other = await api.lot(staff, title="某厂房", category="commercial")
    first = await end_unsold(service, staff, other["id"])
    assert (await client.get(f"/api/v1/auctions/{first['id']}/result")).json()["outcome"] == "unsold"
    await end_unsold(service, staff, other["id"], starting_price=ROUND2_PRICE, start_in=timedelta(days=15))
    returned = {"outcome": "returned", "note": "退回"}
    assert (await client.post(f"/api/v1/lots/{other['id']}/disposition", json=returned, headers=staff)).is_success
    assert_error(await client.post(f"/api/v1/lots/{other['id']}/disposition", json=returned, headers=staff), 409)
    assert (await client.get(f"/api/v1/lots/{other['id']}/next-round")).json()["blocked"]["code"] == "lot_concluded"
    third = await api.schedule(staff, (await api.lot(staff, title="某车辆", category="vehicle"))["id"])
    withdraw = await client.post(f"/api/v1/auctions/{third['id']}/withdraw", json={"reason": "撤回"}, headers=staff)
    assert withdraw.status_code == 200

    # statistics, clock, health
    window = {"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}
    for path in ("/api/v1/stats", "/api/v1/stats/monthly", "/api/v1/stats.csv", "/api/v1/stats/monthly.csv"):
        assert (await client.get(path, params=window)).status_code == 200
    assert_error(await client.get("/api/v1/stats", params={"from": "yesterday"}), 422)
    assert (await client.get("/api/v1/clock")).status_code == 200
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/readyz")).status_code == 200
    assert (await client.get("/livez")).status_code == 200


async def court_side_flow(service) -> None:
    """The court's desk and eligibility: the action log, deadlines, postponement, lot edits, the case
    file, identity numbers, the restriction list, a lot's debtor, court regions, grouped statistics."""
    api, client = service.api, service.client
    staff = await api.staff(service.services, court="广州市中级人民法院")
    lot = await api.lot(staff, title="广州市天河区某商铺", category="commercial")
    edit = {"title": "广州市天河区某商铺(更正)", "reason": "笔误"}
    assert (await client.patch(f"/api/v1/lots/{lot['id']}", json=edit, headers=staff)).status_code == 200
    assert_error(await client.patch(f"/api/v1/lots/{lot['id']}", json={}, headers=staff), 422)
    auction = await api.schedule(staff, lot["id"])
    postpone = await client.post(f"/api/v1/auctions/{auction['id']}/postpone", json={"reason": "暂缓"}, headers=staff)
    assert postpone.status_code == 200, postpone.text
    removed = {"removed_on": service.clock.now().astimezone(CHINA).date().isoformat(), "reason": "暂缓事由消除"}
    cause = await client.post(f"/api/v1/auctions/{auction['id']}/cause-removed", json=removed, headers=staff)
    assert cause.status_code == 200, cause.text
    assert (await client.get(f"/api/v1/auctions/{auction['id']}/status-history")).status_code == 200
    assert (await client.get(f"/api/v1/lots/{lot['id']}/actions", headers=staff)).status_code == 200
    court = lot["court_id"]
    assert (await client.get(f"/api/v1/courts/{court}/actions", headers=staff)).status_code == 200
    assert (await client.get(f"/api/v1/courts/{court}/deadlines", headers=staff)).status_code == 200
    assert (await client.get("/api/v1/staff/deadlines", headers=staff)).status_code == 200
    assert (await client.get(f"/api/v1/auctions/{auction['id']}/case-file", headers=staff)).status_code == 200
    assert (await client.get("/api/v1/case-file-key")).status_code == 200

    number = id_number()
    bidder = await api.bidder(identity=number)  # recording the same number again is a no-op
    assert (await client.put("/api/v1/me/identity", json={"id_number": number}, headers=bidder)).status_code == 200
    assert_error(await client.put("/api/v1/me/identity", json={"id_number": "123"}, headers=bidder), 422)
    listed = f"id_number,name,court,restricted_on\n{id_number()},李四,广州市中级人民法院,2024-01-01\n"
    csv_body = {"content": listed.encode(), "headers": staff | {"Content-Type": "text/csv"}}
    assert (await client.post("/api/v1/restrictions/import", **csv_body)).status_code == 200
    bad = {"content": b"id_number\n1\n", "headers": staff | {"Content-Type": "text/csv"}}
    assert_error(await client.post("/api/v1/restrictions/import", **bad), 422, "restriction_list_invalid")
    entries = await client.get("/api/v1/restrictions", headers=staff)
    assert entries.status_code == 200
    person = entries.json()["items"][0]["id"]
    restore = {"reason": "已履行"}
    assert (await client.post(f"/api/v1/restrictions/{person}/restore", json=restore, headers=staff)).is_success
    assert_error(await client.post(f"/api/v1/restrictions/{person}/restore", json=restore, headers=staff), 409)
    debtor = {"id_number": id_number()}
    assert (await client.put(f"/api/v1/lots/{lot['id']}/debtor", json=debtor, headers=staff)).status_code == 200
    assert (await client.get(f"/api/v1/courts/{court}")).status_code == 200
    assert_error(await client.get("/api/v1/courts/999999"), 404, "court_not_found")
    regions = {"province": "广东省", "city": "广州市", "level": "intermediate"}
    assert_error(await client.patch(f"/api/v1/courts/{court}", json=regions, headers=staff), 403, "admin_only")
    root = await admin(service)
    assert (await client.patch(f"/api/v1/courts/{court}", json=regions, headers=root)).status_code == 200

    for by in ("court,year", "province,quarter", "category,round"):
        assert (await client.get("/api/v1/stats/groups", params={"by": by})).status_code == 200
    assert (await client.get("/api/v1/stats/groups", params={"by": "month", "format": "csv"})).status_code == 200
    assert_error(await client.get("/api/v1/stats/groups", params={"by": "planet"}), 422, "invalid_group_by")
    for fmt in ("json", "csv", "pdf"):
        report = await client.get(
            "/api/v1/stats/court-report", params={"month": "2026-05", "format": fmt}, headers=staff
        )
        assert report.status_code == 200, report.text
    bad_month = await client.get("/api/v1/stats/court-report", params={"month": "2026-13"}, headers=staff)
    assert_error(bad_month, 422, "invalid_month")


async def admin(service) -> dict[str, str]:
    """A platform administrator (made by the command line in real life)."""
    from auction_service.core import accounts

    services = service.services
    async with services.write_sessions() as session:
        await accounts.create_account(
            session, services.clock, username="root", password="password123", real_name="管理员", role="admin"
        )
        await session.commit()
    return await service.api.token("root")


async def test_every_answer_of_a_whole_flow_is_what_openapi_declares(service):
    truth = await truth_of(service)
    recorder = Recorder(service.client)
    await whole_flow(service)
    await court_side_flow(service)
    problems = [p for answer in recorder.answers for p in truth.problems(answer)]
    assert not problems, "\n".join(problems)
    answered = {(a.method.lower(), truth.operation(a.method, a.path)[0]) for a in recorder.answers if a.status < 300}
    missing = sorted(f"{m.upper()} {path}" for m, path, _op in truth.operations() if (m, path) not in answered)
    assert not missing, "operations the flow never answered with success (add a step): " + ", ".join(missing)


async def test_the_document_declares_a_typed_success_and_the_envelope_for_every_error(service):
    """Statically, for every operation: a success with its content typed, and the error envelope (with
    the codes listed) under every error status; FastAPI's ``HTTPValidationError`` nowhere."""
    truth = await truth_of(service)
    problems = []
    for method, path, op in truth.operations():
        where = f"{method.upper()} {path}"
        successes = {s: r for s, r in op["responses"].items() if s.startswith("2")}
        if not successes:
            problems.append(f"{where}: no success response")
        for status, response in successes.items():
            content = response.get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            if not content or ("application/json" in content and not TYPED.intersection(schema)):
                problems.append(f"{where} {status}: no model (declare one with api/responses.answers)")
        for status, response in op["responses"].items():
            if status[0] in "45":
                json_error = response.get("content", {}).get("application/json", {})
                if json_error.get("schema") != {"$ref": "#/components/schemas/ErrorEnvelope"}:
                    problems.append(f"{where} {status}: not the error envelope")
                elif not json_error.get("examples"):
                    problems.append(f"{where} {status}: no error codes listed")
    assert not problems, "\n".join(problems)
    assert "HTTPValidationError" not in truth.components.get("schemas", {})


async def test_every_example_in_the_document_is_valid_against_its_schema(service):
    """Examples are answers too: each model's examples and each error example match their schema."""
    truth = await truth_of(service)
    checked = 0
    for name, schema in truth.components["schemas"].items():
        for example in schema.get("examples", []):
            errors = [e.message for e in truth.validator({"$ref": f"#/components/schemas/{name}"}).iter_errors(example)]
            assert not errors, f"{name}: {errors}"
            checked += 1
    for method, path, op in truth.operations():
        for status, response in op["responses"].items():
            media = response.get("content", {}).get("application/json", {})
            for code, example in media.get("examples", {}).items():
                errors = [e.message for e in truth.validator(media["schema"]).iter_errors(example["value"])]
                assert not errors, f"{method.upper()} {path} {status} {code}: {errors}"
                assert example["value"]["error"]["code"] == code
                checked += 1
    assert checked > 100


NOT_JSON_SCHEMA = {"ge", "gt", "le", "lt", "strict", "min_length", "max_length"}  # pydantic's names, not JSON Schema's


def bounds_not_stated(node: object, where: str = "") -> list[str]:
    """Every place in the document where a bound is written under pydantic's name (``ge``, ``le``...):
    a client or a generator reading the document ignores it, and sends what validation refuses."""
    if isinstance(node, dict):
        found = (
            [f"{where}: {sorted(NOT_JSON_SCHEMA & node.keys())}"]
            if "type" in node and NOT_JSON_SCHEMA & node.keys()
            else []
        )
        return found + [p for key, value in node.items() for p in bounds_not_stated(value, f"{where}/{key}")]
    if isinstance(node, list):
        return [p for i, value in enumerate(node) for p in bounds_not_stated(value, f"{where}/{i}")]
    return []


async def test_every_bound_is_written_as_json_schema_writes_it(service):
    """Money's bounds are ``minimum`` 1 and ``maximum`` 10^15 everywhere, as JSON Schema names them;
    no schema carries pydantic's ``ge``/``le`` (a whole-number validator placed before its constraints
    once made the bid's ``amount`` say ``ge: 1``, and a fuzzer sent 0 as valid)."""
    truth = await truth_of(service)
    assert not bounds_not_stated(truth.spec), bounds_not_stated(truth.spec)
    bid = truth.spec["paths"]["/api/v1/auctions/{auction_id}/bids"]["post"]["requestBody"]
    amount = bid["content"]["application/json"]["schema"]["properties"]["amount"]
    assert (amount["type"], amount["minimum"], amount["maximum"]) == ("integer", 1, 10**15)


async def test_the_check_fails_on_an_undeclared_key_status_type_or_code(service):
    """The check itself can fail: an answer changed in each way the schema forbids is caught."""
    truth = await truth_of(service)
    recorder = Recorder(service.client)
    s = await scene(service, bidders=1, live=False)
    await service.client.get(f"/api/v1/auctions/{s.id}")
    await service.client.get(f"/api/v1/auctions/{s.id}/result")
    auction, refusal = recorder.answers[-2], recorder.answers[-1]
    assert truth.problems(auction) == [] and truth.problems(refusal) == []

    body = auction.json()
    assert truth.problems(copy_of(auction, body=orjson.dumps(body | {"surprise": 1})))
    assert truth.problems(copy_of(auction, body=orjson.dumps(body | {"bid_count": "1"})))
    assert truth.problems(copy_of(auction, body=orjson.dumps({k: v for k, v in body.items() if k != "end_at"})))
    assert truth.problems(copy_of(auction, status=418))
    assert truth.problems(copy_of(auction, content_type="text/plain"))
    error = refusal.json()
    error["error"]["code"] = "bid_too_low"  # a real code, but not one this operation answers
    assert truth.problems(copy_of(refusal, body=orjson.dumps(error)))
    assert truth.problems(copy_of(refusal, body=orjson.dumps({"detail": [{"msg": "FastAPI's default"}]})))


@pytest.fixture
def rules() -> str:
    return "judicial-2016"
