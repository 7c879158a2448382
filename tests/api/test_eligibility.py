"""Bidder eligibility: identity numbers kept only as keyed hashes, the consumption-restriction list
(import all-or-nothing, refusal naming the court, credit restoration on the record), the lot's own
debtor, the terms acknowledgement, and courts' regions. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select

from auction_service.core import accounts as account_service
from auction_service.core.eligibility import IDENTITY_KEY
from auction_service.db.models import Account, ActionLog, Registration, RestrictedPerson, ServiceSecret
from tests.support.identity import id_number
from tests.support.scenes import assert_error, go_to, t

COURT = "深圳市中级人民法院"
RESTRICTING = "广州市天河区人民法院"


async def sign_up(service, username: str, number: str | None = None, real_name: str = "张三"):
    body = {"username": username, "password": "password123", "real_name": real_name}
    if number is not None:
        body["id_number"] = number
    return await service.client.post("/api/v1/bidders", json=body)


async def bidder_with_id(service, username: str, number: str) -> dict[str, str]:
    r = await sign_up(service, username, number)
    assert r.status_code == 201, r.text
    return await service.api.token(username)


async def admin(service, username: str = "admin1") -> dict[str, str]:
    services = service.services
    async with services.write_sessions() as session:
        await account_service.create_account(
            session, services.clock, username=username, password="password123", real_name="管理员", role="admin"
        )
        await session.commit()
    return await service.api.token(username)


def restriction_csv(*rows: tuple[str, str, str, str]) -> str:
    lines = ["id_number,name,court,restricted_on"] + [",".join(r) for r in rows]
    return "\n".join(lines) + "\n"


async def import_list(service, staff, text: str):
    return await service.client.post(
        "/api/v1/restrictions/import", content=text.encode(), headers={**staff, "Content-Type": "text/csv"}
    )


async def rows(service, model, *conditions):
    async with service.services.read_sessions() as session:
        return list((await session.execute(select(model).where(*conditions))).scalars())


# ----------------------------------------------------------------------------- identity numbers


async def test_sign_up_needs_an_identity_number_and_a_bad_one_is_refused(service):
    missing = assert_error(await sign_up(service, "plain"), 422, "validation_error")
    assert missing["fields"][0]["field"] == "id_number"
    r = await sign_up(service, "badid", "440305198001010010")  # wrong check digit
    error = assert_error(r, 422, "invalid_id_number")
    assert "440305198001010010" not in r.text  # never echoed
    assert error["fields"][0]["field"] == "id_number"
    assert (await sign_up(service, "badid", id_number())).status_code == 201  # nothing was created before


async def test_the_identity_number_is_stored_only_as_a_keyed_hash(service):
    number = id_number()
    await bidder_with_id(service, "hashed", number)
    [account] = await rows(service, Account, Account.username == "hashed")
    [key] = await rows(service, ServiceSecret, ServiceSecret.name == IDENTITY_KEY)
    assert account.id_number_hash == hmac.new(key.value.encode(), number.encode(), hashlib.sha256).hexdigest()
    assert account.id_number_hash != hashlib.sha256(number.encode()).hexdigest()  # keyed, not plain
    assert number not in repr(account.__dict__)


async def account_from_before_real_names(service, username: str) -> dict[str, str]:
    """An account made before sign-up required an identity number (none recorded)."""
    services = service.services
    async with services.write_sessions() as session:
        await account_service.create_account(
            session, services.clock, username=username, password="password123", real_name="张三", role="bidder"
        )
        await session.commit()
    return await service.api.token(username)


async def test_a_bidder_records_an_identity_number_once(service):
    token = await account_from_before_real_names(service, "later")
    number = id_number()
    r = await service.client.put("/api/v1/me/identity", json={"id_number": number}, headers=token)
    assert r.status_code == 200, r.text
    same = await service.client.put("/api/v1/me/identity", json={"id_number": number}, headers=token)
    assert same.status_code == 200, same.text
    other = await service.client.put("/api/v1/me/identity", json={"id_number": id_number()}, headers=token)
    assert_error(other, 409, "identity_already_set")


# ----------------------------------------------------------------------------- the restriction list


async def test_a_malformed_list_reports_every_bad_row_and_imports_nothing(service):
    staff = await service.api.staff(service.services, court=COURT)
    good = id_number()
    text = restriction_csv(
        (good, "李四", RESTRICTING, "2025-03-01"),
        ("12345", "王五", RESTRICTING, "2025-03-01"),  # line 3: not an identity number
        (id_number(), "", RESTRICTING, "2025-03-01"),  # line 4: no name
        (id_number(), "赵六", RESTRICTING, "2025-13-01"),  # line 5: no such date
        (good, "李四", RESTRICTING, "2025-03-01"),  # line 6: a duplicate of line 2
        (id_number(), "钱七", RESTRICTING, "2099-01-01"),  # line 7: in the future
    )
    r = await import_list(service, staff, text)
    error = assert_error(r, 422, "restriction_list_invalid")
    assert [row["line"] for row in error["rows"]] == [3, 4, 5, 6, 7]
    reasons = {row["line"]: row["reason"] for row in error["rows"]}
    assert "identity number" in reasons[3] and "name is empty" in reasons[4]
    assert "YYYY-MM-DD" in reasons[5] and "line 2" in reasons[6] and "future" in reasons[7]
    assert await rows(service, RestrictedPerson) == []
    listed = await service.client.get("/api/v1/restrictions", headers=staff)
    assert listed.json()["total"] == 0
    # a file without the columns, and one that is not text, are refused as a whole too
    assert_error(await import_list(service, staff, "name,court\n李四,某法院\n"), 422, "restriction_list_invalid")
    r = await service.client.post(
        "/api/v1/restrictions/import", content=b"\xff\xfe\x00", headers={**staff, "Content-Type": "text/csv"}
    )
    assert_error(r, 422, "restriction_list_invalid")


async def test_only_staff_import_the_list(service):
    bidder = await service.api.bidder()
    text = restriction_csv((id_number(), "李四", RESTRICTING, "2025-03-01"))
    assert_error(await import_list(service, bidder, text), 403, "staff_only")
    assert_error(await service.client.post("/api/v1/restrictions/import", content=text.encode()), 401)


async def test_a_restricted_person_cannot_register_for_real_estate_or_vehicles_and_is_told_the_court(service):
    api = service.api
    staff = await api.staff(service.services, court=COURT)
    keeper = await api.staff(service.services, court=RESTRICTING)  # the listing court keeps its entries
    number = id_number()
    r = await import_list(service, keeper, restriction_csv((number, "李四", RESTRICTING, "2025-03-01")))
    assert r.status_code == 200, r.text
    assert r.json() == {"rows": 1, "added": 1, "updated": 0}
    listed = (await service.client.get("/api/v1/restrictions", headers=staff)).json()
    assert listed["total"] == 1 and listed["items"][0]["name"] == "李四"
    assert number not in str(listed)  # names and courts only, never identity numbers

    restricted = await bidder_with_id(service, "lisi", number)
    house = await api.schedule(staff, (await api.lot(staff, category="residential"))["id"])
    car = await api.schedule(
        staff, (await api.lot(staff, category="vehicle", appraisal=100_000_00))["id"], starting_price=70_000_00,
        increment=1_000_00,
    )  # fmt: skip
    machine = await api.schedule(
        staff, (await api.lot(staff, category="machinery", appraisal=100_000_00))["id"], starting_price=70_000_00,
        increment=1_000_00,
    )  # fmt: skip
    for auction in (house, car):
        r = await service.client.post(f"/api/v1/auctions/{auction['id']}/registrations", headers=restricted)
        error = assert_error(r, 403, "bidder_restricted")
        assert RESTRICTING in error["message"] and error["court"] == RESTRICTING
    assert await rows(service, Registration) == []
    # machinery is not a restricted purchase; someone not on the list registers for the house
    assert (
        await service.client.post(f"/api/v1/auctions/{machine['id']}/registrations", headers=restricted)
    ).status_code == 201
    assert (await api.register(await bidder_with_id(service, "clean", id_number()), house["id"]))["bidder_code"]


async def test_credit_restoration_lifts_the_refusal_and_is_on_the_record(service):
    api = service.api
    staff = await api.staff(service.services, court=COURT)
    keeper = await api.staff(service.services, court=RESTRICTING)  # the listing court keeps its entries
    number = id_number()
    assert (
        await import_list(service, keeper, restriction_csv((number, "李四", RESTRICTING, "2025-03-01")))
    ).status_code == 200
    restricted = await bidder_with_id(service, "lisi", number)
    house = await api.schedule(staff, (await api.lot(staff))["id"])
    url = f"/api/v1/auctions/{house['id']}/registrations"
    assert_error(await service.client.post(url, headers=restricted), 403, "bidder_restricted")

    person = (await service.client.get("/api/v1/restrictions", headers=staff)).json()["items"][0]
    assert_error(
        await service.client.post(f"/api/v1/restrictions/{person['id']}/restore", json={}, headers=keeper), 422
    )
    r = await service.client.post(
        f"/api/v1/restrictions/{person['id']}/restore", json={"reason": "已履行全部义务,信用修复"}, headers=keeper
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "restored"
    again = await service.client.post(
        f"/api/v1/restrictions/{person['id']}/restore", json={"reason": "再次"}, headers=keeper
    )
    assert_error(again, 409, "already_restored")
    assert (await service.client.get("/api/v1/restrictions", headers=staff)).json()["total"] == 0
    assert (await service.client.post(url, headers=restricted)).status_code == 201

    entries = await rows(service, ActionLog, ActionLog.action == "eligibility_changed")
    assert [e.reason for e in entries][-1] == "已履行全部义务,信用修复"
    assert entries[-1].before["status"] == "restricted" and entries[-1].after["status"] == "restored"
    assert "imported" in entries[0].reason
    assert all(number not in str((e.before, e.after, e.reason)) for e in entries)


async def test_a_person_listed_again_after_restoration_is_refused_again(service):
    api = service.api
    staff = await api.staff(service.services, court=COURT)
    keeper = await api.staff(service.services, court=RESTRICTING)  # the listing court keeps its entries
    number = id_number()
    listing = restriction_csv((number, "李四", RESTRICTING, "2025-03-01"))
    await import_list(service, keeper, listing)
    person = (await service.client.get("/api/v1/restrictions", headers=staff)).json()["items"][0]
    await service.client.post(f"/api/v1/restrictions/{person['id']}/restore", json={"reason": "修复"}, headers=keeper)
    r = await import_list(service, keeper, listing)
    assert r.json() == {"rows": 1, "added": 0, "updated": 1}
    restricted = await bidder_with_id(service, "lisi", number)
    house = await api.schedule(staff, (await api.lot(staff))["id"])
    r = await service.client.post(f"/api/v1/auctions/{house['id']}/registrations", headers=restricted)
    assert_error(r, 403, "bidder_restricted")


async def test_the_two_lists_are_kept_apart_each_entry_with_its_case_number(service):
    """失信被执行人 and 限制消费 are different decisions: one person may be on both, each entry with the case
    number (案号) of its decision; the list, the refusal and the record say which list and which case."""
    api = service.api
    staff = await api.staff(service.services, court=COURT)
    keeper = await api.staff(service.services, court=RESTRICTING)
    both, dishonest_only = id_number(), id_number()
    text = (
        "身份证号,姓名,执行法院,限制日期,名单,案号\n"
        f"{both},李四,{RESTRICTING},2025-03-01,失信被执行人,（2025）粤0106执1234号\n"
        f"{both},李四,{RESTRICTING},2025-02-01,限制消费,（2025）粤0106执1200号\n"
        f"{dishonest_only},王五,{RESTRICTING},2025-04-01,dishonest,(2024)粤0106执9号\n"
    )
    bad = text + f"{id_number()},赵六,{RESTRICTING},2025-04-01,黑名单,2025-1\n"  # line 5: no such list, no case
    error = assert_error(await import_list(service, keeper, bad), 422, "restriction_list_invalid")
    assert error["rows"][0]["line"] == 5
    assert "list" in error["rows"][0]["reason"] and "case_number" in error["rows"][0]["reason"]
    assert await rows(service, RestrictedPerson) == []  # all or nothing
    r = await import_list(service, keeper, text)
    assert r.json() == {"rows": 3, "added": 3, "updated": 0}, r.text

    listed = (await service.client.get("/api/v1/restrictions", headers=staff)).json()["items"]
    entries = {(e["name"], e["list"]): e for e in listed}
    assert set(entries) == {("李四", "dishonest"), ("李四", "consumption_restriction"), ("王五", "dishonest")}
    assert entries["李四", "dishonest"]["case_number"] == "（2025）粤0106执1234号"
    assert entries["李四", "dishonest"]["list_name"] == "失信被执行人名单"
    assert entries["李四", "consumption_restriction"]["case_number"] == "（2025）粤0106执1200号"
    only = (await service.client.get("/api/v1/restrictions?list=consumption_restriction", headers=staff)).json()
    assert [e["name"] for e in only["items"]] == ["李四"] and only["total"] == 1
    assert_error(await service.client.get("/api/v1/restrictions?list=grey", headers=staff), 422)

    # the refusal names the graver list and its case; once that entry is restored, the other one
    house = await api.schedule(staff, (await api.lot(staff, category="residential"))["id"])
    url = f"/api/v1/auctions/{house['id']}/registrations"
    lisi = await bidder_with_id(service, "lisi", both)
    refusal = assert_error(await service.client.post(url, headers=lisi), 403, "bidder_restricted")
    assert (refusal["list"], refusal["case_number"]) == ("dishonest", "（2025）粤0106执1234号")
    assert "失信被执行人" in refusal["message"] and "（2025）粤0106执1234号" in refusal["message"]
    restore = f"/api/v1/restrictions/{entries['李四', 'dishonest']['id']}/restore"
    assert (await service.client.post(restore, json={"reason": "失信信息删除"}, headers=keeper)).status_code == 200
    refusal = assert_error(await service.client.post(url, headers=lisi), 403, "bidder_restricted")
    assert (refusal["list"], refusal["case_number"]) == ("consumption_restriction", "（2025）粤0106执1200号")
    assert "限制消费" in refusal["message"]
    [logged] = [
        e
        for e in await rows(service, ActionLog, ActionLog.action == "eligibility_changed")
        if e.after.get("restricted_person")
    ]
    assert (logged.after["list"], logged.after["case_number"]) == ("dishonest", "（2025）粤0106执1234号")

    # the older form (no list, no case number) is the consumption-restriction list, no case known
    older = id_number()
    assert (
        await import_list(service, keeper, restriction_csv((older, "钱七", RESTRICTING, "2025-03-01")))
    ).status_code == 200
    [entry] = (await service.client.get("/api/v1/restrictions?name=钱七", headers=staff)).json()["items"]
    assert (entry["list"], entry["case_number"]) == ("consumption_restriction", None)


async def test_only_the_listing_court_or_an_admin_lists_and_restores_a_person(service):
    api = service.api
    other = await api.staff(service.services, court=COURT)
    keeper = await api.staff(service.services, court=RESTRICTING)
    listing = restriction_csv(
        (id_number(), "李四", RESTRICTING, "2025-03-01"), (id_number(), "王五", COURT, "2025-03-01")
    )
    refused = assert_error(await import_list(service, other, listing), 403, "wrong_court")
    assert refused["rows"] == [{"line": 2, "reason": f"listed by {RESTRICTING}, not by {COURT}"}]
    assert await rows(service, RestrictedPerson) == []  # all or nothing
    ours = restriction_csv((id_number(), "李四", RESTRICTING, "2025-03-01"))
    assert (await import_list(service, keeper, ours)).status_code == 200
    person = (await service.client.get("/api/v1/restrictions", headers=other)).json()["items"][0]
    url = f"/api/v1/restrictions/{person['id']}/restore"
    assert_error(await service.client.post(url, json={"reason": "越权修复"}, headers=other), 403, "wrong_court")
    assert (await rows(service, RestrictedPerson))[0].restored_at is None
    root = await admin(service)
    assert (await service.client.post(url, json={"reason": "平台依法院函修复"}, headers=root)).status_code == 200


# ----------------------------------------------------------------------------- the lot's debtor


async def test_the_lots_own_debtor_cannot_register_for_it(service):
    api = service.api
    staff = await api.staff(service.services, court=COURT)
    other_court = await api.staff(service.services, court="北京市第一中级人民法院")
    debtor_number = id_number()
    lot = await api.lot(staff)
    auction = await api.schedule(staff, lot["id"])
    url = f"/api/v1/lots/{lot['id']}/debtor"
    assert_error(
        await service.client.put(url, json={"id_number": debtor_number}, headers=other_court), 403, "wrong_court"
    )
    assert_error(await service.client.put(url, json={"id_number": "not-a-number"}, headers=staff), 422)
    r = await service.client.put(url, json={"id_number": debtor_number}, headers=staff)
    assert r.status_code == 200 and r.json()["debtor_recorded"] is True, r.text

    debtor = await bidder_with_id(service, "debtor", debtor_number)
    r = await service.client.post(f"/api/v1/auctions/{auction['id']}/registrations", headers=debtor)
    assert_error(r, 403, "debtor_cannot_bid")
    # anyone else may; the debtor may bid for another court's lots
    assert (await api.register(await bidder_with_id(service, "buyer", id_number()), auction["id"]))["bidder_code"]
    other_auction = await api.schedule(other_court, (await api.lot(other_court))["id"])
    assert (await api.register(debtor, other_auction["id"]))["bidder_code"]
    [entry] = await rows(service, ActionLog, ActionLog.lot_id == lot["id"], ActionLog.action == "eligibility_changed")
    assert (entry.before, entry.after) == ({"debtor_recorded": False}, {"debtor_recorded": True})


# ----------------------------------------------------------------------------- re-checked at every bid


async def live_house(service, staff, *numbers: str) -> tuple[dict, dict, list[dict[str, str]]]:
    """A residential lot's auction with a bidder registered per identity number, the clock at its start."""
    api = service.api
    lot = await api.lot(staff, category="residential")
    auction = await api.schedule(staff, lot["id"])
    bidders = []
    for i, number in enumerate(numbers):
        bidder = await bidder_with_id(service, f"late{i}_{lot['id']}", number)
        await api.register(bidder, auction["id"])
        bidders.append(bidder)
    await go_to(service, t(auction["start_at"]))
    return lot, auction, bidders


