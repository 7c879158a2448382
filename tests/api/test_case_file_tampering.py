"""A case file nobody can rewrite quietly. A forger who rewrites a bid, the chain after it, the CSV and
the manifest's digests consistently, deletes the 悔拍 entry, or renames the winner still fails: the
manifest is signed with the service's Ed25519 key (published at ``GET /api/v1/case-file-key``), and the
result, the deposits and the settlement are held to the bid chain and the action log. A damaged archive
is one line. Edits made to the database behind the service's back (a deposit's status, a disposition's
price) are found by ``auction-service audit verify``."""

from __future__ import annotations

import asyncio
import base64
import csv
import hashlib
import io
import zipfile
from datetime import datetime, timedelta

import orjson
from sqlalchemy import update
from typer.testing import CliRunner

from auction_cli.main import app as cli
from auction_rules.audit import bid_hash, genesis
from auction_rules.lot_record import RecordEntry
from auction_rules.lot_record import entry_hash as record_hash
from auction_rules.lot_record import genesis as lot_genesis
from auction_service.contract.case_file import BID_FIELDS, verify_case_file
from auction_service.core.case_file_key import signing_key
from auction_service.db.models import Lot, Registration
from tests.conftest import make_settings
from tests.support.scenes import INCREMENT, START_PRICE, end_unsold, go_to, scene

