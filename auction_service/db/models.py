"""Tables. Money is integer fen in BigInteger columns; times are UTC (``UTCDateTime``).

The ``auctions`` row is written by the bid path as a whole snapshot of the in-memory auction state,
guarded by ``version`` so that several service processes on one database stay correct.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from .types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """The model's Core table, for Core's insert and update (the bid path uses no ORM). Declarative types
    ``__table__`` as the wider ``FromClause``; a model declared with ``__tablename__`` has a ``Table``."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class Court(Base):
    __tablename__ = "courts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Migration 0007: where the court sits and its level (basic 基层, intermediate 中级,
    # high 高级, supreme 最高), for statistics by region and level as courts report them.
    province: Mapped[str | None] = mapped_column(String(50), nullable=True, index=True)
    city: Mapped[str | None] = mapped_column(String(50), nullable=True)
    level: Mapped[str | None] = mapped_column(String(16), nullable=True)


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # The username as compared (lower case): "BIDDER1" and "bidder1" are one account, shown as typed.
    username_key: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # bidder, staff, admin
    real_name: Mapped[str] = mapped_column(String(200))
    court_id: Mapped[int | None] = mapped_column(ForeignKey("courts.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Migrations 0007 and 0009: the identity number only as a keyed hash (HMAC-SHA256, core/eligibility.py), never
    # in clear, one account per number; matched against the restriction list and a lot's debtor.
    id_number_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True, unique=True)

    @validates("username")
    def _keep_key(self, _key: str, username: str) -> str:
        self.username_key = username.lower()
        return username


class Lot(Base):
    __tablename__ = "lots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(32), index=True)
    appraisal: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    case_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    location: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # Further announcement fields (rule 6): appraisal method, defects, encumbrances, taxes, ...
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    disposition: Mapped[str | None] = mapped_column(String(32), nullable=True)  # returned, creditor_taken
    disposition_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # 以物抵债: the reserve of the failed round at which the creditor takes the lot (AUC Art. 16)
    disposition_price: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Migration 0007: the debtor's identity number as a keyed hash; the debtor may not bid for the lot.
    debtor_id_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Auction(Base):
    __tablename__ = "auctions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    round: Mapped[str] = mapped_column(String(8))  # "1", "2", "sale"
    status: Mapped[str] = mapped_column(String(16), index=True)
    appraisal: Mapped[int] = mapped_column(BigInteger)
    starting_price: Mapped[int] = mapped_column(BigInteger)
    increment: Mapped[int] = mapped_column(BigInteger)
    deposit: Mapped[int] = mapped_column(BigInteger)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scheduled_end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    current_price: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    leader_registration_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    leader_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    leader_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    last_bid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    settlement: Mapped[str | None] = mapped_column(String(16), nullable=True)  # paid, defaulted
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("auction_id", "bidder_id", name="uq_registrations_auction_bidder"),
        UniqueConstraint("auction_id", "bidder_code", name="uq_registrations_auction_code"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("auctions.id"))
    bidder_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    bidder_code: Mapped[str] = mapped_column(String(8))
    deposit: Mapped[int] = mapped_column(BigInteger)
    deposit_status: Mapped[str] = mapped_column(String(16))  # frozen, released, applied, forfeited
    priority_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deposit_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Migration 0007: when the bidder acknowledged the auction's terms (竞买须知); None for a caller of
    # the contract's body-less registration, which the contract keeps valid.
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Migration 0013: the version (SHA-256) of the 竞买须知 accepted (``core/announcements.py``)
    terms_version: Mapped[str | None] = mapped_column(String(64), nullable=True)


class PriorityHolder(Base):
    __tablename__ = "priority_holders"
    auction_id: Mapped[int] = mapped_column(ForeignKey("auctions.id"), primary_key=True)
    bidder_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Migration 0010: the right's grounds as the court confirmed them (``auction_rules/priority.py``).
    kind: Mapped[str | None] = mapped_column(String(32), nullable=True)  # co_owner, tenant, shareholder, other
    basis: Mapped[str | None] = mapped_column(Text, nullable=True)
    notice_date: Mapped[str | None] = mapped_column(String(10), nullable=True)  # YYYY-MM-DD
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # a declaration after bidding opened


class Bid(Base):
    __tablename__ = "bids"
    __table_args__ = (
        UniqueConstraint("auction_id", "seq", name="uq_bids_auction_seq"),
        Index("ix_bids_idempotency", "auction_id", "bidder_id", "idempotency_key", unique=True),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("auctions.id"))
    seq: Mapped[int] = mapped_column(Integer)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"))
    bidder_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    bidder_code: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int] = mapped_column(BigInteger)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the auction's end after this bid
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # sha256 over the previous bid's hash and this bid's fields (auction_rules/audit.py)
    chain_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class LotExclusion(Base):
    """A bidder barred from a lot's later auctions after 悔拍 (rule 17)."""

    __tablename__ = "lot_exclusions"
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True)
    bidder_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("auctions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LotDocument(Base):
    """A file published with the lot's announcement: the appraisal report (PDF) or a photo."""

    __tablename__ = "lot_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # appraisal_report, photo
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))  # sniffed from the bytes, not as declared
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # The bytes live in the documents directory under ``sha256`` (``core/document_store.py``); only rows
    # from before migration 0008 still hold them here, until ``auction-service documents export``.
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClockAnchor(Base):
    """The server's clock, shared by every service process on the database:
    ``sim = anchor_sim_ms + (real - anchor_real_ms) * speed``; ``sim_ms`` is the highest time reported
    so far (a high-water mark, in case the machine's wall clock steps back)."""

    __tablename__ = "clock_anchor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sim_ms: Mapped[int] = mapped_column(BigInteger)
    speed: Mapped[float] = mapped_column(Float)
    anchor_sim_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    anchor_real_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class RestrictedPerson(Base):
    """One person's entry on the list of dishonest persons subject to enforcement (失信被执行人) or the
    consumption-restriction list (限制消费), imported by court staff (migration 0007). The identity number
    is kept only as a keyed hash. Credit restoration (信用修复) sets ``restored_at``: the row stays as the
    record of it."""

    __tablename__ = "restricted_persons"
    # One entry per person and list (migration 0012): 失信被执行人 and 限制消费 are kept apart.
    __table_args__ = (
        UniqueConstraint("id_number_hash", "list_kind", name="uq_restricted_persons_id_number_hash_list_kind"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    court: Mapped[str] = mapped_column(String(200))  # the restricting court, as the list names it
    restricted_on: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, the court's decision
    # Which list (``auction_rules/eligibility.py``: dishonest or consumption_restriction) and the case
    # number (案号) of the court's decision; entries from before migration 0012 are 限制消费, no case.
    list_kind: Mapped[str] = mapped_column(String(32), server_default="consumption_restriction")
    case_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    restored_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    restored_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ServiceSecret(Base):
    __tablename__ = "service_secrets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


# --- the court's action log (migration 0006) -------------------------------------------------------


class ActionLog(Base):
    """One staff or admin action (全程留痕), append-only and hash-chained per court (``auction_rules/action_chain.py``):
    ``chain`` is the court's id (0: no court), ``seq`` counts from 1 within it. Nothing updates or
    deletes a row; ``auction-service audit verify`` recomputes every chain."""

    __tablename__ = "action_log"
    __table_args__ = (
        UniqueConstraint("chain", "seq", name="uq_action_log_chain_seq"),
        Index("ix_action_log_court_at", "court_id", "id"),
        Index("ix_action_log_lot", "lot_id", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    court_id: Mapped[int | None] = mapped_column(ForeignKey("courts.id"), nullable=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), nullable=True)
    auction_id: Mapped[int | None] = mapped_column(ForeignKey("auctions.id"), nullable=True, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(64))  # the username at the time
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class TransitionLease(Base):
    """Migration 0009: which service process is opening or closing an auction right now.

    Every process's scheduler sweeps the database for due openings and closes, so an auction is closed
    at its end whichever process created it (and whether that one still lives). Before acting a process
    claims the auction here for a few *real* seconds; the others leave it alone meanwhile, and take it
    over if the lease runs out (the claimer died). The lease only spares duplicate work: correctness
    rests, as for bids, on the auction row's version guard."""

    __tablename__ = "transition_leases"
    auction_id: Mapped[int] = mapped_column(ForeignKey("auctions.id"), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    until_ms: Mapped[int] = mapped_column(BigInteger)  # real wall-clock milliseconds since the epoch


class LotRecordEntry(Base):
    """Migration 0013: the lot's record, one hash chain per lot (``auction_rules/lot_record.py``) over its
    actions (by id and hash) and every move of a deposit. Append-only like the action log; ``seq``
    counts from 1 within the lot; ``auction-service audit verify`` recomputes it and holds the action log
    and the registrations to it."""

    __tablename__ = "lot_record"
    __table_args__ = (UniqueConstraint("lot_id", "seq", name="uq_lot_record_lot_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # action, deposit
    auction_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    registration_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bidder_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
