"""Documents published with a lot's announcement (rule 6): the appraisal report (PDF) and photos.

A file's type is decided by its first bytes (magic numbers), never by the name or the declared type
alone: a declared type that disagrees with the content is refused, so that nothing is served under a
type it is not.

The bytes are kept outside the database, in the documents directory, named by their SHA-256
(``document_store.py``); the row keeps the digest and size. The file is made durable before the row is
committed, so a committed row always has its file; a failed commit leaves at most a file no row names
(``auction-service documents gc`` removes those). Rows from before that change still hold their bytes in
``data`` and are served from there until ``auction-service documents export`` moves them.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auction_rules.errors import Kind, RuleViolation, invalid, not_found, unavailable

from ..clock import Clock
from ..config import Settings
from ..db.models import LotDocument
from . import action_log
from .auction_queries import get_lot
from .document_store import (
    UNSET_FOR_SERVER,
    DocumentStore,
    StoredFileDamaged,
    StoredFileMissing,
    StoredFileProblem,
    age_seconds,
    resolve_directory,
    sha256_of,
)
from .security import Principal
from .staff_actions import check_court
from .views import DocumentFile, DocumentInfo

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # 10 MiB
KINDS = {"appraisal_report": ("application/pdf",), "photo": ("image/jpeg", "image/png", "image/webp")}
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
log = logging.getLogger(__name__)


def store_for(settings: Settings) -> DocumentStore:
    """The documents directory of these settings (``AUCTION_DOCUMENTS_DIR``, else the default that
    ``document_store.resolve_directory`` explains)."""
    return _store(settings.documents_dir, settings.database_url)


@lru_cache(maxsize=64)
def _store(documents_dir: str | None, database_url: str) -> DocumentStore:
    """One store per setting, and one log line saying where documents go (a warning when the directory
    was not chosen and several processes might each use their own)."""
    root, why = resolve_directory(documents_dir, database_url)
    level = logging.WARNING if why == UNSET_FOR_SERVER else logging.INFO
    log.log(level, "lot documents are kept in %s (%s)", root, why)
    return DocumentStore(root)


def too_large() -> RuleViolation:
    return RuleViolation(
        "document_too_large", f"a document may be at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB", Kind.TOO_LARGE
    )


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, from their magic numbers (None: not an accepted type)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    kind: str
    content_type: str
    filename: str


def safe_filename(name: str | None, content_type: str) -> str:
    """A display name without paths or control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    if not name:
        name = "document." + content_type.rsplit("/", 1)[-1]
    return name[:200]


def check_document(data: bytes, declared_type: str | None, kind: str | None, filename: str | None) -> CheckedDocument:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise too_large()
    if not data:
        raise invalid("empty_document", "the uploaded file is empty")
    actual = sniff(data)
    if actual is None:
        raise invalid(
            "unsupported_document_type",
            "only a PDF appraisal report or a JPEG, PNG or WebP photo can be published (checked from the content)",
        )
    declared = (declared_type or "").split(";", 1)[0].strip().lower()
    if declared == "image/jpg":
        declared = "image/jpeg"
    if declared not in GENERIC_TYPES and declared != actual:
        raise invalid(
            "unsupported_document_type",
            f"the file was declared as {declared} but its content is {actual}",
            detected_type=actual,
        )
    inferred = "appraisal_report" if actual == "application/pdf" else "photo"
    if kind is None:
        kind = inferred
    if kind not in KINDS:
        raise invalid("invalid_document_kind", f"kind must be one of {', '.join(KINDS)}")
    if actual not in KINDS[kind]:
        raise invalid(
            "unsupported_document_type",
            f"a {kind} must be {' or '.join(KINDS[kind])}; this file is {actual}",
            detected_type=actual,
        )
    return CheckedDocument(kind, actual, safe_filename(filename, actual))


async def check_can_publish(session: AsyncSession, principal: Principal, lot_id: int) -> None:
    """404 for an unknown lot, 403 unless the caller is staff of the lot's court: checked before the
    upload is read."""
    lot = await get_lot(session, lot_id)
    check_court(principal, lot.court_id)


async def add_document(
    session: AsyncSession,
    clock: Clock,
    lot_id: int,
    uploader: Principal,
    data: bytes,
    checked: CheckedDocument,
    store: DocumentStore,
) -> DocumentInfo:
    """Write the checked file to the documents directory (durably, before the caller commits), then
    record it and log the upload (with its digest) in the same unit of work."""
    lot = await get_lot(session, lot_id)
    digest = sha256_of(data)
    await asyncio.to_thread(store.put, data, digest)
    document = LotDocument(
        lot_id=lot_id,
        kind=checked.kind,
        filename=checked.filename,
        content_type=checked.content_type,
        size=len(data),
        sha256=digest,
        data=None,
        uploaded_by=uploader.account_id,
        created_at=clock.now(),
    )
    session.add(document)
    await session.flush()
    uploaded = {"document_id": document.id, "kind": document.kind, "filename": document.filename}
    uploaded |= {"content_type": document.content_type, "size": document.size, "sha256": document.sha256}
    await action_log.record(
        session, uploader, lot.court_id, lot_id, None, "document_uploaded", None, None, uploaded, at=document.created_at
    )
    return _info(document)


