#!/usr/bin/env python3
"""CI: run the README's commands as a newcomer would, in a fresh copy of the repository.

Every ```bash block of README.md carries a marker on the line before it:

- ``<!-- readme-check: run -->``: its commands run, in order, in one shell session (exports carry over);
- ``<!-- readme-check: serve -->``: the same, except its last command starts a server: it runs in the
  background until ``/healthz`` answers, then gets Ctrl-C (SIGINT) and must stop;
- ``<!-- readme-check: skip (why) -->``: not run, with the reason (the test suite itself, a long
  benchmark, a step another check covers).

Commands named in the prose count too: every inline code span (`` `...` ``) that starts with ``./scripts/``,
``auction-service``, ``.venv/bin/`` or ``python`` (after any ``VAR=value``) runs after the blocks, in the
same session with the ``AUCTION_*`` settings the blocks exported unset (a command in prose stands alone);
``auction-service`` is the venv's. One that starts a server (``./scripts/demo``, ``auction-service serve``)
runs as a serve block does, on a free port. A command the check cannot run (a placeholder, the test suite
itself) is listed in ``PROSE_SKIPS`` below with the reason; a skip the README no longer names is an error.

The commands run in a temporary copy of the repository's files (a fresh clone's content, no ``.venv``), so
the first block that needs the venv really installs it. What cannot be shared with the machine is
redirected: the PostgreSQL database ``auction`` becomes a fresh ``readme_check_…`` database (dropped at
the end), port 8000 a free port; a block naming either in a way the check cannot redirect fails the
check. Relative links must point at files inside the repository. Bounded: ``--timeout`` seconds in all.

Usage: ``python3 scripts/check_readme.py [--static] [--timeout S] [--keep] [--readme FILE]``
(``--static``: markers, links and substitutions only, no commands run). Exits non-zero if any command
fails.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MARKER = re.compile(r"^<!--\s*readme-check:\s*(run|serve|skip)\b\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^```(\w*)\s*$")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
PG_ADMIN = ["-h", "127.0.0.1", "-U", "postgres"]
SERVE_SECONDS = 600  # the first server start may include the venv's installation
STOP_SECONDS = 30


PROSE_PREFIXES = ("./scripts/", "auction-service", ".venv/bin/", "python")
INLINE_CODE = re.compile(r"`([^`]+)`")
ASSIGNMENTS = re.compile(r"^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+")
SERVES = re.compile(r"(?:^|\s)(?:\./scripts/demo|\S*auction-service serve)(?:\s|$)")
# The commands README names in prose that the check does not run, each with its reason (reviewed: keep
# this list short; a command that can run, runs).
PROSE_SKIPS = {
    "./scripts/test": "the whole test run: the README check is one of its stages",
    "STAGES=lint,pytest-fast ./scripts/test": "a part of the test run the README check is a stage of",
    "./scripts/test tests/api -k bids": "a part of the test run the README check is a stage of",
    "./scripts/test <pytest arguments>": "a pattern (<pytest arguments> stands for the reader's own)",
    "auction-service COMMAND --help": "a pattern (COMMAND stands for each command; `--help` runs above)",
    "auction-service --debug ...": "a pattern (... stands for any command)",
    "auction-service audit verify --case-file FILE.zip": "a pattern (FILE.zip stands for an exported case file)",
    "auction-service": "the command's name (without arguments it prints its help and exits 2, as click does)",
}


@dataclass
class Block:
    kind: str  # run, serve, skip, or "" when the marker is missing
    note: str
    line: int  # of the opening fence, 1-based
    commands: list[str]


def blocks(text: str) -> list[Block]:
    """The README's bash blocks, each with the marker on the line before its fence."""
    found: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if fence and fence[1] in ("bash", "sh", "shell", "console"):
            marker = MARKER.match(lines[i - 1]) if i > 0 else None
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            found.append(
                Block(marker[1] if marker else "", marker[2] if marker else "", i + 1, [s for s in lines[i + 1 : j]])
            )
            i = j + 1
        else:
            i += 1
    return found


def prose_commands(text: str) -> list[str]:
    """The commands named in inline code outside the bash blocks, in order, each once."""
    prose: list[str] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("```"):
            inside = not inside
            prose.append("")  # a block ends the paragraph before it
        elif not inside:
            prose.append(line)
    found: list[str] = []
    for paragraph in "\n".join(prose).split("\n\n"):  # a code span may wrap onto the next line
        for span in INLINE_CODE.findall(paragraph):
            command = " ".join(span.split())
            if ASSIGNMENTS.sub("", command).startswith(PROSE_PREFIXES) and command not in found:
                found.append(command)
    return found