async def test_a_bidder_listed_after_registering_may_no_longer_bid_until_restored(service):
    api = service.api
    staff = await api.staff(service.services, court=COURT)
    keeper = await api.staff(service.services, court=RESTRICTING)
    listed_later, clean = id_number(), id_number()
    _, auction, (late, other) = await live_house(service, staff, listed_later, clean)
    first = await api.bid(late, auction["id"], 7_000_000_00)
    assert first.status_code == 201, first.text  # the book is loaded and holds the registration

    r = await import_list(service, keeper, restriction_csv((listed_later, "王五", RESTRICTING, "2025-06-01")))
    assert r.status_code == 200, r.text
    error = assert_error(await api.bid(late, auction["id"], 7_005_000_00), 403, "bidder_restricted")
    assert "after registering" in error["message"]
    assert (await api.bid(other, auction["id"], 7_005_000_00)).status_code == 201  # the others bid on

    [entry] = await rows(service, RestrictedPerson)
    r = await service.client.post(
        f"/api/v1/restrictions/{entry.id}/restore", json={"reason": "已履行完毕"}, headers=keeper
    )
    assert r.status_code == 200, r.text
    assert (await api.bid(late, auction["id"], 7_010_000_00)).status_code == 201


async def test_a_bidder_named_the_lots_debtor_after_registering_may_no_longer_bid(service):
    api = service.api
    staff = await api.staff(service.services, court=COURT)
    debtor_number = id_number()
    lot, auction, (debtor, other) = await live_house(service, staff, debtor_number, id_number())
    assert (await api.bid(other, auction["id"], 7_000_000_00)).status_code == 201
    r = await service.client.put(f"/api/v1/lots/{lot['id']}/debtor", json={"id_number": debtor_number}, headers=staff)
    assert r.status_code == 200, r.text
    assert_error(await api.bid(debtor, auction["id"], 7_005_000_00), 403, "debtor_cannot_bid")
    assert [b["amount"] for b in await api.bids(auction["id"])] == [7_000_000_00]


