"""The SQLite group writer writes times and flags exactly as SQLAlchemy would, so rows written by either
path read back the same (and compare correctly as text in SQL)."""

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy.dialects import sqlite

from auction_service.db.group_writer import _BID_ROW_COLUMNS, sqlite_time
from auction_service.db.models import Bid
from auction_service.db.types import UTCDateTime


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


def test_the_bid_insert_names_every_column_of_a_bid_row_but_its_key():
    assert set(_BID_ROW_COLUMNS) == {c.name for c in Bid.__table__.c} - {"id"}
