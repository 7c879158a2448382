"""The service container built in the app's lifespan and handed to routes through ``app.state``
(no module-level globals: tests build as many independent services as they like)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import async_sessionmaker

from auction_rules.profiles import RuleProfile

from ..clock import Clock
from ..config import Settings
from ..db.connection import Database
from .bidding.engine import BidEngine
from .bidding.events import EventSink
from .bidding.lifecycle import Lifecycle
from .bidding.scheduler import Scheduler
from .rate_limits import RateLimits
from .security import TokenService


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    profile: RuleProfile
    events: EventSink
    engine: BidEngine
    lifecycle: Lifecycle
    scheduler: Scheduler
    tokens: TokenService
    write_sessions: async_sessionmaker = field(init=False)
    read_sessions: async_sessionmaker = field(init=False)
    limits: RateLimits = field(init=False)  # one limiter for every transport (``rate_limits.py``)

    def __post_init__(self) -> None:
        self.write_sessions = self.db.sessions(write=True)
        self.read_sessions = self.db.sessions(write=False)
        self.limits = RateLimits(self.settings)
