"""events connection index

A connection's events (`GET /v1/events?connection_id=`, a connection's status history in the
dashboard) were found by reading the account's events in order and filtering: half a second in
an account with a million events. The (connection, position) index makes it a seek.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_events_connection_position", "events", ["connection_id", "position"])


def downgrade() -> None:
    op.drop_index("ix_events_connection_position", table_name="events")
