"""The contract's real-name sign-up and the legal steps it enforces with their grounds: an identity number
with a valid check character, one account per number; no auction of a lot whose announcement is
incomplete (judicial rules); a priority holder declared after bidding opened only with a reason, on the
action log; 悔拍 before the balance deadline only on the buyer's recorded written renunciation."""

from __future__ import annotations

from datetime import timedelta

from tests.support.api import ANNOUNCEMENT
from tests.support.identity import id_number
from tests.support.scenes import assert_error, go_to, listing_body, scene, t


async def sign_up(service, username: str, **fields):
    body = {"username": username, "password": "password123", "real_name": "张三"} | fields
    return await service.client.post("/api/v1/bidders", json=body)


# ----------------------------------------------------------------------------- real names


async def test_sign_up_without_an_identity_number_is_refused_and_creates_nothing(service):
    error = assert_error(await sign_up(service, "anonymous"), 422)
    assert "id_number" in str(error)
    assert (await sign_up(service, "anonymous", id_number=id_number())).status_code == 201


async def test_an_identity_number_with_a_wrong_check_character_is_invalid(service):
    number = id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert_error(await sign_up(service, "typo", id_number=wrong), 422, "invalid_id_number")
    assert_error(await sign_up(service, "short", id_number=number[:17]), 422, "invalid_id_number")


async def test_one_account_per_identity_number(service):
    number = "11010519491231002X"
    assert (await sign_up(service, "first", id_number=number)).status_code == 201
    assert_error(await sign_up(service, "second", id_number=number), 409, "id_number_taken")
    assert_error(await sign_up(service, "third", id_number=number.lower()), 409, "id_number_taken")  # x is X
    assert_error(await sign_up(service, "first", id_number=id_number()), 409, "username_taken")


async def test_an_identity_number_another_account_holds_cannot_be_recorded_later(service):
    number = id_number()
    assert (await sign_up(service, "holder", id_number=number)).status_code == 201
    from auction_service.core import accounts

    services = service.services
    async with services.write_sessions() as session:
        await accounts.create_account(
            session, services.clock, username="older", password="password123", real_name="李四", role="bidder"
        )
        await session.commit()
    older = await service.api.token("older")
    r = await service.client.put("/api/v1/me/identity", json={"id_number": number}, headers=older)
    assert_error(r, 409, "id_number_taken")


# ----------------------------------------------------------------------------- complete announcements


async def test_an_incomplete_announcement_cannot_be_scheduled_and_the_answer_names_what_is_missing(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff, defects=None, taxes=None, contact="  ")
    r = await service.client.post(
        f"/api/v1/lots/{lot['id']}/auctions", json=listing_body(api.clock.now()), headers=staff
    )
    error = assert_error(r, 422, "announcement_incomplete")
    assert error["missing"] == ["defects", "taxes", "contact"]
    assert {f["field"] for f in error["fields"]} == {"defects", "taxes", "contact"}
    assert (await service.client.get(f"/api/v1/lots/{lot['id']}")).json()["auctions"] == []


async def test_staff_may_state_that_none_is_known_and_then_schedule(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff, location=None, defects=None, encumbrances=None)
    edit = {"location": ANNOUNCEMENT["location"], "defects": "none known", "encumbrances": "none known"}
    r = await service.client.patch(f"/api/v1/lots/{lot['id']}", json=edit | {"reason": "公告补全"}, headers=staff)
    assert r.status_code == 200, r.text
    assert r.json()["defects"] == "none known"
    auction = await api.schedule(staff, lot["id"])
    assert auction["status"] == "announced"


# ----------------------------------------------------------------------------- priority holders


async def declare(service, s, username: str, rank: int, **extra):
    body = {"username": username, "rank": rank} | extra
    return await service.client.post(f"/api/v1/auctions/{s.id}/priority-holders", json=body, headers=s.staff)


async def test_a_priority_holder_declared_after_bidding_opened_needs_a_reason_and_is_logged(service):
    s = await scene(service, bidders=1, live=False)
    await service.api.bidder("tenant_li")
    await service.api.bidder("coowner_wu")
    assert (await declare(service, s, "tenant_li", 2)).status_code == 201  # before opening: no reason needed
    await go_to(service, s.start_at)
    error = assert_error(await declare(service, s, "coowner_wu", 1), 422, "reason_required")
    assert error["fields"][0]["field"] == "reason"
    assert_error(await declare(service, s, "coowner_wu", 1, reason="   "), 422)
    r = await declare(service, s, "coowner_wu", 1, reason="共有人优先购买权经法院确认(补充公告)")
    assert r.status_code == 201, r.text
    page = await service.client.get(f"/api/v1/lots/{s.lot['id']}/actions", headers=s.staff)
    declared = [e for e in page.json()["items"] if e["action"] == "priority_holder_declared"]
    assert sorted((e["after"]["rank"], e["after"]["after_opening"], e["reason"]) for e in declared) == [
        (1, True, "共有人优先购买权经法院确认(补充公告)"),
        (2, False, None),
    ]


# ----------------------------------------------------------------------------- 悔拍 and payment


async def sold_scene(service):
    s = await scene(service, bidders=1)
    r = await service.api.bid(s.bidders[0], s.id, s.auction["starting_price"])
    assert r.status_code == 201, r.text
    await go_to(service, s.end_at)
    return s


