"""The simulation kernel: a discrete-event loop over the market's wake-ups (the design of ABIDES: a
priority queue of timed events, agents that act only when woken, one seeded random state handing out
every draw).

Events are the courts' steps (list a lot, settle a sale, relist, dispose), registrations, bidders'
looks and the moments auctions open and end. The kernel pops the earliest, asks the ``Driver`` to bring
the service's clock there (a virtual clock jumps; a running service is waited for), and carries the
step out through the public API. Bidders decide with the pure model (``auction_sim.agents``) on
what a bidder sees: the auction's public page, kept current the way the live feed keeps a page current
(every accepted bid is news to those following the auction).

Reproducible: every draw comes from a stream derived from the run's seed by a stable key
(``auction_sim.seeds``: the lot plan, the budgets, each lot's clerk, each auction's arrivals, each
buyer's decisions and bidding), so two variants of a scenario run with the same seed meet the same
buyers with the same valuations (common random numbers); events at the same moment run in the order
they were made.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import clerks as court_policy
from . import market
from .agents import Action, Bidder, Strategy, View
from .clerks import Terms
from .market import Buyer, Interest, LotPlan, Wallet, draw_budgets, plan_lots
from .platform import Driver, Headers, PlatformError, epoch, iso
from .records import AuctionRecord, bid_record_figures, welfare
from .scenario import Scenario
from .seeds import stream

log = logging.getLogger(__name__)

LATENCY = 0.5  # simulated seconds a bid takes to reach the service (planned answers land before the end)
FIRST_LOOK = 7_200.0  # bidders first look within this many seconds of the opening
SCHEDULE_TRIES = 5  # a start the service finds past already is moved on by an announcement period, this often
# A suspended auction is looked at again after this long, each look twice as long after the one before up to
# the longest (simulated seconds): a resumption is seen within minutes, a pause of days costs a few dozen reads.
PAUSE_FIRST_LOOK = 60.0
PAUSE_LONGEST_LOOK = 3_600.0


@dataclass
class Agent:
    """One registered bidder on one auction."""

    bidder: int  # pool index
    code: str
    policy: Bidder
    generation: int = 0
    following: bool = False
    done: bool = False
    told_to_wait_until: float = 0.0  # a rate-limited bid's Retry-After, in the service's time


@dataclass
class Live:
    """The kernel's copy of one auction's public page, and who takes part."""

    auction_id: int
    lot: LotPlan
    terms: Terms
    status: str = "announced"
    end_at: float = 0.0
    current_price: int | None = None
    leading_code: str | None = None
    seq: int = 0
    agents: list[Agent] = field(default_factory=list)
    registrations: int = 0
    excluded: frozenset[int] = frozenset()
    ordinal: int = 0  # the lot's n-th auction (0: its first)
    present: list[Buyer] = field(default_factory=list)  # the buyers who looked at this auction
    interests: dict[int, Interest] = field(default_factory=dict)  # pool index -> registration
    valuations: dict[int, int] = field(default_factory=dict)  # pool index -> valuation (fen) here
    pause_wait: float = 0.0  # while suspended: the wait before the next look at the page (0: not suspended)

    def view(self, now: float, code: str) -> View:
        status = self.status
        if status in ("announced", "live"):
            status = "announced" if now < self.terms.start_at else ("live" if now < self.end_at else "ended")
        increment = self.terms.increment
        return View(
            status=status if status != "ended" else "unsold",
            now=now,
            start_at=self.terms.start_at,
            end_at=self.end_at,
            starting_price=self.terms.starting_price,
            increment=increment,
            minimum_bid=self.terms.starting_price if self.current_price is None else self.current_price + increment,
            current_price=self.current_price,
            leading=self.leading_code == code,
            seq=self.seq,
        )


@dataclass
class LotState:
    plan: LotPlan
    lot_id: int | None = None
    buyers: list[Buyer] = field(default_factory=list)  # carried over to the next auction
    excluded: set[int] = field(default_factory=set)
    rng: random.Random = field(default_factory=random.Random)  # the court's decisions on this lot
    auctions: int = 0  # auctions listed so far
    next_index: int = 0  # the index the lot's next new buyer gets


class Kernel:
    """One run of one scenario against one platform."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        driver: Driver,
        *,
        progress: Callable[[int, int], None] | None = None,
        until: float | None = None,
    ) -> None:
        """``until``: stop at this moment (epoch seconds) even if the market has more to do: what is
        then under way is left to the service (the demo's simulated past ends at the present)."""
        self.scenario = scenario
        self.seed = seed
        self.driver = driver
        self.platform = driver.platform
        self.progress = progress or (lambda done, total: None)
        self.lots = [LotState(p) for p in plan_lots(scenario, stream(seed, "lots"))]
        for lot in self.lots:
            lot.rng = stream(seed, "court", lot.plan.key)
        self.wallets: list[Wallet] = draw_budgets(scenario, stream(seed, "budgets"))
        self.horizon_end = scenario.start.timestamp() + scenario.horizon_days * 86_400
        self._heap: list[tuple[float, int, Callable[[float], Any]]] = []
        self._order = itertools.count()
        self.records: list[AuctionRecord] = []
        self._by_auction: dict[int, AuctionRecord] = {}
        self.staff: list[Headers] = []
        self.accounts: list[tuple[str, Headers]] = []
        self.concluded = 0
        self.until = until
        # Supervised (the demo's live market): a refused step is logged and skipped, never the end of the run.
        self.supervised = False
        # A bidding period shorter than the real day (sandbox rules: the demo's one-hour auctions) compresses
        # what bidders do long before the end in proportion, so the day's early looks and bids still
        # happen, throughout the period; the end game (response times, the soft close) keeps real time.
        self.compress = min(1.0, scenario.listing.bidding_hours / 24)

    # ------------------------------------------------------------ the loop
    def at(self, moment: float, step: Callable[[float], Any]) -> None:
        heapq.heappush(self._heap, (moment, next(self._order), step))

    async def run(self) -> list[AuctionRecord]:
        s = self.scenario
        self.staff = [await self.driver.staff(c.name, c.province, c.city, c.level) for c in s.courts]
        self.accounts = await self.driver.bidders(s.bidders.pool, prefix=f"sim{self.seed % 100_000:05d}x")
        now = await self.driver.now()
        for lot in self.lots:
            terms = court_policy.first_round(lot.plan, s.listing)
            announce = terms.start_at - s.listing.announce_days(terms.round, lot.plan.category) * 86_400
            self.at(max(announce, now), functools.partial(self._list, lot=lot, terms=terms))
        return await self._loop()

    async def carry_on(self, driver: Driver) -> list[AuctionRecord]:
        """Carry on a run that stopped at ``until`` on another driver: the demo's live market is simulated
        in process up to the present, then goes on against the running server in its own time, with the
        same auctions, bidders and pending decisions."""
        self.driver = driver
        self.platform = driver.platform
        self.until = None
        return await self._loop()

    async def _loop(self) -> list[AuctionRecord]:
        while self._heap:
            moment, order, step = heapq.heappop(self._heap)
            if self.until is not None and moment > self.until:
                heapq.heappush(self._heap, (moment, order, step))  # left for ``carry_on``
                break
            now = await self.driver.now()
            if moment > now:
                await self.driver.advance_to(moment)
            else:
                moment = now
            try:
                await step(moment)
            except PlatformError as exc:
                if not self.supervised:
                    raise
                # A live service has people in it too: a clerk who recorded the payment first (409), a
                # suspended auction (409/422), a limit (429), a busy moment (503). The step is skipped.
                log.warning("the service refused a step of the market; carrying on without it: %s", exc)
        return self.records

    # ------------------------------------------------------------ courts
    async def _list(self, now: float, lot: LotState, terms: Terms) -> None:
        """A clerk lists the lot (first time) and schedules the auction; the interested register."""
        s = self.scenario
        staff = self.staff[lot.plan.court]
        if lot.lot_id is None:
            body = {
                "title": lot.plan.title,
                "category": lot.plan.category,
                "appraisal": lot.plan.appraisal,
                "location": lot.plan.location,
                "case_number": lot.plan.case_number,
                "description": "模拟标的（由市场模拟器生成）",
            }
            lot.lot_id = (await self.platform.create_lot(staff, body))["id"]
        opens_after = now
        for attempt in range(1, SCHEDULE_TRIES + 1):
            if terms.start_at <= opens_after:  # a late step (real-time driver): bidding opens a little later
                shift = s.listing.opening(opens_after, terms.round, lot.plan.category) - terms.start_at
                terms = Terms(terms.round, terms.starting_price, terms.increment, terms.deposit,
                              terms.start_at + shift, terms.end_at + shift)  # fmt: skip
            body = {
                "starting_price": terms.starting_price,
                "increment": terms.increment,
                "deposit": terms.deposit,
                "start_at": iso(terms.start_at),
                "end_at": iso(terms.end_at),
            }
            try:
                auction = await self.platform.schedule(staff, lot.lot_id, body)
                break
            except PlatformError as exc:
                if exc.code != "start_in_past" or attempt == SCHEDULE_TRIES:
                    raise
                # A running service's time passed the start while the step ran (slow answers under load):
                # one announcement period after the refused start, so each try has more room than the last.
                opens_after = max(await self.driver.now(), terms.start_at)
        live = Live(
            auction["id"], lot.plan, terms, end_at=epoch(auction["end_at"]), excluded=frozenset(lot.excluded),
            ordinal=lot.auctions,
        )  # fmt: skip
        lot.auctions += 1
        for interest in self._interests(lot, live, now):
            self.at(max(interest.register_at, now), functools.partial(self._register, live=live, interest=interest))
        self.at(live.end_at, lambda t: self._end(t, live))

    def _interests(self, lot: LotState, live: Live, now: float) -> list[Interest]:
        """Who looks at this auction (the lot's buyers who stayed, and new arrivals) and who of them
        registers (``market.entry``): the buyers' own decisions, each from its own stream."""
        key, n, terms = lot.plan.key, live.ordinal, live.terms
        present = {b.bidder for b in lot.buyers} | set(lot.excluded)
        arriving = stream(self.seed, "arrivals", key, n)
        new = market.arrivals(lot.plan, self.scenario, n, terms.starting_price, lot.next_index, present, arriving)
        lot.next_index += len(new)
        live.present = [b for b in lot.buyers if b.bidder not in lot.excluded] + new
        lot.buyers = []
        demand = self.scenario.demand_of(lot.plan.category)
        cut = court_policy.next_cut(terms.round, self.scenario.listing)
        out: list[Interest] = []
        holder_given = not lot.plan.priority_holder
        for who in live.present:
            rng = stream(self.seed, "entry", key, who.index, n)
            wallet = self.wallets[who.bidder]
            live.valuations[who.bidder] = min(int(lot.plan.appraisal * who.ratio), wallet.available)
            decided = market.entry(who, lot.plan, terms.starting_price, terms.deposit, cut, wallet, demand, rng)
            if decided is None:
                continue
            valuation, limit = decided
            live.valuations[who.bidder] = valuation
            interest = Interest(
                who.bidder, valuation, who.strategy, market.register_time(terms.start_at, now, rng),
                priority=not holder_given, open_limit=limit, index=who.index, budget=wallet.available,
            )  # fmt: skip
            holder_given = True
            live.interests[who.bidder] = interest
            out.append(interest)
        return out

    async def _register(self, now: float, live: Live, interest: Interest) -> None:
        wallet = self.wallets[interest.bidder]
        if wallet.available < live.terms.deposit or now >= live.end_at:
            live.interests.pop(interest.bidder, None)
            return  # the money went elsewhere meanwhile
        username, headers = self.accounts[interest.bidder]
        if interest.priority:
            await self.platform.add_priority_holder(self.staff[live.lot.court], live.auction_id, username)
        registration = await self.platform.register(headers, live.auction_id)
        wallet.freeze(live.auction_id, live.terms.deposit)
        live.registrations += 1
        rng = stream(self.seed, "bidder", live.lot.key, interest.index, live.ordinal)
        strategy = interest.strategy
        if live.terms.round == "sale":
            strategy = Strategy.EARLY  # in a 变卖 a qualified buyer makes the offer soon
        policy = Bidder(
            interest.valuation, rng, rules=self.scenario.profile, latency=LATENCY, strategy=strategy,
            priority=interest.priority, open_limit=interest.open_limit,
        )  # fmt: skip
        agent = Agent(interest.bidder, registration["bidder_code"], policy)
        live.agents.append(agent)
        span = min(FIRST_LOOK, (live.end_at - live.terms.start_at) / 2)  # a one-hour demo auction: early on
        first = max(now, live.terms.start_at) + rng.uniform(0, span)
        self._wake(live, agent, min(first, live.end_at - 1))

    # ------------------------------------------------------------ bidders
    def _wake(self, live: Live, agent: Agent, moment: float) -> None:
        agent.generation += 1
        generation = agent.generation
        self.at(moment, lambda t: self._look(t, live, agent, generation))

    async def _awake(self, now: float, live: Live, agent: Agent, generation: int) -> bool:
        """Whether this look happens: not a stale wake-up, not before the service's Retry-After, not on a
        suspended auction (``_watch_pause`` wakes every bidder on the resumption)."""
        if generation != agent.generation or agent.done:
            return False
        if now < agent.told_to_wait_until:  # news woke them, but the service said to wait
            self._wake(live, agent, agent.told_to_wait_until)
            return False
        if not self.driver.virtual:
            # a running service has other bidders too (people in the web client): read the page first
            await self._refresh(now, live)
        return live.status != "suspended"

    async def _look(self, now: float, live: Live, agent: Agent, generation: int) -> None:
        if not await self._awake(now, live, agent, generation):
            return
        action: Action = agent.policy.observe(live.view(now, agent.code))
        agent.following = action.following
        if action.bid is not None and live.status in ("announced", "live") and now < live.end_at:
            answer = await self.platform.bid(self.accounts[agent.bidder][1], live.auction_id, action.bid)
            if answer.ok:
                self._accepted(now, live, agent, answer.body)
            elif answer.code == "rate_limited":
                # the service's per-bidder limit, told in real seconds: look again once it has passed
                agent.told_to_wait_until = now + answer.retry_after * self.driver.speed
                self._wake(live, agent, agent.told_to_wait_until)
                return
            else:
                await self._refused(now, live, answer.code)
                self._wake(live, agent, now + 1.0)
                return
        if action.wait is None:
            agent.done = True
            return
        wait = action.wait
        if self.compress < 1 and not action.following and live.terms.start_at <= now < live.end_at:
            until_following = live.end_at - now - agent.policy.joins_at
            if wait < until_following - 1:  # a look long before the end, not the wait for the end game
                wait *= self.compress
        self._wake(live, agent, now + max(wait, 0.001))

    def _accepted(self, now: float, live: Live, agent: Agent, body: dict[str, Any]) -> None:
        live.status = "live"
        live.current_price = body["amount"]
        live.leading_code = body["bidder_code"]
        live.seq = body["seq"]
        end = epoch(body["end_at"])
        if end != live.end_at:  # extended, or a 变卖's first offer started its (earlier) 24-hour countdown
            self.at(end, lambda t: self._end(t, live))
            live.end_at = end
        for other in live.agents:  # news on the page of everyone following it
            if other is not agent and other.following and not other.done:
                self._wake(live, other, now)

    async def _refused(self, now: float, live: Live, code: str | None) -> None:
        """Someone was faster, or the page was stale: read it again."""
        log.debug("bid refused on auction %s at %s: %s", live.auction_id, iso(now), code)
        await self._refresh(now, live)

    async def _refresh(self, now: float, live: Live) -> None:
        """The auction's page as the service shows it now."""
        page = await self.platform.auction(live.auction_id)
        if page["status"] == "suspended":
            self._suspended(now, live)
            return
        if page["status"] in ("sold", "unsold", "withdrawn"):
            return  # the close is the kernel's own step (``_end``)
        live.status = page["status"]
        end = epoch(page["end_at"])
        if end > live.end_at:
            self.at(end, lambda t: self._end(t, live))
        live.end_at = end
        live.current_price = page["current_price"]
        live.leading_code = page["leading_code"]
        live.seq = page.get("seq", live.seq)

    # ------------------------------------------------------------ the close and after
    async def _end(self, now: float, live: Live) -> None:
        if live.status in ("sold", "unsold", "withdrawn"):
            return
        if now < live.end_at:
            return  # the end moved; its own event is queued
        page = await self.platform.auction(live.auction_id)
        if page["status"] == "withdrawn":  # by a clerk (a person on a running service): nothing follows
            self._withdrawn(live)
            return
        if page["status"] == "suspended":  # the resumption gives the lost bidding time back: wait for it
            self._suspended(now, live)
            return
        if page["status"] not in ("sold", "unsold"):
            live.status = page["status"]
            live.end_at = max(live.end_at, epoch(page["end_at"]))
            self.at(max(live.end_at, now + 1.0), lambda t: self._end(t, live))
            return
        live.status = page["status"]
        for agent in live.agents:
            agent.done = True
        record = await self._record(live, page)
        lot = self.lots[live.lot.key]
        winner = next((a.bidder for a in live.agents if a.code == page["leading_code"]), None)
        for agent in live.agents:
            if agent.bidder != winner:
                self.wallets[agent.bidder].release(live.auction_id)
        self._carry_over(lot, live, winner)
        if live.status == "sold":
            outcome = self._balance(live, record, winner)
            due = court_policy.balance_due(now, self.scenario.listing, lot.rng, defaulted=outcome == "defaulted")
            self.at(due, lambda t: self._settle(t, live, record, winner, outcome))
        else:
            self._after_failure(now, lot, live, record)

    def _suspended(self, now: float, live: Live) -> None:
        """A clerk (a person on a running service) suspended the auction: its bidders stop looking, and one
        watcher reads the page after a minute, then after waits that double up to an hour, until the
        auction is resumed or withdrawn."""
        live.status = "suspended"
        if not live.pause_wait:
            live.pause_wait = PAUSE_FIRST_LOOK
            self.at(now + live.pause_wait, lambda t: self._watch_pause(t, live))

    async def _watch_pause(self, now: float, live: Live) -> None:
        page = await self.platform.auction(live.auction_id)
        if page["status"] == "suspended":
            live.pause_wait = min(2 * live.pause_wait, PAUSE_LONGEST_LOOK)
            self.at(now + live.pause_wait, lambda t: self._watch_pause(t, live))
            return
        live.pause_wait = 0.0
        if page["status"] == "withdrawn":
            self._withdrawn(live)
            return
        # resumed (and perhaps ended since): the close is looked at when due, and every bidder looks now
        live.status = page["status"] if page["status"] in ("announced", "live") else "live"
        live.end_at = max(live.end_at, epoch(page["end_at"]))
        self.at(live.end_at, lambda t: self._end(t, live))
        for agent in live.agents:
            if not agent.done:
                self._wake(live, agent, now)

    def _withdrawn(self, live: Live) -> None:
        """Withdrawn (撤回) before bidding: the deposits are released and the lot leaves the market."""
        live.status = "withdrawn"
        for agent in live.agents:
            agent.done = True
            self.wallets[agent.bidder].release(live.auction_id)
        self._done()

    def _carry_over(self, lot: LotState, live: Live, winner: int | None) -> None:
        """Who of this auction's buyers looks at the lot's next auction (if there is one): those who
        held out for it, and of the others those who stay (``market.stays``)."""
        demand = self.scenario.demand_of(lot.plan.category)
        rng = stream(self.seed, "stay", lot.plan.key, live.ordinal)
        for who in live.present:
            interest = live.interests.get(who.bidder)
            waited = (
                interest is not None
                and interest.open_limit is not None
                and (live.terms.starting_price > interest.open_limit)
            )
            if who.bidder != winner and market.stays(who, waited, demand, rng):
                lot.buyers.append(who)

    def _balance(self, live: Live, record: AuctionRecord, winner: int | None) -> str:
        """The winner's decision by the balance deadline (``market.pays_balance``): ``paid`` or
        ``defaulted`` (悔拍). A winner the simulator does not run (a person on a running service) pays."""
        interest = live.interests.get(winner) if winner is not None else None
        if interest is None:
            return "paid"
        demand = self.scenario.demand_of(live.lot.category)
        rng = stream(self.seed, "balance", live.lot.key, live.ordinal)
        pays = market.pays_balance(interest.valuation, record.price or 0, live.terms.deposit, demand, rng)
        return "paid" if pays else "defaulted"

    def _after_failure(self, now: float, lot: LotState, live: Live, record: AuctionRecord) -> None:
        step = court_policy.next_round(live.lot, live.terms, now, self.scenario.listing, lot.rng)
        if step is None:
            due, outcome = court_policy.disposition(now, self.scenario.listing, lot.rng)
            self.at(due, lambda t: self._dispose(t, lot, record, outcome))
            return
        announce_at, terms = step
        if terms.start_at > self.horizon_end:
            self._done()  # the scenario's window closes before the next round would open
            return
        self.at(announce_at, lambda t: self._list(t, lot, terms))

    async def _settle(self, now: float, live: Live, record: AuctionRecord, winner: int | None, outcome: str) -> None:
        lot = self.lots[live.lot.key]
        await self.platform.settle(self.staff[live.lot.court], live.auction_id, outcome)
        if winner is not None:
            wallet = self.wallets[winner]
            if outcome == "paid":
                wallet.pay(live.auction_id, record.price or 0)
            else:
                wallet.forfeit(live.auction_id)
        if outcome == "paid":
            self._done()
            return
        record.defaulted = True
        if winner is not None:
            lot.excluded.add(winner)
        announce_at, terms = court_policy.again_after_default(live.lot, live.terms, now, self.scenario.listing, lot.rng)
        if terms.start_at > self.horizon_end:
            self._done()
            return
        self.at(announce_at, lambda t: self._list(t, lot, terms))

    async def _dispose(self, now: float, lot: LotState, record: AuctionRecord, outcome: str) -> None:
        assert lot.lot_id is not None
        try:
            await self.platform.dispose(self.staff[lot.plan.court], lot.lot_id, outcome)
        except PlatformError as exc:
            log.warning("disposition of lot %s refused: %s", lot.lot_id, exc)
            return
        record.disposition = outcome
        self._done()

    def _participants(self, live: Live, page: dict[str, Any]) -> dict[str, Any]:
        """Who looked at the auction (their valuation here, budget, strategy, whether they registered,
        their opening limit) and the welfare figures of its outcome (``records.welfare``)."""
        rows = []
        for who in live.present:
            interest = live.interests.get(who.bidder)
            rows.append({
                "bidder": who.bidder,
                "valuation": live.valuations.get(who.bidder, 0),
                "budget": self.wallets[who.bidder].budget,
                "strategy": str(who.strategy),
                "patience": round(who.patience, 4),
                "registered": interest is not None,
                "open_limit": interest.open_limit if interest is not None else None,
                "arrived": who.arrived,
            })  # fmt: skip
        winner = next((a.bidder for a in live.agents if a.code == page["leading_code"]), None)
        price = page["current_price"] if page["status"] == "sold" else None
        held_out = sum(
            1 for i in live.interests.values() if i.open_limit is not None and live.terms.starting_price > i.open_limit
        )
        return {"participants": rows, "held_out": held_out, **welfare(live.valuations, winner, price)}

    def _done(self) -> None:
        self.concluded += 1
        self.progress(self.concluded, len(self.lots))

    async def _record(self, live: Live, page: dict[str, Any]) -> AuctionRecord:
        bids = await self.platform.bid_record(live.auction_id) if page["bid_count"] else []
        rules = self.scenario.profile
        scheduled_end = epoch(page["scheduled_end_at"])
        if live.terms.round == "sale" and bids:  # the countdown the first offer started (rule 19)
            scheduled_end = epoch(bids[0]["placed_at"]) + rules.sale_countdown.total_seconds()
        record_bids = [(epoch(b["placed_at"]), b["bidder_code"], b["amount"]) for b in bids]
        figures = bid_record_figures(record_bids, live.terms.increment, scheduled_end, rules.extension.total_seconds())
        # the bids by who placed them (the buyer's pool index, as in ``participants``; -1: not one of the
        # market's buyers): the service draws bidder codes at random, the buyers are the run's own
        who = {a.code: a.bidder for a in live.agents}
        log = [(at, who.get(code, -1), amount) for at, code, amount in record_bids]
        c = self.scenario.courts[live.lot.court]
        record = AuctionRecord(
            auction_id=live.auction_id,
            lot_id=self.lots[live.lot.key].lot_id or 0,
            court=c.name,
            province=c.province,
            court_level=c.level,
            category=live.lot.category,
            round=live.terms.round,
            appraisal=live.lot.appraisal,
            starting_price=live.terms.starting_price,
            increment=live.terms.increment,
            deposit=live.terms.deposit,
            start_at=page["start_at"],
            scheduled_end_at=page["scheduled_end_at"],
            end_at=page["end_at"],
            outcome=page["status"],
            price=page["current_price"] if page["status"] == "sold" else None,
            registrations=page["registrations"],
            defaulted=False,
            **figures,
            **self._participants(live, page),
            bid_log=log,
        )
        self.records.append(record)
        self._by_auction[live.auction_id] = record
        return record
