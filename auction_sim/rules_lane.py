"""The rules lane: the platform as the rules alone decide it, in memory: a second, faster way to run a
simulation, never the default.

The default lane (``simulate`` without ``--lane``) runs the whole service in process: every call of the
market goes through the ASGI app, its routes, the bid engine and a SQLite database, as ``serve`` runs
them. That is what a simulation is for, and it costs about 1.5 ms a call. This lane answers the same calls
of ``Platform`` from the same pure decisions, without HTTP and without a database:

* bids: ``auction_rules.bidding.decide_bid`` (rules 9-12, the soft close, the 变卖's countdown), on one
  ``AuctionState`` per auction, as the service's book decides them;
* the auction's status at any moment: ``bidding.effective_status`` (the service's page shows the same,
  whether or not its scheduler has run the close);
* scheduling: ``listing.plan_next_round``, ``lawful_plan`` and ``check_listing`` over the lot's history
  (the round, the price floors and cuts, the announcement and relisting periods), and the announcement's
  required fields (``announcement.check_announcement``);
* registration (``check_can_bid``, ``check_registration_open``, the 悔拍 exclusion) and priority holders
  (``priority.check_priority_holder``);
* settlement (``deadlines.balance_due``, ``settlement.check_settlement``) and disposition
  (``listing.check_disposition``).

So every decision a simulation depends on is made by the same function on the same inputs, and
``tests/cli/test_rules_lane.py`` holds the two lanes to identical records over many seeds and
scenarios (auction ids, prices, times, bid logs, every figure). What this lane does not have: accounts'
passwords and identity checks, the lists of restricted bidders (the market names none), the records a
court is audited on (the action log, the bid chain), documents, statistics pages and the live feed: its
runs leave no database behind. Use it for sweeps; use the default lane to exercise the service.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from auction_rules import announcement, bidding, deadlines, eligibility, listing, priority, settlement
from auction_rules.bidding import AuctionState, Bidder, PlacedBid
from auction_rules.errors import Kind, RuleViolation, forbidden, invalid, not_found, refused, unauthenticated
from auction_rules.profiles import CATEGORIES, RuleProfile

from .identities import complete_announcement
from .platform import PHASE, RENOUNCED_REASON, BidAnswer, Headers, Platform, PlatformError, staff_username

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The HTTP status the service answers a refusal of each kind with (``auction_service/api/errors.py``).
STATUS = {
    Kind.UNAUTHENTICATED: 401,
    Kind.NOT_ALLOWED: 403,
    Kind.NOT_FOUND: 404,
    Kind.CONFLICT: 409,
    Kind.TOO_LARGE: 413,
    Kind.INVALID: 422,
    Kind.UNAVAILABLE: 503,
    Kind.RATE_LIMITED: 429,
}
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # bidder codes as the service draws them: a letter, four digits
DISPOSITIONS = ("creditor_taken", "returned")


def isoformat(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z`` and milliseconds, as the service writes every time."""
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class Refusal:
    """A refusal shaped like the service's answer (status, ``{"error": {"code", "message", ...}}``), so the
    market handles it the way it handles the service's."""

    headers: Mapping[str, str] = {}

    def __init__(self, violation: RuleViolation) -> None:
        self.status_code = STATUS.get(violation.kind, 409)
        self.body = {"error": {"code": violation.code, "message": violation.message, **violation.extra}}

    @property
    def text(self) -> str:
        return str(self.body)

    def json(self) -> Any:
        return self.body


@dataclass(slots=True)
class Account:
    id: int
    username: str
    role: str  # "staff" or "bidder"
    court: int | None = None


@dataclass(slots=True)
class LotRow:
    id: int
    court: int
    category: str
    appraisal: int
    location: str | None
    details: dict[str, Any]
    auctions: list[int] = field(default_factory=list)
    excluded: set[int] = field(default_factory=set)  # accounts barred after a 悔拍 (rule 17)
    disposition: str | None = None


@dataclass(slots=True)
class AuctionRow:
    state: AuctionState
    lot: LotRow
    deposit: int
    codes: random.Random
    registrations: dict[int, Bidder] = field(default_factory=dict)  # account id -> registration
    holders: dict[int, int] = field(default_factory=dict)  # account id -> priority rank
    bids: list[PlacedBid] = field(default_factory=list)
    settlement: str | None = None


