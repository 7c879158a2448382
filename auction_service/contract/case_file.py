"""The case file's archive format (``judicial-auction-case-file/1``), and its verification by anyone.

A zip of plain files and a ``manifest.json`` listing each file's size and SHA-256, the auction, and
the head of its bid hash chain. A third party holding the zip checks it without the service
(``auction-service audit verify --case-file FILE.zip``, ``verify_case_file``): every listed file is
present with its digest and nothing else is; the bid record's chain recomputes (``auction_rules/audit.py``) to
the head the manifest states; the CSV copy of the record says what the JSON says; each action-log entry
follows from the hash before it (``auction_rules/action_chain.py``). The manifest's own SHA-256, sent as the
``X-Case-File-Digest`` header, is the one number to publish or compare.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from auction_rules.action_chain import ActionEntry, verify_links
from auction_rules.audit import canonical_time, genesis, verify_chain

from ..clock import isoformat
from ..core.action_log import ActionView
from ..core.case_file import CaseFile
from .auctions import auction_json, bid_record_json, lot_json, result_json
from .csv_cells import SafeDictWriter, safe_cell
from .ledger import deposits_ledger_json

FORMAT = "judicial-auction-case-file/1"
MANIFEST = "manifest.json"
MAX_MEMBER_BYTES = 512 * 1024 * 1024  # a case file is read by people's machines: refuse zip bombs
BID_FIELDS = ("seq", "amount", "bidder_code", "placed_at", "priority", "end_at", "chain_hash")
DEPOSIT_FIELDS = ("registration_id", "bidder_code", "deposit", "deposit_status", "registered_at", "deposit_updated_at")
ACTION_FIELDS = ("chain", "seq", "at", "actor", "role", "action", "lot_id", "auction_id", "reason", "hash")


def _json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)


def _csv(fields: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = SafeDictWriter(out, fieldnames=list(fields), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row[k]) for k in fields})
    return out.getvalue().encode("utf-8")


def action_entry_json(a: ActionView) -> dict[str, Any]:
    """One action-log entry with what recomputing its hash needs (times in the chain's own format)."""
    return {
        "id": a.id,
        "chain": a.chain,
        "seq": a.seq,
        "court_id": a.court_id,
        "lot_id": a.lot_id,
        "auction_id": a.auction_id,
        "actor_id": a.actor_id,
        "actor": a.actor,
        "role": a.role,
        "action": a.action,
        "reason": a.reason,
        "before": a.before,
        "after": a.after,
        "at": canonical_time(a.at),
        "prev_hash": a.prev_hash,
        "hash": a.hash,
    }


def case_file_members(c: CaseFile) -> dict[str, bytes]:
    """Every file of the archive but the manifest, by name."""
    bids = bid_record_json(c.bids)["items"]
    deposits = deposits_ledger_json(c.deposits)
    actions = [action_entry_json(a) for a in c.actions]
    auction = auction_json(c.auction, now=c.generated_at, watchers=0)
    chain = {"genesis": genesis(c.auction.state.id), "head": c.chain.head, "bids": c.chain.bids, "valid": c.chain.valid}
    members = {
        "announcement.json": _json({"lot": lot_json(c.lot), "auction": auction}),
        "bids.json": _json({"auction_id": c.auction.state.id, "chain": chain, "items": bids}),
        "bids.csv": _csv(BID_FIELDS, bids),
        "deposits.json": _json(deposits),
        "deposits.csv": _csv(DEPOSIT_FIELDS, deposits["items"]),
        "actions.json": _json({"lot_id": c.lot.id, "items": actions}),
        "actions.csv": _csv(ACTION_FIELDS, actions),
    }
    if c.result is not None:
        members["result.json"] = _json(result_json(c.result))
    if c.confirmation_pdf is not None:
        members["confirmation.pdf"] = c.confirmation_pdf
    return members


def case_file_zip(c: CaseFile) -> tuple[bytes, str]:
    """The archive and its digest (the manifest's SHA-256). Member times are the generation time, so the
    same case file generated at the same moment gives the same bytes."""
    members = case_file_members(c)
    manifest = {
        "format": FORMAT,
        "auction_id": c.auction.state.id,
        "lot_id": c.lot.id,
        "court": c.lot.court,
        "court_id": c.lot.court_id,
        "generated_at": isoformat(c.generated_at),
        "bid_chain": {"head": c.chain.head, "bids": c.chain.bids, "valid": c.chain.valid},
        "actions": len(c.actions),
        "files": [
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(members.items())
        ],
    }
    manifest_bytes = _json(manifest)
    stamp = c.generated_at.timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [(MANIFEST, manifest_bytes), *sorted(members.items())]:
            info = zipfile.ZipInfo(name, date_time=(max(stamp[0], 1980), *stamp[1:]))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue(), hashlib.sha256(manifest_bytes).hexdigest()


# --- verification (no service, no database) -----------------------------------------------------------


@dataclass(slots=True)
class CaseFileReport:
    valid: bool = False
    digest: str | None = None  # the manifest's SHA-256
    auction_id: int | None = None
    bids: int = 0
    head: str | None = None
    actions: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _members(data: bytes, report: CaseFileReport) -> dict[str, bytes] | None:
    """The archive's files by name, or None with the problem in ``report`` (not a zip, a member too big)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        report.problems.append("not a zip archive")
        return None
    with archive:
        contents: dict[str, bytes] = {}
        for info in archive.infolist():
            if info.file_size > MAX_MEMBER_BYTES:
                report.problems.append(f"{info.filename}: larger than {MAX_MEMBER_BYTES} bytes")
                return None
            contents[info.filename] = archive.read(info)
    return contents


def verify_case_file(data: bytes) -> CaseFileReport:
    """Check a case file's archive; ``problems`` says what is wrong, ``valid`` that nothing is."""
    report = CaseFileReport()
    contents = _members(data, report)
    if contents is None:
        return report
    if MANIFEST not in contents:
        report.problems.append("no manifest.json")
        return report
    report.digest = hashlib.sha256(contents[MANIFEST]).hexdigest()
    try:
        manifest = orjson.loads(contents[MANIFEST])
        listed = {f["name"]: f for f in manifest["files"]}
        report.auction_id = int(manifest["auction_id"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        report.problems.append("manifest.json is not a case file manifest")
        return report
    if manifest.get("format") != FORMAT:
        report.problems.append(f"unknown format {manifest.get('format')!r}")
    report.files = len(listed)
    for name, entry in listed.items():
        body = contents.get(name)
        if body is None:
            report.problems.append(f"{name}: listed in the manifest but missing")
        elif hashlib.sha256(body).hexdigest() != entry.get("sha256") or len(body) != entry.get("size"):
            report.problems.append(f"{name}: does not match its SHA-256 in the manifest")
    for name in sorted(set(contents) - set(listed) - {MANIFEST}):
        report.problems.append(f"{name}: not listed in the manifest")
    _check_bids(contents, manifest, report)
    _check_actions(contents, report)
    report.valid = not report.problems
    return report


def _check_bids(contents: dict[str, bytes], manifest: dict[str, Any], report: CaseFileReport) -> None:
    try:
        record = orjson.loads(contents["bids.json"])
        items = record["items"]
        rows = [
            (b["seq"], b["bidder_code"], b["amount"], _time(b["placed_at"]), bool(b["priority"]), b["chain_hash"])
            for b in items
        ]
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError):
        report.problems.append("bids.json: not a bid record")
        return
    assert report.auction_id is not None
    chain = verify_chain(report.auction_id, rows)
    report.bids, report.head = chain.bids, chain.head
    if not chain.valid:
        report.problems.append(f"bid record: {chain.problem}")
    stated = (manifest.get("bid_chain") or {}).get("head")
    if chain.valid and stated != chain.head:
        report.problems.append("bid record: the chain's head is not the one the manifest states")
    try:
        table = list(csv.DictReader(io.StringIO(contents["bids.csv"].decode("utf-8"))))
    except (KeyError, UnicodeDecodeError, csv.Error):
        report.problems.append("bids.csv: missing or unreadable")
        return
    as_csv = [{k: ("" if b.get(k) is None else str(safe_cell(b[k]))) for k in BID_FIELDS} for b in items]
    if table != as_csv:
        report.problems.append("bids.csv does not say what bids.json says")


def _check_actions(contents: dict[str, bytes], report: CaseFileReport) -> None:
    try:
        items = orjson.loads(contents["actions.json"])["items"]
        entries = [
            (
                a["seq"],
                ActionEntry(
                    chain=a["chain"],
                    court_id=a["court_id"],
                    lot_id=a["lot_id"],
                    auction_id=a["auction_id"],
                    actor_id=a["actor_id"],
                    actor=a["actor"],
                    role=a["role"],
                    action=a["action"],
                    reason=a["reason"],
                    before=a["before"],
                    after=a["after"],
                    at=_time(a["at"]),
                ),
                a["prev_hash"],
                a["hash"],
            )
            for a in items
        ]
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError):
        report.problems.append("actions.json: not an action log")
        return
    report.actions = len(entries)
    bad = verify_links(entries)
    if bad is not None:
        report.problems.append(f"action log: entry {bad} does not match its hash")
