"""usernames compared without case: accounts.username_key

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 02:50:00

Existing accounts get ``lower(username)`` as their key. Should two existing usernames differ only in
case, the later account's key gets ``#id`` appended so the upgrade never fails: the earlier account
keeps the name, and the later one needs an operator's attention (it can no longer log in by name).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username_key", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    seen: set[str] = set()
    rows = conn.execute(sa.text("SELECT id, username FROM accounts ORDER BY id")).all()
    for account_id, username in rows:
        key = username.lower()
        if key in seen:
            key = f"{key}#{account_id}"[:64]
        seen.add(key)
        conn.execute(sa.text("UPDATE accounts SET username_key = :k WHERE id = :i"), {"k": key, "i": account_id})
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.alter_column("username_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_accounts_username_key", ["username_key"])


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_accounts_username_key", type_="unique")
        batch_op.drop_column("username_key")