class RulesPlatform(Platform):
    """``Platform``'s calls answered in memory by the rules (see the module docstring)."""

    def __init__(self, profile: RuleProfile, start: datetime) -> None:
        super().__init__(client=None)  # type: ignore[arg-type]  # nothing goes over a client here
        self.profile = profile
        self.ms = (start - EPOCH) // timedelta(milliseconds=1)  # the clock, in whole milliseconds once moved
        self.seconds = start.timestamp()  # the same, in epoch seconds (the start exactly, as the service's)
        self._at: datetime | None = start
        self._accounts: dict[str, Account] = {}  # token -> account
        self._usernames: dict[str, Account] = {}
        self._courts: dict[str, int] = {}
        self._lots: dict[int, LotRow] = {}
        self._auctions: dict[int, AuctionRow] = {}
        self._registrations = 0

    @property
    def now(self) -> datetime:
        """The clock as the rules take it (made when a call reads it: the clock moves far more often)."""
        if self._at is None:
            self._at = EPOCH + timedelta(milliseconds=self.ms)
        return self._at

    def move_to(self, ms: int) -> None:
        """Move the clock forward to ``ms`` (milliseconds since the epoch); never back."""
        if ms > self.ms:
            self.ms = ms
            self.seconds = ms / 1000  # the float the service clock's ``timestamp()`` gives
            self._at = None

    # ------------------------------------------------------------ accounts (made, not signed up)
    def account(self, username: str, role: str, court: str | None = None) -> Headers:
        court_id = self._courts.setdefault(court, len(self._courts) + 1) if court is not None else None
        found = self._usernames.get(username)
        if found is None:
            found = self._usernames[username] = Account(len(self._usernames) + 1, username, role, court_id)
        token = f"{role}:{found.id}"
        self._accounts[token] = found
        return {"Authorization": f"Bearer {token}"}

    def _who(self, headers: Headers) -> Account:
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        account = self._accounts.get(token)
        if account is None:
            raise PlatformError("authenticate", Refusal(unauthenticated("not_authenticated", "no such token")))
        return account

    async def token(self, username: str, password: str) -> Headers:
        account = self._usernames.get(username)
        if account is None:
            raise PlatformError("log in", Refusal(unauthenticated("invalid_credentials", "no such account")))
        return self.account(username, account.role)

    async def sign_up(self, username: str, password: str, real_name: str) -> Headers:
        return self.account(username, "bidder")

    async def clock(self) -> tuple[float, float]:
        return self.seconds, 1.0

    # ------------------------------------------------------------ the calls
    @contextlib.contextmanager
    def _answering(self, kind: str, what: str) -> Iterator[None]:
        """One call of ``kind`` (timed for ``--timings``): a refusal of the rules becomes the
        ``PlatformError`` the service's answer would have raised, saying ``what`` was refused."""
        began = time.perf_counter()
        try:
            yield
        except RuleViolation as refusal:
            raise PlatformError(what, Refusal(refusal)) from None
        finally:
            self.spent(kind, began)

    async def create_lot(self, staff: Headers, body: dict[str, Any]) -> dict[str, Any]:
        with self._answering("POST /lots", "create a lot"):
            who = self._who(staff)
            if who.role != "staff" or who.court is None:
                raise forbidden("not_staff", "only court staff list lots")
            body = complete_announcement(body)
            if body.get("category") not in CATEGORIES:
                raise invalid("validation_error", f"unknown category {body.get('category')!r}")
            if not isinstance(body.get("appraisal"), int) or body["appraisal"] <= 0:
                raise invalid("validation_error", "the appraisal is a positive whole number of fen")
            keys = ("appraisal_method", "defects", "encumbrances", "taxes", "balance_deadline_days", "contact")
            lot = LotRow(
                id=len(self._lots) + 1, court=who.court, category=body["category"], appraisal=body["appraisal"],
                location=body.get("location"), details={k: body[k] for k in keys if body.get(k) is not None},
            )  # fmt: skip
            self._lots[lot.id] = lot
            return {"id": lot.id, "title": body.get("title"), "category": lot.category, "appraisal": lot.appraisal}

    def _lot_of(self, staff: Headers, lot_id: int) -> LotRow:
        who = self._who(staff)
        lot = self._lots.get(lot_id)
        if lot is None:
            raise not_found("lot_not_found", f"no lot {lot_id}")
        if who.role != "staff" or who.court != lot.court:
            raise forbidden("wrong_court", "only staff of the lot's court may do this")
        return lot

    def _history(self, lot: LotRow) -> list[listing.PastAuction]:
        """The lot's auctions as the listing rules read them (``core/auction_queries.lot_history``)."""
        out = []
        for auction_id in lot.auctions:
            row = self._auctions[auction_id]
            state = row.state
            status = bidding.effective_status(state, self.now)
            ended = state.closed_at or (state.end_at if status in bidding.ENDED else None)
            out.append(
                listing.PastAuction(
                    listing.round_of(state.round), status, state.starting_price, ended, row.settlement, state.id
                )
            )
        return out

    async def schedule(self, staff: Headers, lot_id: int, body: dict[str, Any]) -> dict[str, Any]:
        with self._answering("POST /lots/{id}/auctions", f"schedule lot {lot_id}"):
            lot = self._lot_of(staff, lot_id)
            listing.check_not_disposed(lot.disposition)
            now = self.now
            plan = listing.lawful_plan(self.profile, listing.plan_next_round(self._history(lot), self.profile), now)
            start_at, end_at = parse_time(body["start_at"]), parse_time(body["end_at"])
            request = listing.ListingRequest(
                category=lot.category, appraisal=lot.appraisal, starting_price=body["starting_price"],
                increment=body["increment"], deposit=body["deposit"], start_at=start_at, end_at=end_at,
            )  # fmt: skip
            listing.check_listing(self.profile, plan, request, now)
            announcement.check_announcement(self.profile, {**lot.details, "location": lot.location})
            auction_id = len(self._auctions) + 1
            state = AuctionState(
                id=auction_id, status="announced", start_at=start_at, end_at=end_at, scheduled_end_at=end_at,
                starting_price=request.starting_price, increment=request.increment, round=str(plan.round),
            )  # fmt: skip
            row = AuctionRow(state, lot, request.deposit, random.Random(auction_id))
            self._auctions[auction_id] = row
            lot.auctions.append(auction_id)
            return self._page(row)

    def _auction(self, auction_id: int) -> AuctionRow:
        row = self._auctions.get(auction_id)
        if row is None:
            raise not_found("auction_not_found", f"no auction {auction_id}")
        return row

    async def add_priority_holder(
        self, staff: Headers, auction_id: int, username: str, rank: int = 1, reason: str | None = None
    ) -> None:
        with self._answering("POST /auctions/{id}/priority-holders", "declare a priority holder"):
            row = self._auction(auction_id)
            self._lot_of(staff, row.lot.id)
            priority.check_priority_holder(row.state, self.now, reason)
            account = self._usernames.get(username)
            if account is None:
                raise not_found("account_not_found", f"no bidder with username {username!r}")
            if account.role != "bidder":
                raise refused("not_a_bidder", "only a bidder account can hold a priority right")
            row.holders[account.id] = rank
            registered = row.registrations.get(account.id)
            if registered is not None:
                row.registrations[account.id] = replace(registered, priority_rank=rank)

    async def register(self, bidder: Headers, auction_id: int) -> dict[str, Any]:
        with self._answering("POST /auctions/{id}/registrations", f"register for auction {auction_id}"):
            who = self._who(bidder)
            bidding.check_can_bid(who.role)
            row = self._auction(auction_id)
            registration = row.registrations.get(who.id)
            if registration is None:
                eligibility.check_not_excluded(who.id in row.lot.excluded)
                bidding.check_registration_open(row.state, self.now)
                taken = {b.code for b in row.registrations.values()}
                code = _code(row.codes)
                while code in taken:
                    code = _code(row.codes)
                self._registrations += 1
                registration = Bidder(self._registrations, code, row.holders.get(who.id))
                row.registrations[who.id] = registration
            return {
                "bidder_code": registration.code,
                "deposit": row.deposit,
                "deposit_status": "frozen",
                "priority_rank": registration.priority_rank,
                "auction_id": auction_id,
            }

    async def bid(self, bidder: Headers, auction_id: int, amount: int) -> BidAnswer:
        """One code path decides a bid, the service's: ``bidding.decide_bid`` on the auction's state."""
        began = time.perf_counter()
        try:
            who = self._who(bidder)
            bidding.check_can_bid(who.role)
            row = self._auction(auction_id)
            registration = bidding.check_registered(row.registrations.get(who.id))
            row.state, placed = bidding.decide_bid(row.state, registration, amount, self.now, self.profile)
            row.bids.append(placed)
            return BidAnswer(True, 201, _bid_json(placed))
        except RuleViolation as refusal:
            answer = Refusal(refusal)
            return BidAnswer(False, answer.status_code, answer.body)
        finally:
            self.spent("POST /auctions/{id}/bids", began)

    def _page(self, row: AuctionRow) -> dict[str, Any]:
        """The auction's page as the market reads it: the fields of ``GET /auctions/{id}`` the kernel and
        its records use, worked out as the service works them out (the status at this moment, the count of
        registrations, times in the service's format). Not the contract's whole page, which the service's
        ``contract/auctions.auction_json`` owns."""
        state = row.state
        return {
            "id": state.id,
            "round": listing.round_of(state.round),
            "status": bidding.effective_status(state, self.now),
            "start_at": isoformat(state.start_at),
            "scheduled_end_at": isoformat(state.scheduled_end_at),
            "end_at": isoformat(state.end_at),
            "current_price": state.current_price,
            "leading_code": state.leader_code,
            "bid_count": state.seq,
            "seq": state.seq,
            "registrations": len(row.registrations),
        }

    async def auction(self, auction_id: int) -> dict[str, Any]:
        with self._answering("GET /auctions/{id}", f"read auction {auction_id}"):
            return self._page(self._auction(auction_id))

    async def bid_record(self, auction_id: int) -> list[dict[str, Any]]:
        with self._answering("GET /auctions/{id}/bids", "read the bid record"):
            return [_bid_json(b) for b in self._auction(auction_id).bids]

    async def result(self, auction_id: int) -> dict[str, Any]:
        page = await self.auction(auction_id)
        return {"auction_id": auction_id, "status": page["status"], "price": page["current_price"]}

    async def settle(self, staff: Headers, auction_id: int, outcome: str) -> None:
        """As ``Platform.settle``: a 悔拍 refused before the balance deadline is recorded as renounced."""
        with self._answering("POST /auctions/{id}/settlement", f"settle auction {auction_id}"):
            request = settlement.SettlementRequest(outcome=outcome)
            try:
                self._settle(staff, auction_id, request)
            except RuleViolation as refusal:
                if outcome != "defaulted" or refusal.code != "balance_not_due":
                    raise
                self._settle(staff, auction_id, replace(request, renounced=True, reason=RENOUNCED_REASON))

    def _settle(self, staff: Headers, auction_id: int, request: settlement.SettlementRequest) -> None:
        """``core/staff_actions.settle``: only a sold auction, once; 悔拍 bars the winner from the lot."""
        if request.outcome not in ("paid", "defaulted"):
            raise invalid("validation_error", f"unknown outcome {request.outcome!r}")
        row = self._auction(auction_id)
        status = bidding.effective_status(row.state, self.now)
        self._lot_of(staff, row.lot.id)
        settlement.check_settleable(status, row.settlement)
        state = row.state
        due_at = deadlines.balance_due(
            state.closed_at or state.end_at, self.profile, row.lot.details.get("balance_deadline_days")
        )
        settlement.check_settlement(
            request, now=self.now, balance_due_at=due_at, balance_due=(state.current_price or 0) - row.deposit
        )
        row.settlement = request.outcome
        if request.outcome == "defaulted":
            winner = next(a for a, b in row.registrations.items() if b.registration_id == state.leader_registration_id)
            row.lot.excluded.add(winner)

    async def dispose(self, staff: Headers, lot_id: int, outcome: str) -> None:
        with self._answering("POST /lots/{id}/disposition", f"dispose of lot {lot_id}"):
            if outcome not in DISPOSITIONS:
                raise invalid("validation_error", f"unknown disposition {outcome!r}")
            lot = self._lot_of(staff, lot_id)
            listing.check_not_disposed(lot.disposition)
            listing.check_disposition(self._history(lot), self.profile, self.now)
            lot.disposition = outcome


