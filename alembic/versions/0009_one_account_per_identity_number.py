"""one account per identity number: accounts.id_number_hash becomes unique

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 04:20:00

Sign-up now requires the resident identity number (实名), one account per number (409
``id_number_taken``, ``core/accounts.py``); the unique index makes that hold under concurrent sign-ups
too. NULL stays allowed (accounts from before, and staff, have none) and NULL never collides. Accounts
that recorded the same number before this revision keep it on the oldest account only; the later ones
lose it (the upgrade says how many) and must record their own through ``PUT /api/v1/me/identity``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    duplicates = bind.execute(
        sa.text(
            "UPDATE accounts SET id_number_hash = NULL WHERE id_number_hash IS NOT NULL AND id > "
            "(SELECT min(a.id) FROM accounts a WHERE a.id_number_hash = accounts.id_number_hash)"
        )
    ).rowcount
    if duplicates:
        print(f"0009: {duplicates} account(s) shared an identity number with an older account; theirs was cleared")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_id_number_hash")
        batch_op.create_index("ix_accounts_id_number_hash", ["id_number_hash"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_id_number_hash")
        batch_op.create_index("ix_accounts_id_number_hash", ["id_number_hash"], unique=False)
