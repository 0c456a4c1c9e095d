"""records status page index

The status index also holds the page order (`modified_at`, `id`), so a page of one status seeks
to its cursor as an unfiltered page does, instead of reading every earlier record of that status
and sorting them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_status")
        batch_op.create_index(
            "ix_records_status_page",
            ["connection_id", "entity", "status", "modified_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_status_page")
        batch_op.create_index(
            "ix_records_status", ["connection_id", "entity", "status"], unique=False
        )
