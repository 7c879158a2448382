"""Shared by the locustfiles: the seed written by the runner, the acknowledgement log, and bidding over
locust's HTTP client. The bidder behaviour (``docs/domain.md``, "Bidder behaviour": response times,
increments, valuations) is the one model of ``auction_sim.agents``, which is pure (no httpx, no
asyncio), so it runs in gevent-patched locust processes as it is.

Imported only inside locust processes (gevent-patched); it imports nothing from ``auction_service``.

Environment (set by ``loadtests/run.py``):
- ``LOADTEST_SEED``: path of the seed JSON (host, auctions, bidders with tokens and bidder codes);
- ``LOADTEST_OUT``: directory where every process appends the bids it saw acknowledged (201) to
  ``acks-<pid>.jsonl``: one ``[auction_id, seq, amount, bidder_code]`` per line;
- ``LOADTEST_WS``: ``1`` to enable the websocket watchers (the live feed endpoint must exist).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from auction_rules.profiles import SANDBOX
from auction_sim import agents as behaviour

_seed: dict[str, Any] | None = None
_ack_file = None
_ack_lock = threading.Lock()
_bidder_counter = itertools.count()
_late_counter = itertools.count()


def seed() -> dict[str, Any]:
    global _seed
    if _seed is None:
        path = os.environ.get("LOADTEST_SEED")
        if not path:
            raise SystemExit("LOADTEST_SEED is not set: run the scenarios through `python -m loadtests.run`")
        _seed = json.loads(Path(path).read_text())
    return _seed


def ws_enabled() -> bool:
    return os.environ.get("LOADTEST_WS", "0") == "1"


def _worker_offset(pool_size: int) -> int:
    """Several locust processes (``--processes``, forked) start their bidder choice at different offsets."""
    return (os.getpid() * 7919) % max(pool_size, 1)


def take_bidder() -> dict[str, Any]:
    """The next seeded bidder (round-robin over the pool): ``{"username", "token", "codes": {aid: code}}``."""
    pool = seed()["bidders"]
    return pool[(next(_bidder_counter) + _worker_offset(len(pool))) % len(pool)]


def take_late_bidder() -> dict[str, Any] | None:
    """A seeded bidder that registered for nothing yet (registrations arriving during bidding)."""
    pool = seed().get("late_bidders", [])
    i = next(_late_counter)
    return pool[i] if i < len(pool) else None


def record_ack(auction_id: int, body: dict[str, Any]) -> None:
    """Append an acknowledged bid (a 201 the bidder received) to this process's log."""
    global _ack_file
    line = json.dumps([auction_id, body["seq"], body["amount"], body["bidder_code"]]) + "\n"
    with _ack_lock:
        if _ack_file is None:
            out = Path(os.environ.get("LOADTEST_OUT", "."))
            _ack_file = open(out / f"acks-{os.getpid()}.jsonl", "a", buffering=1)
        _ack_file.write(line)


def parse_time(value: str) -> float:
    """RFC 3339 (server time) to epoch seconds."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


# ---------------------------------------------------------------- bidder behaviour (auction_sim.agents)
def response_time(rng: random.Random, clock_speed: float, scale: float = 1.0) -> float:
    """Real seconds a bidder takes to answer the last bid: the model's response time (simulated seconds,
    inside the soft close of the rules the load tests run, sandbox) times ``scale``, divided by the
    simulated clock's speed."""
    return behaviour.response_time(rng, SANDBOX.extension.total_seconds()) * scale / clock_speed


def minimum_bid(auction: dict[str, Any]) -> int:
    """The lowest acceptable bid on an auction as last seen: the start, or the price plus one increment."""
    current = auction.get("current_price")
    return auction["starting_price"] if current is None else current + auction["increment"]


def next_amount(auction: dict[str, Any], rng: random.Random, valuation: int | None = None) -> int | None:
    """What to bid on an auction as last seen (GET /auctions/{id}, a bid event or a refusal): the
    model's amount (~90% one increment), None if above ``valuation``."""
    opening = auction.get("current_price") is None
    return behaviour.next_amount(minimum_bid(auction), auction["increment"], rng, valuation, opening=opening)


class BidOutcome:
    __slots__ = ("body", "code", "status")

    def __init__(self, status: int, code: str | None, body: dict[str, Any] | None) -> None:
        self.status = status
        self.code = code
        self.body = body


def place_bid(client: Any, auction_id: int, amount: int, token: str) -> BidOutcome:
    """POST a bid through a locust FastHttpUser client. 201 and the rules' 409 refusals are bid decisions
    (successes in locust's statistics, named by outcome); anything else is a failure."""
    with client.post(
        f"/api/v1/auctions/{auction_id}/bids",
        data=json.dumps({"amount": amount}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        name="POST bid",
        catch_response=True,
    ) as resp:
        status = resp.status_code
        try:
            body = json.loads(resp.content) if resp.content else None
        except ValueError:
            body = None
        if status == 201 and body is not None:
            record_ack(auction_id, body)
            resp.request_meta["name"] = "POST bid [201 accepted]"
            resp.success()
            return BidOutcome(201, None, body)
        code = (body or {}).get("error", {}).get("code") if isinstance(body, dict) else None
        if status == 409 and code in ("bid_too_low", "bid_not_on_increment", "auction_not_live"):
            resp.request_meta["name"] = f"POST bid [409 {code}]"
            resp.success()
        else:
            resp.failure(f"bid answered {status} {code}")
        return BidOutcome(status, code, body)


def bid_with_rebids(
    client: Any,
    auction_id: int,
    auction: dict[str, Any],
    token: str,
    rng: random.Random,
    rebids: int = 3,
    valuation: int | None = None,
) -> BidOutcome | None:
    """Bid on ``auction`` (as last seen) and re-bid on ``bid_too_low`` using the minimum the server
    reported, as a sniping bidder does, never above ``valuation``. Updates ``auction`` in place with
    what was learnt."""
    amount = next_amount(auction, rng, valuation)
    outcome = None
    for _ in range(rebids + 1):
        if amount is None:
            return outcome
        outcome = place_bid(client, auction_id, amount, token)
        if outcome.status == 201:
            body = outcome.body or {}
            auction["current_price"] = body["amount"]
            auction["leading_code"] = body["bidder_code"]
            auction["end_at"] = body["end_at"]
            return outcome
        if outcome.code != "bid_too_low":
            if outcome.code == "auction_not_live":
                auction["status"] = "ended?"
            return outcome
        minimum = (outcome.body or {}).get("error", {}).get("minimum")
        if minimum is None:
            return outcome
        # the minimum is the current price plus one increment (or the starting price before any bid):
        # usually re-bid exactly that
        opening = minimum == auction["starting_price"]
        auction["current_price"] = None if opening else minimum - auction["increment"]
        amount = behaviour.next_amount(minimum, auction["increment"], rng, valuation, opening=opening)
    return outcome