async def settle(service, s, **body):
    return await service.client.post(f"/api/v1/auctions/{s.id}/settlement", json=body, headers=s.staff)


async def test_a_default_before_the_balance_deadline_is_refused(service):
    s = await sold_scene(service)
    error = assert_error(await settle(service, s, outcome="defaulted"), 409, "balance_not_due")
    due = t(error["balance_due_at"])
    assert due == s.end_at + timedelta(days=10)
    assert_error(await settle(service, s, outcome="defaulted", renounced=True), 422, "reason_required")
    auction = await service.api.auction(s.id)
    assert auction["status"] == "sold"
    me = await service.client.get("/api/v1/me/registrations", headers=s.bidders[0])
    assert me.json()["items"][0]["deposit_status"] == "frozen"  # nothing forfeited


async def test_a_written_renunciation_allows_the_default_before_the_deadline_and_is_recorded(service):
    s = await sold_scene(service)
    grounds = {"reason": "买受人书面表示放弃购买", "ruling_number": "(2026)粤03执恢12号之一", "evidence": "放弃声明书"}
    r = await settle(service, s, outcome="defaulted", renounced=True, **grounds)
    assert r.status_code == 200, r.text
    assert r.json()["renounced"] is True and r.json()["ruling_number"] == grounds["ruling_number"]
    page = (await service.client.get(f"/api/v1/lots/{s.lot['id']}/actions", headers=s.staff)).json()
    [entry] = [e for e in page["items"] if e["action"] == "sale_defaulted"]
    assert entry["reason"] == grounds["reason"]
    assert entry["after"]["renounced"] is True and entry["after"]["evidence"] == "放弃声明书"


async def test_a_default_after_the_balance_deadline_needs_no_renunciation(service):
    s = await sold_scene(service)
    await go_to(service, s.end_at + timedelta(days=10, seconds=1))
    r = await settle(service, s, outcome="defaulted", reason="逾期未缴纳余款")
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "defaulted" and r.json()["renounced"] is False


async def test_a_payment_is_recorded_with_its_amount_day_and_evidence(service):
    s = await sold_scene(service)
    balance = s.auction["starting_price"] - s.auction["deposit"]
    wrong = await settle(service, s, outcome="paid", amount=balance + 1)
    assert assert_error(wrong, 422, "payment_amount_mismatch")["balance_due"] == balance
    assert_error(await settle(service, s, outcome="paid", renounced=True), 422)
    assert_error(await settle(service, s, outcome="paid", paid_on=0), 422)  # a day is written YYYY-MM-DD
    r = await settle(service, s, outcome="paid", amount=balance, paid_on="2026-06-03", evidence="银行回单 No.889")
    assert r.status_code == 200, r.text
    page = (await service.client.get(f"/api/v1/lots/{s.lot['id']}/actions", headers=s.staff)).json()
    [entry] = [e for e in page["items"] if e["action"] == "sale_paid"]
    assert {k: entry["after"][k] for k in ("amount", "paid_on", "evidence")} == {
        "amount": balance,
        "paid_on": "2026-06-03",
        "evidence": "银行回单 No.889",
    }


# ----------------------------------------------------------------------------- other property rights


async def test_another_property_right_is_announced_30_days_ahead_and_movables_15(service):
    api = service.api
    staff = await api.staff(service.services)
    right = await api.lot(staff, title="某商标专用权", category="property_right", appraisal=1_000_000_00)
    early = listing_body(api.clock.now(), starting_price=700_000_00, start_in=timedelta(days=20))
    r = await service.client.post(f"/api/v1/lots/{right['id']}/auctions", json=early, headers=staff)
    assert_error(r, 422, "announcement_too_short")
    assert (await api.schedule(staff, right["id"], starting_price=700_000_00, start_in=timedelta(days=31)))["id"]
    movable = await api.lot(staff, title="办公家具一批", category="other", appraisal=1_000_000_00)
    r = await service.client.post(f"/api/v1/lots/{movable['id']}/auctions", json=early, headers=staff)
    assert r.status_code == 201, r.text


async def test_a_priority_holder_is_declared_with_the_kind_of_right_its_basis_and_the_notice_date(service):
    s = await scene(service, bidders=1, live=False)
    await service.api.bidder("tenant_zhou")
    grounds = {"kind": "tenant", "basis": "房屋租赁合同(2024-03-01 至 2027-02-28)", "notice_date": "2026-05-02"}
    r = await declare(service, s, "tenant_zhou", 1, **grounds)
    assert r.status_code == 201, r.text
    assert {k: r.json()[k] for k in grounds} == grounds
    assert_error(await declare(service, s, "tenant_zhou", 1, kind="neighbour"), 422)
    published = (await service.client.get(f"/api/v1/auctions/{s.id}/priority-holders")).json()
    assert published["items"] == [{"rank": 1, "kind": "tenant", "name": None, "bidder_code": None}]
    page = await service.client.get(f"/api/v1/lots/{s.lot['id']}/actions", headers=s.staff)
    [entry] = [e for e in page.json()["items"] if e["action"] == "priority_holder_declared"]
    assert {k: entry["after"][k] for k in grounds} == grounds
