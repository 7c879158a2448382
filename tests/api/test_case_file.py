"""The case file (案卷) of an auction: one zip with the announcement, the bid record (JSON and CSV) and
its chain head, the deposits ledger, the lot's action log, the result and the confirmation PDF if sold,
and a manifest of SHA-256 digests that a third party checks with ``auction-service audit verify
--case-file`` (no service, no database). Any change to any file is caught."""

from __future__ import annotations

import hashlib
import io
import zipfile

import orjson
import pytest
from typer.testing import CliRunner

from auction_cli.main import app as cli
from auction_service.contract.case_file import verify_case_file
from auction_service.core.case_file_key import signing_key
from tests.support.scenes import INCREMENT, START_PRICE, assert_error, go_to, scene

runner = CliRunner()


async def export(service, staff, auction_id: int):
    r = await service.client.get(f"/api/v1/auctions/{auction_id}/case-file", headers=staff)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    return r


def rezip(data: bytes, change) -> bytes:
    """The archive with one member rewritten by ``change(name, bytes) -> bytes``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info)))
    return out.getvalue()


async def sold_scene(service):
    s = await scene(service, bidders=2, real_names=["李四", "王五"])
    api = service.api
    for i, amount in enumerate((START_PRICE, START_PRICE + INCREMENT, START_PRICE + 3 * INCREMENT)):
        assert (await api.bid(s.bidders[i % 2], s.id, amount)).status_code == 201
    await go_to(service, s.end_at)
    return s


async def test_the_case_file_of_a_sold_auction_holds_everything_and_verifies(service, tmp_path):
    s = await sold_scene(service)
    r = await export(service, s.staff, s.id)
    data = r.content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        manifest = orjson.loads(archive.read("manifest.json"))
        bids = orjson.loads(archive.read("bids.json"))
        actions = orjson.loads(archive.read("actions.json"))["items"]
        result = orjson.loads(archive.read("result.json"))
        pdf = archive.read("confirmation.pdf")
        deposits = orjson.loads(archive.read("deposits.json"))
        csv_text = archive.read("bids.csv").decode()
    assert names == {
        "manifest.json",
        "manifest.sig",
        "announcement.json",
        "priority_holders.json",
        "registrants.json",
        "payments.json",
        "documents.json",
        "bids.json",
        "bids.csv",
        "deposits.json",
        "deposits.csv",
        "actions.json",
        "actions.csv",
        "record.json",
        "announcement.html",
        "terms.html",
        "terms.json",
        "result.json",
        "confirmation.pdf",
    }
    assert (
        r.headers["x-case-file-digest"]
        == hashlib.sha256(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json")).hexdigest()
    )
    audit = (await service.client.get(f"/api/v1/auctions/{s.id}/audit")).json()
    assert manifest["bid_chain"]["head"] == bids["chain"]["head"] == audit["head"]
    assert [b["amount"] for b in bids["items"]] == [START_PRICE, START_PRICE + INCREMENT, START_PRICE + 3 * INCREMENT]
    assert len(csv_text.strip().splitlines()) == 1 + 3
    assert [a["action"] for a in actions] == ["lot_created", "auction_scheduled"]
    assert result["outcome"] == "sold" and result["winner_code"] == s.codes[0]
    assert pdf.startswith(b"%PDF")
    assert deposits["balanced"] is True and len(deposits["items"]) == 2

    key = signing_key(service.services.settings)
    report = verify_case_file(data, key.public_raw)
    assert report.valid, report.problems
    assert (report.bids, report.actions, report.digest) == (3, 2, r.headers["x-case-file-digest"])
    assert report.signed_by == key.key_id == manifest["signing_key"]["key_id"]
    path = tmp_path / "case.zip"
    path.write_bytes(data)
    public = tmp_path / "service-key.pem"
    public.write_text(key.public_pem)
    out = runner.invoke(cli, ["audit", "verify", "--case-file", str(path), "--key", str(public)])
    assert out.exit_code == 0, out.output
    assert f"signed by key {key.key_id}" in out.output
    assert "case file ok" in out.output and r.headers["x-case-file-digest"] in out.output


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("bids.json", "bids.json: does not match its SHA-256"),
        ("deposits.csv", "deposits.csv: does not match its SHA-256"),
        ("confirmation.pdf", "confirmation.pdf: does not match its SHA-256"),
    ],
)
async def test_any_change_to_a_file_fails_verification(service, tmp_path, name, problem):
    s = await sold_scene(service)
    data = (await export(service, s.staff, s.id)).content
    tampered = rezip(data, lambda n, body: body.replace(b"1", b"2", 1) if n == name else body)
    report = verify_case_file(tampered)
    assert not report.valid and any(p.startswith(problem) for p in report.problems), report.problems
    path = tmp_path / "tampered.zip"
    path.write_bytes(tampered)
    public = tmp_path / "service-key.pem"  # the service's key, named: the CLI's own settings are another run's
    public.write_text(signing_key(service.services.settings).public_pem)
    out = runner.invoke(cli, ["audit", "verify", "--case-file", str(path), "--key", str(public)])
    assert out.exit_code == 1 and "FAILED" in out.output, out.output


async def test_a_rewritten_bid_with_a_matching_manifest_still_fails_the_chain(service):
    """Whoever rewrites a bid and the manifest's digest to match is caught by the recomputed chain."""
    s = await sold_scene(service)
    data = (await export(service, s.staff, s.id)).content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = orjson.loads(archive.read("manifest.json"))
        bids = orjson.loads(archive.read("bids.json"))
    bids["items"][1]["amount"] += INCREMENT
    forged = orjson.dumps(bids)
    for f in manifest["files"]:
        if f["name"] == "bids.json":
            f["sha256"], f["size"] = hashlib.sha256(forged).hexdigest(), len(forged)
    swap = {"bids.json": forged, "manifest.json": orjson.dumps(manifest)}
    report = verify_case_file(rezip(data, lambda n, body: swap.get(n, body)))
    assert not report.valid
    assert "bid record: bid 2 does not match its hash" in report.problems


async def test_an_unsold_auction_has_no_result_pdf_and_the_export_is_staff_only(service):
    s = await scene(service, bidders=1)
    data = (await export(service, s.staff, s.id)).content  # while live: no result, no PDF
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert "result.json" not in names and "confirmation.pdf" not in names
    assert verify_case_file(data).valid
    await go_to(service, s.end_at)
    names = set(zipfile.ZipFile(io.BytesIO((await export(service, s.staff, s.id)).content)).namelist())
    assert "result.json" in names and "confirmation.pdf" not in names
    client = service.client
    other = await service.api.staff(service.services, court="别的法院")
    assert_error(await client.get(f"/api/v1/auctions/{s.id}/case-file", headers=other), 403, "wrong_court")
    assert_error(await client.get(f"/api/v1/auctions/{s.id}/case-file", headers=s.bidders[0]), 403, "staff_only")
    assert_error(await client.get(f"/api/v1/auctions/{s.id}/case-file"), 401, "unauthorized")
    assert_error(await client.get("/api/v1/auctions/999999/case-file", headers=s.staff), 404, "auction_not_found")


def test_what_is_not_a_case_file_is_refused(tmp_path):
    assert verify_case_file(b"not a zip").problems == ["not a zip archive"]
    assert verify_case_file(b"not a zip").damaged
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("bids.json", b"{}")
    assert verify_case_file(out.getvalue()).problems == ["no manifest.json"]
    result = runner.invoke(cli, ["audit", "verify", "--case-file", str(tmp_path / "missing.zip")])
    assert result.exit_code == 2
