"""flows, their versions, runs and run steps

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-03 15:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from ironbridge.store.types import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_POSITION = sa.BigInteger()


def upgrade() -> None:
    op.create_table(
        "flows",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("account_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", _JSON, nullable=False),
        sa.Column("trigger_type", sa.String(40), nullable=False),
        sa.Column("secrets_ciphertext", sa.Text(), nullable=True),
        sa.Column("trigger_secret_hash", sa.String(64), nullable=False),
        sa.Column("settings", _JSON, nullable=False),
        sa.Column("next_run_at", UTCDateTime(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_flows_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flows")),
    )
    op.create_index("ix_flows_account_trigger", "flows", ["account_id", "trigger_type"])
    op.create_table(
        "flow_versions",
        sa.Column("flow_id", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", _JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_id"], ["flows.id"], name=op.f("fk_flow_versions_flow_id_flows")
        ),
        sa.PrimaryKeyConstraint("flow_id", "version", name=op.f("pk_flow_versions")),
    )
    op.create_table(
        "flow_runs",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("account_id", sa.String(40), nullable=False),
        sa.Column("flow_id", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.String(40), nullable=True),
        sa.Column("trigger_key", sa.String(120), nullable=True),
        sa.Column("trigger", _JSON, nullable=False),
        sa.Column("test", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("resume", _JSON, nullable=True),
        sa.Column("retry_of", sa.String(40), nullable=True),
        sa.Column("error", _JSON, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_flow_runs_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(["flow_id"], ["flows.id"], name=op.f("fk_flow_runs_flow_id_flows")),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_flow_runs_connection_id_connections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_runs")),
        sa.UniqueConstraint(
            "flow_id", "trigger_key", name=op.f("uq_flow_runs_flow_id_trigger_key")
        ),
    )
    op.create_index("ix_flow_runs_flow_created", "flow_runs", ["flow_id", "created_at", "id"])
    op.create_index("ix_flow_runs_status", "flow_runs", ["status", "created_at"])
    op.create_table(
        "flow_run_steps",
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("step_id", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("input", _JSON, nullable=True),
        sa.Column("output", _JSON, nullable=True),
        sa.Column("error", _JSON, nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["flow_runs.id"], name=op.f("fk_flow_run_steps_run_id_flow_runs")
        ),
        sa.PrimaryKeyConstraint("run_id", "step_id", name=op.f("pk_flow_run_steps")),
    )
    op.create_table(
        "flow_cursor",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("position", _POSITION, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_flow_cursor")),
    )


def downgrade() -> None:
    op.drop_table("flow_cursor")
    op.drop_table("flow_run_steps")
    op.drop_index("ix_flow_runs_status", table_name="flow_runs")
    op.drop_index("ix_flow_runs_flow_created", table_name="flow_runs")
    op.drop_table("flow_runs")
    op.drop_table("flow_versions")
    op.drop_index("ix_flows_account_trigger", table_name="flows")
    op.drop_table("flows")
