"""``--help`` reads well in an 80-column terminal: every line fits, no option text is cut, and plain flags
carry no metavar (click's plain help, not rich's boxed panels)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .support import cli

COMMANDS = [
    [],
    ["serve"],
    ["simulate"],
    ["staff", "add"],
    ["admin", "add"],
    ["db", "upgrade"],
    ["audit", "verify"],
    ["documents"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "auction-service")
def test_help_fits_80_columns(command: list[str], tmp_path: Path) -> None:
    done = cli(*command, "--help", cwd=tmp_path, COLUMNS="80")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines and all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert "<bool>" not in done.stdout and "…" not in done.stdout
    assert "Usage: auction-service" in done.stdout
    if not command:  # the commands' summaries are whole
        assert "..." not in done.stdout.split("Commands:")[1]
