"""The bid writer with SQLite on the event loop's thread (the simulator's ``sqlite_on_loop``): a group of
bids alone runs its transaction on the sqlite3 connection itself (``group_writer._bids_alone``). It must
commit all of a group or nothing of it, and a failed group must leave the writer able to go on."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text

from auction_rules.bidding import AuctionState
from auction_service.db.auction_rows import state_from_row
from auction_service.db.connection import create_database
from auction_service.db.group_writer import GroupWriter
from auction_service.db.models import Auction, Base
from auction_service.db.writes import AuctionWrite, BidRow

T0 = datetime(2026, 5, 26, 2, 0, tzinfo=UTC)


def _auction_row() -> dict:
    return {
        "id": 1,
        "lot_id": 1,
        "round": "1",
        "status": "live",
        "appraisal": 1_000,
        "starting_price": 100,
        "increment": 10,
        "deposit": 50,
        "start_at": T0,
        "scheduled_end_at": T0 + timedelta(days=1),
        "end_at": T0 + timedelta(days=1),
        "seq": 0,
        "extension_count": 0,
        "version": 0,
        "created_at": T0,
    }


def _bid(state: AuctionState, seq: int, amount: int) -> tuple[AuctionState, AuctionWrite]:
    placed = T0 + timedelta(minutes=seq)
    after = dataclasses.replace(
        state, seq=seq, current_price=amount, leader_registration_id=7, leader_code="A0001",
        last_bid_at=placed, version=state.version + 1,
    )  # fmt: skip
    row = BidRow(1, seq, 7, 8, "A0001", amount, placed, state.end_at, False, None, f"{seq:064d}")
    return after, AuctionWrite(after, state.version, bids=[row], bids_only=True)


def _stored(db) -> tuple[int, int, list[int]]:
    with db.sync_write.connect() as conn:
        seq, version = conn.execute(text("SELECT seq, version FROM auctions WHERE id = 1")).one()
        bids = list(conn.execute(text("SELECT amount FROM bids WHERE auction_id = 1 ORDER BY seq")).scalars())
    return seq, version, bids


async def test_a_group_of_bids_alone_commits_whole_or_not_at_all_and_the_writer_goes_on(tmp_path) -> None:
    db = create_database(f"sqlite+aiosqlite:///{tmp_path}/writer.db", sqlite_on_loop=True)
    assert db.sync_write is not None
    # the bid's registration, account and the auction's lot are not made here: their keys are not checked
    event.listen(db.sync_write, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA foreign_keys=OFF"))
    try:
        with db.sync_write.begin() as conn:
            Base.metadata.create_all(conn)
            conn.execute(Auction.__table__.insert(), _auction_row())
            state = state_from_row(conn.execute(Auction.__table__.select()).one())
        writer = GroupWriter(db)

        first, write = _bid(state, 1, 100)
        assert await writer.commit([write]) == set()
        assert _stored(db) == (1, 1, [100])

        # the snapshot UPDATE succeeds, the bid's INSERT breaks the unique (auction, seq): nothing stays
        _, broken = _bid(first, 1, 110)
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):  # raised by sqlite3, as before
            await writer.commit([broken])
        assert _stored(db) == (1, 1, [100])

        # the writer goes on, on a fresh connection, and a stale version is still refused by the guard
        _, second = _bid(first, 2, 110)
        assert await writer.commit([second]) == set()
        assert _stored(db) == (2, 2, [100, 110])
        _, stale = _bid(first, 2, 120)  # decided on version 1, which is no longer the row's
        assert await writer.commit([stale]) == {1}
        assert _stored(db) == (2, 2, [100, 110])
    finally:
        await db.dispose()
