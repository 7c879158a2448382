"""The database a command is pointed at: that it exists and holds this version's schema (for commands that
only read it), and starting it afresh (``serve --demo --reset``).

Why: ``audit verify`` pointed at the wrong place used to create an empty SQLite file there and fail deep
inside a query; a reading command must instead say which database it looked at and how to choose
another, and leave nothing behind.
"""

from __future__ import annotations

import shutil

from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection

from auction_service.core.document_store import default_directory
from auction_service.db import migrate
from auction_service.db.connection import create_database, normalise_url

from .problems import CHOOSE, Problem, database_errors, describe_database, sqlite_path


def _schema_heads() -> set[str]:
    return set(ScriptDirectory.from_config(migrate.alembic_config()).get_heads())


async def require_schema(url: str) -> None:
    """Refuse (``Problem``) a database that does not exist, has no schema or an older one; create nothing.

    A SQLite file is looked for before anything opens it (opening would create it); PostgreSQL says
    itself that a database does not exist (``problems.database_problem``)."""
    url = normalise_url(url)
    where = describe_database(url)
    path = sqlite_path(url)
    if url.startswith("sqlite") and (path is None or not path.is_file()):
        missing = "there is no file" if path else "an in-memory database is empty"
        raise Problem(f"{where} does not exist ({missing}): {CHOOSE} (the demo's: sqlite:///demo.db)")
    db = create_database(url)
    try:
        with database_errors(url):
            async with db.read.connect() as conn:
                revision = await _revision(conn)
    finally:
        await db.dispose()
    if revision is None:
        raise Problem(
            f"{where} has no auction schema (never migrated, or another application's): {CHOOSE}, "
            "or create the schema there with `auction-service db upgrade`"
        )
    if revision not in _schema_heads():
        raise Problem(
            f"{where} is at schema revision {revision}, this version needs {', '.join(sorted(_schema_heads()))}: "
            "run `auction-service db upgrade` on it first"
        )


async def _revision(conn: AsyncConnection) -> str | None:
    has_versions = await conn.run_sync(lambda sync: inspect(sync).has_table("alembic_version"))
    if not has_versions:
        return None
    return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one_or_none()


async def reset(url: str) -> str:
    """Start a database afresh: a SQLite file (and its WAL files) is deleted, a PostgreSQL database
    loses every table. Returns what was done, for the operator."""
    url = normalise_url(url)
    where = describe_database(url)
    path = sqlite_path(url)
    if url.startswith("sqlite"):
        removed = False
        if path is not None:
            for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                if file.exists():
                    file.unlink()
                    removed = True
        done = f"deleted {where}" if removed else f"{where} did not exist yet"
        documents = default_directory(url)  # its lot documents beside it (never an AUCTION_DOCUMENTS_DIR)
        if documents is not None and documents.is_dir():
            shutil.rmtree(documents)
            done += f" and its documents folder {documents}"
        return done
    db = create_database(url)
    try:
        with database_errors(url):
            async with db.write.begin() as conn:
                await conn.run_sync(_drop_everything)
    finally:
        await db.dispose()
    return f"emptied {where}"


def _drop_everything(sync_conn) -> None:
    tables = MetaData()
    tables.reflect(sync_conn)
    tables.drop_all(sync_conn)
