"""Webhook endpoints, deliveries and delivery attempts, scoped by account."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update

from .tables import deliveries, delivery_attempts, webhook_endpoints

__all__ = [
    "AttemptRow",
    "DeliveryQuery",
    "DeliveryRepository",
    "DeliveryRow",
    "EndpointRepository",
    "EndpointRow",
]


@dataclass(frozen=True, slots=True)
class EndpointRow:
    id: str
    account_id: str
    url: str
    description: str | None
    secrets: list[dict[str, Any]]
    event_types: list[str] | None
    connection_ids: list[str] | None
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime

    def accepts(self, event_type: str, connection_id: str | None) -> bool:
        """Whether an event of this type and connection goes to this endpoint."""
        if not self.enabled:
            return False
        if self.event_types is not None and event_type not in self.event_types:
            return False
        return not (
            self.connection_ids is not None
            and connection_id is not None
            and connection_id not in self.connection_ids
        )


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: str
    account_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    first_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AttemptRow:
    id: str
    delivery_id: str
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error: str | None
    manual: bool


@dataclass(frozen=True, slots=True)
class DeliveryQuery:
    status: str | None = None
    endpoint_id: str | None = None
    event_type: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    after: tuple[datetime, str] | None = None
    limit: int = 100


class EndpointRepository:
    def __init__(self, conn: Connection, account_id: str) -> None:
        self._conn = conn
        self.account_id = account_id

    def add(self, row: EndpointRow) -> None:
        values = {name: getattr(row, name) for name in row.__dataclass_fields__}
        self._conn.execute(webhook_endpoints.insert().values(**values))

    def get(self, endpoint_id: str) -> EndpointRow | None:
        row = self._conn.execute(
            select(webhook_endpoints).where(
                webhook_endpoints.c.account_id == self.account_id,
                webhook_endpoints.c.id == endpoint_id,
            )
        ).first()
        return EndpointRow(**row._mapping) if row else None

    def all(self) -> list[EndpointRow]:
        rows = self._conn.execute(
            select(webhook_endpoints)
            .where(webhook_endpoints.c.account_id == self.account_id)
            .order_by(webhook_endpoints.c.created_at, webhook_endpoints.c.id)
        )
        return [EndpointRow(**r._mapping) for r in rows]

    def enabled(self) -> list[EndpointRow]:
        return [e for e in self.all() if e.enabled]

    def update(self, endpoint_id: str, **values: Any) -> None:
        self._conn.execute(
            update(webhook_endpoints)
            .where(
                webhook_endpoints.c.account_id == self.account_id,
                webhook_endpoints.c.id == endpoint_id,
            )
            .values(**values)
        )

    def delete(self, endpoint_id: str) -> None:
        # Deliveries keep their history; the endpoint is only switched off and hidden.
        self.update(endpoint_id, enabled=False, disabled_reason="deleted")


class DeliveryRepository:
    """Deliveries; `account_id=None` only for the worker's cross-account sweep."""

    def __init__(self, conn: Connection, account_id: str | None) -> None:
        self._conn = conn
        self.account_id = account_id

    def _scoped(self, stmt: Any) -> Any:
        if self.account_id is not None:
            stmt = stmt.where(deliveries.c.account_id == self.account_id)
        return stmt

    def add_many(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self._conn.execute(deliveries.insert(), list(rows))

    def get(self, delivery_id: str) -> DeliveryRow | None:
        row = self._conn.execute(
            self._scoped(select(deliveries).where(deliveries.c.id == delivery_id))
        ).first()
        return DeliveryRow(**row._mapping) if row else None

    def update(self, delivery_id: str, **values: Any) -> None:
        self._conn.execute(
            self._scoped(update(deliveries).where(deliveries.c.id == delivery_id)).values(**values)
        )

    def claim(self, delivery_id: str, now: datetime, until: datetime, *, manual: bool) -> bool:
        """Reserve a delivery for one sender: only one concurrent claim can succeed."""
        stmt = update(deliveries).where(deliveries.c.id == delivery_id)
        if not manual:
            stmt = stmt.where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now)
        result = self._conn.execute(stmt.values(next_attempt_at=until, status="pending"))
        return bool(result.rowcount)

    def claim_due(self, now: datetime, until: datetime, limit: int) -> list[DeliveryRow]:
        """Reserve up to `limit` due deliveries for one sender; concurrent callers get
        disjoint sets (the update re-checks each row, and a unique marker says which we won)."""
        marker = until + timedelta(microseconds=secrets.randbelow(1_000_000))
        ids = [
            row.id
            for row in self._conn.execute(
                self._scoped(
                    select(deliveries.c.id)
                    .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now)
                    .order_by(deliveries.c.next_attempt_at)
                    .limit(limit)
                )
            )
        ]
        if not ids:
            return []
        self._conn.execute(
            update(deliveries)
            .where(
                deliveries.c.id.in_(ids),
                deliveries.c.status == "pending",
                deliveries.c.next_attempt_at <= now,
            )
            .values(next_attempt_at=marker)
        )
        rows = self._conn.execute(
            select(deliveries).where(
                deliveries.c.id.in_(ids), deliveries.c.next_attempt_at == marker
            )
        )
        return [DeliveryRow(**r._mapping) for r in rows]

    def next_due_at(self) -> datetime | None:
        """When the earliest pending delivery falls due."""
        value: datetime | None = self._conn.execute(
            self._scoped(
                select(func.min(deliveries.c.next_attempt_at)).where(
                    deliveries.c.status == "pending"
                )
            )
        ).scalar_one_or_none()
        return value

    def due(self, now: datetime, limit: int = 500) -> list[DeliveryRow]:
        rows = self._conn.execute(
            self._scoped(
                select(deliveries)
                .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now)
                .order_by(deliveries.c.next_attempt_at)
                .limit(limit)
            )
        )
        return [DeliveryRow(**r._mapping) for r in rows]

    def find(self, query: DeliveryQuery) -> list[DeliveryRow]:
        stmt = self._scoped(select(deliveries))
        if query.status:
            stmt = stmt.where(deliveries.c.status == query.status)
        if query.endpoint_id:
            stmt = stmt.where(deliveries.c.endpoint_id == query.endpoint_id)
        if query.event_type:
            stmt = stmt.where(deliveries.c.event_type == query.event_type)
        if query.created_after:
            stmt = stmt.where(deliveries.c.created_at >= query.created_after)
        if query.created_before:
            stmt = stmt.where(deliveries.c.created_at < query.created_before)
        if query.after:
            at, last_id = query.after
            stmt = stmt.where(
                or_(
                    deliveries.c.created_at > at,
                    and_(deliveries.c.created_at == at, deliveries.c.id > last_id),
                )
            )
        stmt = stmt.order_by(deliveries.c.created_at, deliveries.c.id).limit(query.limit)
        return [DeliveryRow(**r._mapping) for r in self._conn.execute(stmt)]

    def update_many(self, changes: Sequence[Mapping[str, Any]]) -> None:
        """Change many deliveries in one executemany statement: each mapping holds the
        delivery's `id` and the new values, under the same keys in every mapping."""
        if not changes:
            return
        columns = [name for name in changes[0] if name != "id"]
        stmt = self._scoped(update(deliveries).where(deliveries.c.id == bindparam("b_id"))).values(
            {name: bindparam(f"b_{name}", type_=deliveries.c[name].type) for name in columns}
        )
        self._conn.execute(
            stmt, [{f"b_{name}": change[name] for name in ("id", *columns)} for change in changes]
        )

    def add_attempt(self, row: AttemptRow) -> None:
        self.add_attempts([row])

    def add_attempts(self, rows: Sequence[AttemptRow]) -> None:
        """Insert attempt rows in one executemany statement."""
        if rows:
            fields = AttemptRow.__dataclass_fields__
            self._conn.execute(
                delivery_attempts.insert(),
                [{name: getattr(row, name) for name in fields} for row in rows],
            )

    def attempts(self, delivery_id: str) -> list[AttemptRow]:
        rows = self._conn.execute(
            select(delivery_attempts)
            .where(delivery_attempts.c.delivery_id == delivery_id)
            .order_by(delivery_attempts.c.attempted_at, delivery_attempts.c.id)
        )
        return [AttemptRow(**r._mapping) for r in rows]
