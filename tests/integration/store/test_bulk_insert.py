"""Many rows inserted at once are stored as SQLAlchemy's own insert stores them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from ironbridge.accounts import create_account
from ironbridge.bootstrap import Container
from ironbridge.store.bulk import insert_rows
from ironbridge.store.tables import events
from ironbridge.store.types import JSONText


def _rows(account_id: str, prefix: str) -> list[dict[str, object]]:
    at = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    return [
        {
            "id": f"{prefix}{n}",
            "connection_id": None,
            "type": "purchase_order.created",
            "sequence": n,
            # Another zone: stored as the same UTC instant.
            "created_at": (at + timedelta(seconds=n)).astimezone(UTC if n % 2 else None),
            "data": JSONText('{"a":"é","n":1}') if n % 2 else {"b": [1, None, True]},
        }
        for n in range(1, 5)
    ]


def _stored(container: Container, prefix: str) -> list[tuple[object, ...]]:
    with container.engine.connect() as conn:
        rows = conn.execute(
            select(
                events.c.account_id,
                events.c.connection_id,
                events.c.type,
                events.c.sequence,
                events.c.created_at,
                events.c.data,
            )
            .where(events.c.id.like(f"{prefix}%"))
            .order_by(events.c.sequence)
        ).all()
        # The stored text too: what a reader of the raw column (or another program) sees.
        texts = conn.execute(
            text(
                "SELECT CAST(data AS TEXT), CAST(created_at AS TEXT) FROM events"
                " WHERE id LIKE :p ORDER BY sequence"
            ),
            {"p": f"{prefix}%"},
        ).all()
    return [(*row, *texts[i]) for i, row in enumerate(rows)]


def test_rows_are_stored_as_a_core_insert_stores_them(any_container: Container) -> None:
    with any_container.uow() as uow:
        account = create_account(uow, "A")
        uow.commit()
    with any_container.engine.begin() as conn:
        conn.execute(events.insert().values(account_id=account.id), _rows(account.id, "evt_core"))
        insert_rows(conn, events, _rows(account.id, "evt_bulk"), {"account_id": account.id})
        insert_rows(conn, events, [], {"account_id": account.id})
    core = _stored(any_container, "evt_core")
    bulk = _stored(any_container, "evt_bulk")
    assert len(core) == 4
    assert bulk == core
    assert bulk[0][4] == datetime(2026, 3, 4, 5, 6, 8, 891011, tzinfo=UTC)
