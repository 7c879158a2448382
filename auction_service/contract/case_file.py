"""The case file's archive format (``judicial-auction-case-file/2``), and its verification by anyone.

A zip of plain files, a ``manifest.json`` listing each file's size and SHA-256, the auction, the head of
its bid hash chain and the key that signs it, and ``manifest.sig``: the service's Ed25519 signature of the
manifest's exact bytes (``core/case_file_key.py``). A third party holding the zip and the service's
public key (``GET /api/v1/case-file-key``) checks it without the service (``auction-service audit verify
--case-file FILE.zip``, ``verify_case_file``):

- the signature: whoever changes any file must recompute the manifest, and cannot sign the new one;
- every listed file is present with its digest and nothing else is;
- the bid record's chain recomputes (``auction_rules/audit.py``) to the head the manifest states, and the
  CSV copy of the record says what the JSON says;
- the result and the deposits agree with the bid chain (``auction_rules/evidence.py``): the winner is the
  last, highest bid, at its amount; every deposit stands where the outcome puts it; the settlement is the
  one the action log records;
- each action-log entry follows from the hash before it (``auction_rules/action_chain.py``);
- the lot's record (``auction_rules/lot_record.py``) recomputes from the lot's genesis with no gap to the
  head the manifest states, names exactly the actions in the file, and says where every deposit of the
  auction stands: an action or a registration dropped, or a deposit rewritten, disagrees with it.

A damaged archive (a flipped byte in a compressed member) is one problem naming the member. The
manifest's own SHA-256, sent as the ``X-Case-File-Digest`` header, is the one number to publish or compare.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from auction_rules.action_chain import ActionEntry, verify_links
from auction_rules.audit import canonical_time, genesis, verify_chain
from auction_rules.evidence import ChainBid, deposit_problems, leader_of
from auction_rules.lot_record import (
    DepositState,
    RecordEntry,
    action_disagreements,
    deposit_disagreements,
    deposit_states,
    verify_record,
)
from auction_rules.lot_record import genesis as genesis_of_lot

from ..clock import isoformat
from ..core.action_log import ActionView
from ..core.announcements import render_html
from ..core.case_file import CaseFile
from ..core.case_file_key import ALGORITHM, SigningKey, key_id_of
from .auctions import auction_json, bid_record_json, lot_json, result_json
from .csv_cells import SafeDictWriter, safe_cell
from .ledger import deposits_ledger_json

FORMAT = "judicial-auction-case-file/3"  # /3: with the lot's record (record.json)
OLDER_FORMATS = ("judicial-auction-case-file/2",)  # still read: they carry no lot's record
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
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


def _registrants_json(c: CaseFile) -> list[dict[str, Any]]:
    return [
        {
            "registration_id": r.registration_id,
            "bidder_code": r.bidder_code,
            "account_id": r.account_id,
            "username": r.username,
            "real_name": r.real_name,
            "priority_rank": r.priority_rank,
            "deposit": r.deposit,
            "registered_at": isoformat(r.registered_at),
            "terms_accepted_at": isoformat(r.terms_accepted_at),
            "terms_version": r.terms_version,
        }
        for r in c.registrants
    ]


def _holders_json(c: CaseFile) -> list[dict[str, Any]]:
    return [
        {
            "rank": h.rank,
            "account_id": h.account_id,
            "real_name": h.real_name,
            "bidder_code": h.bidder_code,
            "declared_at": isoformat(h.declared_at),
        }
        for h in c.priority_holders
    ]


def _payments_json(c: CaseFile) -> list[dict[str, Any]]:
    return [
        {
            "outcome": p.outcome,
            "settled_at": isoformat(p.settled_at),
            "recorded_by": p.recorded_by,
            "reason": p.reason,
            "recorded": p.after,
        }
        for p in c.payments
    ]


def _record_json(c: CaseFile) -> dict[str, Any]:
    """The lot's record, each entry with its links (times in the chain's own format)."""
    items = [
        {
            "seq": s.seq,
            "kind": s.entry.kind,
            "auction_id": s.entry.auction_id,
            "action_id": s.entry.action_id,
            "action_hash": s.entry.action_hash,
            "registration_id": s.entry.registration_id,
            "bidder_code": s.entry.bidder_code,
            "amount": s.entry.amount,
            "status": s.entry.status,
            "at": canonical_time(s.entry.at),
            "prev_hash": s.prev_hash,
            "hash": s.hash,
        }
        for s in c.record
    ]
    return {"lot_id": c.lot.id, "genesis": genesis_of_lot(c.lot.id), "items": items}


def _document_name(document_id: int, filename: str) -> str:
    return f"documents/{document_id}-{filename}"


def case_file_members(c: CaseFile) -> dict[str, bytes]:
    """Every file of the archive but the manifest and its signature, by name."""
    bids = bid_record_json(c.bids)["items"]
    deposits = deposits_ledger_json(c.deposits)
    actions = [action_entry_json(a) for a in c.actions]
    auction = auction_json(c.auction, now=c.generated_at, watchers=0)
    chain = {"genesis": genesis(c.auction.state.id), "head": c.chain.head, "bids": c.chain.bids, "valid": c.chain.valid}
    documents = [
        {
            "id": d.info.id,
            "kind": d.info.kind,
            "filename": d.info.filename,
            "content_type": d.info.content_type,
            "size": d.info.size,
            "sha256": d.info.sha256,
            "uploaded_at": isoformat(d.info.uploaded_at),
            "file": _document_name(d.info.id, d.info.filename),
        }
        for d in c.documents
    ]
    members = {
        "announcement.json": _json({"lot": lot_json(c.lot), "auction": auction}),
        "priority_holders.json": _json({"auction_id": c.auction.state.id, "items": _holders_json(c)}),
        "registrants.json": _json({"auction_id": c.auction.state.id, "items": _registrants_json(c)}),
        "bids.json": _json({"auction_id": c.auction.state.id, "chain": chain, "items": bids}),
        "bids.csv": _csv(BID_FIELDS, bids),
        "deposits.json": _json(deposits),
        "deposits.csv": _csv(DEPOSIT_FIELDS, deposits["items"]),
        "payments.json": _json({"auction_id": c.auction.state.id, "items": _payments_json(c)}),
        "actions.json": _json({"lot_id": c.lot.id, "items": actions}),
        "actions.csv": _csv(ACTION_FIELDS, actions),
        "documents.json": _json({"lot_id": c.lot.id, "items": documents}),
        "record.json": _json(_record_json(c)),
        "announcement.html": render_html(c.notice).encode(),
        "terms.html": render_html(c.terms).encode(),
        "terms.json": _json(
            {"auction_id": c.terms.auction_id, "version": c.terms.digest, "paragraphs": c.terms.paragraphs}
        ),
    }
    for d in c.documents:
        members[_document_name(d.info.id, d.info.filename)] = d.data
    if c.result is not None:
        members["result.json"] = _json(result_json(c.result))
    if c.confirmation_pdf is not None:
        members["confirmation.pdf"] = c.confirmation_pdf
    return members


def case_file_zip(c: CaseFile, key: SigningKey) -> tuple[bytes, str]:
    """The archive and its digest (the manifest's SHA-256), the manifest signed with ``key``. Member
    times are the generation time, so the same case file generated at the same moment gives the same
    bytes."""
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
        "actions_head": c.actions[-1].hash if c.actions else None,
        "lot_record": {"entries": len(c.record), "head": c.record[-1].hash if c.record else genesis_of_lot(c.lot.id)},
        "signing_key": {"algorithm": ALGORITHM, "key_id": key.key_id, "public_key": key.public_base64},
        "files": [
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(members.items())
        ],
    }
    manifest_bytes = _json(manifest)
    signature = _json(
        {
            "algorithm": ALGORITHM,
            "signs": MANIFEST,
            "key_id": key.key_id,
            "signature": base64.b64encode(key.sign(manifest_bytes)).decode("ascii"),
        }
    )
    stamp = c.generated_at.timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [(MANIFEST, manifest_bytes), (SIGNATURE, signature), *sorted(members.items())]:
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
    signed_by: str | None = None  # the key id the signature was checked against
    damaged: bool = False  # the archive itself cannot be read (one problem says where)
    problems: list[str] = field(default_factory=list)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)


def _members(data: bytes, report: CaseFileReport) -> dict[str, bytes] | None:
    """The archive's files by name, or None with the one problem in ``report`` (not a zip, a member too
    big, a member whose compressed bytes or checksum are damaged)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except UNREADABLE:
        report.problems.append("not a zip archive")
        report.damaged = True
        return None
    with archive:
        contents: dict[str, bytes] = {}
        for info in archive.infolist():
            if info.file_size > MAX_MEMBER_BYTES:
                report.problems.append(f"{info.filename}: larger than {MAX_MEMBER_BYTES} bytes")
                return None
            try:
                contents[info.filename] = archive.read(info)
            except UNREADABLE as exc:
                report.problems.append(
                    f"the archive is damaged: {info.filename} cannot be read ({type(exc).__name__}: {exc}); "
                    "it is not the file the service exported"
                )
                report.damaged = True
                return None
    return contents