async def test_a_winner_listed_after_the_last_bid_gets_no_confirmation_and_the_court_is_told(service):
    api = service.api
    staff = await api.staff(service.services, court=COURT)
    keeper = await api.staff(service.services, court=RESTRICTING)
    winner_number = id_number()
    _, auction, (winner, other) = await live_house(service, staff, winner_number, id_number())
    assert (await api.bid(other, auction["id"], 7_000_000_00)).status_code == 201
    assert (await api.bid(winner, auction["id"], 7_005_000_00)).status_code == 201
    r = await import_list(service, keeper, restriction_csv((winner_number, "赵七", RESTRICTING, "2025-06-01")))
    assert r.status_code == 200, r.text
    await go_to(service, t(auction["end_at"]))
    assert (await api.auction(auction["id"]))["status"] == "sold"  # the bids and the close stand as they happened
    for page in ("confirmation", "confirmation.pdf"):
        error = assert_error(
            await service.client.get(f"/api/v1/auctions/{auction['id']}/{page}"), 409, "winner_ineligible"
        )
        assert error["ground"] == "bidder_restricted" and "Art. 31(4)" in error["message"]


# ----------------------------------------------------------------------------- the terms (竞买须知)


async def test_registration_records_the_terms_acknowledgement_and_the_contract_call_still_works(service):
    api = service.api
    staff = await api.staff(service.services, court=COURT)
    auction = await api.schedule(staff, (await api.lot(staff))["id"])
    url = f"/api/v1/auctions/{auction['id']}/registrations"
    declining = await api.bidder()
    assert_error(
        await service.client.post(url, json={"accept_terms": False}, headers=declining), 422, "terms_not_accepted"
    )
    assert_error(await service.client.post(url, json={"accept_terms": "yes"}, headers=declining), 422)
    accepting = await api.bidder("accepting")
    r = await service.client.post(url, json={"accept_terms": True}, headers=accepting)
    assert r.status_code == 201, r.text
    contract = await api.bidder("contract")
    assert (await service.client.post(url, headers=contract)).status_code == 201  # no body, as the contract writes it
    empty = await api.bidder("empty")
    assert (await service.client.post(url, json={}, headers=empty)).status_code == 201  # an empty body: the same
    registered = {r.bidder_id: r.terms_accepted_at for r in await rows(service, Registration)}
    ids = {a.username: a.id for a in await rows(service, Account)}
    assert registered[ids["accepting"]] == service.clock.now()
    assert registered[ids["contract"]] is None and registered[ids["empty"]] is None
    assert len(registered) == 3  # the declining bidder registered nothing


