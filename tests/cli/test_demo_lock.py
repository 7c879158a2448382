"""One demo per database: the lock ``serve --demo`` holds on its database while it runs: a file beside a
SQLite database, and for PostgreSQL an advisory lock in the database itself, so that a demo started from
another machine or folder on the same database is refused too."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from auction_cli.demo_lock import hold_demo_lock, lock_path, release
from auction_cli.problems import Problem

from .support import assert_one_line_error, cli, free_port


def test_a_second_demo_on_the_same_database_is_refused_until_the_first_lets_go(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    path = hold_demo_lock(url)
    try:
        assert path.where == str(tmp_path / "demo.db.lock")
        with pytest.raises(Problem, match=r"another demo is already running on the SQLite database .*demo\.db"):
            hold_demo_lock(url)
        other = hold_demo_lock(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")  # another database: no conflict
        release(other)
    finally:
        release(path)
    release(hold_demo_lock(url))


def test_a_lock_file_left_by_a_demo_that_died_does_not_block(tmp_path: Path) -> None:
    """The operating system lets go of the lock when its process ends, however it ends: the file a killed
    demo left behind (with its process id) is no lock."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    lock_path(url).write_text("999999\n")
    release(hold_demo_lock(url))


@pytest.mark.postgres
def test_a_postgresql_demo_is_refused_from_another_folder_or_machine(pg_database: str, tmp_path: Path) -> None:
    """The lock lives in the database: a second ``serve --demo`` on it, started from another folder with
    another temporary directory (as from another machine, where no lock file of this one could be seen),
    says who holds it and stops before it takes a port or touches the data."""
    lock = hold_demo_lock(pg_database)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "tmp").mkdir(parents=True)
    try:
        second = cli(
            "serve", "--demo", "--port", str(free_port()), cwd=elsewhere,
            AUCTION_DATABASE_URL=pg_database, AUCTION_DEMO_BOTS="false", TMPDIR=str(elsewhere / "tmp"),
        )  # fmt: skip
        assert_one_line_error(
            second, "another demo is already running", "PostgreSQL", f"pid {os.getpid()} on {socket.gethostname()}"
        )
    finally:
        release(lock)
    release(hold_demo_lock(pg_database))  # let go: the next demo may start
