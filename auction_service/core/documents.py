"""Documents published with a lot's announcement (rule 6): the appraisal report (PDF) and photos.

A file's type is decided by its first bytes (magic numbers), never by the name or the declared type
alone: a declared type that disagrees with the content is refused, so that nothing is served under a
type it is not.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..clock import Clock
from ..db.models import LotDocument
from ..rules.errors import Kind, RuleViolation, invalid, not_found
from .auctions import check_court, get_lot
from .security import Principal
from .views import DocumentFile, DocumentInfo

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # 10 MiB
KINDS = {"appraisal_report": ("application/pdf",), "photo": ("image/jpeg", "image/png", "image/webp")}
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})


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
    session: AsyncSession, clock: Clock, lot_id: int, uploader: int, data: bytes, checked: CheckedDocument
) -> DocumentInfo:
    document = LotDocument(
        lot_id=lot_id,
        kind=checked.kind,
        filename=checked.filename,
        content_type=checked.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by=uploader,
        created_at=clock.now(),
    )
    session.add(document)
    await session.flush()
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


async def get_document(session: AsyncSession, lot_id: int, document_id: int) -> DocumentFile:
    doc = await session.get(LotDocument, document_id)
    if doc is None or doc.lot_id != lot_id:
        raise not_found("document_not_found", f"lot {lot_id} has no document {document_id}")
    return DocumentFile(_info(doc), doc.data)
