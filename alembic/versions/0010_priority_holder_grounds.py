"""priority holders with their grounds: the kind of right, its basis, the notice date, a late reason

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 04:35:00

A priority holder (优先购买权人) is confirmed by the court with the kind of right (co-owner, tenant,
shareholder...), what it rests on (a lease, a register entry, the articles of association) and the day
the holder was notified (Art. 16 of the 2016 provisions); a holder declared after bidding opened also
carries the reason for the late declaration. All nullable: holders declared before this revision keep
none, and the contract's call names none of them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("priority_holders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("basis", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("notice_date", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("priority_holders", schema=None) as batch_op:
        batch_op.drop_column("reason")
        batch_op.drop_column("notice_date")
        batch_op.drop_column("basis")
        batch_op.drop_column("kind")
