"""A connection's own error log: every upstream failure, kept for the integrator to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from .tables import connection_errors

__all__ = ["ErrorLogRepository", "ErrorRow"]


@dataclass(frozen=True, slots=True)
class ErrorRow:
    id: str
    connection_id: str
    occurred_at: datetime
    operation: str
    entity: str | None
    remote_id: str | None
    code: str
    message: str
    request_id: str | None
    run_id: str | None


class ErrorLogRepository:
    def __init__(self, conn: Connection, connection_id: str) -> None:
        self._conn = conn
        self.connection_id = connection_id

    def add(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._conn.execute(
                connection_errors.insert(),
                [dict(r, connection_id=self.connection_id) for r in rows],
            )

    def newest(self, *, before: tuple[datetime, str] | None, limit: int) -> list[ErrorRow]:
        stmt = select(connection_errors).where(
            connection_errors.c.connection_id == self.connection_id
        )
        if before is not None:
            at, last_id = before
            stmt = stmt.where(
                or_(
                    connection_errors.c.occurred_at < at,
                    and_(connection_errors.c.occurred_at == at, connection_errors.c.id < last_id),
                )
            )
        stmt = stmt.order_by(
            connection_errors.c.occurred_at.desc(), connection_errors.c.id.desc()
        ).limit(limit)
        return [ErrorRow(**r._mapping) for r in self._conn.execute(stmt)]