def public_key_of(text: bytes) -> bytes:
    """A public key as 32 raw bytes, from what a person may hold: the PEM the service publishes, a
    private key's PEM (the service's own file), or the base64 of the raw key. ValueError otherwise."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    stripped = text.strip()
    if b"PRIVATE KEY" in stripped:
        private = serialization.load_pem_private_key(stripped, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError("not an Ed25519 key")
        return private.public_key().public_bytes(*raw)
    if b"PUBLIC KEY" in stripped:
        public = serialization.load_pem_public_key(stripped)
        if not isinstance(public, Ed25519PublicKey):
            raise ValueError("not an Ed25519 key")
        return public.public_bytes(*raw)
    try:
        decoded = base64.b64decode(stripped, validate=True)
    except binascii.Error:
        raise ValueError("neither a PEM key nor the base64 of a raw Ed25519 key") from None
    if len(decoded) != 32:
        raise ValueError("a raw Ed25519 public key is 32 bytes")
    return decoded


def _check_signature(contents: dict[str, bytes], trusted: bytes | None, report: CaseFileReport) -> None:
    """The manifest's exact bytes against ``manifest.sig``, with the trusted key (the service's); with
    none given, against the key the manifest names, and the report says the key was not one trusted."""
    if SIGNATURE not in contents:
        report.problems.append("manifest.sig: missing; the case file is not signed")
        return
    try:
        signature = base64.b64decode(orjson.loads(contents[SIGNATURE])["signature"], validate=True)
        stated = base64.b64decode(orjson.loads(contents[MANIFEST])["signing_key"]["public_key"], validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error, orjson.JSONDecodeError):
        report.problems.append("manifest.sig: not a signature of the manifest")
        return
    key = trusted if trusted is not None else stated
    if trusted is not None and stated != trusted:
        report.problems.append(
            f"manifest.sig: the manifest names key {key_id_of(stated)}, not the service's key {key_id_of(trusted)}"
        )
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, contents[MANIFEST])
    except (InvalidSignature, ValueError):
        report.problems.append(
            f"manifest.sig: the signature does not match the manifest under key {key_id_of(key)} "
            "(the manifest was changed after the service signed it)"
        )
        return
    if trusted is not None:
        report.signed_by = key_id_of(trusted)


def verify_case_file(data: bytes, trusted_key: bytes | None = None) -> CaseFileReport:
    """Check a case file's archive; ``problems`` says what is wrong, ``valid`` that nothing is.
    ``trusted_key``: the service's public key (32 raw bytes); without it the signature is checked
    against the key the manifest itself names, which proves nothing about who signed (``signed_by``
    stays None and the caller should say so)."""
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
    if manifest.get("format") not in (FORMAT, *OLDER_FORMATS):
        report.problems.append(f"unknown format {manifest.get('format')!r}")
    _check_signature(contents, trusted_key, report)
    report.files = len(listed)
    for name, entry in listed.items():
        body = contents.get(name)
        if body is None:
            report.problems.append(f"{name}: listed in the manifest but missing")
        elif hashlib.sha256(body).hexdigest() != entry.get("sha256") or len(body) != entry.get("size"):
            report.problems.append(f"{name}: does not match its SHA-256 in the manifest")
    for name in sorted(set(contents) - set(listed) - {MANIFEST, SIGNATURE}):
        report.problems.append(f"{name}: not listed in the manifest")
    _check_records(contents, manifest, report)
    report.valid = not report.problems
    return report


def _check_records(contents: dict[str, bytes], manifest: dict[str, Any], report: CaseFileReport) -> None:
    """The bid chain, the action log, the outcome they imply, and the lot's record (format /3)."""
    bids = _check_bids(contents, manifest, report)
    actions = _check_actions(contents, manifest, report)
    if bids is not None:
        _check_outcome(contents, bids, actions, report)
    if manifest.get("format") == FORMAT:
        _check_record(contents, manifest, actions, report)


