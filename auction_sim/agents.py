"""The one bidder behaviour model: what a simulated bidder does on one auction, calibrated on real bid
records (``docs/domain.md``, "Bidder behaviour"; the five records in ``tests/data/real-bid-logs/``).
Used by the market simulator (``auction_sim``, which also runs the demo's live market) and the
load tests (``loadtests/common.py``).

Pure: no I/O, no clock, no event loop. Time and what the bidder sees are passed in (simulated seconds,
as the service's clock tells them), and so are a seeded ``random.Random`` and the rules in force (the
soft close's extension window comes from the profile, ``auction_rules.profiles``, never a literal here);
transports (the simulator's kernel, locust) only carry the decisions out.

Strategies (``Strategy``), as the real records show them (onset is bimodal: two of the five lots had
bids during the day, three none until 14-71 minutes before the scheduled end):

* ``EARLY``: early watchers look in every few hours during the 24-hour period and raise by one increment
  when outbid, up to part of their valuation; they also follow the end;
* ``LAST_MINUTE``: late arrivals who come 14-71 minutes before the end, often place one bid on
  arriving (the 2-7 bids before the end of the late-onset records), then hold fire until the extension
  window and fight the soft close;
* ``JUMP``: late arrivals who now and then jump by many increments to scare rivals off.

Every bidder who bids: ~95% of bids are one increment above the current price, jumps a draw of several
increments (at least two, a heavy tail); never above the private valuation; in the extension phase a
rival's bid is answered after a response time (a floor of human reaction plus a lognormal; the gaps
between bids, the fastest rival's answer, have p10 ~8 s, median ~40 s, p90 ~224 s as in the records),
always inside the extension window (a bidder who waits it out has lost). A leader now and then raises
their own leading bid (the real leader did, three times). A priority holder (``priority=True``) may match
the current price instead of raising it, and does so whenever a rival leads (rule 12). A bidder with an
``open_limit`` does not open the bidding at a start above it (it would rather wait for the next round,
``auction_sim.market.open_limit``), but once a rival opens it bids up to its valuation.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass

from auction_rules.profiles import RuleProfile

# One bidder's response time: a reaction floor plus a lognormal of this median and p90 (fitted so the gaps
# between bids, the fastest of the rivals' answers times their pace, match the five records' pooled gaps:
# p10 ~8 s, median ~40 s, p90 ~224 s, ~3% under 5 s; tests/sim/test_agents.py checks the fit).
REACTION_MIN = 1.0  # seconds: nobody answers faster
RESPONSE_MEDIAN = 40.0
RESPONSE_P90 = 310.0
# Response times stay this far inside the extension window (the real records' answers all do); draws past
# it are folded back into its last tenth.
RESPONSE_MARGIN = 5.0
FOLD = 0.9
_Z90 = 1.2815515655446004
_MU = math.log(RESPONSE_MEDIAN - REACTION_MIN)
_SIGMA = math.log((RESPONSE_P90 - REACTION_MIN) / (RESPONSE_MEDIAN - REACTION_MIN)) / _Z90

ONE_INCREMENT = 0.9  # share of one-increment bids by ``bid_steps`` (the generic draw the load tests use)
JUMP_MEDIAN = 3.0  # a jump's increments: 2 or more, lognormal around this median (a heavy tail)
JUMP_SIGMA = 0.75
JUMP_CHANCE = {  # chance that a bid by a bidder of this strategy is a jump
    "early": 0.02,
    "last_minute": 0.02,
    "jump": 0.3,
}
SELF_RAISE = 0.01  # chance that a leader following the extension phase raises its own lead, per look
COMMITTED = 0.25  # share of bidders who go far above the start (``draw_valuation``)

JOIN_EARLIEST = 900.0  # the keenest early watchers follow the end from 15 minutes before it, the
# least keen from the extension window before it (so all follow the extension phase)
LATE_ONSET = (840.0, 4_260.0)  # late arrivals come this long before the end (the records: 14-71 minutes)
MARK_CHANCE = 0.5  # chance that a late arrival places one bid on arriving (the records: 2-7 bids before
# the end on the late-onset lots)
EARLY_BIDDER_LOOK = (1_800.0, 14_400.0)  # seconds between looks of an early incremental bidder
EARLY_CAP = (0.1, 0.5)  # an early bidder raises early only up to this share of the way to its valuation
PACE = 2.6
HURRY = (0.75, 0.99)  # share of the time left at which a bidder too slow for the countdown answers
SNIPE_LEAD = (20.0, 280.0)  # a last-minute bidder's first bid comes this long before the end
IDLE_LOOK = 60.0  # simulated seconds between looks while following (news on the page wakes earlier)
ENDED = frozenset({"sold", "unsold", "withdrawn"})


class Strategy(enum.StrEnum):
    EARLY = "early"
    LAST_MINUTE = "last_minute"
    JUMP = "jump"


DEFAULT_MIX: dict[Strategy, float] = {  # the load tests' mix; the simulator's is the market file's
    Strategy.EARLY: 0.1,
    Strategy.LAST_MINUTE: 0.84,
    Strategy.JUMP: 0.06,
}


def draw_strategy(rng: random.Random, mix: dict[Strategy, float] | None = None) -> Strategy:
    mix = mix or DEFAULT_MIX
    return rng.choices(list(mix), weights=list(mix.values()))[0]


# ----------------------------------------------------------------- draws
def response_cap(extension: float) -> float:
    """Response times are always below this: inside the extension window of ``extension`` seconds. A
    window no longer than the margin (none at all: ``extension_seconds = 0``) has no inside to keep to:
    the draw stands, and a bidder who sees the end come first hurries (``Bidder._answer_time``), as
    before any end."""
    return extension - RESPONSE_MARGIN if extension > RESPONSE_MARGIN else math.inf


def response_time(rng: random.Random, extension: float) -> float:
    """Simulated seconds a bidder takes to answer a rival's bid, under a soft close of ``extension``
    seconds (the profile's): a reaction floor plus a lognormal (median ``RESPONSE_MEDIAN``, p90
    ``RESPONSE_P90`` in all); draws at or above the cap are folded back below it, so the median holds
    and no answer waits the window out."""
    cap = response_cap(extension)
    delay = REACTION_MIN + rng.lognormvariate(_MU, _SIGMA)
    if delay >= cap:
        delay = rng.uniform(min(RESPONSE_P90, FOLD * cap), cap)
    return delay


def bid_steps(rng: random.Random, jump_chance: float = 1 - ONE_INCREMENT) -> int:
    """Increments above the current price: usually one, with ``jump_chance`` a jump of several (at
    least two, lognormal around ``JUMP_MEDIAN``: mostly a few, now and then dozens)."""
    if rng.random() >= jump_chance:
        return 1
    return max(2, round(rng.lognormvariate(math.log(JUMP_MEDIAN), JUMP_SIGMA)))


def next_amount(
    minimum: int,
    increment: int,
    rng: random.Random,
    valuation: int | None = None,
    *,
    opening: bool = False,
    jump_chance: float = 1 - ONE_INCREMENT,
) -> int | None:
    """The amount to bid when the lowest acceptable bid is ``minimum`` (the starting price before the
    first bid, else the current price plus one increment): usually ``minimum``, sometimes a jump; the
    ``opening`` bid is exactly the starting price (the rules allow nothing else). With a ``valuation``
    a jump that would pass it falls back to ``minimum``, and None means "too dear"."""
    amount = minimum if opening else minimum + (bid_steps(rng, jump_chance) - 1) * increment
    if valuation is None:
        return amount
    if amount > valuation:
        amount = minimum
    return amount if amount <= valuation else None


def draw_valuation(starting_price: int, rng: random.Random) -> int:
    """A generic private valuation (fen) relative to the start, for load tests that have no market:
    committed bidders value the lot 20-100% above the start, the others at most 10% above it. The
    simulator draws valuations relative to the appraisal per category instead (``sim.market``)."""
    premium = rng.uniform(0.2, 1.0) if rng.random() < COMMITTED else rng.uniform(0.0, 0.1)
    return int(starting_price * (1 + premium))


# ----------------------------------------------------------------- one bidder on one auction
@dataclass(frozen=True, slots=True)
class View:
    """What a bidder sees of an auction (its public page, ``GET /api/v1/auctions/{id}``, kept current by
    the live feed), with times in simulated epoch seconds."""

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

    ``rules``: the profile in force, whose extension window (rule 11) the bidder plays the end game in.
    ``latency``: simulated seconds the transport needs to carry a bid out; answers are planned to land
    at least that long before the end. ``strategy``: last-minute unless told (the market draws it from
    the period's mix, ``draw_strategy``). ``open_limit``: the highest start at which it opens the bidding
    (None: any it can afford).
    """

    def __init__(
        self,
        valuation: int,
        rng: random.Random,
        *,
        rules: RuleProfile,
        keenness: float | None = None,
        latency: float = 1.0,
        strategy: Strategy | None = None,
        priority: bool = False,
        open_limit: int | None = None,
    ) -> None:
        self.valuation = valuation
        self.rng = rng
        self.extension = rules.extension.total_seconds()
        self.keenness = rng.random() if keenness is None else keenness
        self.latency = latency
        self.strategy = strategy if strategy is not None else Strategy.LAST_MINUTE
        self.priority = priority
        self.open_limit = open_limit
        self.jump_chance = JUMP_CHANCE[self.strategy]
        # from how long before the end the bidder follows the auction closely: an early watcher from
        # the extension window to 15 minutes before it, a late arrival from when it arrives
        if self.strategy is Strategy.EARLY:
            self.joins_at = self.extension + (JOIN_EARLIEST - self.extension) * self.keenness
        else:
            self.joins_at = max(LATE_ONSET[0] + (LATE_ONSET[1] - LATE_ONSET[0]) * self.keenness, self.extension)
        self.early_cap = rng.uniform(*EARLY_CAP)
        self.snipe_lead = rng.uniform(*SNIPE_LEAD)
        self.marks = self.strategy is not Strategy.EARLY and rng.random() < MARK_CHANCE
        # how deliberate this bidder is: the gap between bids is the fastest of the rivals' answers, so
        # each rival alone is slower than the gaps' median (PACE calibrated on the records)
        self.pace = rng.lognormvariate(math.log(PACE), 0.3)
        self._answer_at: float | None = None
        self._answer_seq = -1  # the bid the planned answer answers (a newer bid restarts the reaction)
        self._following = False  # once following the end, the bidder stays

    @classmethod
    def for_auction(cls, starting_price: int, rng: random.Random, *, rules: RuleProfile, **kwargs: object) -> Bidder:
        return cls(draw_valuation(starting_price, rng), rng, rules=rules, **kwargs)  # type: ignore[arg-type]

    def observe(self, view: View) -> Action:
        """What to do on seeing ``view``."""
        if view.status in ENDED:
            return Action(None, None)
        if view.status == "announced":
            return Action(None, max(view.start_at - view.now, 1.0))
        if view.status != "live":  # suspended: look in now and then
            return Action(None, IDLE_LOOK)
        left = view.seconds_left
        arriving = not self._following and left <= self.joins_at
        self._following = self._following or arriving
        if view.leading:
            self._answer_at = None
            return Action(self._raise_own(view, left), self._look(left), following=self._following)
        minimum = self._minimum(view)
        if minimum > self.valuation:
            return Action(None, None)  # too dear: out of this auction
        if not self._following:
            return Action(self._early_bid(view, minimum), self._look(left))
        if arriving and self.marks and left > self.extension:
            return Action(self._amount(view, minimum), IDLE_LOOK, following=True)  # "I am here"
        if self._answer_at is None or view.seq != self._answer_seq:
            self._answer_at = self._answer_time(view, left)
            self._answer_seq = view.seq
        if view.now >= self._answer_at:
            self._answer_at = None
            return Action(self._amount(view, minimum), IDLE_LOOK, following=True)
        return Action(None, min(self._answer_at - view.now, IDLE_LOOK), following=True)

    def _answer_time(self, view: View, left: float) -> float:
        """Following the end: when to answer the rival's bid (or open the bidding), after a response
        time; a late arrival holds fire until its moment inside the extension window."""
        if self.strategy is not Strategy.EARLY and left > self.extension:
            return view.end_at - self.snipe_lead
        delay = response_time(self.rng, self.extension) * self.pace
        if delay > left - self.latency:
            # a slow bidder who sees the countdown run out hurries: it answers in the last part of
            # what is left (so gaps spread up to, and never reach, the extension window)
            delay = self.rng.uniform(*HURRY) * max(left - self.latency, 0.0)
        return view.now + delay

    def _raise_own(self, view: View, left: float) -> int | None:
        """Now and then a leader in the extension phase raises its own lead by one increment (to look
        determined), within its valuation."""
        if not self._following or left > self.extension or self.rng.random() >= SELF_RAISE:
            return None
        return view.minimum_bid if view.minimum_bid <= self.valuation else None

    def _minimum(self, view: View) -> int:
        """The lowest amount this bidder may bid: a priority holder may match the current price."""
        if self.priority and view.current_price is not None:
            return view.current_price
        return view.minimum_bid

    def _early_bid(self, view: View, minimum: int) -> int | None:
        """Long before the end: an early watcher raises by one increment while the price is below its
        early cap; a late arrival has not come yet."""
        if self.strategy is not Strategy.EARLY:
            return None
        cap = view.starting_price + self.early_cap * (self.valuation - view.starting_price)
        return self._amount(view, minimum) if minimum <= cap else None

    def _amount(self, view: View, minimum: int) -> int | None:
        opening = view.current_price is None
        if opening and self.open_limit is not None and view.starting_price > self.open_limit:
            return None  # rather wait for the next round's lower start, unless a rival opens
        if self.priority and minimum == view.current_price:
            return minimum  # match: the tie goes to the priority holder
        return next_amount(
            minimum, view.increment, self.rng, self.valuation, opening=opening, jump_chance=self.jump_chance
        )

    def _look(self, left: float) -> float:
        """Simulated seconds until the next look: long before the end, rare looks (keen bidders look
        more often; early watchers every few hours, late arrivals when they come), never past the moment
        the bidder starts following."""
        if self._following:
            return IDLE_LOOK
        if self.strategy is not Strategy.EARLY:
            return max(left - self.joins_at, 1.0)
        wait = self.rng.uniform(*EARLY_BIDDER_LOOK) * (1.5 - self.keenness)
        return max(min(wait, left - self.joins_at), 1.0)
