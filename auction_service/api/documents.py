"""Documents published with a lot: the appraisal report (PDF) and photos (court staff upload, anyone
reads). The type is checked from the content's magic bytes; at most 10 MiB per file."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import Response

from ..contract.documents import document_json, documents_json
from ..core import documents
from .deps import ReadSession, ServicesDep, StaffPrincipal, WriteSession

router = APIRouter(prefix="/api/v1", tags=["lot documents"])
MULTIPART_OVERHEAD = 64 * 1024


@router.post("/lots/{lot_id}/documents", status_code=201)
async def upload_document(
    lot_id: int,
    request: Request,
    principal: StaffPrincipal,
    session: WriteSession,
    svc: ServicesDep,
    file: Annotated[UploadFile, File(description="a PDF appraisal report, or a JPEG, PNG or WebP photo")],
    kind: Annotated[Literal["appraisal_report", "photo"] | None, Form()] = None,
) -> dict:
    """Publish a document with the lot's announcement (multipart form: ``file``, optional ``kind``;
    without ``kind`` a PDF is the appraisal report and an image a photo). 413 ``document_too_large``
    above 10 MiB; 422 ``unsupported_document_type`` when the content is not an accepted type or does
    not match the declared type."""
    await documents.check_can_publish(session, principal, lot_id)
    declared_length = request.headers.get("content-length", "")
    if declared_length.isdigit() and int(declared_length) > documents.MAX_DOCUMENT_BYTES + MULTIPART_OVERHEAD:
        raise documents.too_large()
    data = await file.read(documents.MAX_DOCUMENT_BYTES + 1)
    checked = documents.check_document(data, file.content_type, kind, file.filename)
    doc = await documents.add_document(session, svc.clock, lot_id, principal.account_id, data, checked)
    return document_json(doc)


@router.get("/lots/{lot_id}/documents")
async def list_documents(lot_id: int, session: ReadSession) -> dict:
    return documents_json(await documents.list_documents(session, lot_id))


@router.get("/lots/{lot_id}/documents/{document_id}")
async def read_document(lot_id: int, document_id: int, session: ReadSession) -> Response:
    """The document's bytes, served as the type its content was found to be."""
    document = await documents.get_document(session, lot_id, document_id)
    doc = document.info
    disposition = "inline; filename*=UTF-8''" + quote(doc.filename, safe="")
    headers = {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{doc.sha256}"',
        "Cache-Control": "public, max-age=86400, immutable",
    }
    return Response(document.data, media_type=doc.content_type, headers=headers)
