"""Sync state per (connection, entity) and the history of sync runs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select, update

from .bulk import conflict_insert
from .tables import sync_runs, sync_seen, sync_states
from .types import utcnow

__all__ = ["SyncRepository", "SyncRunRow", "SyncStateRow"]


@dataclass(frozen=True, slots=True)
class SyncStateRow:
    connection_id: str
    entity: str
    cursor_at: datetime | None
    cursor_id: str | None
    status: str
    last_success_at: datetime | None
    last_full_at: datetime | None
    next_run_at: datetime | None
    records_seen: int
    last_error: dict[str, Any] | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SyncRunRow:
    id: str
    connection_id: str
    entity: str
    mode: str
    status: str
    trigger: str
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    created: int
    updated: int
    deleted: int
    unchanged: int
    failed: int
    pages: int
    error: dict[str, Any] | None


class SyncRepository:
    """Sync state and runs of one connection."""

    def __init__(self, conn: Connection, connection_id: str) -> None:
        self._conn = conn
        self.connection_id = connection_id

    # state
    def states(self) -> list[SyncStateRow]:
        rows = self._conn.execute(
            select(sync_states)
            .where(sync_states.c.connection_id == self.connection_id)
            .order_by(sync_states.c.entity)
        )
        return [SyncStateRow(**r._mapping) for r in rows]

    def state(self, entity: str) -> SyncStateRow | None:
        row = self._conn.execute(
            select(sync_states).where(
                sync_states.c.connection_id == self.connection_id,
                sync_states.c.entity == entity,
            )
        ).first()
        return SyncStateRow(**row._mapping) if row else None

    def ensure_state(self, entity: str) -> SyncStateRow:
        found = self.state(entity)
        if found is not None:
            return found
        now = utcnow()
        self._conn.execute(
            sync_states.insert().values(
                connection_id=self.connection_id,
                entity=entity,
                status="idle",
                records_seen=0,
                updated_at=now,
            )
        )
        state = self.state(entity)
        assert state is not None
        return state

    def update_state(self, entity: str, **values: Any) -> None:
        values.setdefault("updated_at", utcnow())
        self._conn.execute(
            update(sync_states)
            .where(
                sync_states.c.connection_id == self.connection_id,
                sync_states.c.entity == entity,
            )
            .values(**values)
        )

    # what a full run has read
    def add_seen(self, run_id: str, remote_ids: Iterable[str]) -> None:
        """Note `remote_ids` as read by the full run `run_id` (a repeat is noted once)."""
        rows = [
            {"connection_id": self.connection_id, "run_id": run_id, "remote_id": remote_id}
            for remote_id in remote_ids
        ]
        if not rows:
            return
        self._conn.execute(conflict_insert(self._conn, sync_seen).on_conflict_do_nothing(), rows)

    def clear_seen(self, run_id: str) -> None:
        """Forget what the run `run_id` read (when it ends, or starts its pass again)."""
        self._conn.execute(
            delete(sync_seen).where(
                sync_seen.c.connection_id == self.connection_id, sync_seen.c.run_id == run_id
            )
        )

    # runs
    def add_run(self, row: SyncRunRow) -> None:
        self._conn.execute(
            sync_runs.insert().values(
                {name: getattr(row, name) for name in row.__dataclass_fields__}
            )
        )

    def run(self, run_id: str) -> SyncRunRow | None:
        row = self._conn.execute(
            select(sync_runs).where(
                sync_runs.c.connection_id == self.connection_id, sync_runs.c.id == run_id
            )
        ).first()
        return SyncRunRow(**row._mapping) if row else None

    def update_run(self, run_id: str, **values: Any) -> None:
        self._conn.execute(
            update(sync_runs)
            .where(sync_runs.c.connection_id == self.connection_id, sync_runs.c.id == run_id)
            .values(**values)
        )

    def runs(
        self,
        *,
        entity: str | None = None,
        before: tuple[datetime, str] | None = None,
        limit: int = 50,
    ) -> list[SyncRunRow]:
        """Newest first."""
        stmt = select(sync_runs).where(sync_runs.c.connection_id == self.connection_id)
        if entity:
            stmt = stmt.where(sync_runs.c.entity == entity)
        if before is not None:
            at, last_id = before
            stmt = stmt.where(
                or_(
                    sync_runs.c.queued_at < at,
                    and_(sync_runs.c.queued_at == at, sync_runs.c.id < last_id),
                )
            )
        stmt = stmt.order_by(sync_runs.c.queued_at.desc(), sync_runs.c.id.desc()).limit(limit)
        return [SyncRunRow(**r._mapping) for r in self._conn.execute(stmt)]

    def pending_runs(self) -> Sequence[SyncRunRow]:
        rows = self._conn.execute(
            select(sync_runs)
            .where(
                sync_runs.c.connection_id == self.connection_id,
                sync_runs.c.status.in_(("queued", "running")),
            )
            .order_by(sync_runs.c.queued_at, sync_runs.c.id)
        )
        return [SyncRunRow(**r._mapping) for r in rows]
