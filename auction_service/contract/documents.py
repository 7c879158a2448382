"""A lot's published documents (the appraisal report, photos) as the contract lists them."""

from __future__ import annotations

from typing import Any

from ..clock import isoformat
from ..core.views import DocumentInfo


def document_json(doc: DocumentInfo) -> dict[str, Any]:
    """One document's metadata, with the URL its bytes are served from."""
    return {
        "id": doc.id,
        "lot_id": doc.lot_id,
        "kind": doc.kind,
        "filename": doc.filename,
        "content_type": doc.content_type,
        "size": doc.size,
        "sha256": doc.sha256,
        "uploaded_at": isoformat(doc.uploaded_at),
        "url": f"/api/v1/lots/{doc.lot_id}/documents/{doc.id}",
    }


def documents_json(docs: list[DocumentInfo]) -> dict[str, Any]:
    return {"items": [document_json(d) for d in docs]}
