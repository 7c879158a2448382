"""restriction lists apart: 失信被执行人 and 限制消费, each entry with its case number (案号)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 07:30:00

A court keeps two lists: the list of dishonest persons subject to enforcement (失信被执行人名单) and the
consumption restriction orders (限制消费令), each entry resting on a decision in a case. ``list_kind``
says which list (entries imported before this revision were imported as the consumption-restriction
list, which is what they become), ``case_number`` the case (none known for the older entries). A person
may be on both lists: one entry per person and list, so the unique key becomes the pair.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("restricted_persons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("list_kind", sa.String(length=32), server_default="consumption_restriction", nullable=False)
        )
        batch_op.add_column(sa.Column("case_number", sa.String(length=100), nullable=True))
        batch_op.drop_constraint("uq_restricted_persons_id_number_hash", type_="unique")
        batch_op.create_unique_constraint(
            "uq_restricted_persons_id_number_hash_list_kind", ["id_number_hash", "list_kind"]
        )


def downgrade() -> None:
    # Going back keeps one entry per person: the dishonest-persons entries of people on both lists go.
    op.execute(
        "DELETE FROM restricted_persons WHERE list_kind = 'dishonest' AND id_number_hash IN "
        "(SELECT id_number_hash FROM restricted_persons WHERE list_kind = 'consumption_restriction')"
    )
    with op.batch_alter_table("restricted_persons", schema=None) as batch_op:
        batch_op.drop_constraint("uq_restricted_persons_id_number_hash_list_kind", type_="unique")
        batch_op.create_unique_constraint("uq_restricted_persons_id_number_hash", ["id_number_hash"])
        batch_op.drop_column("case_number")
        batch_op.drop_column("list_kind")
