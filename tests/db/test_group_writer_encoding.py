"""The group writer's statements are described once (``db/group_writer.py``) and run by either driver:
through SQLAlchemy (PostgreSQL) or as precompiled SQL on the raw sqlite3 connection (SQLite's fast path).
Rows written either way must be the same rows, byte for byte, and only the values that need it are
converted on the fast path (times, found from the models' column types)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.dialects import sqlite

from auction_service.db.group_writer import BID_INSERT, BID_UPDATE, FULL_UPDATE, sqlite_time
from auction_service.db.models import Auction, Base, Bid
from auction_service.db.types import UTCDateTime
from auction_service.db.writes import BidRow

T0 = datetime(2026, 5, 26, 2, 0, 0, 123000, tzinfo=UTC)


def test_times_are_encoded_like_sqlalchemys_utc_datetime_on_sqlite():
    dialect = sqlite.dialect()
    process = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    for moment in (
        datetime(2026, 5, 26, 2, 0, tzinfo=UTC),
        datetime(2026, 5, 26, 10, 22, 18, 123000, tzinfo=timezone(timedelta(hours=8))),
        datetime(1999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
    ):
        assert sqlite_time(moment) == process(moment)
    assert sqlite_time(None) is None
    with pytest.raises(ValueError):
        sqlite_time(datetime(2026, 5, 26, 2, 0))  # naive: refused, as UTCDateTime refuses it


def test_the_bid_insert_names_every_column_of_a_bid_row_but_its_key():
    assert BID_INSERT.keys == BidRow._fields
    assert set(BidRow._fields) == {c.name for c in Bid.__table__.c} - {"id"}


@pytest.mark.parametrize(
    "statement", [BID_UPDATE, FULL_UPDATE, BID_INSERT], ids=["bid-update", "full-update", "insert"]
)
def test_only_time_columns_are_converted_on_the_fast_path(statement):
    table = Bid.__table__ if statement is BID_INSERT else Auction.__table__
    columns = [key.removeprefix("v_") for key in statement.keys if key not in ("w_id", "w_expected")]
    times = {i for i, column in enumerate(columns) if isinstance(table.c[column].type, UTCDateTime)}
    assert times, "every statement of a group writes a time"
    assert {i for i, _ in statement.sqlite_conversions} == times


def _rows_written(through_sqlalchemy: bool) -> list[tuple]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("PRAGMA foreign_keys=OFF"))
        conn.execute(
            Auction.__table__.insert(),
            {
                "id": 1,
                "lot_id": 1,
                "round": "1",
                "status": "live",
                "appraisal": 100,
                "starting_price": 10,
                "increment": 1,
                "deposit": 5,
                "start_at": T0,
                "scheduled_end_at": T0,
                "end_at": T0,
                "seq": 0,
                "extension_count": 0,
                "version": 0,
                "created_at": T0,
            },
        )
        raw = None if through_sqlalchemy else conn.connection.driver_connection
        east = timezone(timedelta(hours=8))
        bid = BidRow(1, 1, 7, 8, "A0001", 11, T0.astimezone(east), T0 + timedelta(minutes=5), True, "key", "h" * 64)
        BID_INSERT.execute(conn, raw, [bid])
        full = [
            (
                *(
                    {
                        "status": "sold",
                        "round": "2",
                        "start_at": T0,
                        "end_at": T0 + timedelta(minutes=5),
                        "scheduled_end_at": T0,
                        "starting_price": 10,
                        "increment": 1,
                        "current_price": 11,
                        "leader_registration_id": 7,
                        "leader_code": "A0001",
                        "leader_rank": None,
                        "seq": 1,
                        "extension_count": 1,
                        "last_bid_at": T0.astimezone(east),
                        "suspended_at": None,
                        "status_reason": "理由",
                        "closed_at": T0 + timedelta(minutes=5),
                        "version": 1,
                    }[key.removeprefix("v_")]
                    for key in FULL_UPDATE.keys[:-2]
                ),
                1,
                0,
            )
        ]
        FULL_UPDATE.execute(conn, raw, full)
        auctions = conn.exec_driver_sql("SELECT * FROM auctions").all()
        bids = conn.exec_driver_sql("SELECT * FROM bids").all()
    engine.dispose()
    return [tuple(r) for r in auctions + bids]


def test_either_driver_writes_the_same_rows():
    through_sqlalchemy = _rows_written(through_sqlalchemy=True)
    assert [row[0] for row in through_sqlalchemy] == [1, 1]  # the auction, then its bid
    assert _rows_written(through_sqlalchemy=False) == through_sqlalchemy
