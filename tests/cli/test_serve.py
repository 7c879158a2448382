"""``serve``: a taken port is said in one line before any URL is printed; ``--demo --reset`` starts the
demo's database afresh and says where the demo keeps its data."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from .support import assert_one_line_error, cli, free_port, get, output_of, read_json, serving


def test_a_taken_port_is_one_line_and_no_url(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args in (["serve"], ["serve", "--demo"]):
            done = cli(*args, "--port", str(port), cwd=tmp_path, AUCTION_DEMO_BOTS="false")
            assert_one_line_error(done, f"port {port}", "taken", "--port")
            assert "http://" not in done.stdout
    assert not (tmp_path / "auction.db").exists() and not (tmp_path / "demo.db").exists()


def test_reset_goes_with_the_demo_only(tmp_path: Path) -> None:
    (tmp_path / "auction.db").write_text("kept")
    done = cli("serve", "--reset", "--port", str(free_port()), cwd=tmp_path)
    assert_one_line_error(done, "--reset", "--demo")
    assert (tmp_path / "auction.db").read_text() == "kept"


@pytest.mark.realtime  # a service process, polled until it answers
def test_serve_answers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    with serving("serve", "--port", str(port), cwd=tmp_path, port=port) as proc:
        assert get(f"http://127.0.0.1:{port}/") == 200
    assert proc.returncode in (0, 130)  # 130: the conventional "stopped by SIGINT"
    said = output_of(tmp_path, port)
    assert f"Web client: http://127.0.0.1:{port}/" in said
    assert "Traceback" not in said


@pytest.mark.realtime  # the demo's service process, polled until it answers
def test_demo_reset_starts_afresh_and_says_where_the_data_is(tmp_path: Path) -> None:
    """A demo database that cannot be used (not a database at all) is gone after ``--reset``: the demo
    makes a new one, in ./demo.db by default, and the start-up lines say so. ``serve --demo`` alone is the
    demo (sandbox rules, the clock at ten times real time, readable log lines), and a second demo on the
    same database says which process runs it and stops, without taking a port or touching the data."""
    (tmp_path / "demo.db").write_text("not a database")
    (tmp_path / "demo-documents" / "ab").mkdir(parents=True)  # the old demo's lot documents go too
    (tmp_path / "demo-documents" / "ab" / "cd").write_bytes(b"an old upload")
    port = free_port()
    settings = {"AUCTION_DEMO_BOTS": "false"}
    with serving("serve", "--demo", "--reset", "--port", str(port), cwd=tmp_path, port=port, **settings) as proc:
        assert get(f"http://127.0.0.1:{port}/api/v1/auctions") == 200
        assert read_json(f"http://127.0.0.1:{port}/api/v1/rules")["profile"] == "sandbox"
        assert read_json(f"http://127.0.0.1:{port}/api/v1/clock")["speed"] == 10
        second = cli("serve", "--demo", "--reset", "--port", str(free_port()), cwd=tmp_path, **settings)
        assert_one_line_error(second, "another demo is already running", str(tmp_path / "demo.db"), str(proc.pid))
        assert get(f"http://127.0.0.1:{port}/api/v1/auctions") == 200  # the first one's data was not reset
    said = output_of(tmp_path, port)
    assert '{"' not in said  # text log lines, not JSON
    where = tmp_path / "demo.db"
    assert f"deleted the SQLite database {where} and its documents folder {tmp_path / 'demo-documents'}" in said
    assert not (tmp_path / "demo-documents" / "ab").exists()
    assert f"demo: data kept in the SQLite database {where} (start afresh: --reset)" in said
    assert said.index("data kept in") < said.index("Web client: http://")
    assert (tmp_path / "demo.db").read_bytes().startswith(b"SQLite format 3")
    assert not (tmp_path / "auction.db").exists()
