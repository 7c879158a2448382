"""Where the bytes of lot documents live: files on disk named by their SHA-256, outside the database.

Why: appraisal reports and photos (up to 10 MiB each) made up most of a database dump. The database now
keeps each document's digest and size (``lot_documents.sha256``, ``size``) and the bytes sit in a
directory, one file per distinct content at ``<root>/ab/cdef…`` (the digest's first two hex digits name
a sub-folder, the other 62 the file), so a backup is a small dump plus a copy of the directory, and two
uploads of the same file share one copy.

A file is written to a temporary name in its final folder, flushed to disk (``fsync``) and renamed over
the final name, so a reader never sees half a file and a crash leaves at most a ``.upload-*.tmp`` file.
Every read recomputes the digest: a file that was altered, truncated or removed is refused, never served.
Several service processes on one PostgreSQL database share the directory (a network or shared volume):
content addressing makes concurrent writes of the same document harmless (the last rename wins with the
same bytes).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

log = logging.getLogger(__name__)

DIGEST = re.compile(r"^[0-9a-f]{64}$")
TEMPORARY_PREFIX = ".upload-"
TEMPORARY_SUFFIX = ".tmp"
# Without AUCTION_DOCUMENTS_DIR, a database that is not a SQLite file (PostgreSQL, in-memory SQLite)
# keeps its documents here, relative to the folder the service was started in.
FALLBACK_DIRECTORY = "documents"
UNSET_FOR_SERVER = (
    "AUCTION_DOCUMENTS_DIR is unset, so ./documents of the folder the service started in; "
    "set it to one directory that every service process of this database shares"
)


class StoredFileProblem(Exception):
    """A document's file cannot be served as recorded; ``path`` says which file, for the operator."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class StoredFileMissing(StoredFileProblem):
    """The file is not there (or cannot be read): a directory not mounted, a file lost or not restored."""


class StoredFileDamaged(StoredFileProblem):
    """The file is there but its bytes are not the ones recorded (digest or size differ)."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def default_directory(database_url: str) -> Path | None:
    """The directory a database's documents go to when none is set: ``<name>-documents`` beside a SQLite
    file (``./auction.db`` → ``./auction-documents``, ``./demo.db`` → ``./demo-documents``: two databases
    in one folder never share, so ``documents gc`` of one cannot remove the other's files); None for a
    database that is not a file (PostgreSQL, in-memory SQLite)."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    database = Path(url.database).expanduser().resolve()
    return database.with_name(f"{database.stem}-documents")


@lru_cache(maxsize=64)
def resolve_directory(documents_dir: str | None, database_url: str) -> tuple[Path, str]:
    """The absolute directory for these settings and how it was chosen (said in the service's log and by
    the ``documents`` commands). Resolved once per process: a relative path means the folder the
    process was started in, not wherever it is later."""
    if documents_dir:
        return Path(documents_dir).expanduser().resolve(), "AUCTION_DOCUMENTS_DIR"
    beside = default_directory(database_url)
    if beside is not None:
        return beside, "beside the SQLite database; AUCTION_DOCUMENTS_DIR chooses another"
    return Path(FALLBACK_DIRECTORY).resolve(), UNSET_FOR_SERVER


@dataclass(frozen=True, slots=True)
class DocumentStore:
    """The files of one database's documents. Blocking file I/O: call from a worker thread."""

    root: Path

    def path_of(self, digest: str) -> Path:
        if not DIGEST.match(digest):
            raise ValueError(f"not a SHA-256 hex digest: {digest!r}")
        return self.root / digest[:2] / digest[2:]

    def put(self, data: bytes, digest: str) -> Path:
        """Make ``data`` durable under its digest before the row that names it commits. A file already
        there with the right bytes is kept (its time is renewed, so ``documents gc`` leaves it alone
        while the new row commits); a damaged one is replaced."""
        if sha256_of(data) != digest:
            raise ValueError("the digest does not match the bytes")
        target = self.path_of(digest)
        if self._holds(target, digest):
            os.utime(target)
            return target
        created_root = not self.root.exists()
        created_folder = not target.parent.exists()
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_directory(target.parent)  # the rename itself survives a power loss
        if created_folder:
            _fsync_directory(self.root)
        if created_root:
            _fsync_directory(self.root.parent)
        return target

    def get(self, digest: str, size: int) -> bytes:
        """The bytes recorded under ``digest``, checked against it and ``size``."""
        path = self.path_of(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise StoredFileMissing(path, "no such file") from None
        except OSError as exc:
            raise StoredFileMissing(path, exc.strerror or type(exc).__name__) from None
        if len(data) != size:
            raise StoredFileDamaged(path, f"{len(data)} bytes where {size} were stored")
        if sha256_of(data) != digest:
            raise StoredFileDamaged(path, "its SHA-256 is not the one recorded")
        return data

    def _holds(self, path: Path, digest: str) -> bool:
        try:
            return sha256_of(path.read_bytes()) == digest
        except OSError:
            return False

    def files(self) -> Iterator[tuple[str, Path]]:
        """Every document file in the directory, with the digest its name says."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if len(folder.name) != 2 or not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                digest = folder.name + path.name
                if DIGEST.match(digest) and path.is_file():
                    yield digest, path

    def temporaries(self) -> Iterator[Path]:
        """Files an interrupted write left behind."""
        if self.root.is_dir():
            yield from self.root.glob(f"??/{TEMPORARY_PREFIX}*{TEMPORARY_SUFFIX}")


def age_seconds(path: Path, now: float | None = None) -> float:
    """How long ago the file was last written or renewed (wall time: file times are the machine's)."""
    return (time.time() if now is None else now) - path.stat().st_mtime


def _fsync_directory(path: Path) -> None:
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:  # some file systems do not sync directories; the rename is still atomic
        pass
    finally:
        os.close(handle)