def _check_bids(contents: dict[str, bytes], manifest: dict[str, Any], report: CaseFileReport) -> list[ChainBid] | None:
    """The bid chain recomputed, its CSV copy; the bids as the chain commits to them (None: unreadable)."""
    try:
        record = orjson.loads(contents["bids.json"])
        items = record["items"]
        rows = [
            (b["seq"], b["bidder_code"], b["amount"], _time(b["placed_at"]), bool(b["priority"]), b["chain_hash"])
            for b in items
        ]
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError):
        report.problems.append("bids.json: not a bid record")
        return None
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
        return None
    as_csv = [{k: ("" if b.get(k) is None else str(safe_cell(b[k]))) for k in BID_FIELDS} for b in items]
    if table != as_csv:
        report.problems.append("bids.csv does not say what bids.json says")
    return [ChainBid(seq, code, amount, priority) for seq, code, amount, _at, priority, _hash in rows]


def _check_actions(contents: dict[str, bytes], manifest: dict[str, Any], report: CaseFileReport) -> list[dict] | None:
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
        return None
    report.actions = len(entries)
    bad = verify_links(entries)
    if bad is not None:
        report.problems.append(f"action log: entry {bad} does not match its hash")
    seqs = [seq for seq, *_ in entries]
    if seqs != sorted(set(seqs)):
        report.problems.append("action log: the entries are not in the chain's order")
    if "actions" in manifest and manifest["actions"] != len(entries):
        report.problems.append(f"action log: {len(entries)} entries where the manifest states {manifest['actions']}")
    last = items[-1]["hash"] if items else None
    if "actions_head" in manifest and manifest["actions_head"] != last:
        report.problems.append("action log: the last entry is not the one the manifest states")
    return list(items)