def prose_to_run(text: str) -> list[str]:
    """The prose commands the check runs: not skipped, and not run already as a line of a block."""
    in_blocks = {c.strip() for b in blocks(text) if b.kind in ("run", "serve") for c in b.commands}
    return [c for c in prose_commands(text) if c not in PROSE_SKIPS and c not in in_blocks]


def substitutions(database: str, port: int) -> list[tuple[str, str]]:
    """What a run block may name that belongs to the machine, and its temporary stand-in."""
    return [
        ("postgres@127.0.0.1/auction", f"postgres@127.0.0.1/{database}"),
        ("-U postgres auction", f"-U postgres {database}"),
        ("CREATE DATABASE auction", f"CREATE DATABASE {database}"),
        ("--port 8000", f"--port {port}"),
        ("./scripts/demo", f"PORT={port} ./scripts/demo"),
    ]


UNREDIRECTED = re.compile(r"\b8000\b|@[^/\s]+/auction(?![\w.-])|postgres auction(?![\w.-])")


def problems(text: str, *, links: bool = True, skips: bool = True) -> list[str]:
    """Everything wrong with the README that needs no command run: missing markers, skips without a
    reason, machine resources a run block names that the check cannot redirect, broken relative links."""
    found = [problem for block in blocks(text) for problem in _block_problems(block)]
    for target in LINK.findall(text) if links else []:
        if re.match(r"[a-z]+:", target):
            continue
        if not (ROOT / target).resolve().is_relative_to(ROOT):
            found.append(f"README.md links outside the repository: {target}")
        elif not (ROOT / target).exists():
            found.append(f"README.md links to a missing file: {target}")
    for path in re.findall(r"`((?:docs|scripts|loadtests|tests|auction_\w+|bidder_client)/[^`*\s]+)`", text):
        if not (ROOT / path.split(" ")[0]).exists():
            found.append(f"README.md names a path that does not exist: {path}")
    if "shared/" in text:
        found.append("README.md refers to shared/, which is not in the repository")
    named = prose_commands(text)
    if skips:  # the skip list is the README's: another file in its format (a test's) names other commands
        found.extend(f"PROSE_SKIPS names a command README.md no longer has: {c}" for c in PROSE_SKIPS if c not in named)
        found.extend(f"PROSE_SKIPS: no reason for {c}" for c, why in PROSE_SKIPS.items() if not why.strip())
    return found


def _block_problems(block: Block) -> list[str]:
    """A bash block's marker, its skip reason, and whether the check can run its commands."""
    where = f"README.md:{block.line}"
    if not block.kind:
        return [f"{where}: a bash block without a `<!-- readme-check: run|serve|skip (why) -->` marker"]
    if block.kind == "skip" and not block.note.strip("() "):
        return [f"{where}: `readme-check: skip` needs a reason in brackets"]
    found = []
    if block.kind in ("run", "serve"):
        for command in block.commands:
            redirected = command
            for old, new in substitutions("readme_check_x", 1):
                redirected = redirected.replace(old, new)
            if UNREDIRECTED.search(redirected):
                found.append(f"{where}: the check cannot redirect this command to a temporary resource: {command}")
        if block.kind == "serve" and not _last_command(block.commands):
            found.append(f"{where}: a serve block needs a command that starts the server")
    return found


def _last_command(commands: list[str]) -> str | None:
    real = [c for c in commands if c.strip() and not c.lstrip().startswith("#")]
    return real[-1] if real else None


def _strip_comment(command: str) -> str:
    """A trailing `  # comment` (the README's style) dropped, so that `&` can follow the command."""
    return re.sub(r"\s+#\s.*$", "", command)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PRELUDE = r"""set -euo pipefail
readme_server=""
trap 'if [ -n "$readme_server" ]; then kill -KILL "$readme_server" 2>/dev/null || true; fi' EXIT
readme_serve() {  # $1: URL to poll; the server is $readme_server
    local url=$1 start=$SECONDS
    until python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$url" 2>/dev/null; do
        if ! kill -0 "$readme_server" 2>/dev/null; then
            wait "$readme_server" || true
            echo "readme-check: the server stopped before $url answered" >&2
            exit 1
        fi
        if (( SECONDS - start > %(serve)d )); then
            echo "readme-check: $url did not answer in %(serve)d s" >&2
            exit 1
        fi
        sleep 1
    done
    echo "readme-check: $url answers after $(( SECONDS - start )) s; stopping the server (SIGINT)"
    kill -INT "$readme_server"
    start=$SECONDS
    while kill -0 "$readme_server" 2>/dev/null; do
        if (( SECONDS - start > %(stop)d )); then echo "readme-check: the server ignored SIGINT" >&2; exit 1; fi
        sleep 0.2
    done
    wait "$readme_server" || true
    readme_server=""
}
"""


