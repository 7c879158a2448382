"""The lot's record: one hash chain per lot over its actions and every move of a deposit. Edits made to
the database behind the service's back that no other check sees (the lot's latest action deleted, a
registration deleted, a deposit's amount changed with the auction's, a payment's amount or an action's
reason rewritten) are found by ``auction-service audit verify``; an action or a registrant dropped from a
case file disagrees with the record the case file carries, whoever signed it."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import orjson
import pytest
from sqlalchemy import delete, select, text, update
from typer.testing import CliRunner

from auction_cli.main import app as cli
from auction_rules.lot_record import genesis
from auction_service.contract.case_file import verify_case_file
from auction_service.core.case_file_key import signing_key
from auction_service.db.models import ActionLog, Auction, LotRecordEntry, Registration
from tests.api.test_case_file_tampering import export, forge, members
from tests.support.scenes import INCREMENT, START_PRICE, go_to, scene

runner = CliRunner()


async def audit_database(service):
    url = service.services.settings.database_url
    return await asyncio.to_thread(runner.invoke, cli, ["audit", "verify", "--database-url", url])


async def sale_with_an_onlooker(service):
    """Two bidders bid, a third registers and never bids; the clock past the end."""
    s = await scene(service, bidders=3, real_names=["李四", "王五", "赵六"])
    for i in range(2):
        r = await service.api.bid(s.bidders[i], s.id, START_PRICE + i * INCREMENT)
        assert r.status_code == 201, r.text
    await go_to(service, s.end_at)
    return s


async def paid(service, s) -> None:
    await go_to(service, s.end_at + timedelta(days=1))
    due = START_PRICE + INCREMENT - START_PRICE // 10
    r = await service.client.post(
        f"/api/v1/auctions/{s.id}/settlement",
        json={"outcome": "paid", "amount": due, "paid_on": "2026-01-01", "evidence": "银行回单 001"},
        headers=s.staff,
    )
    assert r.status_code == 200, r.text


async def behind_the_service(service, *statements) -> None:
    """Run SQL as someone holding the database would, append-only triggers lifted."""
    sqlite = service.services.settings.database_url.startswith("sqlite")
    async with service.services.write_sessions() as session:
        if sqlite:
            for trigger in ("action_log_no_update", "action_log_no_delete"):
                await session.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        else:
            await session.execute(text("ALTER TABLE action_log DISABLE TRIGGER action_log_append_only"))
        for statement in statements:
            await session.execute(statement)
        if not sqlite:
            await session.execute(text("ALTER TABLE action_log ENABLE TRIGGER action_log_append_only"))
        await session.commit()


async def test_every_action_and_every_deposit_move_is_chained_per_lot(service):
    s = await sale_with_an_onlooker(service)
    await paid(service, s)
    async with service.services.read_sessions() as session:
        rows = (
            (
                await session.execute(
                    select(LotRecordEntry).where(LotRecordEntry.lot_id == s.lot["id"]).order_by(LotRecordEntry.seq)
                )
            )
            .scalars()
            .all()
        )
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == genesis(s.lot["id"])
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(rows))
    moves = [(r.bidder_code, r.status) for r in rows if r.kind == "deposit"]
    winner, losers = s.codes[1], [s.codes[0], s.codes[2]]
    assert moves[:3] == [(code, "frozen") for code in s.codes]
    assert sorted(moves[3:5]) == sorted((code, "released") for code in losers)
    assert moves[5:] == [(winner, "applied")]
    actions = [r.action_id for r in rows if r.kind == "action"]
    assert len(actions) == 3  # lot_created, auction_scheduled, sale_paid
    clean = await audit_database(service)
    assert clean.exit_code == 0, clean.output
    assert "deposits, settlements and dispositions: 0 disagree with the chains" in clean.output


async def test_the_lots_latest_action_deleted_is_caught(service):
    """The scheduling is the court's last action: its chain is still whole without it."""
    s = await sale_with_an_onlooker(service)
    assert (await audit_database(service)).exit_code == 0
    await behind_the_service(service, delete(ActionLog).where(ActionLog.action == "auction_scheduled"))
    tampered = await audit_database(service)
    assert tampered.exit_code == 1
    assert f"TAMPERED: lot {s.lot['id']}: action " in tampered.output
    assert "is in the lot's record but missing from the action log" in tampered.output


