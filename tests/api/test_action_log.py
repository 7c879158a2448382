"""全程留痕: every staff and admin action is on the record once, with its actor, the server's time, the
reason and the state before and after; the record is hash-chained, append-only, read by the court's
own staff and admins, and it survives a restart. A refused action records nothing."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from auction_service.app import create_app
from auction_service.clock import ManualClock, isoformat
from auction_service.core import accounts
from auction_service.core.action_log import verify_chains
from bidder_client import WEB_ROOT
from tests.conftest import START, Service, make_settings
from tests.support.scenes import START_PRICE, assert_error, go_to, settlement_body, t

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def actions_of(service, staff, lot_id: int, **params) -> dict:
    r = await service.client.get(f"/api/v1/lots/{lot_id}/actions", params=params, headers=staff)
    assert r.status_code == 200, r.text
    return r.json()


async def admin(service, username: str = "admin1") -> dict[str, str]:
    async with service.services.write_sessions() as session:
        await accounts.create_account(
            session,
            service.services.clock,
            username=username,
            password="password123",
            real_name="管理员",
            role="admin",
            court_id=None,
        )
        await session.commit()
    return await service.api.token(username)


@asynccontextmanager
async def running(db_url: str, clock: ManualClock):
    app = create_app(make_settings(db_url), clock=clock, migrate_on_start=False, web_root=WEB_ROOT)
    async with app.api.router.lifespan_context(app.api):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Service(app, clock, client, "http://test")


async def test_each_action_is_logged_once_with_actor_time_reason_and_states_and_survives_a_restart(db_url):
    clock = ManualClock(START)
    async with running(db_url, clock) as service:
        api, client = service.api, service.client
        clerk = await api.staff(service.services, username="clerk_wang")
        lot = await api.lot(clerk, title="某住宅")
        lot_id = lot["id"]
        clock.advance(minutes=1)
        r = await client.patch(
            f"/api/v1/lots/{lot_id}", json={"title": "某住宅(更正)", "reason": "门牌号有误"}, headers=clerk
        )
        assert r.status_code == 200, r.text
        assert r.json()["title"] == "某住宅(更正)"
        r = await client.post(
            f"/api/v1/lots/{lot_id}/documents",
            files={"file": ("report.pdf", PDF, "application/pdf")},
            data={"kind": "appraisal_report"},
            headers=clerk,
        )
        assert r.status_code == 201, r.text
        auction = await api.schedule(clerk, lot_id)
        auction_id = auction["id"]
        clock.advance(hours=1)
        paused_at = clock.now()
        r = await client.post(
            f"/api/v1/auctions/{auction_id}/postpone", json={"reason": "申请执行人申请暂缓"}, headers=clerk
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "suspended"
        clock.advance(hours=2)
        assert (await client.post(f"/api/v1/auctions/{auction_id}/resume", headers=clerk)).status_code == 200
        r = await client.post(
            f"/api/v1/auctions/{auction_id}/suspend", json={"reason": "案外人提出异议"}, headers=clerk
        )
        assert r.status_code == 200
        assert (await client.post(f"/api/v1/auctions/{auction_id}/resume", headers=clerk)).status_code == 200
        r = await client.post(f"/api/v1/auctions/{auction_id}/withdraw", json={"reason": "债务已清偿"}, headers=clerk)
        assert r.status_code == 200 and r.json()["status"] == "withdrawn"

        page = await actions_of(service, clerk, lot_id)
        kinds = [a["action"] for a in page["items"]]
        assert kinds == [
            "lot_created",
            "lot_edited",
            "document_uploaded",
            "auction_scheduled",
            "auction_postponed",
            "auction_resumed",
            "auction_suspended",
            "auction_resumed",
            "auction_withdrawn",
        ]
        assert page["total"] == 9
        assert {a["actor"] for a in page["items"]} == {"clerk_wang"}
        assert {a["role"] for a in page["items"]} == {"staff"}
        by_kind = {a["action"]: a for a in page["items"]}
        edit = by_kind["lot_edited"]
        assert edit["reason"] == "门牌号有误"
        assert edit["before"]["title"] == "某住宅" and edit["after"]["title"] == "某住宅(更正)"
        assert edit["at"] == isoformat(START + timedelta(minutes=1))
        postponed = by_kind["auction_postponed"]
        assert postponed["auction_id"] == auction_id and postponed["reason"] == "申请执行人申请暂缓"
        assert postponed["at"] == isoformat(paused_at)
        assert postponed["before"]["status"] == "announced" and postponed["after"]["status"] == "suspended"
        assert postponed["after"]["pause_kind"] == "postponed"
        assert by_kind["auction_suspended"]["after"]["pause_kind"] == "suspended"
        assert by_kind["auction_withdrawn"]["after"]["status"] == "withdrawn"
        assert by_kind["document_uploaded"]["after"]["sha256"]
        assert [a["seq"] for a in page["items"]] == list(range(1, 10))
        court_id = lot["court_id"]
        court_page = (await client.get(f"/api/v1/courts/{court_id}/actions", headers=clerk)).json()
        assert [a["id"] for a in court_page["items"]] == [a["id"] for a in page["items"]]

        # the published history keeps each pause's kind and reason after the resumption
        history = (await client.get(f"/api/v1/auctions/{auction_id}/status-history")).json()["items"]
        assert [(h["change"], h["reason"]) for h in history] == [
            ("postponed", "申请执行人申请暂缓"),
            ("resumed", None),
            ("suspended", "案外人提出异议"),
            ("resumed", None),
            ("withdrawn", "债务已清偿"),
        ]

    async with running(db_url, clock) as again:  # a restart: a new process on the same database
        page_after = await actions_of(again, await again.api.token("clerk_wang"), lot_id)
        assert page_after == page
        async with again.services.read_sessions() as session:
            reports = await verify_chains(session)
        assert [(r.chain, r.valid, r.entries) for r in reports] == [(court_id, True, 9)]


async def test_settlement_and_default_and_disposition_are_logged(service):
    api, client = service.api, service.client
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    auction = await api.schedule(staff, lot["id"])
    bidder = await api.bidder()
    await api.register(bidder, auction["id"])
    await go_to(service, t(auction["start_at"]))
    assert (await api.bid(bidder, auction["id"], START_PRICE)).status_code == 201
    await go_to(service, t(auction["end_at"]))
    r = await client.post(
        f"/api/v1/auctions/{auction['id']}/settlement", json=settlement_body("defaulted"), headers=staff
    )
    assert r.status_code == 200, r.text
    entries = (await actions_of(service, staff, lot["id"], limit=2, offset=2))["items"]
    assert [e["action"] for e in entries] == ["sale_defaulted"]
    assert entries[0]["before"]["settlement"] is None and entries[0]["after"]["settlement"] == "defaulted"
    assert entries[0]["after"]["deposit_status"] == "forfeited"
    # a second settlement is refused and logs nothing
    r = await client.post(f"/api/v1/auctions/{auction['id']}/settlement", json={"outcome": "paid"}, headers=staff)
    assert_error(r, 409, "already_settled")
    assert (await actions_of(service, staff, lot["id"]))["total"] == 3


async def test_the_log_is_read_by_the_courts_staff_and_admins_only(service):
    api, client = service.api, service.client
    staff = await api.staff(service.services, court="甲法院")
    other = await api.staff(service.services, court="乙法院")
    lot = await api.lot(staff)
    court_id = lot["court_id"]
    assert_error(await client.get(f"/api/v1/lots/{lot['id']}/actions", headers=other), 403, "wrong_court")
    assert_error(await client.get(f"/api/v1/courts/{court_id}/actions", headers=other), 403, "wrong_court")
    bidder = await api.bidder()
    assert_error(await client.get(f"/api/v1/lots/{lot['id']}/actions", headers=bidder), 403, "staff_only")
    assert_error(await client.get(f"/api/v1/lots/{lot['id']}/actions"), 401, "unauthorized")
    boss = await admin(service)
    r = await client.get(f"/api/v1/courts/{court_id}/actions", headers=boss, params={"action": "lot_created"})
    assert r.status_code == 200 and r.json()["total"] == 1
    # bad input: the envelope, nothing read
    assert_error(await client.get("/api/v1/lots/999999/actions", headers=staff), 404, "lot_not_found")
    assert_error(await client.get("/api/v1/courts/999999/actions", headers=boss), 404, "court_not_found")
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "١"}):
        r = await client.get(f"/api/v1/lots/{lot['id']}/actions", headers=staff, params=params)
        assert_error(r, 422, "validation_error")
    r = await client.get(f"/api/v1/courts/{court_id}/actions", headers=staff, params={"action": "bogus"})
    assert_error(r, 422, "invalid_action")
    assert_error(await client.get("/api/v1/lots/99999999999/actions", headers=staff), 422, "validation_error")


async def test_refused_or_malformed_actions_record_nothing(service):
    api, client = service.api, service.client
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    auction = await api.schedule(staff, lot["id"])
    before = (await actions_of(service, staff, lot["id"]))["total"]
    assert_error(
        await client.post(f"/api/v1/auctions/{auction['id']}/resume", headers=staff), 409, "auction_not_suspended"
    )
    r = await client.post(f"/api/v1/auctions/{auction['id']}/postpone", json={"reason": ""}, headers=staff)
    assert_error(r, 422, "validation_error")
    r = await client.patch(f"/api/v1/lots/{lot['id']}", json={"appraisal": 1.5}, headers=staff)
    assert_error(r, 422, "validation_error")
    r = await client.patch(f"/api/v1/lots/{lot['id']}", json={"title": None}, headers=staff)
    assert_error(r, 422, "validation_error")
    r = await client.patch(f"/api/v1/lots/{lot['id']}", json={"colour": "red"}, headers=staff)
    assert_error(r, 422, "validation_error")
    r = await client.patch(f"/api/v1/lots/{lot['id']}", json={}, headers=staff)
    assert_error(r, 422, "nothing_to_change")
    # appraisal is fixed while a round is announced: 409, and the lot is unchanged
    r = await client.patch(f"/api/v1/lots/{lot['id']}", json={"appraisal": 9_000_000_00}, headers=staff)
    assert_error(r, 409, "lot_terms_announced")
    assert (await client.get(f"/api/v1/lots/{lot['id']}")).json()["appraisal"] == lot["appraisal"]
    assert (await actions_of(service, staff, lot["id"]))["total"] == before


async def test_the_log_is_append_only_in_the_database(service):
    api = service.api
    staff = await api.staff(service.services)
    await api.lot(staff)
    async with service.services.write_sessions() as session:
        with pytest.raises(DBAPIError):
            await session.execute(text("UPDATE action_log SET reason = 'rewritten'"))
        await session.rollback()
        with pytest.raises(DBAPIError):
            await session.execute(text("DELETE FROM action_log"))
        await session.rollback()
    async with service.services.read_sessions() as session:
        assert [r.valid for r in await verify_chains(session)] == [True]


async def test_a_lot_is_edited_only_before_its_auction_opens(service):
    api, client = service.api, service.client
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    r = await client.patch(
        f"/api/v1/lots/{lot['id']}", json={"appraisal": 11_000_000_00, "category": "commercial"}, headers=staff
    )
    assert r.status_code == 200 and r.json()["appraisal"] == 11_000_000_00 and r.json()["category"] == "commercial"
    auction = await api.schedule(staff, lot["id"], starting_price=START_PRICE * 11 // 10)
    cleared = await client.patch(f"/api/v1/lots/{lot['id']}", json={"taxes": None}, headers=staff)
    assert assert_error(cleared, 422, "announcement_incomplete")["missing"] == ["taxes"]  # announced: stays complete
    r = await client.patch(f"/api/v1/lots/{lot['id']}", json={"defects": "屋顶渗水"}, headers=staff)
    assert r.status_code == 200 and r.json()["defects"] == "屋顶渗水"
    await go_to(service, t(auction["start_at"]))
    r = await client.patch(f"/api/v1/lots/{lot['id']}", json={"description": "迟到的更正"}, headers=staff)
    assert_error(r, 409, "lot_auction_opened")
    other = await api.staff(service.services, court="别的法院")
    assert_error(
        await client.patch(f"/api/v1/lots/{lot['id']}", json={"title": "x"}, headers=other), 403, "wrong_court"
    )
    assert_error(await client.patch("/api/v1/lots/999999", json={"title": "x"}, headers=staff), 404, "lot_not_found")
    edits = (
        await client.get(f"/api/v1/courts/{lot['court_id']}/actions", headers=staff, params={"action": "lot_edited"})
    ).json()
    assert edits["total"] == 2
    assert edits["items"][0]["before"]["appraisal"] == lot["appraisal"]
    assert edits["items"][1]["after"]["details"]["defects"] == "屋顶渗水"
    assert edits["items"][1]["before"]["details"]["defects"] == "none known"


async def test_audit_verify_recomputes_every_courts_chain_and_names_a_tampered_entry(service, db_url):
    """``auction-service audit verify`` checks the action log too: an entry rewritten behind the
    service's back (the append-only trigger lifted first, as only a database owner could) is caught."""
    import asyncio

    from typer.testing import CliRunner

    from auction_cli.main import app as cli

    api = service.api
    one = await api.staff(service.services, court="甲法院")
    two = await api.staff(service.services, court="乙法院")
    await api.lot(one)
    lot = await api.lot(two)
    await service.client.patch(f"/api/v1/lots/{lot['id']}", json={"title": "更正"}, headers=two)

    def verify() -> object:
        return CliRunner().invoke(cli, ["audit", "verify", "--database-url", db_url])

    done = await asyncio.to_thread(verify)
    assert done.exit_code == 0, done.output
    assert "2 action logs checked, 0 with a broken chain" in done.output
    sqlite = db_url.startswith("sqlite")
    lift = (
        "DROP TRIGGER action_log_no_update"
        if sqlite
        else "ALTER TABLE action_log DISABLE TRIGGER action_log_append_only"
    )
    async with service.services.write_sessions() as session:
        await session.execute(text(lift))
        await session.execute(text("UPDATE action_log SET reason = 'quietly rewritten' WHERE action = 'lot_edited'"))
        if not sqlite:
            await session.execute(text("ALTER TABLE action_log ENABLE TRIGGER action_log_append_only"))
        await session.commit()
    done = await asyncio.to_thread(verify)
    assert done.exit_code == 1
    assert f"action log of court {lot['court_id']}: TAMPERED at seq 2" in done.output
    assert "2 action logs checked, 1 with a broken chain" in done.output
