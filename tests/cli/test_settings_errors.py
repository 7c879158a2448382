"""A wrong setting or a database that cannot be used is one line on stderr saying what is wrong and how to
fix it, with exit code 2; ``--debug`` adds the traceback (auction_cli/problems.py)."""

from __future__ import annotations

import sqlite3
from importlib import metadata
from pathlib import Path

from .support import assert_one_line_error, cli, free_port


def test_version_is_the_installed_distributions(tmp_path: Path) -> None:
    done = cli("--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"auction-service {metadata.version('judicial-auction-simulator')}"


def test_unknown_rules_name_the_setting_and_the_choices(tmp_path: Path) -> None:
    done = cli("db", "upgrade", cwd=tmp_path, AUCTION_RULES="judicial-2017")
    assert_one_line_error(done, "AUCTION_RULES='judicial-2017'", "judicial-2016", "sandbox")
    assert not (tmp_path / "auction.db").exists()


def test_an_unsupported_database_says_which_are_and_hides_the_password(tmp_path: Path) -> None:
    done = cli("db", "upgrade", cwd=tmp_path, AUCTION_DATABASE_URL="mysql://court:s3cret-pw@db.example/auction")
    assert_one_line_error(done, "AUCTION_DATABASE_URL", "'mysql'", "sqlite+aiosqlite://", "postgresql+asyncpg://")
    assert "s3cret-pw" not in done.stderr + done.stdout


def test_several_bad_settings_in_the_same_line(tmp_path: Path) -> None:
    done = cli("serve", cwd=tmp_path, AUCTION_CLOCK_SPEED="-1", AUCTION_SQLITE_SYNCHRONOUS="OFF")
    assert_one_line_error(done, "AUCTION_CLOCK_SPEED='-1'", "AUCTION_SQLITE_SYNCHRONOUS='OFF'")


def test_unreachable_postgresql(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/auction"
    done = cli("db", "upgrade", cwd=tmp_path, AUCTION_DATABASE_URL=url)
    assert_one_line_error(done, "cannot reach", '"auction"', "start PostgreSQL", "AUCTION_DATABASE_URL")


def test_missing_postgresql_database_says_how_to_create_it(tmp_path: Path, pg_empty: str) -> None:
    url = pg_empty.rsplit("/", 1)[0] + "/cli_no_such_database"
    done = cli("db", "upgrade", cwd=tmp_path, AUCTION_DATABASE_URL=url)
    assert_one_line_error(done, '"cli_no_such_database"', "does not exist", "createdb -h 127.0.0.1 -U postgres")


def test_sqlite_in_a_missing_folder(tmp_path: Path) -> None:
    done = cli("db", "upgrade", "--database-url", f"sqlite:///{tmp_path}/nowhere/a.db", cwd=tmp_path)
    assert_one_line_error(done, "cannot open", str(tmp_path / "nowhere" / "a.db"), "no folder", "--database-url")


def test_debug_adds_the_traceback(tmp_path: Path) -> None:
    done = cli("--debug", "db", "upgrade", cwd=tmp_path, AUCTION_RULES="judicial-2017")
    assert done.returncode == 2
    assert "Traceback" in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("error: AUCTION_RULES=")


def test_a_url_that_cannot_be_read_is_one_line_too(tmp_path: Path) -> None:
    done = cli("db", "upgrade", cwd=tmp_path, AUCTION_DATABASE_URL="postgresql://court:s3cret-pw@db:notaport/auction")
    assert_one_line_error(done, "AUCTION_DATABASE_URL", "cannot be read as a database URL")
    assert "s3cret-pw" not in done.stderr


def test_anything_unforeseen_is_one_line_naming_it_and_debug_shows_where(tmp_path: Path) -> None:
    """A database stamped with a revision this version does not know (made by a newer version, say)."""
    assert cli("db", "upgrade", cwd=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "auction.db") as db:
        db.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
    done = cli("db", "upgrade", cwd=tmp_path)
    assert done.returncode == 1
    assert len(done.error_lines) == 1 and "Traceback" not in done.stderr
    assert "error: unexpected" in done.stderr and "from_the_future" in done.stderr and "--debug" in done.stderr
    done = cli("--debug", "db", "upgrade", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" in done.stderr
