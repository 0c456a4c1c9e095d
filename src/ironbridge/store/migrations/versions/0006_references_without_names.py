"""references without names

Stored references lose the `name` connectors used to copy beside `id` and `remote_id`, and the
content hash of each record changed so is taken again. Without this, reads would show the old
copies until each record is synced again, and that sync would report every such record as
updated.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-03 08:20:00.000000
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from ironbridge.store.records import content_hash

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000

# The places of references in each entity's unified JSON at this revision (a step through a
# list goes into each row); copied so that this revision keeps meaning what it meant.
_REFERENCES: dict[str, tuple[tuple[str, ...], ...]] = {
    "purchase-orders": (("vendor",), ("lines", "item"), ("lines", "location")),
    "work-orders": (("asset",), ("location",), ("parts_used", "item")),
    "inventory-items": (("stock_levels", "location"),),
    "assets": (("location",), ("parent",)),
    "locations": (("parent",),),
}


def _drop_names(record: dict[str, Any], places: tuple[tuple[str, ...], ...]) -> bool:
    dropped = False
    for path in places:
        holders: list[Any] = [record]
        for step in path[:-1]:
            children: list[Any] = []
            for holder in holders:
                value = holder.get(step)
                children += value if isinstance(value, list) else [value]
            holders = [child for child in children if isinstance(child, dict)]
        for holder in holders:
            ref = holder.get(path[-1])
            if isinstance(ref, dict) and "name" in ref:
                del ref["name"]
                dropped = True
    return dropped


def upgrade() -> None:
    records = sa.table(
        "records",
        sa.column("id", sa.String()),
        sa.column("entity", sa.String()),
        sa.column("unified", sa.Text()),
        sa.column("raw", sa.Text()),
        sa.column("content_hash", sa.String()),
    )
    conn = op.get_bind()
    for entity, places in _REFERENCES.items():
        after = ""
        while True:
            rows = conn.execute(
                sa.select(records.c.id, records.c.unified, records.c.raw)
                .where(records.c.entity == entity, records.c.id > after)
                .order_by(records.c.id)
                .limit(_BATCH)
            ).all()
            if not rows:
                break
            changed = []
            for row in rows:
                record = json.loads(row.unified)
                if _drop_names(record, places):
                    # The form the store writes (compact, UTF-8) and the hash the running code
                    # takes, so the next sync finds the record unchanged.
                    text = json.dumps(record, separators=(",", ":"), ensure_ascii=False)
                    changed.append(
                        {
                            "b_id": row.id,
                            "unified": text,
                            "content_hash": content_hash(text, row.raw),
                        }
                    )
            if changed:
                conn.execute(
                    records.update()
                    .where(records.c.id == sa.bindparam("b_id"))
                    .values(
                        unified=sa.bindparam("unified"), content_hash=sa.bindparam("content_hash")
                    ),
                    changed,
                )
            after = rows[-1].id


def downgrade() -> None:
    # The copied names are gone; earlier code reads references without them all the same.
    pass
