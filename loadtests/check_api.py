"""The same invariants as ``check.py``, read through the public API alone, for a deployment whose
database the load-tester cannot reach (``loadtests.run --url``).

What the API publishes is enough for every invariant but one: the auction row's ``closed_at`` is not
published, so "closed at the end" is checked only on the database. In exchange this check also reads
each auction's audit (``GET /auctions/{id}/audit``: the bid hash chain recomputed by the service) and
its result (``GET /auctions/{id}/result``: the published winner holds the top bid).

    python -m loadtests.check_api --url http://host:port --username STAFF --auctions 1,2,3 [--acks DIR]

The staff account must belong to the auctions' court (the deposits ledger is the court's).
Exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from .check import Report, _utc, check_rows, load_acks


class ApiReader:
    """Reads auctions, bid records, deposits ledgers, audits and results over HTTP."""

    def __init__(self, base: str, token: str, concurrency: int = 8) -> None:
        self.client = httpx.AsyncClient(
            base_url=base, timeout=60, trust_env=False, headers={"Authorization": f"Bearer {token}"}
        )
        self.sem = asyncio.Semaphore(concurrency)

    async def close(self) -> None:
        await self.client.aclose()

    async def get(self, path: str, params: dict[str, Any] | None = None, ok: tuple[int, ...] = (200,)) -> Any:
        async with self.sem:
            r = await self.client.get(path, params=params)
        if r.status_code not in ok:
            raise RuntimeError(f"GET {path} answered {r.status_code}: {r.text[:200]}")
        return r.json() if r.status_code == 200 else None

    async def bids(self, auction_id: int) -> list[dict]:
        items: list[dict] = []
        while True:
            page = await self.get(f"/api/v1/auctions/{auction_id}/bids", {"after_seq": len(items)})
            if not page["items"]:
                return items
            items.extend(page["items"])

    async def auction(self, auction_id: int, attempts: int = 20) -> dict[str, Any]:
        """One auction's rows as ``check.check_rows`` takes them, plus the API-only facts.

        The reads are several requests, and an auction may close between them (its deposits released
        after its status was read). So the auction is read before and after the rest, and the set is
        taken only when nothing moved in between; otherwise it is read again a moment later."""
        for _ in range(attempts):
            before = await self.get(f"/api/v1/auctions/{auction_id}")
            bids = await self.bids(auction_id)
            ledger = await self.get(f"/api/v1/auctions/{auction_id}/deposits")
            audit = await self.get(f"/api/v1/auctions/{auction_id}/audit")
            result = await self.get(f"/api/v1/auctions/{auction_id}/result", ok=(200, 409))
            after = await self.get(f"/api/v1/auctions/{auction_id}")
            steady = (
                (before["status"], before["seq"]) == (after["status"], after["seq"]) == (ledger["status"], len(bids))
            )
            if steady and _close_done(after, ledger):
                return {"auction": after, "bids": bids, "ledger": ledger, "audit": audit, "result": result}
            await asyncio.sleep(0.25)
        raise RuntimeError(f"auction {auction_id} kept changing while it was read ({attempts} attempts)")


def _close_done(auction: dict[str, Any], ledger: dict[str, Any]) -> bool:
    """False in the moment between an auction's end (its published status is already the outcome) and
    its closing job releasing the losers' deposits."""
    if auction["status"] not in ("sold", "unsold"):
        return True
    winner = auction["leading_code"] if auction["status"] == "sold" else None
    return all(r["deposit_status"] != "frozen" or r["bidder_code"] == winner for r in ledger["items"])


