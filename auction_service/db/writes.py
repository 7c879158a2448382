"""What one group commit writes, as plain data (no SQL here).

The pure book (``core/bidding/book.py``) builds these; the group writer (``db/group_writer.py``) turns them into
statements. Keeping them as data lets the book be tested without a database and keeps SQL in one layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from auction_rules.action_chain import ActionEntry
from auction_rules.bidding import AuctionState


class BidRow(NamedTuple):
    """One row of the ``bids`` table: the bid record (rule 13) with its hash-chain link (rule 14). A tuple
    in column order: built for every accepted bid and handed to the driver as it is."""

    auction_id: int
    seq: int
    registration_id: int
    bidder_id: int
    bidder_code: str
    amount: int
    placed_at: datetime
    end_at: datetime
    priority: bool
    idempotency_key: str | None
    chain_hash: str


@dataclass(frozen=True, slots=True)
class ReleaseDeposits:
    """Rule 16: the auction's frozen deposits go back to their bidders, except the winner's (``keep``)."""

    auction_id: int
    at: datetime
    keep_registration_id: int | None = None


@dataclass(frozen=True, slots=True)
class RecordAction:
    """A staff action on the auction (suspend, resume, withdraw...) goes into the action log in the same
    transaction as the state change it records (``db/action_rows.append``)."""

    entry: ActionEntry


Effect = ReleaseDeposits | RecordAction


@dataclass(slots=True)
class AuctionWrite:
    """One auction's part of a group: its new snapshot, guarded by the version it was decided on."""

    state: AuctionState  # the snapshot to store, its version already bumped
    expected_version: int
    bids: list[BidRow] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    bids_only: bool = False  # only bids changed the auction: only the columns a bid changes are written

    @property
    def auction_id(self) -> int:
        return self.state.id
