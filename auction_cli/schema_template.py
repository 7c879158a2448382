"""A fresh simulation database in milliseconds: a copy of a SQLite file migrated once to this version's
schema, instead of running every migration again for each run.

Why: migrating an empty SQLite file costs about 0.45 s, which was most of a hot-lot run (about 0.46 s
after the imports) and most of a 100-run experiment's time. The migrations still run on the copy when the
service starts (``create_app``), where, with the schema already at head, they find nothing to do (about
0.03 s), so a copy that were somehow behind would be brought up to date, never used as it is.

The template lives in the user's cache folder (``$XDG_CACHE_HOME/auction-service``, else
``~/.cache/auction-service``), named by a digest of every file of the migrations: a changed or added
migration names another template, and an old one is never reused. It is written under a temporary name
and renamed into place, so processes starting together (an experiment's workers) never copy a half-made
file. Where the cache folder cannot be written, the template is kept in a temporary folder for the
process's life.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

_made: dict[str, Path] = {}  # digest -> template, for this process


def _digest() -> str:
    """A digest of the migrations' files (their names and contents)."""
    from auction_service.db import migrate  # the service is imported when a run starts

    root = Path(migrate.script_location())
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "auction-service"


async def _migrate_into(path: Path) -> None:
    from auction_service.db import migrate
    from auction_service.db.connection import create_database

    db = create_database(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate.upgrade(db.write)
    finally:
        await db.dispose()
    # one self-contained file: the write-ahead log folded in and off, so a plain copy is the database
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()


def _writable_folder() -> Path:
    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
        return folder
    except OSError:
        own = Path(tempfile.mkdtemp(prefix="auction-schema-"))
        atexit.register(shutil.rmtree, own, True)
        return own


async def template() -> Path:
    """The migrated template for this version's migrations, made if it is not there yet."""
    digest = _digest()
    known = _made.get(digest)
    if known is not None and known.is_file():
        return known
    folder = _writable_folder()
    final = folder / f"schema-{digest}.sqlite3"
    if not final.is_file():
        partial = folder / f".schema-{digest}-{os.getpid()}.sqlite3"
        try:
            await _migrate_into(partial)
            os.replace(partial, final)  # atomic: another process sees the whole file or none
        finally:
            partial.unlink(missing_ok=True)
    _made[digest] = final
    return final


def scratch_folder() -> str | None:
    """Where a run's database is made: ``/dev/shm`` (memory) where there is one to write to, else the
    system's temporary folder (None). The database lives only for its run, and every commit of a
    bid-at-a-time market writes to it: on a disk that was a write call per commit for nothing kept."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


async def fresh_database(folder: Path, name: str = "simulation.db") -> str:
    """A new SQLite database in ``folder`` holding this version's schema and nothing else; its URL."""
    target = folder / name
    source = await template()
    shutil.copyfile(source, target)  # a few hundred kilobytes
    return f"sqlite+aiosqlite:///{target}"