def _info(doc: LotDocument) -> DocumentInfo:
    return DocumentInfo(
        id=doc.id,
        lot_id=doc.lot_id,
        kind=doc.kind,
        filename=doc.filename,
        content_type=doc.content_type,
        size=doc.size,
        sha256=doc.sha256,
        uploaded_at=doc.created_at,
    )


async def list_documents(session: AsyncSession, lot_id: int) -> list[DocumentInfo]:
    """The lot's documents, oldest first (404 for an unknown lot); their bytes are never loaded."""
    await get_lot(session, lot_id)
    columns = [c for c in LotDocument.__table__.c if c.name != "data"]
    rows = (await session.execute(select(*columns).where(LotDocument.lot_id == lot_id).order_by(LotDocument.id))).all()
    return [_info(LotDocument(**row._mapping)) for row in rows]


async def get_document(session: AsyncSession, lot_id: int, document_id: int, store: DocumentStore) -> DocumentFile:
    """The document and its bytes, checked against the recorded digest: a file that is missing or not
    the one recorded is a 503 naming the problem (the operator's log line names the file), never bytes
    that are not the document."""
    doc = await session.get(LotDocument, document_id)
    if doc is None or doc.lot_id != lot_id:
        raise not_found("document_not_found", f"lot {lot_id} has no document {document_id}")
    if doc.data is not None:  # stored before migration 0008, not yet exported
        return DocumentFile(_info(doc), doc.data)
    try:
        data = await asyncio.to_thread(store.get, doc.sha256, doc.size)
    except StoredFileMissing as exc:
        log.error("lot document %s (lot %s): file missing: %s", document_id, lot_id, exc)
        raise unavailable(
            "document_missing",
            f"document {document_id}'s file is not in this service's documents directory; an operator must restore it",
        ) from None
    except StoredFileDamaged as exc:
        log.error("lot document %s (lot %s): file damaged: %s", document_id, lot_id, exc)
        raise unavailable(
            "document_damaged",
            f"document {document_id}'s file does not match its recorded SHA-256; an operator must restore it",
        ) from None
    return DocumentFile(_info(doc), data)


@dataclass
class ExportReport:
    """What ``documents export`` did: rows moved to the directory, and rows whose stored bytes do not
    match their own digest (left in the database, untouched, for a person to look at)."""

    moved: int = 0
    moved_bytes: int = 0
    mismatched: list[int] = field(default_factory=list)


async def export_to_directory(sessions: async_sessionmaker, store: DocumentStore) -> ExportReport:
    """Move every document whose bytes are still in the database to the directory, one row per
    transaction (file written and synced, then ``data`` cleared and committed): it can be interrupted
    and run again, and may run while the service serves (a reader finds the bytes in one place or the
    other)."""
    report = ExportReport()
    async with sessions() as session:
        ids = (await session.scalars(select(LotDocument.id).where(LotDocument.data.is_not(None)))).all()
    for document_id in sorted(ids):
        async with sessions() as session:
            doc = await session.get(LotDocument, document_id)
            if doc is None or doc.data is None:
                continue
            data = doc.data
            if len(data) != doc.size or sha256_of(data) != doc.sha256:
                report.mismatched.append(document_id)
                continue
            await asyncio.to_thread(store.put, data, doc.sha256)
            doc.data = None
            await session.commit()
            report.moved += 1
            report.moved_bytes += len(data)
    return report


@dataclass
class StoreCheck:
    """What ``documents verify`` found: files checked, and each document that cannot be served."""

    checked: int = 0
    in_database: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


async def verify_files(sessions: async_sessionmaker, store: DocumentStore) -> StoreCheck:
    """Read every document's file back and check it against its row (after a restore, a move)."""
    report = StoreCheck()
    async with sessions() as session:
        query = select(LotDocument.id, LotDocument.sha256, LotDocument.size, LotDocument.data.is_(None))
        rows = (await session.execute(query.order_by(LotDocument.id))).all()
    for document_id, digest, size, on_disk in rows:
        if not on_disk:
            report.in_database += 1
            continue
        report.checked += 1
        try:
            await asyncio.to_thread(store.get, digest, size)
        except StoredFileProblem as exc:
            report.problems.append((document_id, str(exc)))
    return report


@dataclass
class Collection:
    """What ``documents gc`` removed (or, dry, would remove)."""

    unreferenced: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    temporaries: int = 0
    kept_young: int = 0


async def collect_garbage(
    sessions: async_sessionmaker, store: DocumentStore, *, min_age_seconds: float, dry_run: bool = False
) -> Collection:
    """Remove files no row names (a commit that failed after its file was written) and leftovers of
    interrupted writes. Only files older than ``min_age_seconds`` go: an upload in flight has written
    its file but not yet committed its row. The directory must belong to this database alone."""
    async with sessions() as session:
        referenced = set((await session.scalars(select(LotDocument.sha256).distinct())).all())
    found = Collection()

    def sweep() -> None:
        for digest, path in list(store.files()):
            if digest in referenced:
                continue
            if age_seconds(path) < min_age_seconds:
                found.kept_young += 1
                continue
            found.unreferenced.append(digest)
            found.freed_bytes += path.stat().st_size
            if not dry_run:
                path.unlink(missing_ok=True)
        for path in list(store.temporaries()):
            if age_seconds(path) >= min_age_seconds:
                found.temporaries += 1
                if not dry_run:
                    path.unlink(missing_ok=True)

    await asyncio.to_thread(sweep)
    return found
