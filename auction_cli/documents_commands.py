"""``auction-service documents``: the lot documents' directory (appraisal reports, photos).

The service keeps documents' bytes on disk, named by their SHA-256, and only their digest and size in
the database (``auction_service/core/document_store.py``). These commands move the bytes of databases
from before that change out of the database (``export``), check every file against its row after a
restore or a move (``verify``), and remove files no row names (``gc``). Each reads an existing database
only (never creates one) and names the directory it works on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from .problems import database_errors, describe_database
from .settings import settings_for

documents_app = typer.Typer(
    help="Lot documents' files: export from the database, verify, remove unreferenced.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, as the other commands (main.py: PLAIN_HELP)
)
T = TypeVar("T")

DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="the database (default: AUCTION_DATABASE_URL, else ./auction.db)", show_default=False
    ),
]
DocumentsDirOption = Annotated[
    Path | None,
    typer.Option(
        "--documents-dir",
        help="the documents directory (default: AUCTION_DOCUMENTS_DIR, else beside a SQLite file, else ./documents)",
        show_default=False,
    ),
]


def _run(database_url: str | None, documents_dir: Path | None, work: Callable[..., Awaitable[T]]) -> T:
    """Run ``work(sessions, store)`` on an existing, up-to-date database, saying which database and
    directory it is."""
    from auction_service.core.document_store import DocumentStore, resolve_directory
    from auction_service.db.connection import create_database

    from .database import require_schema

    settings = settings_for(database_url)
    url = settings.database_url
    chosen = str(documents_dir) if documents_dir is not None else settings.documents_dir
    root, why = resolve_directory(chosen, url)
    if documents_dir is not None:
        why = "--documents-dir"
    typer.echo(f"database: {describe_database(url)}")
    typer.echo(f"documents directory: {root} ({why})")

    async def run() -> T:
        await require_schema(url)
        db = create_database(url)
        try:
            return await work(db.sessions(write=True), DocumentStore(root))
        finally:
            await db.dispose()

    with database_errors(url):
        return asyncio.run(run())


@documents_app.command("export")
def export(database_url: DatabaseUrlOption = None, documents_dir: DocumentsDirOption = None) -> None:
    """Move documents still stored in the database (uploaded before schema 0008) to the documents
    directory, one at a time: each file is written and synced, then its row's bytes are cleared. Safe
    to interrupt and run again, and while the service runs. Exit 1 if a row's bytes do not match its
    own recorded digest (left untouched)."""
    from auction_service.core.documents import export_to_directory

    report = _run(database_url, documents_dir, export_to_directory)
    typer.echo(f"moved {report.moved} documents ({report.moved_bytes / 1024 / 1024:.1f} MiB) to the directory")
    if report.moved:
        typer.echo(
            "the database keeps the freed space until it is compacted: VACUUM FULL lot_documents (PostgreSQL, "
            "locks the table while it runs) or VACUUM (SQLite, with the service stopped)"
        )
    for document_id in report.mismatched:
        typer.echo(f"document {document_id}: its stored bytes do not match its recorded SHA-256; left in place")
    if report.mismatched:
        raise typer.Exit(1)


@documents_app.command("verify")
def verify(database_url: DatabaseUrlOption = None, documents_dir: DocumentsDirOption = None) -> None:
    """Read every document's file and check it against the digest and size in the database (after a
    restore or moving the directory). Exit 1 if any is missing or altered."""
    from auction_service.core.documents import verify_files

    report = _run(database_url, documents_dir, verify_files)
    for document_id, problem in report.problems:
        typer.echo(f"document {document_id}: {problem}")
    still = f"; {report.in_database} still in the database (run `documents export`)" if report.in_database else ""
    typer.echo(f"{report.checked} files checked, {len(report.problems)} missing or altered{still}")
    if report.problems:
        raise typer.Exit(1)


@documents_app.command("gc")
def gc(
    database_url: DatabaseUrlOption = None,
    documents_dir: DocumentsDirOption = None,
    min_age_minutes: Annotated[
        float, typer.Option(min=1, help="keep files younger than this: an upload in flight has not committed yet")
    ] = 60,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only list what would be removed")] = False,
) -> None:
    """Remove files that no document row names (left by an upload whose commit failed) and leftovers of
    interrupted writes. The directory must belong to this database alone."""
    from auction_service.core.documents import collect_garbage

    async def work(sessions, store):
        return await collect_garbage(sessions, store, min_age_seconds=min_age_minutes * 60, dry_run=dry_run)

    found = _run(database_url, documents_dir, work)
    verb = "would remove" if dry_run else "removed"
    for digest in found.unreferenced:
        typer.echo(f"{verb} {digest[:2]}/{digest[2:]}")
    typer.echo(
        f"{verb} {len(found.unreferenced)} unreferenced files ({found.freed_bytes / 1024 / 1024:.1f} MiB) and "
        f"{found.temporaries} interrupted writes; kept {found.kept_young} younger than {min_age_minutes:g} minutes"
    )
