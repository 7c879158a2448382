"""The service's logs: JSON lines, each line of a request carrying that request's id (also returned as
``X-Request-ID``), and no password, token or identity number written, whatever level is on."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auction_service.logs import ACCESS_LOGGER, JsonFormatter, RequestIdFilter, redact
from tests.support.scenes import assert_error, scene

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Hunter2-correct-horse"
ID_NUMBER = "11010519491231002X"
Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    """Everything logged in the process during the test, at DEBUG and with the access log on, through
    the service's JSON formatter: a function returning the lines so far, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root, access = logging.getLogger(), logging.getLogger(ACCESS_LOGGER)
    levels = root.level, access.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    access.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        access.setLevel(levels[1])


async def test_every_line_of_a_request_carries_its_id(service, log_lines: Lines, monkeypatch):
    s = await scene(service, bidders=1, live=True)

    async def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("engine failure planted by the test")

    monkeypatch.setattr(service.services.engine, "place_bid", broken)
    r = await service.api.bid(s.bidders[0], s.id, 7_000_000_00, **{"X-Request-ID": "trace-42"})
    assert_error(r, 500, "internal_error")
    assert r.headers["x-request-id"] == "trace-42"

    mine = [line for line in log_lines() if line["request_id"] == "trace-42"]
    failure = [line for line in mine if line["level"] == "ERROR"]
    assert failure and "engine failure planted by the test" in failure[0]["exc_info"]
    access = [line for line in mine if line["logger"] == ACCESS_LOGGER]
    assert len(access) == 1
    assert (access[0]["method"], access[0]["path"], access[0]["status"]) == (
        "POST",
        f"/api/v1/auctions/{s.id}/bids",
        500,
    )
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in log_lines())


async def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(service, log_lines: Lines):
    first = (await service.client.get("/api/v1/clock")).headers["x-request-id"]
    second = (await service.client.get("/api/v1/clock")).headers["x-request-id"]
    assert first and second and first != second
    for unsafe in ("x" * 65, "two words", "a/b", ""):
        given = (await service.client.get("/api/v1/clock", headers={"X-Request-ID": unsafe})).headers["x-request-id"]
        assert given != unsafe and given
    ids = [line["request_id"] for line in log_lines() if line["logger"] == ACCESS_LOGGER]
    assert first in ids and second in ids


async def test_passwords_tokens_and_identity_numbers_never_reach_the_log(service, log_lines: Lines):
    body = {"username": "careful-bidder", "password": PASSWORD, "real_name": "李四", "id_number": ID_NUMBER}
    assert (await service.client.post("/api/v1/bidders", json=body)).status_code == 201
    login = await service.client.post("/api/v1/auth/token", data={"username": "careful-bidder", "password": PASSWORD})
    assert login.status_code == 200
    token = login.json()["access_token"]
    wrong = await service.client.post(
        "/api/v1/auth/token", data={"username": "careful-bidder", "password": PASSWORD[:-1]}
    )
    assert wrong.status_code == 401
    await service.client.get("/api/v1/auctions", params={"token": token})
    # and what code might log by mistake is masked on the way out
    logging.getLogger("auction_service.test").warning(
        "login %s with Authorization: Bearer %s, ?token=%s, id %s",
        {"username": "careful-bidder", "password": PASSWORD},
        token,
        token,
        ID_NUMBER,
    )
    written = "\n".join(json.dumps(line, ensure_ascii=False) for line in log_lines())
    assert "careful-bidder" in written  # the line was written ...
    for secret in (PASSWORD, PASSWORD[:-1], token, ID_NUMBER):
        assert secret not in written  # ... without the secrets


def test_redaction_keeps_the_rest_of_the_line():
    assert redact("GET /live?token=abc.def&after_seq=3") == "GET /live?token=[redacted]&after_seq=3"
    assert redact("{'password': 'two words', 'amount': 500}") == "{'password': '[redacted]', 'amount': 500}"
    assert redact(f"id {ID_NUMBER} seq 12345678901234567890") == "id [id-number] seq 12345678901234567890"
    assert redact("token_ttl_seconds=43200") == "token_ttl_seconds=43200"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.realtime  # a service process, polled until it answers
def test_serve_writes_json_lines_with_request_ids(tmp_path: Path):
    """``auction-service serve --log-format json --access-log``: the real process's stderr."""
    port = _free_port()
    env = {
        **os.environ,
        "AUCTION_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'logs.db'}",
        "AUCTION_DEMO_BOTS": "false",
    }
    cmd = [sys.executable, "-m", "auction_cli", "serve", "--port", str(port), "--access-log", "--log-level", "info"]
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=5, trust_env=False) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get("/api/v1/clock")
                    break
                except httpx.TransportError:
                    assert server.poll() is None, "serve exited"
                    assert time.monotonic() < deadline, "serve did not start in 60 s"
                    time.sleep(0.2)
            r = client.get("/api/v1/auctions", headers={"X-Request-ID": "e2e-7"})
            assert r.headers["x-request-id"] == "e2e-7"
            assert client.get("/metrics").status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        try:
            _, stderr = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, stderr = server.communicate()
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert lines, stderr
    assert all(not line.strip() or line.startswith("{") for line in stderr.splitlines()), stderr
    access = [line for line in lines if line["logger"] == ACCESS_LOGGER and line["request_id"] == "e2e-7"]
    assert [(line["method"], line["path"], line["status"]) for line in access] == [("GET", "/api/v1/auctions", 200)]
    assert any(line["logger"].startswith("uvicorn") for line in lines)
