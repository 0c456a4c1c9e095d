"""push subscriptions

A connection whose source pushes change notifications (Business Central's webhooks) keeps
one subscription per pushed entity at the source: its id, ETag and expiry, the digest of the
client state that authenticates notifications, or why the source refused it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ironbridge.store.types import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "push_subscriptions",
        sa.Column("connection_id", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("remote_id", sa.String(length=255), nullable=True),
        sa.Column("etag", sa.String(length=255), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("client_state_hash", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_push_subscriptions_connection_id_connections"),
        ),
        sa.PrimaryKeyConstraint("connection_id", "entity", name=op.f("pk_push_subscriptions")),
    )


def downgrade() -> None:
    op.drop_table("push_subscriptions")