def _load(contents: dict[str, bytes], name: str) -> Any:
    try:
        return orjson.loads(contents[name])
    except (KeyError, orjson.JSONDecodeError):
        return None


def _check_outcome(
    contents: dict[str, bytes], bids: list[ChainBid], actions: list[dict] | None, report: CaseFileReport
) -> None:
    """The result, the deposits and the settlement against the bid chain and the action log."""
    leader, disorder = leader_of(bids)
    if disorder:
        report.problems.append(f"bid record: {disorder}")
    result = _load(contents, "result.json")
    announcement = _load(contents, "announcement.json") or {}
    status = (announcement.get("auction") or {}).get("status")
    settlement = None
    if result is not None:
        status, settlement = _check_result(contents, result, leader, report)
    winner = leader.bidder_code if leader is not None and status == "sold" else None
    _check_deposits(contents, bids, status, settlement, winner, report)
    if actions is not None and report.auction_id is not None:
        recorded = [a["action"] for a in actions if a.get("auction_id") == report.auction_id]
        expected = {"paid": "sale_paid", "defaulted": "sale_defaulted"}.get(settlement or "")
        settled = [a for a in recorded if a in ("sale_paid", "sale_defaulted")]
        if settled != ([expected] if expected else []):
            report.problems.append(
                f"settlement: the result says {settlement or 'none'} but the action log records "
                f"{', '.join(settled) or 'no settlement'}"
            )


