"""The service as one ASGI app: the bid edge in front of the FastAPI application.

``create_app`` is the only place the stack is assembled, so ``serve``, the tests' real uvicorn servers
and the in-process test client all run exactly the same thing. Everything stateful (database, clock,
bid engine, scheduler, event bus) is built in the lifespan and handed to the transports through
``state.services``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .api import (
    accounts,
    announcements,
    auctions,
    bids,
    court_desk,
    documents,
    lots,
    misc,
    monitoring,
    staff,
    stats_groups,
)
from .api import eligibility as eligibility_routes
from .api import rules as rules_routes
from .api.bids import BidEdge
from .api.docs import install_docs
from .api.errors import install_error_handlers
from .api.request_ids import RequestIdEdge
from .api.strict_json import StrictJson
from .clock import Clock, SimulatedClock
from .config import Settings, get_settings
from .core import accounts as account_service
from .core import clock_store, password_pool
from .core import documents as document_service
from .core.bidding.engine import BidEngine
from .core.bidding.lifecycle import Lifecycle
from .core.bidding.scheduler import Scheduler
from .core.rate_limits import RateLimits
from .core.security import TokenService
from .core.services import Services
from .db import migrate
from .db.connection import create_database
from .live import ws
from .live.bus import EventBus
from .live.redis_bus import RedisBus
from .metrics import measure, pools

log = logging.getLogger("auction_service")


async def _migrate(settings: Settings) -> None:
    """Apply pending migrations on engines of their own, without the statement timeout of serving."""
    db = create_database(
        settings.database_url, sqlite_synchronous=settings.sqlite_synchronous, sqlite_on_loop=settings.sqlite_on_loop
    )
    try:
        await migrate.upgrade(db.write)
    finally:
        await db.dispose()


def create_app(
    settings: Settings | None = None,
    clock: Clock | None = None,
    *,
    migrate_on_start: bool = True,
    web_root: Path | None = None,
) -> BidEdge:
    """The whole service. ``web_root``: a folder of static files served at ``/`` (the web client; the
    command line passes it, the service itself knows nothing of the client)."""
    settings = settings or get_settings()
    measure.enable(settings.metrics)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        password_pool.configure(settings.password_hash_workers, settings.password_hash_queue)
        if migrate_on_start:  # unbounded: a long migration is not a hung database
            await _migrate(settings)
        db = create_database(
            settings.database_url,
            sqlite_synchronous=settings.sqlite_synchronous,
            timeout=settings.database_timeout_seconds,
            sqlite_on_loop=settings.sqlite_on_loop,
        )
        pools.watch_database(db)
        the_clock = clock or await clock_store.anchored_clock(db, settings.clock_speed)
        secret = settings.secret_key or await account_service.service_secret(db)
        profile = settings.profile()
        batch = settings.feed_batch_ms / 1000
        bus = RedisBus(settings.redis_url, batch_seconds=batch) if settings.redis_url else EventBus(batch_seconds=batch)
        await bus.start()
        engine = BidEngine(db, the_clock, profile, bus, commit_linger=settings.commit_linger_seconds)
        # The lifecycle tells the scheduler of moved moments, and the scheduler opens and closes through
        # the lifecycle: the lifecycle gets the scheduler's ``schedule`` as a callback (late-bound to the
        # scheduler built on the next line; nothing is scheduled before ``scheduler.start``).
        lifecycle = Lifecycle(engine, the_clock, reschedule=lambda auction_id, at: scheduler.schedule(auction_id, at))
        scheduler = Scheduler(
            db,
            the_clock,
            lifecycle,
            sweep_seconds=settings.scheduler_sweep_seconds,
            lease_seconds=settings.scheduler_lease_seconds,
        )
        services = Services(
            settings=settings,
            db=db,
            clock=the_clock,
            profile=profile,
            events=bus,
            engine=engine,
            lifecycle=lifecycle,
            scheduler=scheduler,
            tokens=TokenService(secret, settings.token_ttl_seconds),
            limits=RateLimits(settings),
            write_sessions=db.sessions(write=True),
            read_sessions=db.sessions(write=False),
        )
        app.state.services = services
        document_service.store_for(settings)  # says at start-up where lot documents are kept
        engine.start()
        await scheduler.start()
        background: list[asyncio.Task] = []
        if isinstance(the_clock, SimulatedClock):
            background.append(asyncio.create_task(clock_store.checkpoint_loop(db, the_clock)))
        for hook in app.state.startup_hooks:
            background.append(asyncio.create_task(hook(services)))
        try:
            yield
        finally:
            await bus.close_all()  # live sockets first (close code 1001), before the writer stops
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await scheduler.stop()
            await engine.stop()
            await bus.stop()
            if isinstance(the_clock, SimulatedClock):
                with contextlib.suppress(Exception):
                    await clock_store.checkpoint(db, the_clock)
            pools.forget_database(db)
            await db.dispose()

    app = FastAPI(
        title="Judicial auction platform simulator",
        version="0.1.0",
        description="Online judicial auctions (网络司法拍卖) under the SPC's 2016 provisions.",
        lifespan=lifespan,
        docs_url=None,  # served by api/docs.py from packaged assets, never a CDN
        redoc_url=None,
    )
    app.state.startup_hooks = []
    app.add_middleware(StrictJson)  # duplicate keys refused in every JSON body (api/strict_json.py)
    install_error_handlers(app)
    for module in (accounts, lots, auctions, bids, misc, staff, documents, ws, monitoring):
        app.include_router(module.router)
    app.include_router(eligibility_routes.router)  # the restriction list, identities, court regions
    app.include_router(stats_groups.router)  # statistics grouped any way (/stats/groups)
    app.include_router(court_desk.router)  # the court desk: action log, deadlines, case file, lot edits
    app.include_router(rules_routes.router)  # the rules in force and a lot's next round
    app.include_router(announcements.router)  # the 竞买公告 and 竞买须知 (HTML, PDF)
    install_docs(app)  # /docs and /redoc, offline
    if web_root is not None:
        app.mount("/", StaticFiles(directory=web_root, html=True), name="web")
    return RequestIdEdge(app)  # the bid edge, with request ids and the access log (api/request_ids.py)
