"""The listening socket, bound before anything is announced.

Why: ``serve`` used to print its URL and then die when uvicorn found the port taken. The command now
binds the socket itself first (and hands it to uvicorn), so a taken port is said in one line before any
URL is printed, and the demo, when no port was asked for, moves on to the next free one.
"""

from __future__ import annotations

import errno
import socket

from .problems import Problem

DEFAULT_PORT = 8000
TRIES = 50  # ports tried after the default when the demo picks one itself


def _open(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise Problem(f"cannot listen on --host {host!r} ({exc.strerror}): give an address of this machine") from exc
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: restart over TIME_WAIT
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def bind(host: str, port: int) -> socket.socket:
    """The socket on ``host:port``, or a ``Problem`` saying the port is taken (or not ours to take)."""
    try:
        return _open(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise Problem(
                f"port {port} on {host} is taken by another program: stop it or choose another port "
                f"(--port, or PORT for ./scripts/demo)"
            ) from exc
        if exc.errno == errno.EACCES:
            raise Problem(f"port {port} needs privileges this user lacks: choose a port above 1023") from exc
        if exc.errno == errno.EADDRNOTAVAIL:
            raise Problem(f"{host} is not an address of this machine: choose another --host") from exc
        raise


def bind_free(host: str, first: int = DEFAULT_PORT) -> socket.socket:
    """The first free port from ``first`` on (``first`` itself when free)."""
    for port in range(first, first + TRIES):
        try:
            return _open(host, port)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                return bind(host, port)  # raises the Problem that explains it
    raise Problem(f"ports {first} to {first + TRIES - 1} on {host} are all taken: choose one with --port")


def port_of(sock: socket.socket) -> int:
    return sock.getsockname()[1]
