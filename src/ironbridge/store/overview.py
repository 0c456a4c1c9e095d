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

from sqlalchemy import Connection, and_, case, exists, func, or_, select

from .rows import ConnectionRow
from .tables import connections, deliveries, events, record_counts, sync_states
from .webhooks import DeliveryRow

__all__ = ["ConnectionSearch", "OverviewRepository"]

#: Statuses that need someone to act, most urgent first.
ATTENTION_STATUSES = ("auth_required", "offline")


@dataclass(frozen=True, slots=True)
class ConnectionSearch:
    """Filters of the operators' connection table; `text` matches the end customer's name or
    id (case-insensitive substring)."""

    status: str | None = None
    system: str | None = None
    text: str | None = None


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
        of some entity failed; most urgent first, the most recently changed first within."""
        failed_sync = exists().where(
            sync_states.c.connection_id == connections.c.id, sync_states.c.status == "failed"
        )
        urgency = case(
            (connections.c.status == ATTENTION_STATUSES[0], 0),
            (connections.c.status == ATTENTION_STATUSES[1], 1),
            else_=2,
        )
        query = (
            select(connections)
            .where(
                connections.c.account_id == self.account_id,
                or_(
                    connections.c.status.in_(ATTENTION_STATUSES),
                    and_(connections.c.status != "disconnected", failed_sync),
                ),
            )
            .order_by(urgency, connections.c.updated_at.desc(), connections.c.id)
            .limit(limit)
        )
        return [ConnectionRow(**r._mapping) for r in self._conn.execute(query)]

    def search(
        self, search: ConnectionSearch, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[ConnectionRow]:
        """One page of connections matching `search`, oldest first, after the keyset `after`."""
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
        if after is not None:
            created, last_id = after
            query = query.where(
                or_(
                    connections.c.created_at > created,
                    and_(connections.c.created_at == created, connections.c.id > last_id),
                )
            )
        query = query.order_by(connections.c.created_at, connections.c.id).limit(limit)
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

    def event_counts(self, bounds: Sequence[datetime]) -> list[int]:
        """Events of this account between each pair of consecutive `bounds` (ascending).

        Events are numbered in insertion order, so each bound is turned into the first
        position at or after it (one seek in the time index), and the account's events are
        counted by position range in its (account, position) index without reading a row.
        """
        positions: list[int | None] = []
        for bound in bounds:
            positions.append(
                self._conn.execute(
                    select(events.c.position)
                    .where(events.c.created_at >= bound)
                    .order_by(events.c.created_at)
                    .limit(1)
                ).scalar_one_or_none()
            )
        counts = []
        for start, end in pairwise(positions):
            if start is None:
                counts.append(0)
                continue
            query = select(func.count()).where(
                events.c.account_id == self.account_id, events.c.position >= start
            )
            if end is not None:
                query = query.where(events.c.position < end)
            counts.append(int(self._conn.execute(query).scalar_one()))
        return counts

    def recent_failed_deliveries(self, limit: int) -> list[DeliveryRow]:
        rows = self._conn.execute(
            select(deliveries)
            .where(deliveries.c.account_id == self.account_id, deliveries.c.status == "failed")
            .order_by(deliveries.c.created_at.desc(), deliveries.c.id.desc())
            .limit(limit)
        )
        return [DeliveryRow(**r._mapping) for r in rows]