def to_rows(read: dict[str, Any]) -> tuple[dict, list[dict], list[dict]]:
    """Map the published shapes onto the database rows ``check_rows`` checks (``closed_at`` left out)."""
    a = read["auction"]
    regs = [
        {
            "id": r["registration_id"],
            "auction_id": a["id"],
            "bidder_code": r["bidder_code"],
            "deposit": r["deposit"],
            "deposit_status": r["deposit_status"],
            "priority_rank": r["priority_rank"],
        }
        for r in read["ledger"]["items"]
    ]
    reg_of_code = {r["bidder_code"]: r["id"] for r in regs}
    auction = {
        "id": a["id"],
        "status": a["status"],
        "start_at": _utc(a["start_at"]),
        "scheduled_end_at": _utc(a["scheduled_end_at"]),
        "end_at": _utc(a["end_at"]),
        "current_price": a["current_price"],
        "leader_code": a["leading_code"],
        "leader_registration_id": reg_of_code.get(a["leading_code"]),
        "seq": a["seq"],
        "extension_count": a["extension_count"],
        "deposit": a["deposit"],
        "starting_price": a["starting_price"],
        "increment": a["increment"],
    }
    bids = [
        {
            "auction_id": a["id"],
            "seq": b["seq"],
            "amount": b["amount"],
            "bidder_code": b["bidder_code"],
            "placed_at": _utc(b["placed_at"]),
            "end_at": _utc(b["end_at"]),
            "priority": bool(b["priority"]),
            "registration_id": reg_of_code.get(b["bidder_code"]),
        }
        for b in read["bids"]
    ]
    return auction, bids, regs


def check_published(reads: list[dict[str, Any]], report: Report) -> None:
    """What only the API shows: the service's own audit of each chain, and the published result."""
    for read in reads:
        aid = read["auction"]["id"]
        audit, bids = read["audit"], read["bids"]
        head = bids[-1]["chain_hash"] if bids else None
        report.ok(
            "audit chain valid, head = last bid",
            audit["valid"] and audit["bids"] == len(bids) and (not bids or audit["head"] == head),
            f"auction {aid}: audit {audit} last bid hash {head}",
        )
        result = read["result"]
        if read["auction"]["status"] in ("sold", "unsold"):
            top = bids[-1] if bids else None
            report.ok(
                "published result = top bid",
                result is not None
                and result["outcome"] == read["auction"]["status"]
                and (top is None or (result["price"] == top["amount"] and result["winner_code"] == top["bidder_code"])),
                f"auction {aid}: result {result} top {top and (top['amount'], top['bidder_code'])}",
            )


async def read_all(base: str, token: str, auction_ids: list[int]) -> list[dict[str, Any]]:
    reader = ApiReader(base, token)
    try:
        return list(await asyncio.gather(*(reader.auction(aid) for aid in auction_ids)))
    finally:
        await reader.close()


async def staff_token(base: str, username: str, password: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as c:
        r = await c.post("/api/v1/auth/token", data={"username": username, "password": password})
    if r.status_code != 200:
        raise RuntimeError(f"staff login as {username!r} answered {r.status_code}: {r.text[:200]}")
    return r.json()["access_token"]


def check(base: str, token: str, auction_ids: list[int], acks_dir: Path) -> Report:
    """Every invariant the API can show, over the given auctions (a deployment holds other data too:
    only the run's own auctions are checked, and only acknowledgements for them count)."""
    return asyncio.run(check_async(base, token, auction_ids, acks_dir))


async def check_async(base: str, token: str, auction_ids: list[int], acks_dir: Path) -> Report:
    reads = await read_all(base, token, auction_ids)
    auctions, bids, regs = [], [], []
    for read in reads:
        a, b, r = to_rows(read)
        auctions.append(a)
        bids.extend(b)
        regs.extend(r)
    wanted = set(auction_ids)
    acks = [ack for ack in load_acks(acks_dir) if ack[0] in wanted]
    report = check_rows(auctions, bids, regs, acks)
    check_published(reads, report)
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m loadtests.check_api", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--url", required=True, help="the service, e.g. http://127.0.0.1:8000")
    p.add_argument("--username", required=True, help="staff of the auctions' court")
    p.add_argument("--auctions", required=True, help="auction ids, comma-separated")
    p.add_argument("--acks", type=Path, default=Path("."), help="directory holding acks-*.jsonl")
    args = p.parse_args(argv)
    password = os.environ.get("LOADTEST_STAFF_PASSWORD")
    if not password:
        p.error("set LOADTEST_STAFF_PASSWORD to the staff account's password")
    try:
        ids = [int(x) for x in args.auctions.split(",") if x.strip()]
    except ValueError:
        p.error("--auctions takes integer ids separated by commas")
    report = check(args.url, asyncio.run(staff_token(args.url, args.username, password)), ids, args.acks)
    print(report.table())
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