runner = CliRunner()
ROUND2_PRICE = START_PRICE * 4 // 5
SIGNATURE_BROKEN = "manifest.sig: the signature does not match the manifest"


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def forge(data: bytes, changed: dict[str, bytes | None]) -> bytes:
    """The archive with members replaced (None: removed) and the manifest's digests recomputed to match,
    as a forger without the service's key would do; the old signature is kept."""
    files = members(data)
    for name, body in changed.items():
        if body is None:
            files.pop(name)
        else:
            files[name] = body
    manifest = orjson.loads(files["manifest.json"])
    if "bids.json" in changed:
        manifest["bid_chain"]["head"] = orjson.loads(files["bids.json"])["chain"]["head"]
    if "record.json" in changed:
        items = orjson.loads(files["record.json"])["items"]
        manifest["lot_record"] = {"entries": len(items), "head": items[-1]["hash"]}
    manifest["files"] = [
        {"name": name, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
        for name, body in sorted(files.items())
        if name not in ("manifest.json", "manifest.sig")
    ]
    files["manifest.json"] = orjson.dumps(manifest)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return out.getvalue()


def check(service, data: bytes, tmp_path) -> tuple[list[str], str, int]:
    """The problems ``verify_case_file`` finds with the service's key, and what the CLI says."""
    key = signing_key(service.services.settings)
    problems = verify_case_file(data, key.public_raw).problems
    path = tmp_path / "case.zip"
    path.write_bytes(data)
    public = tmp_path / "service-key.pem"
    public.write_text(key.public_pem)
    out = runner.invoke(cli, ["audit", "verify", "--case-file", str(path), "--key", str(public)])
    return problems, out.output, out.exit_code


async def export(service, staff, auction_id: int) -> bytes:
    r = await service.client.get(f"/api/v1/auctions/{auction_id}/case-file", headers=staff)
    assert r.status_code == 200, r.text
    return r.content


async def four_bid_sale(service):
    s = await scene(service, bidders=2, real_names=["李四", "王五"])
    for i in range(4):
        r = await service.api.bid(s.bidders[i % 2], s.id, START_PRICE + i * INCREMENT)
        assert r.status_code == 201, r.text
    await go_to(service, s.end_at)
    return s


def bids_rewritten(files: dict[str, bytes], auction_id: int, seq: int, code: str, amount: int) -> dict[str, bytes]:
    """Bid ``seq`` given to ``code`` at ``amount``, every hash from it on recomputed, the CSV rewritten."""
    record = orjson.loads(files["bids.json"])
    previous = genesis(auction_id)
    for bid in record["items"]:
        if bid["seq"] == seq:
            bid["bidder_code"], bid["amount"] = code, amount
        placed = datetime.fromisoformat(bid["placed_at"].replace("Z", "+00:00"))
        bid["chain_hash"] = bid_hash(
            previous, auction_id, bid["seq"], bid["bidder_code"], bid["amount"], placed, bid["priority"]
        )
        previous = bid["chain_hash"]
    record["chain"]["head"] = previous
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(BID_FIELDS), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for bid in record["items"]:
        writer.writerow({k: "" if bid.get(k) is None else bid[k] for k in BID_FIELDS})
    return {"bids.json": orjson.dumps(record), "bids.csv": out.getvalue().encode()}


def record_rewritten(files: dict[str, bytes], lot_id: int, deposits: dict) -> dict[str, bytes]:
    """The lot's record with the deposits' moves replaced by those ``deposits`` states, every hash from
    there on recomputed, as a forger would make it agree."""
    record = orjson.loads(files["record.json"])
    kept = [e for e in record["items"] if e["kind"] == "action" or e["status"] == "frozen"]
    at = record["items"][-1]["at"]
    for d in deposits["items"]:
        if d["deposit_status"] != "frozen":
            moved = {k: None for k in kept[0]} | {"kind": "deposit", "auction_id": deposits["auction_id"], "at": at}
            moved |= {"registration_id": d["registration_id"], "bidder_code": d["bidder_code"]}
            kept.append(moved | {"amount": d["deposit"], "status": d["deposit_status"]})
    previous = lot_genesis(lot_id)
    for seq, e in enumerate(kept, start=1):
        entry = RecordEntry(
            lot_id, e["kind"], e["auction_id"], datetime.fromisoformat(e["at"].replace("Z", "+00:00")),
            e["action_id"], e["action_hash"], e["registration_id"], e["bidder_code"], e["amount"], e["status"],
        )  # fmt: skip
        e["seq"], e["prev_hash"] = seq, previous
        e["hash"] = previous = record_hash(previous, seq, entry)
    record["items"] = kept
    return {"record.json": orjson.dumps(record)}


async def test_the_public_key_is_published_and_printed_and_signs_every_case_file(service):
    s = await four_bid_sale(service)
    published = (await service.client.get("/api/v1/case-file-key")).json()
    key = signing_key(service.services.settings)
    assert published["algorithm"] == "Ed25519"
    assert base64.b64decode(published["public_key"]) == key.public_raw and published["key_id"] == key.key_id
    assert "BEGIN PUBLIC KEY" in published["public_key_pem"]
    url = service.services.settings.database_url
    printed = await asyncio.to_thread(runner.invoke, cli, ["audit", "key", "--database-url", url])
    assert printed.exit_code == 0, printed.output
    assert published["public_key"] in printed.output and published["public_key_pem"].strip() in printed.output
    manifest = orjson.loads(members(await export(service, s.staff, s.id))["manifest.json"])
    assert manifest["signing_key"]["public_key"] == published["public_key"]


async def test_a_bid_rewritten_to_another_bidder_with_chain_csv_and_manifest_recomputed_is_caught(service, tmp_path):
    s = await four_bid_sale(service)
    data = await export(service, s.staff, s.id)
    files = members(data)
    forged_bids = bids_rewritten(files, s.id, 4, s.codes[0], START_PRICE + 9 * INCREMENT)
    result = orjson.loads(files["result.json"])
    result["winner_code"], result["price"], result["winner_name"] = s.codes[0], START_PRICE + 9 * INCREMENT, "李四"
    deposits = orjson.loads(files["deposits.json"])
    for item in deposits["items"]:
        item["deposit_status"] = "frozen" if item["bidder_code"] == s.codes[0] else "released"
    forged_record = record_rewritten(files, s.lot["id"], deposits)
    forged = forge(
        data,
        {**forged_bids, **forged_record, "result.json": orjson.dumps(result), "deposits.json": orjson.dumps(deposits)},
    )
    problems, output, code = check(service, forged, tmp_path)
    # the chain, the CSV, the result, the deposits, the lot's record and the digests all agree; only the
    # signature does not
    assert len(problems) == 1 and problems[0].startswith(SIGNATURE_BROKEN), problems
    assert code == 1 and "case file FAILED verification" in output


async def test_a_bid_rewritten_without_touching_the_result_is_caught_by_the_result(service):
    s = await four_bid_sale(service)
    data = await export(service, s.staff, s.id)
    forged = forge(data, bids_rewritten(members(data), s.id, 4, s.codes[0], START_PRICE + 9 * INCREMENT))
    problems = verify_case_file(forged).problems  # even checked against the key the forger could name
    assert any("the bid chain's highest valid bid is" in p for p in problems), problems


async def test_a_deleted_default_entry_is_caught(service, tmp_path):
    s = await four_bid_sale(service)
    # past any balance deadline, so the 悔拍 is due under every rule
    await go_to(service, s.end_at + timedelta(days=90))
    r = await service.client.post(
        f"/api/v1/auctions/{s.id}/settlement",
        json={"outcome": "defaulted"},
        headers=s.staff,
    )
    assert r.status_code == 200, r.text
    data = await export(service, s.staff, s.id)
    assert verify_case_file(data, signing_key(service.services.settings).public_raw).valid
    files = members(data)
    actions = orjson.loads(files["actions.json"])
    assert actions["items"][-1]["action"] == "sale_defaulted"
    actions["items"] = [a for a in actions["items"] if a["action"] != "sale_defaulted"]
    manifest_changes = {"actions.json": orjson.dumps(actions)}
    forged = forge(data, manifest_changes)
    problems, _output, code = check(service, forged, tmp_path)
    assert any(p.startswith(SIGNATURE_BROKEN) for p in problems), problems
    assert any("the result says defaulted but the action log records no settlement" in p for p in problems)
    assert code == 1


async def test_the_winners_name_changed_in_the_result_is_caught(service, tmp_path):
    s = await four_bid_sale(service)
    data = await export(service, s.staff, s.id)
    result = orjson.loads(members(data)["result.json"])
    assert result["winner_name"] == "王五"
    result["winner_name"] = "张三"
    problems, _output, code = check(service, forge(data, {"result.json": orjson.dumps(result)}), tmp_path)
    assert any(p.startswith(SIGNATURE_BROKEN) for p in problems), problems
    assert "result.json: names the winner '张三', but registrant" in "\n".join(problems)
    assert code == 1


async def test_a_case_file_signed_with_another_key_is_caught(service, tmp_path):
    s = await four_bid_sale(service)
    data = await export(service, s.staff, s.id)
    files = members(data)
    forger = signing_key(make_settings("sqlite:///unused.db", case_file_key=str(tmp_path / "forger.pem")))
    manifest = orjson.loads(files["manifest.json"])
    manifest["signing_key"]["public_key"] = forger.public_base64
    body = orjson.dumps(manifest)
    signature = orjson.dumps({"signature": base64.b64encode(forger.sign(body)).decode()})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, member in {**files, "manifest.json": body, "manifest.sig": signature}.items():
            archive.writestr(name, member)
    assert verify_case_file(out.getvalue()).valid  # consistent with itself...
    problems = verify_case_file(out.getvalue(), signing_key(service.services.settings).public_raw).problems
    assert any("not the service's key" in p for p in problems), problems  # ...but not the service's


async def test_a_flipped_compressed_byte_is_one_line_and_a_failure(service, tmp_path):
    s = await four_bid_sale(service)
    data = bytearray(await export(service, s.staff, s.id))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("bids.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    problems, output, code = check(service, bytes(data), tmp_path)
    assert len(problems) == 1 and problems[0].startswith("the archive is damaged: bids.json cannot be read")
    assert code == 1 and len(output.strip().splitlines()) == 1, output
    assert output.startswith("case file case.zip FAILED: the archive is damaged: bids.json")
    assert "unexpected" not in output


async def audit_database(service, *args: str):
    url = service.services.settings.database_url
    return await asyncio.to_thread(runner.invoke, cli, ["audit", "verify", "--database-url", url, *args])


async def test_a_deposit_status_edited_in_the_database_is_caught(service):
    s = await four_bid_sale(service)
    clean = await audit_database(service)
    assert clean.exit_code == 0, clean.output
    assert "deposits, settlements and dispositions: 0 disagree with the chains" in clean.output
    async with service.services.write_sessions() as session:
        await session.execute(
            update(Registration).where(Registration.bidder_code == s.codes[1]).values(deposit_status="applied")
        )
        await session.commit()
    tampered = await audit_database(service)
    assert tampered.exit_code == 1
    assert (
        f"TAMPERED: auction {s.id}: deposit of {s.codes[1]} is applied where the winner's deposit must be frozen"
        in (tampered.output)
    )
    one = await audit_database(service, "--auction", str(s.id))
    assert one.exit_code == 1 and f"deposit of {s.codes[1]} is applied" in one.output


async def test_a_disposition_price_edited_in_the_database_is_caught(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    await end_unsold(service, staff, lot["id"])
    await end_unsold(service, staff, lot["id"], starting_price=ROUND2_PRICE, start_in=timedelta(days=15))
    r = await service.client.post(
        f"/api/v1/lots/{lot['id']}/disposition", json={"outcome": "creditor_taken"}, headers=staff
    )
    assert r.status_code == 200, r.text
    assert (await audit_database(service)).exit_code == 0
    async with service.services.write_sessions() as session:
        await session.execute(update(Lot).where(Lot.id == lot["id"]).values(disposition_price=ROUND2_PRICE // 2))
        await session.commit()
    tampered = await audit_database(service)
    assert tampered.exit_code == 1
    assert (
        f"TAMPERED: lot {lot['id']}: disposition creditor_taken at price {ROUND2_PRICE // 2} in the database, "
        f"but the action log records creditor_taken at price {ROUND2_PRICE}"
    ) in tampered.output
