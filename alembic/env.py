"""Alembic environment: migrations run on a connection handed in by the service (``db upgrade`` and
``serve``), or, from the ``alembic`` command line, on an async engine built from AUCTION_DATABASE_URL."""

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from auction_service.config import get_settings
from auction_service.db.connection import normalise_url
from auction_service.db.models import Base

target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run(connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    url = normalise_url(context.config.get_main_option("sqlalchemy.url") or get_settings().database_url)
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_async())
