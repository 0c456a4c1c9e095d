"""Events (the outbox) and their per-connection sequence numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from .bulk import insert_rows
from .tables import accounts, connections, events

__all__ = ["EventQuery", "EventRepository", "EventRow", "NewEvent"]


@dataclass(frozen=True, slots=True)
class EventRow:
    position: int
    id: str
    account_id: str
    connection_id: str | None
    type: str
    sequence: int
    created_at: datetime
    data: dict[str, Any]

    def body(self) -> dict[str, Any]:
        """The event as webhooks and the events API carry it."""
        return {
            "id": self.id,
            "type": self.type,
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
            "connection_id": self.connection_id,
            "sequence": self.sequence,
            "data": self.data,
        }


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event just written: what fanning it out to webhook endpoints needs."""

    id: str
    type: str


@dataclass(frozen=True, slots=True)
class EventQuery:
    after: int | None = None
    types: Sequence[str] | None = None
    connection_id: str | None = None
    #: Only events created before this time (lets late commits of concurrent writers land).
    settled_before: datetime | None = None
    limit: int = 100


class EventRepository:
    """Events of one account."""

    def __init__(self, conn: Connection, account_id: str) -> None:
        self._conn = conn
        self.account_id = account_id

    def reserve_sequences(self, connection_id: str | None, count: int) -> int:
        """Reserve `count` sequence numbers; returns the first. Atomic under concurrency."""
        table = connections if connection_id else accounts
        key = connection_id or self.account_id
        # The row update takes the row lock, so concurrent writers get disjoint ranges.
        self._conn.execute(
            update(table)
            .where(table.c.id == key)
            .values(event_sequence=table.c.event_sequence + count)
        )
        last = self._conn.execute(
            select(table.c.event_sequence).where(table.c.id == key)
        ).scalar_one()
        return int(last) - count + 1

    def insert(
        self, rows: Sequence[dict[str, Any]], shared: Mapping[str, Any] | None = None
    ) -> list[NewEvent]:
        """Write events (`data` a dict, or `JSONText` to store as it is), in the given order.

        `shared` holds column values common to all of them (their connection, their time),
        converted for the database once rather than once per event.
        """
        if not rows:
            return []
        insert_rows(self._conn, events, rows, {**(shared or {}), "account_id": self.account_id})
        return [NewEvent(r["id"], r["type"]) for r in rows]

    def find(self, query: EventQuery) -> list[EventRow]:
        stmt = select(events).where(events.c.account_id == self.account_id)
        if query.after is not None:
            stmt = stmt.where(events.c.position > query.after)
        if query.types:
            stmt = stmt.where(events.c.type.in_(list(query.types)))
        if query.connection_id:
            stmt = stmt.where(events.c.connection_id == query.connection_id)
        if query.settled_before is not None:
            stmt = stmt.where(events.c.created_at < query.settled_before)
        stmt = stmt.order_by(events.c.position).limit(query.limit)
        return [EventRow(**r._mapping) for r in self._conn.execute(stmt)]

    def get_many(self, event_ids: Sequence[str]) -> dict[str, EventRow]:
        if not event_ids:
            return {}
        rows = self._conn.execute(
            select(events).where(
                events.c.account_id == self.account_id, events.c.id.in_(list(event_ids))
            )
        )
        return {r.id: EventRow(**r._mapping) for r in rows}

    def get(self, event_id: str) -> EventRow | None:
        row = self._conn.execute(
            select(events).where(events.c.account_id == self.account_id, events.c.id == event_id)
        ).first()
        return EventRow(**row._mapping) if row else None


def purge_events_before(conn: Connection, at: datetime) -> int:
    """Drop events older than the retention period (all accounts)."""
    return int(conn.execute(delete(events).where(events.c.created_at < at)).rowcount)
