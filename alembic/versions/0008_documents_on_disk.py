"""lot documents on disk: lot_documents.data becomes nullable

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 03:40:00

New uploads keep their bytes in the documents directory (``core/document_store.py``), named by the
SHA-256 the row already holds, and leave ``data`` empty (NULL). Rows written before keep their bytes and
are still served from the database until ``auction-service documents export`` moves them to the
directory. No data moves here: a migration cannot know the directory, and moving gigabytes belongs in a
command that can be resumed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lot_documents", schema=None) as batch_op:
        batch_op.alter_column("data", existing_type=sa.LargeBinary(), nullable=True)


def downgrade() -> None:
    on_disk = op.get_bind().execute(sa.text("SELECT count(*) FROM lot_documents WHERE data IS NULL")).scalar_one()
    if on_disk:
        raise RuntimeError(
            f"{on_disk} lot documents keep their bytes only in the documents directory; the previous schema "
            "needs them in lot_documents.data. Restore the backup taken before the upgrade instead."
        )
    with op.batch_alter_table("lot_documents", schema=None) as batch_op:
        batch_op.alter_column("data", existing_type=sa.LargeBinary(), nullable=False)
