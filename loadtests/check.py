"""Invariants of the bidding core, checked directly on the database after a run (raw ``sqlite3`` or
``asyncpg``: nothing of ``auction_service`` is used, so a bug there cannot hide itself).

``python -m loadtests.check --db-url URL --acks DIR`` checks a database on its own; the runner calls
``check()`` after every run. Exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auction_rules.profiles import SANDBOX

EXTENSION = SANDBOX.extension  # rule 11 of the rules the load tests run (sandbox), in simulated time
ENDED = ("sold", "unsold")
CLOSED = ("sold", "unsold", "withdrawn")
DEPOSIT_STATES = ("frozen", "released", "applied", "forfeited")

AUCTION_COLS = (
    "id, status, start_at, scheduled_end_at, end_at, current_price, leader_code, leader_registration_id, "
    "seq, extension_count, closed_at, deposit, starting_price, increment"
)
BID_COLS = "auction_id, seq, amount, bidder_code, placed_at, end_at, priority, registration_id"
REG_COLS = "id, auction_id, bidder_code, deposit, deposit_status, priority_rank"


def _utc(value: Any) -> Any:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def _rows_sqlite(path: str) -> tuple[list[dict], list[dict], list[dict]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        out = []
        for cols, sql in (
            (AUCTION_COLS, "FROM auctions ORDER BY id"),
            (BID_COLS, "FROM bids ORDER BY auction_id, seq"),
            (REG_COLS, "FROM registrations ORDER BY id"),
        ):
            out.append([dict(r) for r in conn.execute(f"SELECT {cols} {sql}")])
        return out[0], out[1], out[2]
    finally:
        conn.close()


async def _rows_postgres(dsn: str) -> tuple[list[dict], list[dict], list[dict]]:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        a = [dict(r) for r in await conn.fetch(f"SELECT {AUCTION_COLS} FROM auctions ORDER BY id")]
        b = [dict(r) for r in await conn.fetch(f"SELECT {BID_COLS} FROM bids ORDER BY auction_id, seq")]
        r = [dict(x) for x in await conn.fetch(f"SELECT {REG_COLS} FROM registrations ORDER BY id")]
        return a, b, r
    finally:
        await conn.close()


def load(db_url: str) -> tuple[list[dict], list[dict], list[dict]]:
    """Read the three tables from a SQLAlchemy-style URL (``sqlite+aiosqlite:///path`` or
    ``postgresql+asyncpg://...``)."""
    if db_url.startswith("sqlite"):
        auctions, bids, regs = _rows_sqlite(db_url.split(":///", 1)[1])
    else:
        auctions, bids, regs = asyncio.run(_rows_postgres("postgresql://" + db_url.split("://", 1)[1]))
    for rows, cols in (
        (auctions, ("start_at", "scheduled_end_at", "end_at", "closed_at")),
        (bids, ("placed_at", "end_at")),
    ):
        for row in rows:
            for c in cols:
                row[c] = _utc(row[c])
    for row in bids:
        row["priority"] = bool(row["priority"])
    return auctions, bids, regs


def load_acks(directory: Path) -> list[tuple[int, int, int, str]]:
    acks = []
    for f in sorted(directory.glob("acks-*.jsonl")):
        for line in f.read_text().splitlines():
            if line.strip():
                a, s, amt, code = json.loads(line)
                acks.append((int(a), int(s), int(amt), str(code)))
    return acks


@dataclass
class Report:
    checked: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    violations: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    facts: dict[str, Any] = field(default_factory=dict)

    def ok(self, name: str, condition: bool, detail: str) -> bool:
        self.checked[name] += 1
        if not condition:
            self.violations[name].append(detail)
        return condition

    @property
    def failed(self) -> bool:
        return any(self.violations.values())

    def table(self) -> str:
        width = max(len(n) for n in self.checked) if self.checked else 10
        lines = [f"{'invariant':<{width}}  {'checked':>8}  {'violations':>10}", "-" * (width + 22)]
        for name in self.checked:
            bad = len(self.violations.get(name, []))
            lines.append(f"{name:<{width}}  {self.checked[name]:>8}  {bad:>10}{'  <-- FAIL' if bad else ''}")
        for name, details in self.violations.items():
            for d in details[:5]:
                lines.append(f"  {name}: {d}")
            if len(details) > 5:
                lines.append(f"  {name}: ... and {len(details) - 5} more")
        lines.append("facts: " + ", ".join(f"{k}={v}" for k, v in self.facts.items()))
        return "\n".join(lines)


def check_rows(
    auctions: list[dict], bids: list[dict], regs: list[dict], acks: list[tuple[int, int, int, str]]
) -> Report:
    rep = Report()
    by_auction: dict[int, list[dict]] = defaultdict(list)
    for b in bids:
        by_auction[b["auction_id"]].append(b)
    regs_of: dict[int, list[dict]] = defaultdict(list)
    for r in regs:
        regs_of[r["auction_id"]].append(r)
    stored = {(b["auction_id"], b["seq"]): b for b in bids}

    # 1. every acknowledged bid is stored, as acknowledged
    seen_acks: dict[tuple[int, int], tuple[int, str]] = {}
    for aid, seq, amount, code in acks:
        row = stored.get((aid, seq))
        rep.ok(
            "acknowledged bid stored",
            row is not None and row["amount"] == amount and row["bidder_code"] == code,
            f"auction {aid} seq {seq} acked {amount}/{code}, stored {row and (row['amount'], row['bidder_code'])}",
        )
        prev = seen_acks.setdefault((aid, seq), (amount, code))
        rep.ok(
            "one ack per seq", prev == (amount, code), f"auction {aid} seq {seq} acked as {prev} and {amount}/{code}"
        )

    for a in auctions:
        aid = a["id"]
        chain = by_auction.get(aid, [])
        # 2. seq is 1..n without gaps, and the row's counter agrees
        rep.ok(
            "seq 1..n, no gaps",
            [b["seq"] for b in chain] == list(range(1, len(chain) + 1)) and a["seq"] == len(chain),
            f"auction {aid}: seqs {[b['seq'] for b in chain][:10]}... row seq {a['seq']}, {len(chain)} bids",
        )
        prev_amount = None
        prev_end = a["scheduled_end_at"]
        prev_placed = a["start_at"]
        extensions = 0
        for b in chain:
            # 3. amounts strictly rise (equal only for a priority holder's match); first = starting price
            if prev_amount is None:
                rep.ok(
                    "first bid = starting price",
                    b["amount"] == a["starting_price"],
                    f"auction {aid} seq 1 amount {b['amount']} start {a['starting_price']}",
                )
            else:
                rising = b["amount"] > prev_amount or (b["amount"] == prev_amount and b["priority"])
                rep.ok(
                    "amounts rise (ties: priority)",
                    rising,
                    f"auction {aid} seq {b['seq']}: {prev_amount} -> {b['amount']}",
                )
                rep.ok(
                    "bid on the increment",
                    (b["amount"] - prev_amount) % a["increment"] == 0,
                    f"auction {aid} seq {b['seq']}: +{b['amount'] - prev_amount} (increment {a['increment']})",
                )
            # 4. no bid at or after the end as it stood; soft close end = placed_at + 5 min
            rep.ok(
                "placed before the end then",
                prev_placed <= b["placed_at"] < prev_end,
                f"auction {aid} seq {b['seq']} placed {b['placed_at']} end was {prev_end} (prev bid {prev_placed})",
            )
            expected_end = max(prev_end, b["placed_at"] + EXTENSION)
            rep.ok(
                "soft close end_at",
                b["end_at"] == expected_end,
                f"auction {aid} seq {b['seq']} end {b['end_at']} expected {expected_end}",
            )
            if prev_end - b["placed_at"] < EXTENSION:
                extensions += 1
            prev_amount, prev_end, prev_placed = b["amount"], b["end_at"], b["placed_at"]
        # 5. the row agrees with the bid record
        if chain:
            top = chain[-1]
            rep.ok(
                "current_price/leader = top bid",
                a["current_price"] == top["amount"]
                and a["leader_code"] == top["bidder_code"]
                and a["leader_registration_id"] == top["registration_id"],
                f"auction {aid}: row {a['current_price']}/{a['leader_code']} top {top['amount']}/{top['bidder_code']}",
            )
            rep.ok(
                "end_at = last bid's end",
                a["end_at"] == top["end_at"] and a["end_at"] >= top["placed_at"],
                f"auction {aid}: end {a['end_at']} last bid end {top['end_at']}",
            )
            rep.ok(
                "extension_count",
                a["extension_count"] == extensions,
                f"auction {aid}: row {a['extension_count']} bids that extended {extensions}",
            )
        else:
            rep.ok(
                "no bid: no price",
                a["current_price"] is None and a["leader_code"] is None and a["end_at"] == a["scheduled_end_at"],
                f"auction {aid}: no bids but price {a['current_price']} leader {a['leader_code']}",
            )
        # 6. outcome: one winner holding the top bid
        if a["status"] == "sold":
            winners = [r for r in regs_of[aid] if r["deposit_status"] != "released"]
            rep.ok(
                "sold: one winner = top bidder",
                bool(chain)
                and len(winners) == 1
                and winners[0]["id"] == a["leader_registration_id"]
                and winners[0]["bidder_code"] == chain[-1]["bidder_code"],
                f"auction {aid}: unreleased registrations {[w['bidder_code'] for w in winners]}, "
                f"top {chain[-1]['bidder_code'] if chain else None}",
            )
            if "closed_at" in a:  # the database has it; the public API does not publish it
                rep.ok(
                    "closed at the end",
                    a["closed_at"] == a["end_at"],
                    f"auction {aid}: closed {a['closed_at']} end {a['end_at']}",
                )
        elif a["status"] == "unsold":
            rep.ok("unsold: no bid", not chain, f"auction {aid}: unsold with {len(chain)} bids")
        # 7. deposits ledger
        total = sum(r["deposit"] for r in regs_of[aid])
        per_state = {s: sum(r["deposit"] for r in regs_of[aid] if r["deposit_status"] == s) for s in DEPOSIT_STATES}
        rep.ok(
            "deposit ledger balances",
            sum(per_state.values()) == total and all(r["deposit"] == a["deposit"] for r in regs_of[aid]),
            f"auction {aid}: {per_state} total {total} deposit {a['deposit']}",
        )
        for r in regs_of[aid]:
            status = r["deposit_status"]
            if status == "released":
                good = a["status"] in CLOSED and r["id"] != (
                    a["leader_registration_id"] if a["status"] == "sold" else None
                )
            elif status in ("applied", "forfeited"):
                good = a["status"] == "sold" and r["id"] == a["leader_registration_id"]
            elif status == "frozen":
                good = a["status"] not in CLOSED or (a["status"] == "sold" and r["id"] == a["leader_registration_id"])
            else:
                good = False
            rep.ok(
                "deposit status fits outcome", good, f"auction {aid} ({a['status']}) reg {r['bidder_code']}: {status}"
            )

    statuses: dict[str, int] = defaultdict(int)
    for a in auctions:
        statuses[a["status"]] += 1
    rep.facts = {
        "auctions": len(auctions),
        **{f"status_{k}": v for k, v in sorted(statuses.items())},
        "bids": len(bids),
        "acks": len(acks),
        "registrations": len(regs),
        "max_extensions": max((a["extension_count"] for a in auctions), default=0),
    }
    return rep


def check(db_url: str, acks_dir: Path) -> Report:
    auctions, bids, regs = load(db_url)
    return check_rows(auctions, bids, regs, load_acks(acks_dir))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--db-url", required=True)
    p.add_argument("--acks", type=Path, default=Path("."), help="directory holding acks-*.jsonl")
    args = p.parse_args(argv)
    rep = check(args.db_url, args.acks)
    print(rep.table())
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
