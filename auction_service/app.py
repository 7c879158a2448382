"""The FastAPI application. Everything stateful (engines, clock, books, scheduler) is built in the
lifespan and handed to routes through ``app.state.services``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .api import accounts, auctions, documents, lots, misc, staff
from .api.bid_path import BidFastPath
from .api.errors import install_error_handlers
from .clock import Clock, SimulatedClock
from .config import Settings, get_settings
from .core import accounts as account_service
from .core import clock_store
from .core.books import BookManager
from .core.lifecycle import Lifecycle
from .core.scheduler import Scheduler
from .core.security import TokenService
from .core.services import Services
from .db import migrate
from .db.engine import create_database
from .live import ws
from .live.bus import make_bus
from .rules.profiles import get_profile

log = logging.getLogger("auction_service")
WEB_ROOT = Path(__file__).resolve().parents[1] / "bidder_client" / "web"


def create_app(
    settings: Settings | None = None, clock: Clock | None = None, *, migrate_on_start: bool = True
) -> FastAPI:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = create_database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
        if migrate_on_start:
            await migrate.upgrade(db.write)
        the_clock = clock or await clock_store.anchored_clock(db, settings.clock_speed)
        secret = settings.secret_key or await account_service.service_secret(db)
        profile = get_profile(settings.rules)
        bus = make_bus(settings.redis_url, batch_seconds=settings.feed_batch_ms / 1000)
        await bus.start()
        books = BookManager(db, the_clock, profile, bus)
        books.commit_linger = settings.commit_linger_seconds
        lifecycle = Lifecycle(books, the_clock)
        scheduler = Scheduler(db, the_clock, lifecycle)
        lifecycle.scheduler = scheduler
        services = Services(
            settings=settings,
            db=db,
            clock=the_clock,
            profile=profile,
            bus=bus,
            books=books,
            lifecycle=lifecycle,
            scheduler=scheduler,
            tokens=TokenService(secret, settings.token_ttl_seconds),
        )
        app.state.services = services
        books.start()
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
            await books.stop()
            await bus.stop()
            if isinstance(the_clock, SimulatedClock):
                with contextlib.suppress(Exception):
                    await clock_store.checkpoint(db, the_clock)
            await db.dispose()

    app = FastAPI(
        title="Judicial auction platform simulator",
        version="0.1.0",
        description="Online judicial auctions (网络司法拍卖) under the SPC's 2016 provisions.",
        lifespan=lifespan,
    )
    app.state.startup_hooks = []
    install_error_handlers(app)
    app.add_middleware(BidFastPath)
    for module in (accounts, lots, auctions, misc, staff, documents, ws):
        app.include_router(module.router)
    if WEB_ROOT.is_dir():
        app.mount("/", StaticFiles(directory=WEB_ROOT, html=True), name="web")
    return app
