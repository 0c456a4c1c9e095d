"""Reading a connection's error log: pages, newest first."""

from __future__ import annotations

from ..connections import load_connection
from ..store import UnitOfWorkFactory, decode_keyset, encode_keyset
from ..store.errorlog import ErrorLogRepository, ErrorRow

__all__ = ["list_errors"]


def list_errors(
    uows: UnitOfWorkFactory,
    account_id: str,
    connection_id: str,
    *,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[ErrorRow], str | None]:
    """One page of the account's connection's error log, newest first, and the cursor of the
    next page (None on the last)."""
    before = decode_keyset(cursor) if cursor else None
    with uows(readonly=True) as uow:
        load_connection(uow, account_id, connection_id)
        rows = ErrorLogRepository(uow.connection, connection_id).newest(
            before=before, limit=limit + 1
        )
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_keyset(rows[-1].occurred_at, rows[-1].id)
