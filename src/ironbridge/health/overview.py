"""What an operator sees first: an account's connections by status, those needing attention,
recent failed deliveries and event volume; and the searchable table of its connections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..connections import ConnectionStatus
from ..store import UnitOfWork, decode_keyset, encode_keyset
from ..store.overview import ConnectionSearch, OverviewRepository
from ..webhooks.deliveries import DeliveryView
from .summary import ConnectionDetail, connection_details

__all__ = [
    "AccountOverview",
    "ConnectionSearch",
    "ConnectionSummary",
    "account_overview",
    "search_connections",
]


@dataclass(frozen=True, slots=True)
class AccountOverview:
    #: Every status, zero included, in the order of `ConnectionStatus`.
    counts: dict[str, int]
    attention: list[ConnectionDetail]
    failed_deliveries: list[DeliveryView]
    #: (hour start, events in that hour) for the last 24 hours, oldest first.
    event_volume: list[tuple[datetime, int]]


@dataclass(frozen=True, slots=True)
class ConnectionSummary:
    detail: ConnectionDetail
    #: Live records per entity value.
    records: dict[str, int]


def account_overview(
    uow: UnitOfWork, account_id: str, now: datetime, *, attention: int = 10, failed: int = 5
) -> AccountOverview:
    """The overview of `account_id` at `now`: at most `attention` connections needing it and
    the `failed` newest failed deliveries."""
    repo = OverviewRepository(uow.connection, account_id)
    stored = repo.status_counts()
    counts = {status.value: stored.get(status.value, 0) for status in ConnectionStatus}
    hour = now.replace(minute=0, second=0, microsecond=0)
    starts = [hour - timedelta(hours=23 - i) for i in range(24)]
    volume = repo.event_counts([*starts, now])
    return AccountOverview(
        counts=counts,
        attention=connection_details(uow, repo.needing_attention(attention)),
        failed_deliveries=[DeliveryView.from_row(r) for r in repo.recent_failed_deliveries(failed)],
        event_volume=list(zip(starts, volume, strict=True)),
    )


def search_connections(
    uow: UnitOfWork,
    account_id: str,
    search: ConnectionSearch,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[ConnectionSummary], str | None]:
    """One page of the account's connections matching `search` (oldest first) with their last
    error, last successful sync and records per entity; and the cursor of the next page."""
    repo = OverviewRepository(uow.connection, account_id)
    rows = repo.search(search, after=decode_keyset(cursor) if cursor else None, limit=limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_keyset(rows[-1].created_at, rows[-1].id)
    records = repo.record_counts([r.id for r in rows])
    return [
        ConnectionSummary(detail, records[detail.id]) for detail in connection_details(uow, rows)
    ], next_cursor
