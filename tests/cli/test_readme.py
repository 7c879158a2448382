"""The README check (scripts/check_readme.py): every bash block is marked, links stay inside the
repository, and the check fails when a README command fails. ``./scripts/test`` runs the real README."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_readme.py"
_spec = importlib.util.spec_from_file_location("check_readme", SCRIPT)
assert _spec and _spec.loader
check_readme = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("check_readme", check_readme)  # its dataclass looks its module up
_spec.loader.exec_module(check_readme)


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_bash_block_is_marked_and_redirectable() -> None:
    assert check_readme.problems(readme(), links=False) == []
    kinds = [block.kind for block in check_readme.blocks(readme())]
    assert kinds.count("serve") >= 2 and kinds.count("run") >= 3  # the demo, serve on PostgreSQL, audit verify...


def test_links_and_paths_point_inside_the_repository() -> None:
    assert [p for p in check_readme.problems(readme()) if "link" in p or "path" in p or "shared/" in p] == []


def test_running_yourself_creates_the_database_and_serves_it() -> None:
    commands = "\n".join(c for b in check_readme.blocks(readme()) if b.kind in ("run", "serve") for c in b.commands)
    for step in ("createdb -h 127.0.0.1 -U postgres auction", "db upgrade", "staff add", "serve", "audit verify"):
        assert step in commands, step
    assert "--password" not in commands  # the password comes from AUCTION_NEW_PASSWORD


def test_the_chinese_introduction_is_near_the_top() -> None:
    text = readme()
    assert text.index("## 中文说明") < text.index("## Quick start")
    assert "./scripts/demo --reset" in text and "demo.db" in text and "PORT=" in text


def _check(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    path = tmp_path / "README.md"
    path.write_text(body, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--readme", str(path), "--no-links", "--timeout", "120"],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def test_the_check_passes_when_every_command_does(tmp_path: Path) -> None:
    first = "<!-- readme-check: run -->\n```bash\nexport GREETING=hello\n```\n\n"
    second = '<!-- readme-check: run -->\n```bash\ntest "$GREETING" = hello   # exports carry over\n```\n'
    done = _check(tmp_path, first + second)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_command_named_in_the_prose_is_run_or_skipped_with_a_reason() -> None:
    """Inline commands (`./scripts/...`, `auction-service ...`) count as much as the blocks' lines: each is
    run by the check or listed in its skip list with a reason, and no skip outlives its command."""
    named = check_readme.prose_commands(readme())
    assert "./scripts/demo --reset" in named and "auction-service serve --demo --reset" in named
    to_run = check_readme.prose_to_run(readme())
    in_blocks = {c.strip() for b in check_readme.blocks(readme()) if b.kind in ("run", "serve") for c in b.commands}
    for command in named:
        assert command in to_run or command in check_readme.PROSE_SKIPS or command in in_blocks, command
    assert "./scripts/demo --reset" in to_run
    assert all(why.strip() for why in check_readme.PROSE_SKIPS.values())
    session = check_readme.script(readme(), "readme_check_x")
    assert "auction-service serve --demo --reset --port" in session  # a server in prose: on a free port


def test_a_failing_command_in_the_prose_fails_the_check(tmp_path: Path) -> None:
    done = _check(tmp_path, "Then run `python3 -c 'raise SystemExit(3)'` and see.\n")
    assert done.returncode != 0, done.stdout + done.stderr
    assert "raise SystemExit(3)" in done.stdout


@pytest.mark.parametrize(
    "body",
    [
        "<!-- readme-check: run -->\n```bash\ntrue\nfalse\necho never\n```\n",
        "<!-- readme-check: serve -->\n```bash\nsleep 1   # not a server: it ends before /healthz answers\n```\n",
        "```bash\necho unmarked\n```\n",
        "<!-- readme-check: run -->\n```bash\ncurl http://127.0.0.1:8000/healthz\n```\n",
    ],
    ids=["a-failing-command", "a-server-that-never-answers", "an-unmarked-block", "an-unredirectable-port"],
)
def test_the_check_fails(tmp_path: Path, body: str) -> None:
    done = _check(tmp_path, body)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "\nnever\n" not in done.stdout  # the session stops at the first failure
