"""Simulated bidders calibrated on real bid records (``shared/domain.md``, "Bidder behaviour").

The behaviour is a pure policy: given what a bot sees (price, increment, time left, who leads) it says
whether and what to bid and how long to wait. Transports (in-process for the demo, HTTP or websocket
for the load tests and the simulator) only carry the decision out.

Calibration: ~90% of bids are one increment, occasional jumps of several; in the extension phase the
response time has a median of ~31 s and a p90 of ~220 s and never reaches 300 s (a bidder who waits
five minutes has lost); activity concentrates at the end; a bot has a private valuation and stops
there.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass
class View:
    """What a bidder sees of an auction."""

    current_price: int | None
    starting_price: int
    increment: int
    seconds_left: float
    leading: bool


@dataclass
class BotPolicy:
    valuation: int  # the most this bot will pay (fen)
    eagerness: float = 0.5  # 0..1: how early it joins before the end
    rng: random.Random | None = None

    def __post_init__(self) -> None:
        self.rng = self.rng or random.Random()

    def next_bid(self, view: View) -> int | None:
        """The amount to bid now, or None to hold."""
        if view.leading:
            return None
        if view.current_price is None:
            return view.starting_price if view.starting_price <= self.valuation else None
        steps = 1 if self.rng.random() < 0.9 else self.rng.randint(2, 10)
        amount = view.current_price + steps * view.increment
        if amount > self.valuation:
            amount = view.current_price + view.increment
        return amount if amount <= self.valuation else None

    def wait_seconds(self, view: View) -> float:
        """Simulated seconds until the bot looks again: lognormal with median ~31 s, capped below the
        five-minute soft close so a committed bot never lets the clock run out on itself."""
        if view.seconds_left > 600:
            # Before the final phase, bidders look in rarely; eager ones more often.
            return self.rng.uniform(60, 900) * (1.5 - self.eagerness)
        delay = self.rng.lognormvariate(math.log(31), 1.4)
        return min(delay, 280.0, max(view.seconds_left - 1, 0.5))


def valuation_for(starting_price: int, rng: random.Random) -> int:
    """Private valuations: most bidders value the lot a little above the start, a few far above
    (premiums over the start in the real records run from a few % to 50%+)."""
    premium = rng.lognormvariate(math.log(0.12), 0.8)
    return int(starting_price * (1 + min(premium, 2.3)))
