"""Documents of a lot's announcement (rule 6: the appraisal report and photos) and the published
confirmation of a sale as a PDF (rule 16)."""

from __future__ import annotations

import hashlib

from auction_service.core.documents import MAX_DOCUMENT_BYTES
from tests.support.scenes import START_PRICE, assert_error, go_to, scene

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
HTML = b"<html><script>alert(1)</script></html>"


async def upload(service, staff, lot_id, data, filename="file", content_type="application/octet-stream", **form):
    return await service.client.post(
        f"/api/v1/lots/{lot_id}/documents",
        files={"file": (filename, data, content_type)},
        data=form,
        headers=staff,
    )


async def test_staff_publish_the_appraisal_report_and_photos_and_anyone_reads_them(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    uploads = [
        (PDF, "评估报告.pdf", "application/pdf", "appraisal_report"),
        (PNG, "客厅.png", "image/png", "photo"),
        (JPEG, "外观.jpg", "image/jpeg", "photo"),
        (WEBP, "卧室.webp", "image/webp", "photo"),
    ]
    ids = []
    for data, name, content_type, kind in uploads:
        r = await upload(service, staff, lot["id"], data, name, content_type)
        assert r.status_code == 201, r.text
        doc = r.json()
        assert (doc["kind"], doc["filename"], doc["content_type"], doc["size"]) == (kind, name, content_type, len(data))
        assert doc["sha256"] == hashlib.sha256(data).hexdigest()
        ids.append(doc["id"])
    listed = (await service.client.get(f"/api/v1/lots/{lot['id']}/documents")).json()["items"]
    assert [d["id"] for d in listed] == ids
    for doc_id, (data, _name, content_type, _kind) in zip(ids, uploads, strict=True):
        r = await service.client.get(f"/api/v1/lots/{lot['id']}/documents/{doc_id}")
        assert r.status_code == 200
        assert r.content == data and r.headers["content-type"] == content_type
        assert r.headers["x-content-type-options"] == "nosniff"
    assert_error(await service.client.get(f"/api/v1/lots/{lot['id']}/documents/999999"), 404, "document_not_found")
    other_lot = await api.lot(staff)
    assert_error(await service.client.get(f"/api/v1/lots/{other_lot['id']}/documents/{ids[0]}"), 404)


async def test_the_type_is_checked_from_the_content_not_the_declared_type(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    for data, content_type in ((HTML, "image/png"), (HTML, "application/pdf"), (b"GIF89a" + b"\x00" * 20, "image/gif")):
        r = await upload(service, staff, lot["id"], data, "photo.png", content_type)
        assert_error(r, 422, "unsupported_document_type")
    # a PNG declared as a PDF is refused too: nothing is served as what it is not
    assert_error(await upload(service, staff, lot["id"], PNG, "report.pdf", "application/pdf"), 422)
    # a photo is not an appraisal report
    assert_error(await upload(service, staff, lot["id"], PNG, "a.png", "image/png", kind="appraisal_report"), 422)
    # an undeclared type is taken from the content
    r = await upload(service, staff, lot["id"], PDF, "report", "application/octet-stream")
    assert r.status_code == 201 and r.json()["content_type"] == "application/pdf"
    assert_error(await upload(service, staff, lot["id"], b"", "empty.pdf", "application/pdf"), 422, "empty_document")
    listed = (await service.client.get(f"/api/v1/lots/{lot['id']}/documents")).json()["items"]
    assert len(listed) == 1


async def test_documents_are_at_most_10_mib_and_only_staff_of_the_court_upload(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    at_limit = PDF + b"\x00" * (MAX_DOCUMENT_BYTES - len(PDF))
    r = await upload(service, staff, lot["id"], at_limit, "big.pdf", "application/pdf")
    assert r.status_code == 201, r.text
    assert r.json()["size"] == MAX_DOCUMENT_BYTES
    r = await upload(service, staff, lot["id"], at_limit + b"\x00", "bigger.pdf", "application/pdf")
    assert_error(r, 413, "document_too_large")
    assert_error(await upload(service, await api.bidder(), lot["id"], PDF), 403)
    other = await api.staff(service.services, court="乙法院")
    assert_error(await upload(service, other, lot["id"], PDF), 403, "wrong_court")
    assert_error(await upload(service, staff, 999999, PDF), 404)


async def test_the_confirmation_pdf_exists_only_after_a_sale(service):
    s = await scene(service, bidders=1, real_names=["李四"])
    assert_error(await service.client.get(f"/api/v1/auctions/{s.id}/confirmation.pdf"), 409, "auction_not_sold")
    assert_error(await service.client.get(f"/api/v1/auctions/{s.id}/confirmation"), 409, "auction_not_sold")
    r = await service.api.bid(s.bidders[0], s.id, START_PRICE)
    assert r.status_code == 201, r.text
    assert_error(await service.client.get(f"/api/v1/auctions/{s.id}/confirmation.pdf"), 409, "auction_not_sold")
    await go_to(service, s.end_at)
    r = await service.client.get(f"/api/v1/auctions/{s.id}/confirmation.pdf")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-") and b"/FontFile" in r.content  # the CJK font is embedded
    assert_error(await service.client.get("/api/v1/auctions/999999/confirmation.pdf"), 404)
