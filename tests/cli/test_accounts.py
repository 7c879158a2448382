"""``staff add`` and ``admin add``: the password from a hidden prompt (typed twice) or
``AUCTION_NEW_PASSWORD``, never required on the command line, under the API's own policy."""

from __future__ import annotations

import os
import pty
import select
import sqlite3
import subprocess
import termios
import time
from pathlib import Path

from .support import CLI, assert_one_line_error, clean_env, cli

COURT = "深圳市中级人民法院"
PASSWORD = {"AUCTION_NEW_PASSWORD": "a-long-pass"}


def accounts(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "auction.db") as db:
        return db.execute("SELECT username, role FROM accounts ORDER BY id").fetchall()


def test_password_from_the_environment(tmp_path: Path) -> None:
    done = cli("staff", "add", "--court", COURT, "--username", "clerk", cwd=tmp_path, **PASSWORD)
    assert done.returncode == 0, done.stderr
    assert f"staff clerk of {COURT} created" in done.stdout
    assert accounts(tmp_path) == [("clerk", "staff")]


def test_the_apis_password_policy_applies(tmp_path: Path) -> None:
    done = cli("admin", "add", "--username", "root", cwd=tmp_path, AUCTION_NEW_PASSWORD="1")
    assert_one_line_error(done, "AUCTION_NEW_PASSWORD", "8 to 128 characters")
    done = cli("admin", "add", "--username", "root", cwd=tmp_path, AUCTION_NEW_PASSWORD="x" * 129)
    assert_one_line_error(done, "8 to 128 characters")
    assert not (tmp_path / "auction.db").exists()


def test_the_apis_username_policy_applies(tmp_path: Path) -> None:
    for bad in ("x", "clerk one", "书记员", "a" * 65):
        done = cli("staff", "add", "--court", COURT, "--username", bad, cwd=tmp_path, **PASSWORD)
        assert_one_line_error(done, "is not allowed", "3 to 64 characters")


def test_no_password_and_no_terminal_says_how_to_give_one(tmp_path: Path) -> None:
    done = cli("staff", "add", "--court", COURT, "--username", "clerk", cwd=tmp_path)
    assert_one_line_error(done, "AUCTION_NEW_PASSWORD")


def test_password_option_still_works_but_warns(tmp_path: Path) -> None:
    """docs/api-contract.md documents ``--password``: it keeps working, with a warning on stderr."""
    done = cli("staff", "add", "--court", COURT, "--username", "clerk", "--password", "a-long-pass", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "deprecated" in done.stderr and "AUCTION_NEW_PASSWORD" in done.stderr
    done = cli("staff", "add", "--court", COURT, "--username", "clerk2", "--password", "short", cwd=tmp_path)
    assert done.returncode == 2 and "8 to 128 characters" in done.stderr


def test_a_taken_username_is_refused(tmp_path: Path) -> None:
    for name in ("clerk", "Clerk"):
        done = cli("staff", "add", "--court", COURT, "--username", name, cwd=tmp_path, **PASSWORD)
    assert done.returncode == 1
    assert "username_taken" in done.stderr


def _converse(args: list[str], cwd: Path, answers: list[str], timeout: float = 60) -> tuple[int, str]:
    """Run the command on a terminal (a pty), answering each prompt in turn; returns (exit code, screen)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(CLI), *args], cwd=cwd, env=clean_env(), stdin=follower, stdout=follower, stderr=follower, close_fds=True
    )
    screen = b""
    deadline = time.monotonic() + timeout
    pending = list(answers)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
        elif proc.poll() is not None:
            break
        # Answer once the prompt is out and the terminal no longer echoes (typed earlier, getpass would
        # discard it when it switches echo off, as a person's typing never races the prompt).
        if pending and screen.rstrip().endswith(b":") and not termios.tcgetattr(follower)[3] & termios.ECHO:
            os.write(leader, pending.pop(0).encode() + b"\n")
            screen += b"<answered>"
    os.close(leader)
    os.close(follower)
    return proc.wait(timeout=timeout), screen.decode(errors="replace")


def test_hidden_prompt_asks_twice_and_never_shows_the_password(tmp_path: Path) -> None:
    secret = "typed-at-the-prompt"
    code, screen = _converse(
        ["staff", "add", "--court", COURT, "--username", "clerk"], tmp_path, ["short", "short", secret, secret]
    )
    assert code == 0, screen
    assert "8 to 128 characters" in screen  # the short one was refused, and asked again
    assert "Repeat for confirmation" in screen
    assert secret not in screen and "short\r" not in screen
    assert accounts(tmp_path) == [("clerk", "staff")]
