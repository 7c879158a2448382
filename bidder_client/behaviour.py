"""The one bidder behaviour model: what a simulated bidder does, calibrated on real bid records
(``docs/domain.md``, "Bidder behaviour"). Used by the demo's bots (``bidder_client.bots``) and the
load tests (``loadtests/common.py``).

Pure: no I/O, no clock, no event loop. Time and what the bidder sees are passed in (simulated seconds,
as the service's clock tells them), and so is a seeded ``random.Random``; transports (HTTP, websocket,
locust) only carry the decisions out and convert simulated seconds to real ones.

Calibration:

* ~90% of bids are one increment above the current price; the rest jump several increments;
* a bidder has a private valuation and never bids above it; most value the lot a little above the
  start and drop out early, about a quarter are committed and go far (2-3 bidders make most bids);
* in the extension phase a bidder answers a rival's bid after a response time with a median of ~31 s
  and a p90 of ~220 s, always below 300 s (a bidder who waits five minutes has lost);
* activity concentrates at the end: long before the end bidders look in rarely (and only now and then
  place an early bid), and they follow the auction closely from some minutes before its end;
* a bidder never bids while leading.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

SOFT_CLOSE = 300.0  # a bid in the last five minutes moves the end to five minutes after it
RESPONSE_MEDIAN = 31.0
RESPONSE_P90 = 220.0
RESPONSE_CAP = 295.0  # response times are always below this (and so below the soft close)
_Z90 = 1.2815515655446004
_MU = math.log(RESPONSE_MEDIAN)
_SIGMA = math.log(RESPONSE_P90 / RESPONSE_MEDIAN) / _Z90

ONE_INCREMENT = 0.9  # share of bids that are one increment
JUMP_STEPS = (2, 2, 3, 3, 5, 10, 20)  # increments of a jump bid
COMMITTED = 0.25  # share of bidders who go far above the start

JOIN_EARLIEST = 900.0  # the keenest bidders follow the auction from 15 minutes before its end...
JOIN_LATEST = SOFT_CLOSE  # ...the least keen from 5 minutes before (so all follow the extension phase)
EARLY_LOOK = (60.0, 900.0)  # simulated seconds between looks long before the end (keen bidders: shorter)
EARLY_BID = 0.01  # chance that a look long before the end ends in a bid (about one a day)
IDLE_LOOK = 60.0  # simulated seconds between looks while following (news on the page wakes earlier)
ENDED = frozenset({"sold", "unsold", "withdrawn"})


# ----------------------------------------------------------------- draws
def response_time(rng: random.Random) -> float:
    """Simulated seconds a bidder takes to answer a rival's bid: lognormal with median 31 s and p90
    220 s; draws at or above the cap are folded back into [p90, cap), so the median and p90 hold and
    no answer takes 300 s or more."""
    delay = rng.lognormvariate(_MU, _SIGMA)
    if delay >= RESPONSE_CAP:
        delay = rng.uniform(RESPONSE_P90, RESPONSE_CAP)
    return delay


def bid_steps(rng: random.Random) -> int:
    """Increments above the current price: one ~90% of the time, occasionally a jump of several."""
    return 1 if rng.random() < ONE_INCREMENT else rng.choice(JUMP_STEPS)


def next_amount(
    minimum: int, increment: int, rng: random.Random, valuation: int | None = None, *, opening: bool = False
) -> int | None:
    """The amount to bid when the lowest acceptable bid is ``minimum`` (the starting price before the
    first bid, else the current price plus one increment): usually ``minimum``, sometimes a jump; the
    ``opening`` bid is exactly the starting price (the rules allow nothing else). With a ``valuation``
    a jump that would pass it falls back to ``minimum``, and None means "too dear"."""
    amount = minimum if opening else minimum + (bid_steps(rng) - 1) * increment
    if valuation is None:
        return amount
    if amount > valuation:
        amount = minimum
    return amount if amount <= valuation else None


def draw_valuation(starting_price: int, rng: random.Random) -> int:
    """A private valuation (fen): committed bidders value the lot 20-100% above the start, the others
    at most 10% above it (premiums over the start in the real records run from a few % to 50%+)."""
    premium = rng.uniform(0.2, 1.0) if rng.random() < COMMITTED else rng.uniform(0.0, 0.1)
    return int(starting_price * (1 + premium))


# ----------------------------------------------------------------- one bidder on one auction
@dataclass(frozen=True, slots=True)
class View:
    """What a bidder sees of an auction (its public page, ``GET /api/v1/auctions/{id}``), with times
    in simulated epoch seconds."""

    status: str
    now: float  # the server's time
    start_at: float
    end_at: float
    starting_price: int
    increment: int
    minimum_bid: int
    current_price: int | None
    leading: bool  # the leading code is the bidder's own
    seq: int = 0  # bids so far

    @property
    def seconds_left(self) -> float:
        return self.end_at - self.now


@dataclass(frozen=True, slots=True)
class Action:
    """A decision: bid ``bid`` now (or not), then look again after ``wait`` simulated seconds (None: the
    bidder is done with this auction). ``following``: the bidder keeps the page open from now on, so
    news on it (a bid, a status change) makes it look earlier than ``wait``."""

    bid: int | None
    wait: float | None
    following: bool = False


class Bidder:
    """One bidder's behaviour on one auction. Stateful (it remembers that it means to answer a rival's
    bid, and when) but pure: feed it what it sees, act on what it answers.

    ``latency``: simulated seconds the transport needs to carry a bid out; answers are planned to land
    at least that long before the end.
    """

    def __init__(
        self, valuation: int, rng: random.Random, *, keenness: float | None = None, latency: float = 1.0
    ) -> None:
        self.valuation = valuation
        self.rng = rng
        self.keenness = rng.random() if keenness is None else keenness
        self.latency = latency
        # from how long before the end the bidder follows the auction closely
        self.joins_at = JOIN_LATEST + (JOIN_EARLIEST - JOIN_LATEST) * self.keenness
        self._answer_at: float | None = None
        self._following = False  # once following the end, the bidder stays

    @classmethod
    def for_auction(cls, starting_price: int, rng: random.Random, **kwargs: float) -> Bidder:
        return cls(draw_valuation(starting_price, rng), rng, **kwargs)

    def observe(self, view: View) -> Action:
        """What to do on seeing ``view``."""
        if view.status in ENDED:
            return Action(None, None)
        if view.status == "announced":
            return Action(None, max(view.start_at - view.now, 1.0))
        if view.status != "live":  # suspended: look in now and then
            return Action(None, IDLE_LOOK)
        left = view.seconds_left
        self._following = self._following or left <= self.joins_at
        if view.leading:
            self._answer_at = None
            return Action(None, self._look(left), following=self._following)
        if view.minimum_bid > self.valuation:
            return Action(None, None)  # too dear: out of this auction
        if not self._following:
            # long before the end: a rare look, now and then an early bid
            bid = self._amount(view) if self.rng.random() < EARLY_BID else None
            return Action(bid, self._look(left))
        # following the end: answer the rival's bid (or open the bidding) after a response time
        if self._answer_at is None:
            delay = min(response_time(self.rng), max(left - self.latency, 0.0))
            self._answer_at = view.now + delay
        if view.now >= self._answer_at:
            self._answer_at = None
            return Action(self._amount(view), IDLE_LOOK, following=True)
        return Action(None, min(self._answer_at - view.now, IDLE_LOOK), following=True)

    def _amount(self, view: View) -> int | None:
        opening = view.current_price is None
        return next_amount(view.minimum_bid, view.increment, self.rng, self.valuation, opening=opening)

    def _look(self, left: float) -> float:
        """Simulated seconds until the next look: long before the end, rare looks (keen bidders look
        more often), but never past the moment the bidder starts following the end."""
        if self._following:
            return IDLE_LOOK
        wait = self.rng.uniform(*EARLY_LOOK) * (1.5 - self.keenness)
        return max(min(wait, left - self.joins_at), 1.0)
