"""One demo per database: ``serve --demo`` holds a lock on its database for as long as it runs.

Why: two demos on one database each run a live market and the service's scheduler; the second start
used to move to the next free port and share ``demo.db`` without a word, and the auctions its market
announced stayed "announced" past their start once it stopped. A second start now says which process
holds the database and stops, before it binds a port or touches the data (``--reset`` included).

The lock is an exclusive ``flock`` on a small file: beside a SQLite database (``demo.db.lock``), or, for
another database, in the temporary directory under a name drawn from its URL (the demos of one machine).
The operating system releases it when the process ends, however it ends, so a lock file left behind by a
killed demo never blocks the next start (no stale lock to detect or clear by hand); the process id
written into it only names the holder in the message.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

from .problems import Problem, describe_database, sqlite_path


def lock_path(url: str) -> Path:
    """Where the lock of the demo on ``url`` lives."""
    path = sqlite_path(url) if url.startswith("sqlite") else None
    if path is not None:
        return path.with_name(path.name + ".lock")
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unreadable URL is refused later, by the settings; any name serves here
        shown = url
    digest = hashlib.sha256(shown.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"auction-demo-{digest}.lock"


_held: dict[Path, IO[str]] = {}  # the locks this process holds, open until it ends (or ``release``)


def hold_demo_lock(url: str) -> Path:
    """Take the demo's lock on ``url`` for the rest of this process (the operating system releases it at
    exit); ``Problem`` naming the holder if another process has it."""
    path = lock_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = open(path, "a+")  # kept open: the lock lives as long as the file is open
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise Problem(
            f"another demo is already running on {describe_database(url)} (process {holder}): use that one, "
            "stop it first, or give this one its own database (AUCTION_DATABASE_URL or --database-url)"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    _held[path] = handle
    return path


def release(path: Path) -> None:
    """Give a lock back before the process ends (tests that start the demo in process)."""
    handle = _held.pop(path, None)
    if handle is not None:
        handle.close()
