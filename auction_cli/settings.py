"""The settings a command runs with: ``--database-url`` over the environment (``AUCTION_*``), a bad
setting as one line (``problems.Problem``), and the demo's own database.

Its own module because every command group needs it: ``main.py`` registers the groups
(``documents_commands.py``...) and the groups import this, so no group imports ``main.py`` back.
"""

from __future__ import annotations

import os

from pydantic import ValidationError

from auction_service.config import Settings, describe_settings_error, get_settings

from .problems import Problem

DEMO_DATABASE_URL = "sqlite+aiosqlite:///./demo.db"
# The demo's own defaults, each overridden by its ``AUCTION_*`` variable: sandbox rules (one-hour auctions)
# and a gentle clock (ten times real time: an auction bids for six real minutes). The judicial rules at
# real speed would show a market where nothing happens for days.
DEMO_DEFAULTS = {"AUCTION_RULES": "sandbox", "AUCTION_CLOCK_SPEED": "10"}


def use_demo_defaults() -> None:
    """Put the demo's defaults into the environment where no variable is set. The environment, not just
    this process's ``Settings``: the demo's simulated past and live market start in-process services
    that read their settings from it too, and must agree with the server."""
    for name, value in DEMO_DEFAULTS.items():
        os.environ.setdefault(name, value)
    get_settings.cache_clear()


def settings_for(database_url: str | None = None, *, demo: bool = False) -> Settings:
    """The validated settings, with ``--database-url`` over the environment; the demo keeps its own
    database (``./demo.db``) unless one is named."""
    if demo:
        use_demo_defaults()
    try:
        settings = get_settings()
        if database_url is None and demo and "database_url" not in settings.model_fields_set:
            database_url = DEMO_DATABASE_URL
        if database_url is not None:
            settings = Settings(database_url=database_url)
    except ValidationError as exc:
        raise Problem(describe_settings_error(exc)) from None
    return settings
