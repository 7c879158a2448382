"""the lot's record: one hash chain per lot over its actions and every move of a deposit; the version
of the terms (竞买须知) a registration accepted

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 07:50:00

The action log is chained per court; a case file holds one lot's actions, and a court-wide chain
cannot show one of them missing. Deposits were held only to what the bid chain implies. The lot's
record (``auction_rules/lot_record.py``) links every action of a lot (by id and hash) and every move of
a registration's deposit into one chain per lot. Append-only like the action log (triggers refuse UPDATE
and DELETE on both databases).

Backfill: each existing lot gets its record from what is stored, in time order: its actions, each
registration's deposit frozen when it registered and, if it has moved since, where it stands now (at
its last change). What the database says at this revision becomes what later edits are held to.

``registrations.terms_version``: the SHA-256 of the 竞买须知 the bidder accepted (``core/announcements.py``);
null for registrations before this revision and for the contract's body-less registration.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

import auction_service.db.types
from auction_rules.lot_record import ACTION, RecordEntry, deposit_entry, entry_hash, genesis

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = auction_service.db.types.UTCDateTime(timezone=True)

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION lot_record_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'lot_record is append-only';
END;
$$ LANGUAGE plpgsql
"""

_actions = sa.table(
    "action_log",
    sa.column("id", sa.Integer()),
    sa.column("lot_id", sa.Integer()),
    sa.column("auction_id", sa.Integer()),
    sa.column("at", UTC_TIME),
    sa.column("hash", sa.String()),
)
_auctions = sa.table("auctions", sa.column("id", sa.Integer()), sa.column("lot_id", sa.Integer()))
_registrations = sa.table(
    "registrations",
    sa.column("id", sa.Integer()),
    sa.column("auction_id", sa.Integer()),
    sa.column("bidder_code", sa.String()),
    sa.column("deposit", sa.BigInteger()),
    sa.column("deposit_status", sa.String()),
    sa.column("created_at", UTC_TIME),
    sa.column("deposit_updated_at", UTC_TIME),
)
_record = sa.table(
    "lot_record",
    sa.column("lot_id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("auction_id", sa.Integer()),
    sa.column("action_id", sa.Integer()),
    sa.column("action_hash", sa.String()),
    sa.column("registration_id", sa.Integer()),
    sa.column("bidder_code", sa.String()),
    sa.column("amount", sa.BigInteger()),
    sa.column("status", sa.String()),
    sa.column("at", UTC_TIME),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def _stored_events(bind: sa.Connection) -> dict[int, list[tuple[datetime, int, int, RecordEntry]]]:
    """Each lot's entries, keyed for time order: (at, 0 for a deposit frozen / 1 for a deposit's later
    move / 2 for an action, id): at one moment a deposit moves before the action that moved it is
    logged, as the service enters them."""
    events: dict[int, list[tuple[datetime, int, int, RecordEntry]]] = {}
    for a in bind.execute(sa.select(_actions).where(_actions.c.lot_id.is_not(None))):
        entry = RecordEntry(a.lot_id, ACTION, a.auction_id, a.at, action_id=a.id, action_hash=a.hash)
        events.setdefault(a.lot_id, []).append((a.at, 2, a.id, entry))
    query = sa.select(_registrations, _auctions.c.lot_id).join(_auctions, _auctions.c.id == _registrations.c.auction_id)
    for r in bind.execute(query):
        frozen = deposit_entry(r.lot_id, r.auction_id, r.id, r.bidder_code, r.deposit, "frozen", r.created_at)
        events.setdefault(r.lot_id, []).append((r.created_at, 0, r.id, frozen))
        if r.deposit_status != "frozen":
            at = r.deposit_updated_at or r.created_at
            moved = deposit_entry(r.lot_id, r.auction_id, r.id, r.bidder_code, r.deposit, r.deposit_status, at)
            events[r.lot_id].append((at, 1, r.id, moved))
    return events


def _backfill(bind: sa.Connection) -> None:
    for lot_id, events in sorted(_stored_events(bind).items()):
        previous = genesis(lot_id)
        rows = []
        for seq, (_at, _order, _id, entry) in enumerate(sorted(events, key=lambda e: e[:3]), start=1):
            digest = entry_hash(previous, seq, entry)
            rows.append(
                {
                    "lot_id": entry.lot_id, "seq": seq, "kind": entry.kind, "auction_id": entry.auction_id,
                    "action_id": entry.action_id, "action_hash": entry.action_hash,
                    "registration_id": entry.registration_id, "bidder_code": entry.bidder_code,
                    "amount": entry.amount, "status": entry.status, "at": entry.at,
                    "prev_hash": previous, "hash": digest,
                }
            )  # fmt: skip
            previous = digest
        bind.execute(_record.insert(), rows)


def upgrade() -> None:
    op.create_table(
        "lot_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("auction_id", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("action_hash", sa.String(length=64), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("bidder_code", sa.String(length=8), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_lot_record_lot_id_lots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot_record")),
        sa.UniqueConstraint("lot_id", "seq", name="uq_lot_record_lot_seq"),
    )
    _backfill(op.get_bind())
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terms_version", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER lot_record_append_only BEFORE UPDATE OR DELETE ON lot_record "
            "FOR EACH ROW EXECUTE FUNCTION lot_record_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER lot_record_no_{event.lower()} BEFORE {event} ON lot_record "
                "BEGIN SELECT RAISE(ABORT, 'lot_record is append-only'); END"
            )


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("terms_version")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS lot_record_append_only ON lot_record")
        op.execute("DROP FUNCTION IF EXISTS lot_record_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS lot_record_no_update")
        op.execute("DROP TRIGGER IF EXISTS lot_record_no_delete")
    op.drop_table("lot_record")
