"""Schemathesis over the whole OpenAPI document, as a bidder and as court staff: no input reaches a 5xx,
every error answer is the contract's envelope, every answer is what its operation declares (status,
media type, headers, body schema), and no request the document calls valid is refused by request
validation (``schemathesis_hooks.py``: the document states exactly what validation accepts; nothing is
explained away).

The service runs as ``auction-service serve`` in its own process (the fuzzer is synchronous), on a
fresh database of each kind with a live auction, so ids 1 and 2 exist and generated ids both hit and
miss. Bounded: a few examples per operation and phase (``FUZZ_EXAMPLES``, default 8; ``FUZZ_SEED``,
default 12, for other inputs), NUL bytes allowed in generated strings. ``docs/reliability.md`` has the figures of a run.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from tests.support.identity import id_number
from tests.support.private_postgres import free_port
from tests.support.serve_process import ROOT, ServeProcess, run_cli

pytestmark = pytest.mark.realtime  # a service process fuzzed over the network

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
SEED = os.environ.get("FUZZ_SEED", "12")  # another seed explores other inputs (a longer run)
OTHER_CHECKS = (
    "missing_required_header", "use_after_free",
    # replaced by the hook's ``valid_data_accepted``, which tells a validation refusal from a rule's 422
    "positive_data_acceptance",
    "ensure_resource_availability", "ignored_auth", "object_level_authorization",
)  # fmt: skip
ST = str(Path(sys.executable).with_name("st"))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def seed(base: str) -> dict[str, str]:
    """A clerk's lot with a live auction (sandbox rules: it starts in seconds), a registered bidder with
    one bid; returns the bidder's and the clerk's tokens."""
    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as client:

        async def token(username: str, password: str) -> str:
            r = await client.post("/api/v1/auth/token", data={"username": username, "password": password})
            assert r.status_code == 200, r.text
            return r.json()["access_token"]

        r = await client.post(
            "/api/v1/bidders",
            json={"username": "fuzzer", "password": "fuzz-pass-1", "real_name": "模糊", "id_number": id_number()},
        )
        assert r.status_code == 201, r.text
        bidder, staff = await token("fuzzer", "fuzz-pass-1"), await token("fuzzclerk", "fuzz-clerk-pass")
        as_staff = {"Authorization": f"Bearer {staff}"}
        lot = (
            await client.post(
                "/api/v1/lots", json={"title": "某", "category": "other", "appraisal": 100_000_00}, headers=as_staff
            )
        ).json()
        now = datetime.fromisoformat((await client.get("/api/v1/clock")).json()["now"].replace("Z", "+00:00"))
        start = now + timedelta(seconds=2)
        body = {"starting_price": 70_000_00, "increment": 1_000_00, "deposit": 7_000_00,
                "start_at": iso(start), "end_at": iso(start + timedelta(hours=2))}  # fmt: skip
        r = await client.post(f"/api/v1/lots/{lot['id']}/auctions", json=body, headers=as_staff)
        assert r.status_code == 201, r.text
        auction = r.json()["id"]
        as_bidder = {"Authorization": f"Bearer {bidder}"}
        assert (await client.post(f"/api/v1/auctions/{auction}/registrations", headers=as_bidder)).status_code == 201
        await asyncio.sleep(2.5)
        r = await client.post(f"/api/v1/auctions/{auction}/bids", json={"amount": 70_000_00}, headers=as_bidder)
        assert r.status_code == 201, r.text
        return {"bidder": bidder, "staff": staff}


def failed_checks(report: Path) -> list[str]:
    """The checks that failed in a run, one line each (schemathesis' JUnit report: a ``failure`` per
    failed check of an operation): a schema violation, a 5xx, a valid request refused..."""
    if not report.exists():
        return []
    cases = ElementTree.parse(report).getroot().iter("testcase")
    return [f"{case.get('name')}: {(failure.get('message') or failure.text or '')[:300]}"
            for case in cases for failure in case.iter("failure")]  # fmt: skip


def lines_of(path: Path) -> list[str]:
    """The lines the hook wrote to ``path`` (none when it wrote nothing)."""
    return path.read_text().splitlines() if path.exists() else []


def fuzz(base: str, token: str, log: Path, report: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.reliability.schemathesis_hooks", "FUZZ_LOG": str(log)}
    command = [
        ST, "run", f"{base}/openapi.json",
        # not_a_server_error, the envelope and valid data accepted (the hook), bad data refused, 405 with
        # Allow, and every answer as the document declares it (status, media type, headers, body schema)
        "--exclude-checks", ",".join(OTHER_CHECKS),
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(EXAMPLES),
        "--generation-allow-x00", "true",
        "--header", f"Authorization: Bearer {token}",
        "--request-timeout", "20",
        "--workers", "1",
        "--seed", SEED,
        "--no-color",
        "--continue-on-failure",
        "--report", "junit", "--report-junit-path", str(report),
    ]  # fmt: skip
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/fuzz.db"
    return request.getfixturevalue("db_url_postgresql")


@pytest.fixture
def db_url_postgresql(request: pytest.FixtureRequest) -> str:
    from tests.conftest import _truncate, run_in_thread

    url = request.getfixturevalue("pg_database")
    run_in_thread(_truncate(url))
    return url


async def test_fuzzing_the_whole_api_finds_no_server_error_and_only_enveloped_errors(database: str, tmp_path: Path):
    env = {
        "AUCTION_DATABASE_URL": database,
        "AUCTION_RULES": "sandbox",
        "AUCTION_SECRET_KEY": "fuzz-secret-key-0123456789abcdef",
        "AUCTION_DEMO_BOTS": "false",
        # the fuzzer is one client sending thousands of requests: limits that let it reach the routes
        "AUCTION_RATE_LIMIT_LOGIN_ACCOUNT": "100000/minute",
        "AUCTION_RATE_LIMIT_LOGIN_ADDRESS": "100000/minute",
        "AUCTION_RATE_LIMIT_SIGN_UP": "100000/minute",
        "AUCTION_RATE_LIMIT_REGISTRATIONS": "100000/minute",
    }
    done = run_cli("db", "upgrade", env=env)
    assert done.returncode == 0, done.stderr
    done = run_cli(
        "staff", "add", "--court", "模糊法院", "--username", "fuzzclerk", "--password", "fuzz-clerk-pass", env=env
    )
    assert done.returncode == 0, done.stderr
    service = ServeProcess(free_port(), env, tmp_path / "serve.log")
    await asyncio.to_thread(service.start)
    try:
        tokens = await seed(service.url)
        refusals: list[str] = []
        for role in ("bidder", "staff"):
            log = tmp_path / f"{role}.log"
            run = await asyncio.to_thread(fuzz, service.url, tokens[role], log, tmp_path / f"{role}.xml")
            statuses = Counter(int(line.split()[0]) for line in log.read_text().splitlines()) if log.exists() else {}
            server_errors = sum(n for status, n in statuses.items() if status >= 500)
            refused = lines_of(Path(f"{log}.refused"))
            failed = failed_checks(tmp_path / f"{role}.xml")
            print(f"\nfuzz as {role} on {database.split(':')[0]}: {sum(statuses.values())} requests, "
                  f"{server_errors} 5xx, {len(failed)} failed checks, {len(refused)} valid requests refused; "
                  f"statuses {dict(sorted(statuses.items()))}")  # fmt: skip
            print("\n".join(failed[:40]))
            refusals += refused
            assert sum(statuses.values()) > 200, run.stdout[-3000:]
            assert server_errors == 0
            if not refused:  # refusals are reported together after both roles
                assert run.returncode == 0, f"schemathesis found failures as {role}:\n{run.stdout[-6000:]}"
    finally:
        await asyncio.to_thread(service.stop)
    assert not refusals, "valid-by-schema requests refused:\n" + "\n".join(refusals[:60])
    assert "Traceback" not in service.tail(200_000), service.tail()
