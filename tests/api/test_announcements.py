"""The 竞买公告 and the 竞买须知 are generated from the lot's and the auction's data, as HTML and PDF, for
anyone; the 须知 carries a version (the SHA-256 of what it says) that a bidder names when accepting it
before the deposit is frozen. The version accepted is recorded with the registration and kept in the case
file; a version made stale by a correction of the announcement is refused."""

from __future__ import annotations

import io
import zipfile

import orjson

from tests.support.scenes import assert_error, scene

HEADER = "x-document-version"


async def test_the_announcement_is_generated_from_the_lots_data_as_html_and_pdf(service):
    s = await scene(service, bidders=0, live=False)
    page = await service.client.get(f"/api/v1/auctions/{s.id}/announcement")  # no token: public
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    facts = ["网络司法拍卖公告", "深圳市南山区某住宅", "深圳市南山区某路 1 号", "¥7,000,000.00", "¥5,000.00"]
    facts += ["¥700,000.00", "抵押权人:某银行(成交后涤除)", "执行局 0755-00000000", "第一次拍卖（一拍）"]
    for words in facts:
        assert words in text, words
    assert "经查未发现" in text  # defects stated by staff as none known
    assert "<th>评估方式</th><td>未说明</td>" in text  # never stated: not "none"
    assert len(page.headers[HEADER]) == 64 and page.headers[HEADER] in text
    pdf = await service.client.get(f"/api/v1/auctions/{s.id}/announcement.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and pdf.headers[HEADER] == page.headers[HEADER]
    missing = await service.client.get("/api/v1/auctions/999999/announcement")
    assert_error(missing, 404, "auction_not_found")


async def test_the_terms_name_the_auctions_numbers_and_carry_their_version(service):
    s = await scene(service, bidders=0, live=False)
    terms = (await service.client.get(f"/api/v1/auctions/{s.id}/terms.json")).json()
    text = "".join(terms["paragraphs"])
    assert terms["title"] == "竞买须知" and "¥700,000.00" in text and "¥5,000.00" in text
    assert "5分钟" in text and "10日内" in text and "被执行人（本案债务人）不得竞买" in text
    page = await service.client.get(f"/api/v1/auctions/{s.id}/terms")
    assert page.headers[HEADER] == terms["version"] and terms["version"] in page.text
    pdf = await service.client.get(terms["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_accepting_the_terms_records_their_version_and_the_case_file_keeps_it(service):
    s = await scene(service, bidders=0, live=False)
    version = (await service.client.get(f"/api/v1/auctions/{s.id}/terms.json")).json()["version"]
    bidder = await service.api.bidder(real_name="李四")
    body = {"accept_terms": True, "terms_version": version}
    r = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", json=body, headers=bidder)
    assert r.status_code == 201, r.text
    assert r.json()["terms_version"] == version
    silent = await service.api.bidder(real_name="王五")
    r = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=silent)  # the contract's call
    assert r.status_code == 201 and r.json()["terms_version"] is None
    data = (await service.client.get(f"/api/v1/auctions/{s.id}/case-file", headers=s.staff)).content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        registrants = orjson.loads(archive.read("registrants.json"))["items"]
        kept = orjson.loads(archive.read("terms.json"))
        terms_page = archive.read("terms.html").decode()
        assert "announcement.html" in archive.namelist()
    assert {r["real_name"]: r["terms_version"] for r in registrants} == {"李四": version, "王五": None}
    assert kept["version"] == version and version in terms_page


async def test_terms_changed_after_the_bidder_read_them_are_refused(service):
    s = await scene(service, bidders=0, live=False)
    read = (await service.client.get(f"/api/v1/auctions/{s.id}/terms.json")).json()["version"]
    corrected = await service.client.patch(
        f"/api/v1/lots/{s.lot['id']}", json={"defects": "屋顶渗水", "reason": "补充瑕疵"}, headers=s.staff
    )
    assert corrected.status_code == 200, corrected.text
    bidder = await service.api.bidder()
    body = {"accept_terms": True, "terms_version": read}
    r = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", json=body, headers=bidder)
    error = assert_error(r, 409, "terms_changed")
    current = (await service.client.get(f"/api/v1/auctions/{s.id}/terms.json")).json()["version"]
    assert error["current_version"] == current != read
    assert "屋顶渗水" in (await service.client.get(f"/api/v1/auctions/{s.id}/terms")).text
    mine = await service.client.get("/api/v1/me/registrations", headers=bidder)
    assert mine.json()["items"] == []  # nothing was frozen
    body = {"terms_version": current}
    r = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", json=body, headers=bidder)
    assert_error(r, 422, "terms_not_accepted")
