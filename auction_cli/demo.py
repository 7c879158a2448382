"""``serve --demo``: seed the demo data (service side), then run the simulated bidders (client side)
against the running server over its public API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from auction_service import demo_data
from auction_service.core.services import Services

log = logging.getLogger("auction_cli.demo")


def demo_hook(base_url: str, *, bots: bool = True) -> Callable[[Services], Awaitable[None]]:
    """A startup hook: seed the demo data, print how to use it, then (``bots``, the ``AUCTION_DEMO_BOTS``
    setting) run the demo's bots against ``base_url`` once the server answers."""

    async def run(services: Services) -> None:
        try:
            await demo_data.seed(services)
            print(demo_data.welcome(base_url), flush=True)
            if bots:
                from bidder_client.bots import run_bots

                accounts = [(username, demo_data.BIDDER_PASSWORD) for username in demo_data.DEMO_BOTS]
                await run_bots(base_url, accounts)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("demo failed")

    return run
