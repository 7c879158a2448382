"""What went wrong, in one line: the command line's answer to a bad setting or a database it cannot use.

A wrong ``AUCTION_DATABASE_URL`` or a stopped PostgreSQL is an operator's everyday mistake, not a bug:
the command prints one line on stderr saying what is wrong and how to fix it, and exits with 2
(``main.py``; ``--debug`` adds the traceback). Anything not recognised here is a bug and keeps its
traceback. Messages name the database without its password.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from auction_service.config import DATABASE_URL_EXAMPLES

CHOOSE = "choose another with --database-url or AUCTION_DATABASE_URL"


class Problem(Exception):
    """A mistake in how the command was run; its message is the whole answer (exit code 2)."""


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL names, absolute (None: in memory, or not SQLite)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().resolve()


def describe_database(url: str) -> str:
    """The database as an operator recognises it: a file path, or PostgreSQL's database, host and port."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "the database of AUCTION_DATABASE_URL"
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        return f"the SQLite database {path}" if path else "an in-memory SQLite database"
    return f'PostgreSQL database "{parsed.database}" on {parsed.host or "localhost"}:{parsed.port or 5432}'


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, the driver's exception SQLAlchemy wrapped (``orig``), and their causes."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend([getattr(current, "orig", None), current.__cause__, current.__context__])


def database_problem(exc: BaseException, url: str) -> str | None:
    """The one line for an error met while opening ``url``, or None when it is not an operator's mistake."""
    where = describe_database(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"AUCTION_DATABASE_URL is not a database URL ({exc}); use {DATABASE_URL_EXAMPLES}"
    for cause in _causes(exc):
        name = type(cause).__name__
        text = str(cause).strip().splitlines()[0] if str(cause).strip() else name
        if name == "InvalidCatalogNameError":
            create = f"createdb -h {parsed.host or '127.0.0.1'} -U {parsed.username or 'postgres'} {parsed.database}"
            return f"{where} does not exist: create it ({create}) or {CHOOSE}"
        if name in ("InvalidAuthorizationSpecificationError", "InvalidPasswordError"):
            return f"PostgreSQL refused the login to {where} ({text}): fix the user or password in AUCTION_DATABASE_URL"
        if isinstance(cause, ConnectionRefusedError | TimeoutError) or name == "gaierror":
            return f"cannot reach {where} ({text}): start PostgreSQL there or {CHOOSE}"
        if isinstance(cause, NoSuchModuleError):
            return f"AUCTION_DATABASE_URL names a database driver that is not installed ({text})"
        if isinstance(cause, sqlite3.OperationalError) and "unable to open" in text:
            path = sqlite_path(url)
            folder = f" (is there a folder {path.parent}?)" if path else ""
            return f"cannot open {where}{folder}: {CHOOSE}"
        if isinstance(cause, sqlite3.DatabaseError) and "not a database" in text:
            return f"{where} is not a SQLite database: {CHOOSE}"
    return None


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Turn the operator's mistakes met while using ``url`` into a ``Problem``; let anything else through.

    A SQLite file in a folder that does not exist is said before anything tries to open it: aiosqlite's
    failed connect can otherwise report from its thread after the event loop closed (a stray traceback)."""
    path = sqlite_path(url)
    if path is not None and not path.parent.is_dir():
        raise Problem(f"cannot open {describe_database(url)}: there is no folder {path.parent}; {CHOOSE}")
    try:
        yield
    except Problem:
        raise
    except Exception as exc:
        line = database_problem(exc, url)
        if line is None:
            raise
        raise Problem(line) from exc
