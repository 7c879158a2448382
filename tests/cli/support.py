"""Running ``auction-service`` as a user does: the venv's console script in a subprocess, in a folder of
the test's own, with a clean environment (no ``AUCTION_*`` setting leaks in from the machine)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CLI = Path(sys.executable).with_name("auction-service")
TIMEOUT = 120


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def clean_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUCTION_") and k not in ("PORT", "HOST")}
    env |= {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", "COLUMNS": "200"}
    return env | settings


def cli(*args: str, cwd: Path, stdin: str | None = None, **settings: str) -> Done:
    done = subprocess.run(
        [str(CLI), *args], cwd=cwd, env=clean_env(**settings), input=stdin if stdin is not None else "",
        capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    return Done(done.returncode, done.stdout, done.stderr)


def assert_one_line_error(done: Done, *fragments: str) -> str:
    """Exit code 2, one line on stderr (no traceback) holding every fragment."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert len(done.error_lines) == 1, done.stderr
    line = done.error_lines[0]
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status
    except OSError:
        return None


def read_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return json.load(answer)


@contextmanager
def serving(*args: str, cwd: Path, port: int, wait: float = 120, **settings: str) -> Iterator[subprocess.Popen]:
    """``auction-service ARGS`` in the background until ``/healthz`` on ``port`` answers; SIGINT after."""
    out = open(cwd / f"serve-{port}.log", "w+")  # closed below, after the server stops
    proc = subprocess.Popen([str(CLI), *args], cwd=cwd, env=clean_env(**settings), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + wait
        while get(f"http://127.0.0.1:{port}/healthz") != 200:
            if proc.poll() is not None:
                out.seek(0)
                pytest.fail(f"auction-service {' '.join(args)} exited {proc.returncode}:\n{out.read()}")
            if time.monotonic() > deadline:
                pytest.fail(f"/healthz did not answer within {wait} s")
            time.sleep(0.3)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(2)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out.close()


def output_of(cwd: Path, port: int) -> str:
    return (cwd / f"serve-{port}.log").read_text()
