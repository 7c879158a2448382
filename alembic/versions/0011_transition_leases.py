"""transition leases: the process that opens or closes an auction claims it first

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 04:20:00

Each service process's scheduler sweeps the database for due openings and closes, so an auction created
through a process that died is still closed at its end by another. ``transition_leases`` holds, per
auction being opened or closed, which process claimed it and until when (real milliseconds): the others
skip it meanwhile and take it over once the lease has run out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transition_leases",
        sa.Column("auction_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("until_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["auction_id"], ["auctions.id"], name=op.f("fk_transition_leases_auction_id_auctions")
        ),
        sa.PrimaryKeyConstraint("auction_id", name=op.f("pk_transition_leases")),
    )


def downgrade() -> None:
    op.drop_table("transition_leases")
