"""Service settings, read once from the environment (prefix ``AUCTION_``) and validated at start."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the service can be configured with; names follow ``docs/api-contract.md``."""

    model_config = SettingsConfigDict(env_prefix="AUCTION_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./auction.db"
    clock_speed: float = Field(default=1.0, gt=0, le=100_000)
    rules: Literal["judicial-2016", "sandbox"] = "judicial-2016"
    redis_url: str | None = None
    # Signing key for access tokens. When unset, one is generated and kept in the database so that
    # every service process on the same database accepts the same tokens.
    secret_key: str | None = None
    token_ttl_seconds: int = Field(default=12 * 3600, gt=0)
    # Durability of SQLite commits: FULL survives power loss, NORMAL survives a killed process (WAL).
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "NORMAL"
    # Group commit: how long the writer waits for more bids before committing a group (seconds).
    commit_linger_seconds: float = Field(default=0.0, ge=0, le=0.1)
    # Live feed: events of one auction that come within this many milliseconds of the last batch
    # sent to its watchers wait and go together (one write per watcher instead of one per event).
    # An event after a quiet spell goes at once; 0 sends every group of events as it commits.
    feed_batch_ms: float = Field(default=20.0, ge=0, le=1000)
    demo_bots: bool = True


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
