"""Apply Alembic migrations from inside the service (``serve`` and ``db upgrade``).

``command.upgrade`` cannot call ``asyncio.run`` inside a running loop, so the migration runs on an
``AsyncConnection`` through ``run_sync`` with the connection handed to env.py in ``config.attributes``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine


def script_location() -> str:
    """Where the migrations are: ``alembic/`` at the top of the repository, shipped inside the wheel as
    ``auction_service/db/migrations`` (pyproject.toml's package-dir), so an installed wheel finds them wherever
    it is installed. A checkout or an editable install has no such folder in the package; its migrations
    are the repository's ``alembic/``, next to the package (the folder has no ``__init__.py``, so it never
    hides the ``alembic`` library)."""
    shipped = resources.files("auction_service.db") / "migrations"
    if shipped.joinpath("env.py").is_file():
        return str(shipped)
    return str(Path(__file__).resolve().parents[2] / "alembic")


def alembic_config() -> Config:
    """No ``alembic.ini`` is needed (logging stays the service's); that file is for developers writing a
    migration with the ``alembic`` command."""
    cfg = Config()
    cfg.set_main_option("script_location", script_location())
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    cfg = alembic_config()
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several service processes may start at once: one migrates, the others wait.
            await conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7301966)")
        await conn.run_sync(lambda sync_conn: _with_connection(cfg, sync_conn, "upgrade", revision))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    cfg = alembic_config()
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync_conn: _with_connection(cfg, sync_conn, "downgrade", revision))


async def check(engine: AsyncEngine) -> None:
    """Raise if the models and the migrations differ (``alembic check``)."""
    cfg = alembic_config()
    async with engine.connect() as conn:
        await conn.run_sync(lambda sync_conn: _with_connection(cfg, sync_conn, "check", None))


def _with_connection(cfg: Config, sync_conn, action: str, revision: str | None) -> None:
    cfg.attributes["connection"] = sync_conn
    if action == "upgrade":
        command.upgrade(cfg, revision or "head")
    elif action == "downgrade":
        command.downgrade(cfg, revision or "base")
    else:
        command.check(cfg)
