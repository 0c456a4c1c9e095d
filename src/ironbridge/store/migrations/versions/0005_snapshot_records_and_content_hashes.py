"""snapshot records, content hashes without updated_at

Records gain `snapshot` (the source keeps no change time for them), and every stored content
hash is taken again the way the store now takes it: the unified half without the record's
`updated_at`. Without this, the first sync after the upgrade would report every record it
re-reads as updated.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:10:00.000000
"""

import hashlib
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000
# As `ironbridge.store.records.content_hash` takes it today; copied so that this revision
# keeps meaning what it meant if that function changes later.
_UPDATED_AT = re.compile(r',"updated_at":(?:"[^"]*"|null)')


def _content_hash(unified: str, raw: str) -> str:
    content = _UPDATED_AT.sub("", unified, count=1)
    return (
        hashlib.sha256(content.encode()).hexdigest()[:32]
        + hashlib.sha256(raw.encode()).hexdigest()[:32]
    )


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("snapshot", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    records = sa.table(
        "records",
        sa.column("id", sa.String()),
        sa.column("unified", sa.Text()),
        sa.column("raw", sa.Text()),
        sa.column("content_hash", sa.String()),
    )
    conn = op.get_bind()
    after = ""
    while True:
        rows = conn.execute(
            sa.select(records.c.id, records.c.unified, records.c.raw, records.c.content_hash)
            .where(records.c.id > after)
            .order_by(records.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        changed = [
            {"b_id": row.id, "content_hash": digest}
            for row in rows
            if (digest := _content_hash(row.unified, row.raw)) != row.content_hash
        ]
        if changed:
            conn.execute(
                records.update()
                .where(records.c.id == sa.bindparam("b_id"))
                .values(content_hash=sa.bindparam("content_hash")),
                changed,
            )
        after = rows[-1].id


def downgrade() -> None:
    # Hashes taken without updated_at compare unequal under the old rule: the next sync
    # re-stores each record it reads once (with an event), which is all a downgrade costs.
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("snapshot")
