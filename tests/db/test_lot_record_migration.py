"""Migration 0013 (the lot's record) on a database that already holds a lot's history: every stored
action of the lot and every registration's deposit (frozen when it registered, then where it stands) is
entered, in time order, as one continuous chain from the lot's genesis."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from auction_rules.lot_record import deposit_states, verify_record
from auction_service.db import migrate
from auction_service.db.models import Base
from auction_service.db.record_rows import entry_of
from tests.db.test_migrations import fresh_engine  # noqa: F401  (the fixture: a brand-new database of each kind)

T0 = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
TABLES = Base.metadata.tables


def rows() -> list[tuple[str, dict]]:
    hour = timedelta(hours=1)
    auction = {
        "id": 1, "lot_id": 1, "round": "1", "status": "sold", "appraisal": 100, "starting_price": 70,
        "increment": 1, "deposit": 7, "start_at": T0, "scheduled_end_at": T0 + hour, "end_at": T0 + hour,
        "seq": 0, "extension_count": 0, "version": 1, "created_at": T0,
    }  # fmt: skip

    def registration(i: int, status: str, moved: datetime | None) -> dict:
        return {
            "id": i, "auction_id": 1, "bidder_id": 1 + i, "bidder_code": f"A000{i}", "deposit": 7,
            "deposit_status": status, "created_at": T0 + i * timedelta(minutes=1), "deposit_updated_at": moved,
        }  # fmt: skip

    def account(i: int, role: str) -> dict:
        return {
            "id": i, "username": f"u{i}", "username_key": f"u{i}", "password_hash": "x", "role": role,
            "real_name": "张三", "created_at": T0,
        }  # fmt: skip

    def action(i: int, name: str, at: datetime) -> dict:
        return {
            "id": i, "chain": 1, "seq": i, "court_id": 1, "lot_id": 1, "auction_id": 1 if i > 1 else None,
            "actor_id": 1, "actor": "u1", "role": "staff", "action": name, "at": at,
            "prev_hash": "0" * 64, "hash": f"{i}" * 64,
        }  # fmt: skip

    return [
        ("courts", {"id": 1, "name": "甲法院", "created_at": T0}),
        ("accounts", account(1, "staff")),
        ("accounts", account(2, "bidder")),
        ("accounts", account(3, "bidder")),
        ("lots", {"id": 1, "court_id": 1, "title": "房", "category": "residential", "appraisal": 100,
                  "details": {}, "created_at": T0 - hour}),
        ("auctions", auction),
        ("registrations", registration(1, "released", T0 + 2 * hour)),
        ("registrations", registration(2, "applied", T0 + 5 * hour)),
        ("action_log", action(1, "lot_created", T0 - hour)),
        ("action_log", action(2, "sale_paid", T0 + 5 * hour)),
    ]  # fmt: skip


async def test_0013_enters_each_lots_stored_history_as_one_chain(fresh_engine):  # noqa: F811
    await migrate.upgrade(fresh_engine, "0011")
    async with fresh_engine.begin() as conn:
        for table, values in rows():
            await conn.execute(TABLES[table].insert().values(**values))
    await migrate.upgrade(fresh_engine)
    async with fresh_engine.connect() as conn:
        stored = (await conn.execute(select(TABLES["lot_record"]).order_by(TABLES["lot_record"].c.seq))).all()
    chain = [(r.seq, entry_of(r), r.prev_hash, r.hash) for r in stored]
    assert verify_record(1, chain).valid
    moves = [(e.kind, e.action_id or e.bidder_code, e.status) for _, e, _, _ in chain]
    assert moves == [
        ("action", 1, None),  # the lot created, an hour before bidding
        ("deposit", "A0001", "frozen"),
        ("deposit", "A0002", "frozen"),
        ("deposit", "A0001", "released"),
        ("deposit", "A0002", "applied"),  # its move and the payment at one moment: the deposit first
        ("action", 2, None),
    ]
    states = deposit_states(e for _, e, _, _ in chain)
    assert {k: (v.bidder_code, v.amount, v.status) for k, v in states.items()} == {
        1: ("A0001", 7, "released"),
        2: ("A0002", 7, "applied"),
    }
