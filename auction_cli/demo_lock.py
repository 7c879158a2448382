"""One demo per database: ``serve --demo`` holds a lock on its database for as long as it runs.

Why: two demos on one database each run a live market and the service's scheduler; the second start
used to move to the next free port and share ``demo.db`` without a word, and the auctions its market
announced stayed "announced" past their start once it stopped. A second start now says which process
holds the database and stops, before it binds a port or touches the data (``--reset`` included).

Where the lock lives follows who can reach the database:

* SQLite (a file on this machine): an exclusive ``flock`` on a small file beside it (``demo.db.lock``).
* PostgreSQL (reachable from any machine, any folder): a session advisory lock in that database itself
  (``pg_try_advisory_lock``), taken on a connection of its own that stays open for the demo's life, on a
  thread of its own (the server's event loops come and go around it). A demo on another machine asks the
  same database and is refused; PostgreSQL lets go when the connection ends, however the process ends.
* Any other URL: a ``flock`` in the temporary directory under a name drawn from its URL.

In every case the lock goes with the process: a demo killed with ``kill -9`` leaves nothing to clear by
hand. The holder is named in the message (its process id, and for PostgreSQL its host too).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import fcntl
import hashlib
import os
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import make_url

from .problems import Problem, describe_database, sqlite_path

# The advisory lock's key (PostgreSQL scopes advisory locks to the database): "demo" in ASCII. Distinct
# from the migrations' key (7301966) and the action log's (1_300_000_000 + chain).
ADVISORY_KEY = 0x64656D6F
CONNECT_SECONDS = 10.0
APPLICATION = "auction-demo"  # the lock connection's application_name: how the holder is found and named


def lock_path(url: str) -> Path:
    """Where the file lock of the demo on ``url`` lives (SQLite, and URLs that are not PostgreSQL)."""
    path = sqlite_path(url) if url.startswith("sqlite") else None
    if path is not None:
        return path.with_name(path.name + ".lock")
    digest = hashlib.sha256(_shown(url).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"auction-demo-{digest}.lock"


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unreadable URL is refused later, by the settings; any name serves here
        return url


def _is_postgresql(url: str) -> bool:
    try:
        return make_url(url).get_backend_name() == "postgresql"
    except Exception:
        return False


@dataclass
class DemoLock:
    """A held lock: ``where`` names it (the lock file, or the database)."""

    where: str
    _file: IO[str] | None = None
    _stop: Any = None  # the PostgreSQL holder thread's stop: called to close its connection
    _thread: threading.Thread | None = field(default=None, repr=False)


_held: list[DemoLock] = []  # the locks this process holds, kept until it ends (or ``release``)


def hold_demo_lock(url: str) -> DemoLock:
    """Take the demo's lock on ``url`` for the rest of this process (released when it ends, however it
    ends); ``Problem`` naming the holder if another demo has it."""
    lock = _hold_advisory(url) if _is_postgresql(url) else _hold_file(url)
    _held.append(lock)
    return lock


def release(lock: DemoLock) -> None:
    """Give a lock back before the process ends (tests that start the demo in process)."""
    if lock in _held:
        _held.remove(lock)
    if lock._file is not None:
        lock._file.close()
        lock._file = None
    if lock._stop is not None:
        lock._stop()
        lock._stop = None
        if lock._thread is not None:
            lock._thread.join(timeout=CONNECT_SECONDS)


def _refused(url: str, holder: str) -> Problem:
    return Problem(
        f"another demo is already running on {describe_database(url)} ({holder}): use that one, "
        "stop it first, or give this one its own database (AUCTION_DATABASE_URL or --database-url)"
    )


def _hold_file(url: str) -> DemoLock:
    path = lock_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = open(path, "a+")  # kept open: the lock lives as long as the file is open
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise _refused(url, f"process {holder}") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return DemoLock(str(path), _file=handle)


def _hold_advisory(url: str) -> DemoLock:
    """The advisory lock on a connection kept by a daemon thread with its own event loop: the answer
    (held, or who holds it) comes back once; the connection then waits until ``release`` or the end of
    the process."""
    answer: concurrent.futures.Future[str | None] = concurrent.futures.Future()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(
        target=_run, args=(loop, _advisory_holder(url, answer, stop)), name="demo-lock", daemon=True
    )
    thread.start()
    try:
        holder = answer.result(timeout=CONNECT_SECONDS + 5)
    except Exception as exc:
        thread.join(timeout=1)
        raise Problem(f"could not take the demo's lock on {describe_database(url)}: {exc}") from None
    if holder is not None:
        thread.join(timeout=CONNECT_SECONDS)
        raise _refused(url, holder)
    return DemoLock(describe_database(url), _stop=lambda: loop.call_soon_threadsafe(stop.set), _thread=thread)


def _run(loop: asyncio.AbstractEventLoop, holding: Any) -> None:
    try:
        loop.run_until_complete(holding)
    finally:
        loop.close()


async def _advisory_holder(url: str, answer: concurrent.futures.Future[str | None], stop: asyncio.Event) -> None:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    me = f"{APPLICATION} pid {os.getpid()} on {socket.gethostname()}"[:63]
    try:
        conn = await asyncpg.connect(dsn, timeout=CONNECT_SECONDS, server_settings={"application_name": me})
    except Exception as exc:
        answer.set_exception(exc)
        return
    try:
        if await conn.fetchval("SELECT pg_try_advisory_lock($1)", ADVISORY_KEY):
            answer.set_result(None)
            await stop.wait()
            return
        holder = await conn.fetchval(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $1 AND l.database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1",
            ADVISORY_KEY,
        )
        answer.set_result(str(holder).removeprefix(APPLICATION).strip() if holder else "another connection")
    except Exception as exc:
        if not answer.done():
            answer.set_exception(exc)
    finally:
        await conn.close()