def _code(rng: random.Random) -> str:
    return f"{rng.choice(CODE_LETTERS)}{rng.randrange(10_000):04d}"


def _bid_json(placed: PlacedBid) -> dict[str, Any]:
    """A bid as the market reads the service's answer and bid record: its amount, code, time and the end
    it left (the contract's whole answer is ``contract/bids.placed_bid_json``'s)."""
    return {
        "seq": placed.seq,
        "amount": placed.amount,
        "bidder_code": placed.bidder_code,
        "placed_at": isoformat(placed.placed_at),
        "end_at": isoformat(placed.end_at),
    }


class RulesDriver:
    """Moves the rules lane's clock: a virtual clock, in milliseconds like the service's, that jumps from
    event to event (``InProcessDriver``'s, without a service to wait for)."""

    virtual = True
    speed = 1.0

    def __init__(self, profile: RuleProfile, start: float) -> None:
        self.rules = RulesPlatform(profile, datetime.fromtimestamp(start, UTC))
        self.platform: Platform = self.rules

    async def now(self) -> float:
        return self.rules.seconds

    async def advance_to(self, moment: float) -> None:
        self.rules.move_to(int(moment * 1000))  # to the millisecond below, as ``InProcessDriver`` does

    async def staff(self, court: str, province: str, city: str, level: str) -> Headers:
        began = time.perf_counter()
        headers = self.rules.account(staff_username(court), "staff", court)
        self.rules.spent(f"{PHASE}accounts: clerks", began)
        return headers

    async def bidders(self, count: int, prefix: str) -> list[tuple[str, Headers]]:
        began = time.perf_counter()
        out = [(f"{prefix}{i:05d}", self.rules.account(f"{prefix}{i:05d}", "bidder")) for i in range(count)]
        self.rules.spent(f"{PHASE}accounts: bidders", began)
        return out