# ----------------------------------------------------------------------------- courts' regions


async def test_an_admin_sets_a_courts_province_city_and_level(service):
    staff = await service.api.staff(service.services, court=COURT)
    root = await admin(service)
    courts = (await service.client.get("/api/v1/courts")).json()["items"]
    court_id = next(c["id"] for c in courts if c["name"] == COURT)
    url = f"/api/v1/courts/{court_id}"
    body = {"province": "广东省", "city": "深圳市", "level": "中级"}
    assert_error(await service.client.patch(url, json=body, headers=staff), 403, "admin_only")
    assert_error(await service.client.patch(url, json={"level": "county"}, headers=root), 422, "invalid_court_level")
    r = await service.client.patch(url, json=body, headers=root)
    assert r.status_code == 200, r.text
    assert r.json() == {"id": court_id, "name": COURT, **body, "level": "intermediate", "level_name": "中级"}
    assert (await service.client.get(url)).json()["level"] == "intermediate"
    assert_error(await service.client.patch("/api/v1/courts/999999", json=body, headers=root), 404, "court_not_found")
    # on the court's action log once (the refused attempts and a repeat that changes nothing are not)
    assert (await service.client.patch(url, json=body, headers=root)).status_code == 200
    log = (await service.client.get(f"{url}/actions", params={"action": "court_edited"}, headers=staff)).json()
    assert [(e["action"], e["before"], e["after"]) for e in log["items"]] == [
        (
            "court_edited",
            {"province": None, "city": None, "level": None},
            {"province": "广东省", "city": "深圳市", "level": "intermediate"},
        )
    ]


async def test_staff_add_sets_the_regions_of_a_new_court(service):
    services = service.services
    async with services.write_sessions() as session:
        court = await account_service.get_or_create_court(
            session, services.clock, "成都市武侯区人民法院", province="四川省", city="成都市", level="basic"
        )
        await session.commit()
    body = (await service.client.get(f"/api/v1/courts/{court.id}")).json()
    assert (body["province"], body["city"], body["level"], body["level_name"]) == ("四川省", "成都市", "basic", "基层")
