"""The settings a command runs with: ``--database-url`` over the environment (``AUCTION_*``), a bad
setting as one line (``problems.Problem``), and the demo's own database.

Its own module because every command group needs it: ``main.py`` registers the groups
(``documents_commands.py``...) and the groups import this, so no group imports ``main.py`` back.
"""

from __future__ import annotations

from pydantic import ValidationError

from auction_service.config import Settings, describe_settings_error, get_settings

from .problems import Problem

DEMO_DATABASE_URL = "sqlite+aiosqlite:///./demo.db"


def settings_for(database_url: str | None = None, *, demo: bool = False) -> Settings:
    """The validated settings, with ``--database-url`` over the environment; the demo keeps its own
    database (``./demo.db``) unless one is named."""
    try:
        settings = get_settings()
        if database_url is None and demo and "database_url" not in settings.model_fields_set:
            database_url = DEMO_DATABASE_URL
        if database_url is not None:
            settings = Settings(database_url=database_url)
    except ValidationError as exc:
        raise Problem(describe_settings_error(exc)) from None
    return settings