async def test_a_registration_deleted_from_the_database_is_caught(service):
    s = await sale_with_an_onlooker(service)
    await behind_the_service(service, delete(Registration).where(Registration.bidder_code == s.codes[2]))
    tampered = await audit_database(service)
    assert tampered.exit_code == 1
    assert f"({s.codes[2]}) is in the lot's record but missing" in tampered.output


async def test_a_deposit_lowered_with_the_auctions_deposit_is_caught(service):
    s = await sale_with_an_onlooker(service)
    await behind_the_service(
        service,
        update(Registration).where(Registration.auction_id == s.id).values(deposit=1_00),
        update(Auction).where(Auction.id == s.id).values(deposit=1_00),
    )
    tampered = await audit_database(service)
    assert tampered.exit_code == 1
    assert f"{s.codes[0]} 100 released, but the lot's record has {s.codes[0]} {START_PRICE // 10} released" in (
        tampered.output
    )


@pytest.mark.parametrize("column", ["reason", "after"])
async def test_a_payment_or_a_reason_rewritten_in_the_action_log_is_caught_for_the_lot(service, column):
    s = await sale_with_an_onlooker(service)
    await paid(service, s)
    value = {"reason": "quietly rewritten", "after": {"settlement": "paid", "amount": 1}}[column]
    await behind_the_service(service, update(ActionLog).where(ActionLog.action == "sale_paid").values({column: value}))
    tampered = await audit_database(service)
    assert tampered.exit_code == 1
    assert f"TAMPERED: lot {s.lot['id']}: action " in tampered.output
    assert "(sale_paid) does not match its hash" in tampered.output


def record_check(service, data: bytes) -> list[str]:
    return verify_case_file(data, signing_key(service.services.settings).public_raw).problems


async def test_the_case_file_carries_the_lots_record_and_it_verifies(service):
    s = await sale_with_an_onlooker(service)
    await paid(service, s)
    data = await export(service, s.staff, s.id)
    assert record_check(service, data) == []
    files = members(data)
    record = orjson.loads(files["record.json"])
    manifest = orjson.loads(files["manifest.json"])
    assert manifest["format"] == "judicial-auction-case-file/3"
    assert manifest["lot_record"] == {"entries": len(record["items"]), "head": record["items"][-1]["hash"]}


async def test_an_action_dropped_from_the_case_file_disagrees_with_the_lots_record(service):
    s = await sale_with_an_onlooker(service)
    data = await export(service, s.staff, s.id)
    actions = orjson.loads(members(data)["actions.json"])
    dropped = next(a for a in actions["items"] if a["action"] == "auction_scheduled")
    actions["items"].remove(dropped)
    problems = verify_case_file(forge(data, {"actions.json": orjson.dumps(actions)})).problems
    assert f"lot's record: action {dropped['id']} is in the lot's record but missing from the action log" in problems


async def test_a_registrant_dropped_from_the_case_file_disagrees_with_the_lots_record(service):
    s = await sale_with_an_onlooker(service)
    data = await export(service, s.staff, s.id)
    files = members(data)
    registrants, deposits = orjson.loads(files["registrants.json"]), orjson.loads(files["deposits.json"])
    registrants["items"] = [r for r in registrants["items"] if r["bidder_code"] != s.codes[2]]
    deposits["items"] = [d for d in deposits["items"] if d["bidder_code"] != s.codes[2]]
    forged = forge(data, {"registrants.json": orjson.dumps(registrants), "deposits.json": orjson.dumps(deposits)})
    problems = verify_case_file(forged).problems
    assert any(
        p.startswith("lot's record: registration") and f"({s.codes[2]}) is in the lot's record" in p for p in problems
    )


async def test_a_record_entry_dropped_from_the_case_file_breaks_its_chain(service):
    s = await sale_with_an_onlooker(service)
    data = await export(service, s.staff, s.id)
    record = orjson.loads(members(data)["record.json"])
    del record["items"][1]
    problems = verify_case_file(forge(data, {"record.json": orjson.dumps(record)})).problems
    assert "lot's record: entry 2 is missing (found 3)" in problems
