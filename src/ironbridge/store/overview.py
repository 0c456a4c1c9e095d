"""Account-wide read models for operators: status counts, connections needing attention, a
searchable connection list with record counts, event volume and recent failed deliveries.

Every query is scoped to one account and served by an index, so an account with thousands of
connections and millions of events is summarised in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, literal, or_, select

from .errorlog import ErrorRow
from .rows import ConnectionRow
from .tables import (
    connection_errors,
    connections,
    deliveries,
    events,
    record_counts,
    sync_states,
)
from .webhooks import DeliveryRow

__all__ = ["SORTS", "ConnectionSearch", "OverviewRepository"]

#: The orders the connection table offers, by name: the column each sorts on.
SORTS: dict[str, Any] = {
    "created": connections.c.created_at,
    "customer": connections.c.end_customer_name,
    "system": connections.c.system,
    "status": connections.c.status,
}
#: Statuses that need someone to act, most urgent first.
ATTENTION_STATUSES = ("auth_required", "offline")


@dataclass(frozen=True, slots=True)
class ConnectionSearch:
    """Filters of the operators' connection table; `text` matches the end customer's name or
    id (case-insensitive substring)."""

    status: str | None = None
    system: str | None = None
    text: str | None = None
    #: A key of `SORTS`; then by id, so equal values keep one order across pages.
    sort: str = "created"
    descending: bool = False


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class OverviewRepository:
    def __init__(self, conn: Connection, account_id: str) -> None:
        self._conn = conn
        self.account_id = account_id

    def status_counts(self) -> dict[str, int]:
        rows = self._conn.execute(
            select(connections.c.status, func.count())
            .where(connections.c.account_id == self.account_id)
            .group_by(connections.c.status)
        )
        return {status: int(count) for status, count in rows}

    def needing_attention(self, limit: int) -> list[ConnectionRow]:
        """Connections that need reauthorization or are offline, then those whose last sync
        of some entity failed; most urgent first, the most recently changed first within.

        Ordered by id alone first, so the sort holds no row, then the chosen rows are read."""
        failed_sync = select(sync_states.c.connection_id).where(sync_states.c.status == "failed")
        urgency = case(
            (connections.c.status == ATTENTION_STATUSES[0], 0),
            (connections.c.status == ATTENTION_STATUSES[1], 1),
            else_=2,
        )
        chosen = [
            connection_id
            for (connection_id,) in self._conn.execute(
                select(connections.c.id)
                .where(
                    connections.c.account_id == self.account_id,
                    or_(
                        connections.c.status.in_(ATTENTION_STATUSES),
                        and_(
                            connections.c.status != "disconnected",
                            connections.c.id.in_(failed_sync),
                        ),
                    ),
                )
                .order_by(urgency, connections.c.updated_at.desc(), connections.c.id)
                .limit(limit)
            )
        ]
        if not chosen:
            return []
        rows = {
            r.id: ConnectionRow(**r._mapping)
            for r in self._conn.execute(select(connections).where(connections.c.id.in_(chosen)))
        }
        return [rows[connection_id] for connection_id in chosen]

    def search(
        self, search: ConnectionSearch, *, after: tuple[Any, str] | None, limit: int
    ) -> list[ConnectionRow]:
        """One page of connections matching `search` in its order, after the keyset `after`
        (the sort column's value and the id of the previous page's last row)."""
        query = select(connections).where(connections.c.account_id == self.account_id)
        if search.status:
            query = query.where(connections.c.status == search.status)
        if search.system:
            query = query.where(connections.c.system == search.system)
        if search.text:
            pattern = f"%{_escape_like(search.text.lower())}%"
            query = query.where(
                or_(
                    func.lower(connections.c.end_customer_name).like(pattern, escape="\\"),
                    func.lower(connections.c.end_customer_id).like(pattern, escape="\\"),
                )
            )
        column, ids = SORTS[search.sort], connections.c.id
        if after is not None:
            value, last_id = after
            if search.descending:
                query = query.where(or_(column < value, and_(column == value, ids < last_id)))
            else:
                query = query.where(or_(column > value, and_(column == value, ids > last_id)))
        order = (column.desc(), ids.desc()) if search.descending else (column, ids)
        query = query.order_by(*order).limit(limit)
        return [ConnectionRow(**r._mapping) for r in self._conn.execute(query)]

    def record_counts(self, connection_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """Live records per entity of each connection (of this account) named."""
        counts: dict[str, dict[str, int]] = {cid: {} for cid in connection_ids}
        if not connection_ids:
            return counts
        rows = self._conn.execute(
            select(record_counts.c.connection_id, record_counts.c.entity, record_counts.c.live)
            .join(connections, connections.c.id == record_counts.c.connection_id)
            .where(
                connections.c.account_id == self.account_id,
                record_counts.c.connection_id.in_(list(connection_ids)),
            )
        )
        for connection_id, entity, live in rows:
            counts[connection_id][entity] = int(live)
        return counts

    def newest_errors(self, connection_ids: Sequence[str]) -> dict[str, ErrorRow]:
        """The newest error-log entry of each connection named that has one: one index seek
        per connection for its newest id, then one lookup of those rows."""
        if not connection_ids:
            return {}
        newest = (
            select(connection_errors.c.id)
            .where(connection_errors.c.connection_id == connections.c.id)
            .order_by(connection_errors.c.occurred_at.desc(), connection_errors.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        ids = [
            error_id
            for (error_id,) in self._conn.execute(
                select(newest).where(
                    connections.c.account_id == self.account_id,
                    connections.c.id.in_(list(connection_ids)),
                )
            )
            if error_id is not None
        ]
        if not ids:
            return {}
        rows = self._conn.execute(select(connection_errors).where(connection_errors.c.id.in_(ids)))
        return {r.connection_id: ErrorRow(**r._mapping) for r in rows}

    def last_successes(self, connection_ids: Sequence[str]) -> dict[str, datetime]:
        """When a sync of any entity of each connection named last succeeded (if ever)."""
        if not connection_ids:
            return {}
        rows = self._conn.execute(
            select(sync_states.c.connection_id, func.max(sync_states.c.last_success_at))
            .join(connections, connections.c.id == sync_states.c.connection_id)
            .where(
                connections.c.account_id == self.account_id,
                sync_states.c.connection_id.in_(list(connection_ids)),
            )
            .group_by(sync_states.c.connection_id)
        )
        return {connection_id: at for connection_id, at in rows if at is not None}

    def event_counts(self, bounds: Sequence[datetime]) -> list[int]:
        """Events of this account between each pair of consecutive `bounds` (ascending).

        Events are numbered in insertion order, so each bound is turned into the first
        position at or after it (one seek in the time index each), and the account's events
        are counted by position range in its (account, position) index without reading a row:
        two statements, whatever the number of events.
        """
        firsts = [
            select(events.c.position)
            .where(events.c.created_at >= bound)
            .order_by(events.c.created_at)
            .limit(1)
            .scalar_subquery()
            for bound in bounds
        ]
        positions = list(self._conn.execute(select(*firsts)).one())
        counted: list[ColumnElement[Any]] = []
        for start, end in pairwise(positions):
            if start is None:
                counted.append(literal(0))
                continue
            query = select(func.count()).where(
                events.c.account_id == self.account_id, events.c.position >= start
            )
            if end is not None:
                query = query.where(events.c.position < end)
            counted.append(query.scalar_subquery())
        return [int(count) for count in self._conn.execute(select(*counted)).one()]

    def recent_failed_deliveries(self, limit: int) -> list[DeliveryRow]:
        rows = self._conn.execute(
            select(deliveries)
            .where(deliveries.c.account_id == self.account_id, deliveries.c.status == "failed")
            .order_by(deliveries.c.created_at.desc(), deliveries.c.id.desc())
            .limit(limit)
        )
        return [DeliveryRow(**r._mapping) for r in rows]
