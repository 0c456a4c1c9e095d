"""What an operator sees first: an account's connections by status, those needing attention,
recent failed deliveries and event volume; and the searchable table of its connections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..connections import ConnectionStatus, ConnectionView
from ..errors import ValidationFailed
from ..store import ConnectionRow, UnitOfWork, decode_sorted, encode_sorted
from ..store.overview import SORTS, ConnectionSearch, OverviewRepository
from ..webhooks.deliveries import DeliveryView
from .summary import ConnectionDetail, last_error_view

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
        attention=[s.detail for s in _summaries(repo, repo.needing_attention(attention))],
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
    """One page of the account's connections matching `search` (in its order; oldest first by
    default) with their last error, last successful sync and records per entity; and the
    cursor of the next page."""
    if search.sort not in SORTS:
        raise ValidationFailed({"sort": f"one of {', '.join(SORTS)}"})
    order = f"{'-' if search.descending else ''}{search.sort}"
    after: tuple[Any, str] | None = None
    if cursor:
        value, last_id = decode_sorted(cursor, order)
        after = (_time(value) if search.sort == "created" else value, last_id)
    repo = OverviewRepository(uow.connection, account_id)
    rows = repo.search(search, after=after, limit=limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        key = (
            last.created_at.isoformat()
            if search.sort == "created"
            else getattr(last, _ATTR[search.sort])
        )
        next_cursor = encode_sorted(order, str(key), last.id)
    return _summaries(repo, rows), next_cursor


#: The row attribute each text sort order reads for its cursor.
_ATTR = {"customer": "end_customer_name", "system": "system", "status": "status"}


def _sort_value(row: ConnectionRow, sort: str) -> str:
    if sort == "created":
        return row.created_at.isoformat()
    return str(getattr(row, _ATTR[sort]))


def _time(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed({"cursor": "not a cursor returned by this API"}) from exc
    if at.utcoffset() is None:
        raise ValidationFailed({"cursor": "not a cursor returned by this API"})
    return at


def _summaries(repo: OverviewRepository, rows: list[ConnectionRow]) -> list[ConnectionSummary]:
    """`rows` as `connection_details` shows them, with their record counts; each fact read for
    the whole page in one query rather than one or two per connection."""
    ids = [row.id for row in rows]
    errors, successes = repo.newest_errors(ids), repo.last_successes(ids)
    records = repo.record_counts(ids)
    summaries = []
    for row in rows:
        error = errors.get(row.id)
        detail = ConnectionDetail(
            **dict(ConnectionView.from_row(row)),
            last_error=None if error is None else last_error_view(error),
            last_successful_sync_at=successes.get(row.id),
        )
        summaries.append(ConnectionSummary(detail, records[row.id]))
    return summaries
