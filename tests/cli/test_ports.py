"""Binding before announcing (auction_cli/ports.py): the demo takes the first free port from 8000."""

from __future__ import annotations

import socket

import pytest

from auction_cli import ports
from auction_cli.problems import Problem


def _listening() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_bind_free_moves_past_a_taken_port() -> None:
    with _listening() as taken:
        busy = taken.getsockname()[1]
        with ports.bind_free("127.0.0.1", busy) as got:
            assert busy < ports.port_of(got) < busy + ports.TRIES


def test_bind_free_takes_the_first_port_when_it_is_free() -> None:
    with _listening() as probe:
        port = probe.getsockname()[1]
    with ports.bind_free("127.0.0.1", port) as got:
        assert ports.port_of(got) == port


def test_bind_says_a_port_is_taken() -> None:
    with _listening() as taken, pytest.raises(Problem, match="is taken by another program"):
        ports.bind("127.0.0.1", taken.getsockname()[1])


def test_an_address_that_is_not_this_machines() -> None:
    with pytest.raises(Problem, match="not an address of this machine"):
        ports.bind("192.0.2.1", 0)  # TEST-NET-1: never a local address
