"""live record counts per connection and entity

The records store keeps these in the same transaction as the records, so reading how many
records an entity has no longer counts them. Existing stores are counted once here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_counts",
        sa.Column("connection_id", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("live", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_record_counts_connection_id_connections"),
        ),
        sa.PrimaryKeyConstraint("connection_id", "entity", name=op.f("pk_record_counts")),
    )
    op.execute(
        "INSERT INTO record_counts (connection_id, entity, live) "
        "SELECT connection_id, entity, count(*) FROM records WHERE NOT deleted "
        "GROUP BY connection_id, entity"
    )


def downgrade() -> None:
    op.drop_table("record_counts")
