"""bidder eligibility, restriction list, court regions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 02:45:00

Courts get a province, city and level; accounts an identity number kept only as a keyed hash; lots
their debtor's hashed identity; registrations the time the terms (竞买须知) were acknowledged; and the
dishonest-debtor / consumption-restriction list gets its table. Every new column is nullable, so
existing rows stay valid as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from auction_service.db.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("courts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("province", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("city", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("level", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_courts_province", ["province"], unique=False)
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_number_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_accounts_id_number_hash", ["id_number_hash"], unique=False)
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("debtor_id_hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terms_accepted_at", UTCDateTime(), nullable=True))
    op.create_table(
        "restricted_persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("court", sa.String(length=200), nullable=False),
        sa.Column("restricted_on", sa.String(length=10), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("restored_at", UTCDateTime(), nullable=True),
        sa.Column("restored_by", sa.Integer(), nullable=True),
        sa.Column("restored_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["imported_by"], ["accounts.id"], name=op.f("fk_restricted_persons_imported_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["restored_by"], ["accounts.id"], name=op.f("fk_restricted_persons_restored_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restricted_persons")),
        sa.UniqueConstraint("id_number_hash", name=op.f("uq_restricted_persons_id_number_hash")),
    )


def downgrade() -> None:
    op.drop_table("restricted_persons")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("terms_accepted_at")
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.drop_column("debtor_id_hash")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_id_number_hash")
        batch_op.drop_column("id_number_hash")
    with op.batch_alter_table("courts", schema=None) as batch_op:
        batch_op.drop_index("ix_courts_province")
        batch_op.drop_column("level")
        batch_op.drop_column("city")
        batch_op.drop_column("province")
