"""One auction's remembered Idempotency-Keys, bounded per bidder and per auction.

A retried bid with the same key must answer what the first answered (``docs/api-contract.md``). The
engine keeps, per auction, (bidder account, key) -> (amount, the op while it waits, then its outcome).
Unbounded, that table let one bidder grow the service's memory with every refused bid sent with a fresh
key, until the auction ended. So:

* at most ``per_bidder`` keys per bidder and ``per_auction`` per auction are kept; the oldest answered
  one goes first (a bid still waiting for its commit is never dropped: its retry must wait for the same
  answer);
* an accepted bid is in the database with its key: once dropped here, a retry finds it there
  (``forgot`` tells the engine whose keys to look for: only bidders who lost an accepted key, so a
  flood of refused bids never becomes a flood of reads), so an accepted bid always answers the same;
* a refusal is remembered as its code, message and details only, not as the raised exception (whose
  traceback held the deciding frames alive); a retry of a refusal dropped from the table is decided
  anew, which an honest client, retrying within seconds and a few hundred keys, never meets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auction_rules.errors import RuleViolation

from .book import BidOp

# The defaults: a bidder retrying honestly holds a handful of keys at a time; a bidder sending a refused
# bid with a fresh key at the 100/second bid limit keeps no more than this many (about 1 KB each).
KEYS_PER_BIDDER = 256
KEYS_PER_AUCTION = 20_000

Entry = tuple[int, Any]  # (amount, the waiting BidOp, the PlacedBid or the RuleViolation it answered)


def _compact(outcome: Any) -> Any:
    """What a retry needs of an outcome: a refusal without its traceback and chained exceptions."""
    if isinstance(outcome, RuleViolation) and (outcome.__traceback__ is not None or outcome.__context__ is not None):
        return RuleViolation(outcome.code, outcome.message, outcome.kind, **outcome.extra)
    return outcome


class KeyTable:
    """(bidder account, key) -> (amount, outcome) for one auction, in the order the keys were first seen."""

    def __init__(self, per_bidder: int = KEYS_PER_BIDDER, per_auction: int = KEYS_PER_AUCTION) -> None:
        self.per_bidder = per_bidder
        self.per_auction = per_auction
        self._entries: dict[tuple[int, str], Entry] = {}
        self._by_bidder: dict[int, dict[str, None]] = {}  # bidder -> its keys, oldest first
        self.forgot: set[int] = set()  # bidders some of whose accepted keys were dropped (in the database)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, bidder_key: tuple[int, str]) -> Entry | None:
        return self._entries.get(bidder_key)

    def count(self, bidder_id: int) -> int:
        return len(self._by_bidder.get(bidder_id, ()))

    def remember(self, bidder_key: tuple[int, str], amount: int, outcome: Any, *, keep: bool = False) -> None:
        """Keep the key's answer (``keep``: only if the key is not known yet), dropping the oldest answered
        keys beyond the bounds."""
        known = bidder_key in self._entries
        if known and keep:
            return
        self._entries[bidder_key] = (amount, _compact(outcome))
        if known:
            return
        bidder_id, key = bidder_key
        keys = self._by_bidder.setdefault(bidder_id, {})
        keys[key] = None
        if len(keys) > self.per_bidder:
            self._drop_oldest((bidder_id, k) for k in keys)
        if len(self._entries) > self.per_auction:
            self._drop_oldest(iter(self._entries))

    def forget(self, bidder_key: tuple[int, str]) -> None:
        if self._entries.pop(bidder_key, None) is not None:
            self._unlist(bidder_key)

    def _unlist(self, bidder_key: tuple[int, str]) -> None:
        bidder_id, key = bidder_key
        keys = self._by_bidder[bidder_id]
        del keys[key]
        if not keys:
            del self._by_bidder[bidder_id]

    def _drop_oldest(self, candidates: Iterator[tuple[int, str]]) -> None:
        """Drop the first answered key among ``candidates`` (oldest first)."""
        for bidder_key in candidates:
            if not isinstance(self._entries[bidder_key][1], BidOp):
                break
        else:
            return  # every one is waiting for its commit: they are answered (and droppable) soon
        _amount, outcome = self._entries.pop(bidder_key)
        self._unlist(bidder_key)
        if not isinstance(outcome, RuleViolation):
            self.forgot.add(bidder_key[0])  # an accepted bid: its retry looks in the database
