"""sync seen

A full sync run notes the remote ids it reads in `sync_seen` (cleared when the run ends), so
deciding which records vanished needs no set of every id in the worker's memory.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 20:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_seen",
        sa.Column("connection_id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("remote_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("connection_id", "run_id", "remote_id", name=op.f("pk_sync_seen")),
    )


def downgrade() -> None:
    op.drop_table("sync_seen")
