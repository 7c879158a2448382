"""Comments and docstrings point at files and rules, never at issue numbers: an issue number means
nothing to a reader of the code once the issue is closed (docs/developing.md, "Habits")."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ISSUE = re.compile(r"\bissues? ?#?\d+|\bticket ?#?\d+", re.IGNORECASE)
CODE = ("*.py", "*.js", "*.mjs", "*.sh", "*.toml", "*.css", "*.html")


def tracked_code() -> list[Path]:
    out = subprocess.run(["git", "ls-files", *CODE], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / line for line in out.stdout.splitlines() if (ROOT / line).is_file()]


def issue_mentions(text: str) -> list[str]:
    return [m.group(0) for m in ISSUE.finditer(text)]


def test_no_code_names_an_issue_number() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in tracked_code()
        if path.name != Path(__file__).name
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if issue_mentions(line)
    ]
    assert not found, "name the file or the rule instead:\n" + "\n".join(found)


def test_the_scan_finds_an_issue_number() -> None:
    assert issue_mentions("x = 1  # see issue 13 part 2")
    assert issue_mentions("// Issue #7: the soft close")
    assert not issue_mentions("# the rule of Art. 13 (rule 11)")
