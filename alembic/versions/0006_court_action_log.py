"""court action log: the append-only, hash-chained record of staff actions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 02:45:00

Rows are never updated or deleted: triggers refuse UPDATE and DELETE on both databases, so even a
direct SQL session cannot rewrite the record quietly (the hash chain would show it anyway).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import auction_service.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION action_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'action_log is append-only';
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "action_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("court_id", sa.Integer(), nullable=True),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("auction_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("at", auction_service.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["accounts.id"], name=op.f("fk_action_log_actor_id_accounts")),
        sa.ForeignKeyConstraint(["auction_id"], ["auctions.id"], name=op.f("fk_action_log_auction_id_auctions")),
        sa.ForeignKeyConstraint(["court_id"], ["courts.id"], name=op.f("fk_action_log_court_id_courts")),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_action_log_lot_id_lots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_log")),
        sa.UniqueConstraint("chain", "seq", name="uq_action_log_chain_seq"),
    )
    with op.batch_alter_table("action_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_log_auction_id"), ["auction_id"], unique=False)
        batch_op.create_index("ix_action_log_court_at", ["court_id", "id"], unique=False)
        batch_op.create_index("ix_action_log_lot", ["lot_id", "id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER action_log_append_only BEFORE UPDATE OR DELETE ON action_log "
            "FOR EACH ROW EXECUTE FUNCTION action_log_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER action_log_no_{event.lower()} BEFORE {event} ON action_log "
                "BEGIN SELECT RAISE(ABORT, 'action_log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS action_log_append_only ON action_log")
        op.execute("DROP FUNCTION IF EXISTS action_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS action_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS action_log_no_delete")
    with op.batch_alter_table("action_log", schema=None) as batch_op:
        batch_op.drop_index("ix_action_log_lot")
        batch_op.drop_index("ix_action_log_court_at")
        batch_op.drop_index(batch_op.f("ix_action_log_auction_id"))
    op.drop_table("action_log")
