"""Stored outcomes of writes sent with an Idempotency-Key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from .tables import idempotency_keys

__all__ = ["IdempotencyRecord", "IdempotencyRepository"]


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    id: str
    request_hash: str
    status_code: int | None
    response_body: str | None
    created_at: datetime


class IdempotencyRepository:
    """Keys of one scope (a connection, or an account for its management writes)."""

    def __init__(self, conn: Connection, scope: str) -> None:
        self._conn = conn
        self.scope = scope

    def find(self, key: str) -> IdempotencyRecord | None:
        row = self._conn.execute(
            select(
                idempotency_keys.c.id,
                idempotency_keys.c.request_hash,
                idempotency_keys.c.status_code,
                idempotency_keys.c.response_body,
                idempotency_keys.c.created_at,
            ).where(idempotency_keys.c.scope == self.scope, idempotency_keys.c.key == key)
        ).first()
        return IdempotencyRecord(*row) if row else None

    def claim(self, record_id: str, key: str, request_hash: str, at: datetime) -> bool:
        """Insert an in-progress row; False if the key already has one."""
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    idempotency_keys.insert().values(
                        id=record_id,
                        scope=self.scope,
                        key=key,
                        request_hash=request_hash,
                        created_at=at,
                    )
                )
        except IntegrityError:
            return False
        return True

    def complete(self, key: str, status_code: int, body: str) -> None:
        self._conn.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.scope == self.scope, idempotency_keys.c.key == key)
            .values(status_code=status_code, response_body=body)
        )

    def release(self, key: str) -> None:
        self._conn.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.scope == self.scope, idempotency_keys.c.key == key
            )
        )

    def purge_before(self, at: datetime) -> int:
        result = self._conn.execute(
            delete(idempotency_keys).where(idempotency_keys.c.created_at < at)
        )
        return int(result.rowcount)
