"""``audit verify`` reads an existing database only: one that does not exist or has no schema is refused
in one line naming the database it looked at and how to choose another, and nothing is created."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .support import assert_one_line_error, cli


def test_a_missing_sqlite_file_is_refused_and_not_created(tmp_path: Path) -> None:
    done = cli("audit", "verify", cwd=tmp_path)
    where = str(tmp_path / "auction.db")
    assert_one_line_error(done, where, "does not exist", "--database-url", "AUCTION_DATABASE_URL")
    assert list(tmp_path.iterdir()) == []


def test_the_database_url_option_is_the_one_looked_at(tmp_path: Path) -> None:
    done = cli("audit", "verify", "--database-url", "sqlite:///elsewhere.db", cwd=tmp_path)
    assert_one_line_error(done, str(tmp_path / "elsewhere.db"))
    assert not (tmp_path / "elsewhere.db").exists()


def test_an_empty_sqlite_file_has_no_schema(tmp_path: Path) -> None:
    (tmp_path / "auction.db").touch()
    done = cli("audit", "verify", cwd=tmp_path)
    assert_one_line_error(done, "has no auction schema", "db upgrade")


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "auction.db").write_text("minutes of the court's meeting\n" * 200)
    done = cli("audit", "verify", cwd=tmp_path)
    assert_one_line_error(done, "is not a SQLite database")


def test_a_postgresql_database_without_schema(tmp_path: Path, pg_empty: str) -> None:
    done = cli("audit", "verify", cwd=tmp_path, AUCTION_DATABASE_URL=pg_empty)
    name = pg_empty.rsplit("/", 1)[1]
    assert_one_line_error(done, f'PostgreSQL database "{name}" on 127.0.0.1:5432', "has no auction schema")


def test_a_migrated_database_is_verified(tmp_path: Path) -> None:
    assert cli("db", "upgrade", cwd=tmp_path).returncode == 0
    done = cli("audit", "verify", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "0 auctions checked, 0 with a broken chain" in done.stdout


def test_an_older_schema_is_refused_until_upgraded(tmp_path: Path) -> None:
    assert cli("db", "upgrade", cwd=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "auction.db") as db:
        db.execute("UPDATE alembic_version SET version_num = '0001'")
    done = cli("audit", "verify", cwd=tmp_path)
    assert_one_line_error(done, "schema revision 0001", "auction-service db upgrade")