def script(text: str, database: str) -> str:
    """The shell session that runs the README's run and serve blocks in order."""
    parts = [PRELUDE % {"serve": SERVE_SECONDS, "stop": STOP_SECONDS}]
    for block in blocks(text):
        if block.kind not in ("run", "serve"):
            continue
        port = free_port()
        subs = substitutions(database, port)
        commands = []
        for command in block.commands:
            for old, new in subs:
                command = command.replace(old, new)
            commands.append(command)
        last = _last_command(commands) if block.kind == "serve" else None
        parts.append(f"echo {shlex.quote(f'readme-check: ---- README.md:{block.line} ({block.kind})')}")
        for command in commands:
            if not command.strip() or command.lstrip().startswith("#"):
                continue
            parts.append(f"echo {shlex.quote('$ ' + command)}")
            if command is last:
                parts.append(f"{_strip_comment(command)} &")
                parts.append("readme_server=$!")
                parts.append(f"readme_serve http://127.0.0.1:{port}/healthz")
            else:
                parts.append(command)
    parts.extend(_prose_script(text))
    parts.append("echo 'readme-check: every command ran'")
    return "\n".join(parts) + "\n"


def _prose_script(text: str) -> list[str]:
    """The prose's commands, each alone: the blocks' AUCTION_* exports unset, the venv's commands on PATH."""
    parts = [
        "echo 'readme-check: ---- the commands named in the prose'",
        'for readme_var in $(compgen -v AUCTION_); do unset "$readme_var"; done',
        'export PATH="$PWD/.venv/bin:$PATH"',
    ]
    for command in prose_to_run(text):
        parts.append(f"echo {shlex.quote('$ ' + command)}")
        if not SERVES.search(command):
            parts.append(command)
            continue
        port = free_port()
        for old, new in substitutions("readme_check_x", port):
            command = command.replace(old, new)
        if "auction-service serve" in command and "--port" not in command:
            command += f" --port {port}"
        parts += [f"{command} &", "readme_server=$!", f"readme_serve http://127.0.0.1:{port}/healthz"]
    return parts


def copy_repository(dest: Path) -> None:
    """The repository's files as a fresh clone has them (tracked and new, not ignored), no venvs."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def run(text: str, timeout: float, keep: bool) -> int:
    database = f"readme_check_{uuid.uuid4().hex[:10]}"
    work = Path(tempfile.mkdtemp(prefix="readme-check."))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUCTION_") and k not in ("PORT", "HOST")}
    env |= {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("VIRTUAL_ENV", None)
    try:
        copy_repository(work / "repo")
        (work / "readme.sh").write_text(script(text, database))
        print(f"readme-check: running the README's commands in {work / 'repo'} (database {database})", flush=True)
        proc = subprocess.Popen(["bash", str(work / "readme.sh")], cwd=work / "repo", env=env, start_new_session=True)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            print(f"readme-check: FAILED: the README's commands took more than {timeout:.0f} s", file=sys.stderr)
            return 1
    finally:
        subprocess.run(["dropdb", *PG_ADMIN, "--if-exists", "--force", database], env=env, check=False)
        if keep:
            print(f"readme-check: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static", action="store_true", help="check markers and links only; run nothing")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds for all the commands together")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy (to look at a failure)")
    parser.add_argument("--readme", type=Path, default=README, help="another file in the README's format")
    parser.add_argument("--no-links", action="store_true", help="skip the link check (a file still to come)")
    args = parser.parse_args()
    text = args.readme.read_text(encoding="utf-8")
    found = problems(text, links=not args.no_links, skips=args.readme.resolve() == README)
    for problem in found:
        print(f"readme-check: {problem}", file=sys.stderr)
    if found:
        return 1
    if args.static:
        print("readme-check: markers, links and paths are fine")
        return 0
    rc = run(text, args.timeout, args.keep)
    print("readme-check: OK" if rc == 0 else f"readme-check: FAILED (exit {rc})", file=sys.stderr if rc else sys.stdout)
    return rc


if __name__ == "__main__":
    sys.exit(main())
