"""A bid, whichever transport brings it: one use-case for HTTP (``api/bids.py``, ``BidEdge``) and the
live feed (``live/ws.py``).

Why one: the steps before the engine and the mapping of every outcome must be the same for both
transports, in the same order, so a rule about bids is written once:

1. **who**: a ``Principal`` the socket authenticated when it was opened (or by its ``auth`` message),
   or the HTTP ``Authorization`` header, verified here (``core/security.py``, cached per token);
2. **the rate limit** (``core/rate_limits.py``, one counter per bidder for both transports), *before*
   parsing: a flood of malformed bids is a flood all the same, counted and refused like any other;
3. **parsing** with the contract (``contract/bids.py``): the HTTP body's bytes with its
   ``Idempotency-Key`` header, or the socket message's object with its ``idempotency_key``;
4. **the engine** (``BidEngine.place_bid``, ``core/bidding/engine.py``): answered once committed;
5. **the answer**: every outcome goes through the transport's ``BidAnswers`` (a status and a body, or a
   ``bid_result`` message): placed; refused (a rule, the limit, a malformed bid, an unknown caller);
   storage down (``core/health.py``: the contract's ``storage_unavailable``); anything unexpected,
   logged here once and answered as a failure.

What stays with each transport is what only it has: HTTP's body bound and media type (413, 415)
before this, the socket's ``request_id``, "authenticate first" and bids-in-flight bound.

Speed: the HTTP edge runs this for every bid (``docs/performance-budget.md``; ``loadtests/bench.py``), so
it is the code that was inline there, moved: one coroutine per bid as before, no allocation of its
own, and HTTP's ``BidAnswers`` is one module-level object.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

from auction_rules.bidding import PlacedBid
from auction_rules.errors import RuleViolation

from ..contract.bids import check_amount, check_idempotency_key, parse_bid_body
from ..core.health import outage_refusal, storage_outage
from ..core.security import Principal
from ..core.services import Services

log = logging.getLogger(__name__)

Answer = TypeVar("Answer", covariant=True)


class BidAnswers(Protocol[Answer]):
    """How a transport says each outcome of a bid (it sends what these return)."""

    def placed(self, placed: PlacedBid) -> Answer:
        """The bid is committed."""
        ...

    def refused(self, refusal: RuleViolation) -> Answer:
        """Refused: by the rules, the rate limit, the contract's parsing, authentication, or an outage."""
        ...

    def failed(self) -> Answer:
        """An unexpected failure (already logged): nothing to tell but "retry"."""
        ...


async def take_bid(
    services: Services,
    caller: Principal | str | None,
    auction_id: int,
    raw: bytes | Mapping[str, Any],
    key: str | None,
    answers: BidAnswers[Answer],
) -> Answer:
    """Who → rate limit → parse → engine → answer (the module docstring says why in this order).

    ``caller``: an authenticated ``Principal``, or the ``Authorization`` header's value (None when
    absent). ``raw``: the HTTP body (bytes; ``key`` is its ``Idempotency-Key`` header) or the socket's
    message (a mapping with ``amount`` and ``idempotency_key``; ``key`` is None)."""
    try:
        principal = caller if isinstance(caller, Principal) else services.tokens.from_header(caller)
        await services.limits.bid(principal.account_id)
        if isinstance(raw, bytes):
            amount = parse_bid_body(raw)
            if key is not None:
                check_idempotency_key(key)
        else:
            amount = check_amount(raw.get("amount"))
            key = check_idempotency_key(raw.get("idempotency_key"))
        return answers.placed(await services.engine.place_bid(principal, auction_id, amount, key))
    except RuleViolation as refusal:
        return answers.refused(refusal)
    except Exception as exc:
        if storage_outage(exc):  # the database is down (the book could not even be loaded)
            log.warning("bid on auction %s: storage unavailable (%s)", auction_id, exc)
            return answers.refused(outage_refusal())
        log.exception("bid on auction %s failed", auction_id)
        return answers.failed()
