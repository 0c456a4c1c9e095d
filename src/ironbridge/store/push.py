"""A connection's push subscriptions at its source: one row per pushed entity.

A row is `live` while the source keeps the subscription (its id, ETag and expiry are here),
or `failed` with the reason when the source refused it (the public URL unreachable, say).
The client state that authenticates notifications is kept only as its SHA-256 digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Column, Connection, ForeignKey, String, Table, Text, delete, select

from .tables import metadata
from .types import UTCDateTime

__all__ = ["FAILED", "LIVE", "PushRepository", "PushRow", "push_subscriptions"]

LIVE: Final = "live"
FAILED: Final = "failed"

push_subscriptions = Table(
    "push_subscriptions",
    metadata,
    Column("connection_id", String(40), ForeignKey("connections.id"), primary_key=True),
    Column("entity", String(32), primary_key=True),
    # live | failed
    Column("status", String(16), nullable=False),
    # The source's subscription id, ETag and expiry; NULL while none is live.
    Column("remote_id", String(255), nullable=True),
    Column("etag", String(255), nullable=True),
    Column("expires_at", UTCDateTime, nullable=True),
    # SHA-256 of the subscription's client state: 256 random bits, so a plain digest.
    Column("client_state_hash", String(64), nullable=True),
    Column("error", Text, nullable=True),
    Column("attempted_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True, slots=True)
class PushRow:
    connection_id: str
    entity: str
    status: str
    remote_id: str | None
    etag: str | None
    expires_at: datetime | None
    client_state_hash: str | None
    error: str | None
    attempted_at: datetime


class PushRepository:
    """The push subscriptions of one connection."""

    def __init__(self, conn: Connection, connection_id: str) -> None:
        self._conn = conn
        self.connection_id = connection_id

    def list(self) -> Sequence[PushRow]:
        rows = self._conn.execute(
            select(push_subscriptions)
            .where(push_subscriptions.c.connection_id == self.connection_id)
            .order_by(push_subscriptions.c.entity)
        )
        return [PushRow(**r._mapping) for r in rows]

    def put(self, entity: str, **values: Any) -> None:
        """Insert or replace the row of `entity`."""
        self.remove(entity)
        self._conn.execute(
            push_subscriptions.insert().values(
                connection_id=self.connection_id, entity=entity, **values
            )
        )

    def remove(self, entity: str | None = None) -> None:
        """Delete the row of `entity`, or every row of the connection."""
        stmt = delete(push_subscriptions).where(
            push_subscriptions.c.connection_id == self.connection_id
        )
        if entity is not None:
            stmt = stmt.where(push_subscriptions.c.entity == entity)
        self._conn.execute(stmt)
