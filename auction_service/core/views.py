"""Read models: what core's services return to the transports, as plain frozen values.

Rows never leave core: a route gets one of these and hands it to ``contract`` for the JSON, so the
shape of an answer is decided in one place and core stays free of the public contract. Times are
aware UTC datetimes and rounds are stored spellings (``"1"``, ``"2"``, ``"sale"``); how they are
written out is the contract's business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auction_rules.bidding import AuctionState


@dataclass(frozen=True, slots=True)
class CourtRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class AccountView:
    """An account as its owner sees it (never the password hash)."""

    id: int
    username: str
    role: str  # bidder, staff, admin
    real_name: str
    court_id: int | None
    court: str | None  # the court's name


@dataclass(frozen=True, slots=True)
class LotView:
    id: int
    court: str | None
    court_id: int
    title: str
    category: str
    appraisal: int
    description: str | None
    case_number: str | None
    location: str | None
    disposition: str | None
    disposition_note: str | None
    disposition_price: int | None
    disposed_at: datetime | None
    created_at: datetime
    details: Mapping[str, Any]  # the further announcement fields (rule 6) given at listing


@dataclass(frozen=True, slots=True)
class AuctionView:
    """An auction as the row holds it now, with what a reader wants to see alongside: the lot's title,
    category and court, and how many registered. Its status at a moment is ``effective_status(state,
    now)``: the reader decides the moment."""

    state: AuctionState
    lot_id: int
    appraisal: int
    deposit: int
    settlement: str | None
    registrations: int
    title: str | None
    category: str | None
    court: str | None
    court_id: int | None

    @property
    def id(self) -> int:
        return self.state.id


@dataclass(frozen=True, slots=True)
class LotDetail:
    lot: LotView
    auctions: list[AuctionView]  # every round, oldest first


@dataclass(frozen=True, slots=True)
class AuctionResult:
    """The outcome of an ended auction (``status`` is ``sold`` or ``unsold``)."""

    status: str
    state: AuctionState
    appraisal: int
    settlement: str | None
    winner_name: str | None


@dataclass(frozen=True, slots=True)
class RegistrationView:
    id: int
    auction_id: int
    bidder_id: int
    bidder_code: str
    deposit: int
    deposit_status: str  # frozen, released, applied, forfeited
    priority_rank: int | None
    registered_at: datetime
    deposit_updated_at: datetime | None
    terms_version: str | None = None  # the 竞买须知 accepted (its SHA-256), if any


@dataclass(frozen=True, slots=True)
class MyRegistration:
    registration: RegistrationView
    auction: AuctionView


@dataclass(frozen=True, slots=True)
class MyRegistrations:
    items: list[MyRegistration]  # newest first
    deposit_totals: dict[str, int]  # deposit status -> amount, every status present


@dataclass(frozen=True, slots=True)
class PriorityHolderView:
    auction_id: int
    username: str
    rank: int
    kind: str | None = None
    basis: str | None = None
    notice_date: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PublishedPriorityHolder:
    """A priority holder as the announcement publishes it (rule 6)."""

    rank: int
    name: str | None  # None until bidding ends (identities stay secret until the close)
    bidder_code: str | None  # None until the holder registers, and until bidding ends
    kind: str | None = None  # the kind of right (published: it names no one)


@dataclass(frozen=True, slots=True)
class Settlement:
    auction_id: int
    outcome: str  # paid | defaulted
    settled_at: datetime
    # The grounds recorded with it: reason, ruling_number, evidence, amount, paid_on, renounced (a
    # default), balance_due_at.
    grounds: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordedBid:
    """A stored bid with its place in the hash chain."""

    auction_id: int
    seq: int
    amount: int
    bidder_code: str
    placed_at: datetime
    priority: bool
    end_at: datetime
    chain_hash: str | None
    priority_rank: int | None = None  # the holder's rank, with the code (Art. 19)


@dataclass(frozen=True, slots=True)
class Tally:
    count: int
    amount: int


@dataclass(frozen=True, slots=True)
class DepositsLedger:
    """Every registration's deposit with totals per status; the grand total is summed separately by the
    database, so ``balanced`` is a real check."""

    auction_id: int
    status: str  # the auction's effective status when read
    settlement: str | None
    deposit: int
    items: list[RegistrationView]
    by_status: dict[str, Tally]  # every deposit status present
    total: Tally

    @property
    def balanced(self) -> bool:
        return (
            sum(t.amount for t in self.by_status.values()) == self.total.amount
            and sum(t.count for t in self.by_status.values()) == self.total.count
        )


@dataclass(frozen=True, slots=True)
class Disposition:
    lot_id: int
    disposition: str | None
    note: str | None
    price: int | None
    disposed_at: datetime | None


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    id: int
    lot_id: int
    kind: str  # appraisal_report | photo
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class DocumentFile:
    info: DocumentInfo
    data: bytes
