"""A connection together with what went wrong last and when its data was last fresh."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from ..connections import ConnectionStatus, ConnectionView, list_connections, load_connection
from ..model import Entity
from ..store import ConnectionRow, UnitOfWork, UnitOfWorkFactory, utcnow
from ..store.errorlog import ErrorLogRepository, ErrorRow
from ..store.push import LIVE, PushRepository, PushRow
from ..store.sync import SyncRepository

__all__ = [
    "ConnectionDetail",
    "PushState",
    "connection_detail",
    "connection_details",
    "last_error_view",
    "list_connection_details",
]


class PushState(BaseModel):
    """Whether the source pushes its changes to ironbridge (on top of scheduled polling)."""

    live: bool = Field(description="At least one entity's subscription at the source is live.")
    entities: list[Entity] = Field(description="The entities whose changes are pushed.")
    expires_at: datetime | None = Field(
        description="When the first live subscription expires unless renewed (ironbridge "
        "renews them a day before)."
    )
    error: str | None = Field(
        description="Why the source refused a subscription (its public URL unreachable, say), "
        "when it did; those entities are polled only."
    )


def push_state(rows: list[PushRow], now: datetime) -> PushState | None:
    """The push view of a connection's subscriptions; None when it has none."""
    if not rows:
        return None
    live = [r for r in rows if r.status == LIVE and r.expires_at and r.expires_at > now]
    return PushState(
        live=bool(live),
        entities=[Entity(r.entity) for r in live],
        expires_at=min((r.expires_at for r in live if r.expires_at), default=None),
        error=next((r.error for r in rows if r.error), None),
    )


class ConnectionDetail(ConnectionView):
    """A connection as `GET /v1/connection` and `GET /v1/connections` show it."""

    last_error: dict[str, Any] | None = Field(
        description=(
            "The newest entry of the connection's error log (`occurred_at`, `operation`, "
            "`entity`, `code`, `message`, `request_id`), or null if there is none."
        )
    )
    last_successful_sync_at: datetime | None = Field(
        description="When a sync of any entity last succeeded; null before the first."
    )
    push: PushState | None = Field(
        default=None,
        description="Change notifications from the source, for systems that push (Business "
        "Central) when the server's public URL is set; null when the connection is polled "
        "only.",
    )


def last_error_view(entry: ErrorRow) -> dict[str, Any]:
    """An error-log entry as `last_error` shows it."""
    return {
        "occurred_at": entry.occurred_at,
        "operation": entry.operation,
        "entity": entry.entity,
        "code": entry.code,
        "message": entry.message,
        "request_id": entry.request_id,
    }


def _detail(uow: UnitOfWork, view: ConnectionView) -> ConnectionDetail:
    newest = ErrorLogRepository(uow.connection, view.id).newest(before=None, limit=1)
    last_error = last_error_view(newest[0]) if newest else None
    successes = [
        s.last_success_at
        for s in SyncRepository(uow.connection, view.id).states()
        if s.last_success_at is not None
    ]
    pushed = list(PushRepository(uow.connection, view.id).list())
    return ConnectionDetail(
        **dict(view),
        last_error=last_error,
        last_successful_sync_at=max(successes, default=None),
        push=push_state(pushed, utcnow()),
    )


def connection_details(
    uow: UnitOfWork, connections: Sequence[ConnectionView | ConnectionRow]
) -> list[ConnectionDetail]:
    """Each connection with its last error and last successful sync (two indexed lookups each,
    in the caller's read transaction)."""
    return [
        _detail(uow, c if isinstance(c, ConnectionView) else ConnectionView.from_row(c))
        for c in connections
    ]


def connection_detail(
    uows: UnitOfWorkFactory, account_id: str, connection_id: str
) -> ConnectionDetail:
    """The account's connection with its last error and last successful sync."""
    with uows(readonly=True) as uow:
        row = load_connection(uow, account_id, connection_id)
        return connection_details(uow, [row])[0]


def list_connection_details(
    uows: UnitOfWorkFactory,
    account_id: str,
    *,
    status: ConnectionStatus | None = None,
    system: str | None = None,
    end_customer_id: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[ConnectionDetail], str | None]:
    """One page of the account's connections with their details, oldest first, and the cursor
    of the next (`list_connections`), read in one transaction."""
    with uows(readonly=True) as uow:
        views, next_cursor = list_connections(
            uow,
            account_id,
            status=status,
            system=system,
            end_customer_id=end_customer_id,
            cursor=cursor,
            limit=limit,
        )
        return connection_details(uow, views), next_cursor
