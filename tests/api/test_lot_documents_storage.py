"""Lot documents keep their bytes on disk, named by their SHA-256, not in the database (so a database
dump stays small): the row keeps the digest and size, every read checks the file against them, and the
documents of databases from before (bytes in ``lot_documents.data``) keep being served until
``auction-service documents export`` moves them to the directory."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from auction_service.core import documents
from auction_service.core.document_store import DocumentStore, default_directory, resolve_directory, sha256_of
from auction_service.core.security import Principal
from auction_service.db.models import Account, LotDocument
from tests.api.test_lot_documents import JPEG, PDF, PNG, upload
from tests.cli.support import cli
from tests.support.scenes import assert_error

HOUR = 3600


async def published(service, data: bytes = PDF, name: str = "评估报告.pdf", content_type: str = "application/pdf"):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    r = await upload(service, staff, lot["id"], data, name, content_type)
    assert r.status_code == 201, r.text
    return staff, lot, r.json()


async def stored_bytes(service, document_id: int) -> bytes | None:
    async with service.services.read_sessions() as session:
        return await session.scalar(select(LotDocument.data).where(LotDocument.id == document_id))


def file_of(documents_dir: Path, digest: str) -> Path:
    return documents_dir / digest[:2] / digest[2:]


def served_headers(r) -> dict[str, str]:
    """What a document is served with, less what differs per answer."""
    return {k: v for k, v in r.headers.items() if k not in ("date", "x-request-id")}


async def read(service, lot_id: int, document_id: int):
    return await service.client.get(f"/api/v1/lots/{lot_id}/documents/{document_id}")


async def test_an_upload_is_a_file_named_by_its_digest_and_the_row_keeps_no_bytes(service, documents_dir):
    _, lot, doc = await published(service)
    digest = sha256_of(PDF)
    assert doc["sha256"] == digest
    path = file_of(documents_dir, digest)
    assert path.read_bytes() == PDF
    assert await stored_bytes(service, doc["id"]) is None
    assert not list(path.parent.glob(".upload-*"))  # the temporary name is gone after the rename
    r = await read(service, lot["id"], doc["id"])
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["etag"] == f'"{digest}"'
    assert r.headers["content-disposition"] == "inline; filename*=UTF-8''%E8%AF%84%E4%BC%B0%E6%8A%A5%E5%91%8A.pdf"


async def test_the_same_content_twice_is_one_file_served_to_both(service, documents_dir):
    staff, lot, first = await published(service, PNG, "a.png", "image/png")
    second = (await upload(service, staff, lot["id"], PNG, "b.png", "image/png")).json()
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    assert [p for p in documents_dir.rglob("*") if p.is_file()] == [file_of(documents_dir, first["sha256"])]
    for doc in (first, second):
        r = await read(service, lot["id"], doc["id"])
        assert r.status_code == 200 and r.content == PNG


async def test_a_tampered_or_missing_file_is_a_clear_503_never_other_bytes(service, documents_dir):
    staff, lot, doc = await published(service, JPEG, "外观.jpg", "image/jpeg")
    path = file_of(documents_dir, doc["sha256"])
    path.write_bytes(JPEG[:-1] + b"\x01")  # same size, other bytes
    r = await read(service, lot["id"], doc["id"])
    assert_error(r, 503, "document_damaged")
    assert "Traceback" not in r.text and str(documents_dir) not in r.text  # the path is for the log only
    path.write_bytes(JPEG[:10])
    assert_error(await read(service, lot["id"], doc["id"]), 503, "document_damaged")
    path.unlink()
    assert_error(await read(service, lot["id"], doc["id"]), 503, "document_missing")
    # uploading the same content again writes the file back
    assert (await upload(service, staff, lot["id"], JPEG, "again.jpg", "image/jpeg")).status_code == 201
    r = await read(service, lot["id"], doc["id"])
    assert r.status_code == 200 and r.content == JPEG


async def test_a_failed_commit_leaves_at_most_an_orphan_file_that_gc_removes(service, documents_dir):
    _, lot, kept = await published(service)
    services = service.services
    async with services.write_sessions() as session:
        account = await session.scalar(select(Account).where(Account.role == "staff").limit(1))
        clerk = Principal(account.id, account.username, "staff", account.court_id, time.time() + HOUR)
        checked = documents.check_document(PNG, "image/png", None, "orphan.png")
        store = documents.store_for(services.settings)
        await documents.add_document(session, services.clock, lot["id"], clerk, PNG, checked, store)
        await session.rollback()  # the commit never happens
    orphan = file_of(documents_dir, sha256_of(PNG))
    assert orphan.read_bytes() == PNG
    listed = (await service.client.get(f"/api/v1/lots/{lot['id']}/documents")).json()["items"]
    assert [d["id"] for d in listed] == [kept["id"]]
    interrupted = orphan.parent / ".upload-crashed.tmp"
    interrupted.write_bytes(b"half")

    found = await documents.collect_garbage(services.write_sessions, store, min_age_seconds=HOUR)
    assert (found.unreferenced, found.kept_young) == ([], 1)  # an upload may still be committing it
    assert orphan.exists() and interrupted.exists()
    long_ago = time.time() - 2 * HOUR
    for path in (orphan, interrupted, file_of(documents_dir, kept["sha256"])):
        os.utime(path, (long_ago, long_ago))
    dry = await documents.collect_garbage(services.write_sessions, store, min_age_seconds=HOUR, dry_run=True)
    assert dry.unreferenced == [sha256_of(PNG)] and orphan.exists()
    found = await documents.collect_garbage(services.write_sessions, store, min_age_seconds=HOUR)
    assert (found.unreferenced, found.freed_bytes, found.temporaries) == ([sha256_of(PNG)], len(PNG), 1)
    assert not orphan.exists() and not interrupted.exists()
    r = await read(service, lot["id"], kept["id"])
    assert r.status_code == 200 and r.content == PDF


async def test_documents_from_before_stay_served_and_export_moves_them_to_the_directory(
    service, db_url, documents_dir, tmp_path
):
    _, lot, doc = await published(service)
    _, other_lot, broken = await published(service, PNG, "客厅.png", "image/png")
    # as a database from before migration 0008 holds them: the bytes in the row, no file
    async with service.services.write_sessions() as session:
        await session.execute(update(LotDocument).where(LotDocument.id == doc["id"]).values(data=PDF))
        await session.execute(update(LotDocument).where(LotDocument.id == broken["id"]).values(data=JPEG))
        await session.commit()
    for path in documents_dir.rglob("*"):
        if path.is_file():
            path.unlink()
    before = await read(service, lot["id"], doc["id"])
    assert before.status_code == 200 and before.content == PDF

    done = cli(
        "documents", "export", cwd=tmp_path, AUCTION_DATABASE_URL=db_url, AUCTION_DOCUMENTS_DIR=str(documents_dir)
    )
    assert done.returncode == 1, done.stdout + done.stderr  # one row's bytes are not its recorded digest
    assert f"documents directory: {documents_dir}" in done.stdout
    assert "moved 1 documents" in done.stdout
    assert f"document {broken['id']}: its stored bytes do not match" in done.stdout
    assert await stored_bytes(service, doc["id"]) is None
    assert file_of(documents_dir, doc["sha256"]).read_bytes() == PDF
    assert await stored_bytes(service, broken["id"]) == JPEG  # left for a person to look at
    after = await read(service, lot["id"], doc["id"])
    assert after.status_code == 200 and after.content == PDF
    assert served_headers(after) == served_headers(before)
    assert (await read(service, other_lot["id"], broken["id"])).content == JPEG

    async with service.services.write_sessions() as session:
        await session.execute(update(LotDocument).where(LotDocument.id == broken["id"]).values(data=PNG))
        await session.commit()
    again = cli(
        "documents", "export", cwd=tmp_path, AUCTION_DATABASE_URL=db_url, AUCTION_DOCUMENTS_DIR=str(documents_dir)
    )
    assert again.returncode == 0 and "moved 1 documents" in again.stdout, again.stdout + again.stderr
    verified = cli(
        "documents", "verify", cwd=tmp_path, AUCTION_DATABASE_URL=db_url, AUCTION_DOCUMENTS_DIR=str(documents_dir)
    )
    assert verified.returncode == 0 and "2 files checked, 0 missing or altered" in verified.stdout, verified.stdout
    file_of(documents_dir, doc["sha256"]).unlink()
    verified = cli(
        "documents", "verify", cwd=tmp_path, AUCTION_DATABASE_URL=db_url, AUCTION_DOCUMENTS_DIR=str(documents_dir)
    )
    assert verified.returncode == 1 and f"document {doc['id']}: " in verified.stdout, verified.stdout


def test_the_directory_is_beside_a_sqlite_file_unless_chosen(tmp_path):
    assert default_directory(f"sqlite+aiosqlite:///{tmp_path}/auction.db") == tmp_path / "auction-documents"
    assert default_directory(f"sqlite:///{tmp_path}/demo.db") == tmp_path / "demo-documents"
    assert default_directory("sqlite+aiosqlite://") is None
    assert default_directory("postgresql+asyncpg://postgres@127.0.0.1/auction") is None
    chosen, why = resolve_directory(str(tmp_path / "docs"), f"sqlite:///{tmp_path}/auction.db")
    assert (chosen, why) == (tmp_path / "docs", "AUCTION_DOCUMENTS_DIR")
    fallback, why = resolve_directory(None, "postgresql+asyncpg://postgres@127.0.0.1/elsewhere")
    assert fallback == Path("documents").resolve() and "AUCTION_DOCUMENTS_DIR" in why


def test_the_store_refuses_bytes_under_another_digest_and_odd_names(tmp_path):
    store = DocumentStore(tmp_path)
    with pytest.raises(ValueError):
        store.put(PDF, sha256_of(PNG))
    with pytest.raises(ValueError):
        store.path_of("../../etc/passwd")
    path = store.put(PDF, sha256_of(PDF))
    assert path == tmp_path / sha256_of(PDF)[:2] / sha256_of(PDF)[2:]
    assert store.get(sha256_of(PDF), len(PDF)) == PDF
    assert list(store.files()) == [(sha256_of(PDF), path)]
