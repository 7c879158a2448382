"""Migration 0008 (lot documents on disk) on a database that already has documents: their bytes stay
in ``lot_documents.data`` (served from there until ``documents export``), new rows may leave it empty,
and a downgrade that would lose documents kept only on disk is refused."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from auction_service.core.document_store import sha256_of
from auction_service.db import migrate
from auction_service.db.models import Base
from tests.db.test_migrations import fresh_engine  # noqa: F401  (the fixture: a brand-new database of each kind)

PDF = b"%PDF-1.4\n%%EOF\n"
NOW = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
COURTS, LOTS, DOCUMENTS = (Base.metadata.tables[name] for name in ("courts", "lots", "lot_documents"))


def document(document_id: int, data: bytes | None) -> dict:
    return {
        "id": document_id, "lot_id": 1, "kind": "appraisal_report", "filename": "评估报告.pdf",
        "content_type": "application/pdf", "size": len(PDF), "sha256": sha256_of(PDF), "data": data,
        "uploaded_by": None, "created_at": NOW,
    }  # fmt: skip


async def stored(engine: AsyncEngine) -> dict[int, bytes | None]:
    async with engine.connect() as conn:
        return dict((await conn.execute(select(DOCUMENTS.c.id, DOCUMENTS.c.data))).all())


async def test_0008_keeps_existing_bytes_and_refuses_a_downgrade_that_would_lose_documents(fresh_engine):  # noqa: F811
    await migrate.upgrade(fresh_engine, "0007")
    async with fresh_engine.begin() as conn:
        await conn.execute(COURTS.insert().values(id=1, name="深圳市中级人民法院", created_at=NOW))
        lot = {"id": 1, "court_id": 1, "title": "某住宅", "category": "residential", "appraisal": 100, "details": {}}
        await conn.execute(LOTS.insert().values(**lot, created_at=NOW))
        await conn.execute(DOCUMENTS.insert().values(**document(1, PDF)))
    await migrate.upgrade(fresh_engine, "0008")  # this migration alone: later ones have their own tests
    assert await stored(fresh_engine) == {1: PDF}
    async with fresh_engine.begin() as conn:
        await conn.execute(DOCUMENTS.insert().values(**document(2, None)))  # its bytes on disk
    await migrate.downgrade(fresh_engine, "0008")  # the later revisions first: this test is about 0008's
    with pytest.raises(RuntimeError, match="only in the documents directory"):
        await migrate.downgrade(fresh_engine, "0007")
    assert await stored(fresh_engine) == {1: PDF, 2: None}
    async with fresh_engine.begin() as conn:
        await conn.execute(delete(DOCUMENTS).where(DOCUMENTS.c.id == 2))
    await migrate.downgrade(fresh_engine, "0007")
    assert await stored(fresh_engine) == {1: PDF}