def _check_result(
    contents: dict[str, bytes], result: Any, leader: Any, report: CaseFileReport
) -> tuple[str | None, str | None]:
    """result.json against the chain's leader and the registrants; returns (outcome, settlement)."""
    try:
        outcome, code, price, count = result["outcome"], result["winner_code"], result["price"], result["bid_count"]
    except (KeyError, TypeError):
        report.problems.append("result.json: not a result")
        return None, None
    settlement = result.get("settlement")
    if leader is None:
        if outcome != "unsold" or code is not None or price is not None:
            report.problems.append(f"result.json: says {outcome} with winner {code} but the bid record has no bid")
    elif (outcome, code, price) != ("sold", leader.bidder_code, leader.price):
        report.problems.append(
            f"result.json: says {outcome} to {code} at {price}, but the bid chain's highest valid bid is "
            f"{leader.bidder_code}'s at {leader.price}"
        )
    if count != report.bids:
        report.problems.append(f"result.json: says {count} bids, the bid record holds {report.bids}")
    registrants = _load(contents, "registrants.json")
    if registrants is not None and outcome == "sold":
        names = {r.get("bidder_code"): r.get("real_name") for r in registrants.get("items", [])}
        if names.get(code) != result.get("winner_name"):
            report.problems.append(
                f"result.json: names the winner {result.get('winner_name')!r}, but registrant {code} is "
                f"{names.get(code)!r}"
            )
    return outcome, settlement


def _check_deposits(
    contents: dict[str, bytes],
    bids: list[ChainBid],
    status: str | None,
    settlement: str | None,
    winner: str | None,
    report: CaseFileReport,
) -> None:
    ledger = _load(contents, "deposits.json")
    if ledger is None:
        report.problems.append("deposits.json: missing or unreadable")
        return
    try:
        items = [(d["bidder_code"], d["deposit_status"]) for d in ledger["items"]]
    except (KeyError, TypeError):
        report.problems.append("deposits.json: not a deposits ledger")
        return
    codes = {code for code, _ in items}
    for code in sorted({b.bidder_code for b in bids} - codes):
        report.problems.append(f"deposits: bidder {code} bid but has no registration in the ledger")
    registrants = _load(contents, "registrants.json")
    if registrants is not None and {r.get("bidder_code") for r in registrants.get("items", [])} != codes:
        report.problems.append("registrants.json and deposits.json do not list the same registrations")
    if status is not None:
        report.problems.extend(f"deposits: {p}" for p in deposit_problems(status, settlement, winner, items))


def _record_entries(items: list[dict[str, Any]]) -> list[tuple[int, RecordEntry, str, str]]:
    return [
        (
            e["seq"],
            RecordEntry(
                lot_id=0,  # set by the caller: the manifest's lot
                kind=e["kind"],
                auction_id=e["auction_id"],
                at=_time(e["at"]),
                action_id=e["action_id"],
                action_hash=e["action_hash"],
                registration_id=e["registration_id"],
                bidder_code=e["bidder_code"],
                amount=e["amount"],
                status=e["status"],
            ),
            e["prev_hash"],
            e["hash"],
        )
        for e in items
    ]


def _check_record(
    contents: dict[str, bytes], manifest: dict[str, Any], actions: list[dict] | None, report: CaseFileReport
) -> None:
    """The lot's record: continuous from the lot's genesis to the head the manifest states; the actions
    of actions.json exactly its action entries; the auction's deposits where it says they stand."""
    try:
        lot_id = int(manifest["lot_id"])
        items = orjson.loads(contents["record.json"])["items"]
        rows = [
            (seq, replace(entry, lot_id=lot_id), prev, digest) for seq, entry, prev, digest in _record_entries(items)
        ]
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError):
        report.problems.append("record.json: missing, or not a lot's record")
        return
    checked = verify_record(lot_id, rows)
    if not checked.valid:
        report.problems.append(f"lot's record: {checked.problem}")
    stated = manifest.get("lot_record") or {}
    if (stated.get("entries"), stated.get("head")) != (checked.entries, checked.head) and checked.valid:
        report.problems.append("lot's record: its length or head is not what the manifest states")
    entries = [entry for _seq, entry, _prev, _hash in rows]
    if actions is not None:
        listed = [(a.get("id"), a.get("hash")) for a in actions]
        report.problems.extend(f"lot's record: {p}" for p in action_disagreements(entries, listed))
    ledger = _load(contents, "deposits.json") or {}
    try:
        stored = [
            DepositState(d["registration_id"], report.auction_id, d["bidder_code"], d["deposit"], d["deposit_status"])
            for d in ledger.get("items", [])
        ]
    except (KeyError, TypeError):
        return  # reported by the deposits' own check
    recorded = {k: v for k, v in deposit_states(entries).items() if v.auction_id == report.auction_id}
    report.problems.extend(f"lot's record: {p}" for p in deposit_disagreements(recorded, stored))
