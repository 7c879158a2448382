"""One demo per database: the lock ``serve --demo`` holds on its database while it runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from auction_cli.demo_lock import hold_demo_lock, lock_path, release
from auction_cli.problems import Problem


def test_a_second_demo_on_the_same_database_is_refused_until_the_first_lets_go(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    path = hold_demo_lock(url)
    try:
        assert path == tmp_path / "demo.db.lock"
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


def test_a_server_database_is_locked_on_this_machine_by_its_url_without_the_password() -> None:
    with_password = lock_path("postgresql+asyncpg://demo:secret@127.0.0.1/auction")
    assert with_password == lock_path("postgresql+asyncpg://demo:other@127.0.0.1/auction")
    assert with_password != lock_path("postgresql+asyncpg://demo:secret@127.0.0.1/other")
    assert "secret" not in str(with_password)
