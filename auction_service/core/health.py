"""The health check's one question to the database."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def check_database(session: AsyncSession) -> None:
    """Raises unless the database answers a trivial query."""
    await session.execute(text("SELECT 1"))
