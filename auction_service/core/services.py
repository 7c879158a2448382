"""The service container: everything stateful, built once in the app's lifespan (``app.py``) and handed
to the transports through ``app.state.services`` (no module-level globals: tests build as many
independent services as they like). Typed member by member, so every route, the bid edge and the live
feed use it checked (``api/deps.py``'s ``ServicesDep``, ``live/ws.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock
    profile: RuleProfile
    events: EventSink  # the live feed's bus (``live/bus.py``); core knows it only by this port
    engine: BidEngine
    lifecycle: Lifecycle
    scheduler: Scheduler
    tokens: TokenService
    limits: RateLimits  # one limiter for every transport (``rate_limits.py``)
    write_sessions: async_sessionmaker[AsyncSession]  # the request's unit of work (``unit_of_work.py``)
    read_sessions: async_sessionmaker[AsyncSession]  # reads, on the read pool where there is one
