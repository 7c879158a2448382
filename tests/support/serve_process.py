"""``auction-service serve`` as a child process on a loopback port: the exact command an operator runs,
for tests that kill it (``SIGKILL``) and start it again on the same port and database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "auction_cli"]


class ServeProcess:
    """One service process at a time on ``port``; ``env`` carries its settings (``AUCTION_*``)."""

    def __init__(self, port: int, env: dict[str, str], log_path: Path) -> None:
        self.port = port
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, within: float = 60.0) -> float:
        """Start the service and wait until ``/healthz`` answers 200; returns the seconds it took."""
        began = time.monotonic()
        log = self.log_path.open("ab")
        try:
            self.proc = subprocess.Popen(
                [*CLI, "serve", "--port", str(self.port), "--log-level", "warning"],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        self.starts += 1
        deadline = began + within
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited with {self.proc.returncode}:\n{self.tail()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/healthz", timeout=1, trust_env=False).status_code == 200:
                    return time.monotonic() - began
            time.sleep(0.05)
        raise AssertionError(f"serve did not answer /healthz within {within} s:\n{self.tail()}")

    def kill(self) -> None:
        """``kill -9``: no shutdown hook runs, nothing is flushed by the process."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        """A graceful stop (SIGTERM), killing it if it does not exit within 20 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


def run_cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``auction-service <args>`` to completion (output captured, never raises on a non-zero exit)."""
    return subprocess.run(
        [*CLI, *args], env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
