"""Documents published with a lot: the appraisal report (PDF) and photos (court staff upload, anyone
reads). The type is checked from the content's magic bytes; at most 10 MiB per file."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import Response

from ..contract.answers import Document, DocumentList
from ..contract.documents import document_json, documents_json
from ..core import documents
from .deps import ReadSession, ServicesDep, StaffPrincipal, WriteSession
from .responses import BODY, DOCUMENT_TYPES, NO_LOT, STAFF_OF_COURT, answers
from .schemas import Id, not_null

router = APIRouter(prefix="/api/v1", tags=["lot documents"])
MULTIPART_OVERHEAD = 64 * 1024


@router.post(
    "/lots/{lot_id}/documents",
    status_code=201,
    **answers(
        Document,
        status=201,
        errors=(
            *STAFF_OF_COURT,
            *NO_LOT,
            *BODY,
            "invalid_form",
            "document_too_large",
            "empty_document",
            "invalid_document_kind",
            "unsupported_document_type",
        ),
    ),
)
async def upload_document(
    lot_id: Id,
    request: Request,
    principal: StaffPrincipal,
    session: WriteSession,
    svc: ServicesDep,
    file: Annotated[UploadFile, File(description="a PDF appraisal report, or a JPEG, PNG or WebP photo")],
    kind: Annotated[Literal["appraisal_report", "photo"] | None, Form(json_schema_extra=not_null)] = None,
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
    store = documents.store_for(svc.settings)
    doc = await documents.add_document(session, svc.clock, lot_id, principal, data, checked, store)
    return document_json(doc)


@router.get("/lots/{lot_id}/documents", **answers(DocumentList, errors=NO_LOT))
async def list_documents(lot_id: Id, session: ReadSession) -> dict:
    return documents_json(await documents.list_documents(session, lot_id))


@router.get(
    "/lots/{lot_id}/documents/{document_id}",
    response_class=Response,
    **answers(
        bytes,
        media_type=DOCUMENT_TYPES,
        errors=(*NO_LOT, "document_not_found", "document_missing", "document_damaged"),
    ),
)
async def read_document(lot_id: Id, document_id: Id, session: ReadSession, svc: ServicesDep) -> Response:
    """The document's bytes, served as the type its content was found to be; 503 ``document_missing`` or
    ``document_damaged`` when its file in the documents directory is gone or not the one recorded."""
    document = await documents.get_document(session, lot_id, document_id, documents.store_for(svc.settings))
    doc = document.info
    disposition = "inline; filename*=UTF-8''" + quote(doc.filename, safe="")
    headers = {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{doc.sha256}"',
        "Cache-Control": "public, max-age=86400, immutable",
    }
    return Response(document.data, media_type=doc.content_type, headers=headers)
