"""Flows, their versions, their runs and each run's steps, scoped by account.

The durable-execution engine keeps its own checkpoints in its own tables; these rows are what
the API reads (status, trigger, version, per-step input and output, timings, errors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    literal,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError

from .bulk import insert_rows
from .tables import metadata
from .types import JSONType, UTCDateTime

__all__ = [
    "FlowRepository",
    "FlowRow",
    "RunRepository",
    "RunRow",
    "StepRow",
    "VersionRow",
    "flow_cursor",
    "flow_run_steps",
    "flow_runs",
    "flow_versions",
    "flows",
]

flows = Table(
    "flows",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    # The current version's definition (also in flow_versions), read by every dispatch.
    Column("definition", JSONType, nullable=False),
    Column("trigger_type", String(40), nullable=False),
    # Encrypted: {"secrets": {...}}, and the inbound trigger's secret.
    Column("secrets_ciphertext", Text, nullable=True),
    Column("trigger_secret_hash", String(64), nullable=False),
    Column("settings", JSONType, nullable=False),
    Column("next_run_at", UTCDateTime, nullable=True),
    Column("deleted", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_flows_account_trigger", "account_id", "trigger_type"),
)

flow_versions = Table(
    "flow_versions",
    metadata,
    Column("flow_id", String(40), ForeignKey("flows.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("definition", JSONType, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

flow_runs = Table(
    "flow_runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("flow_id", String(40), ForeignKey("flows.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("connection_id", String(40), ForeignKey("connections.id"), nullable=True),
    # What started it, unique per flow so a trigger seen twice starts one run.
    Column("trigger_key", String(120), nullable=True),
    Column("trigger", JSONType, nullable=False),
    Column("test", Boolean, nullable=False),
    Column("status", String(20), nullable=False),
    # A retry starts at `from_step` with the outputs of the steps before it.
    Column("resume", JSONType, nullable=True),
    Column("retry_of", String(40), nullable=True),
    Column("error", JSONType, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("started_at", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
    UniqueConstraint("flow_id", "trigger_key"),
    Index("ix_flow_runs_flow_created", "flow_id", "created_at", "id"),
    Index("ix_flow_runs_status", "status", "created_at"),
)

flow_run_steps = Table(
    "flow_run_steps",
    metadata,
    Column("run_id", String(40), ForeignKey("flow_runs.id"), primary_key=True),
    Column("step_id", String(40), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("input", JSONType, nullable=True),
    Column("output", JSONType, nullable=True),
    Column("error", JSONType, nullable=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
)

# The position in the events table up to which record and connection events were dispatched.
flow_cursor = Table(
    "flow_cursor",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


@dataclass(frozen=True, slots=True)
class FlowRow:
    id: str
    account_id: str
    name: str
    enabled: bool
    version: int
    definition: dict[str, Any]
    trigger_type: str
    secrets_ciphertext: str | None
    trigger_secret_hash: str
    settings: dict[str, Any]
    next_run_at: datetime | None
    deleted: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class VersionRow:
    flow_id: str
    version: int
    definition: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RunRow:
    id: str
    account_id: str
    flow_id: str
    version: int
    connection_id: str | None
    trigger_key: str | None
    trigger: dict[str, Any]
    test: bool
    status: str
    resume: dict[str, Any] | None
    retry_of: str | None
    error: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class StepRow:
    run_id: str
    step_id: str
    position: int
    status: str
    attempts: int
    input: Any
    output: Any
    error: dict[str, Any] | None
    started_at: datetime
    finished_at: datetime | None


class FlowRepository:
    """Flows and versions of one account (or of every account, for dispatch: `None`)."""

    def __init__(self, conn: Connection, account_id: str | None) -> None:
        self._conn = conn
        self._account_id = account_id

    def _scoped(self, stmt: Any) -> Any:
        if self._account_id is not None:
            stmt = stmt.where(flows.c.account_id == self._account_id)
        return stmt

    def add(self, row: dict[str, Any]) -> FlowRow:
        self._conn.execute(insert(flows).values(**row))
        self._conn.execute(
            insert(flow_versions).values(
                flow_id=row["id"],
                version=row["version"],
                definition=row["definition"],
                created_at=row["created_at"],
            )
        )
        return FlowRow(**row)

    def get(self, flow_id: str, *, for_update: bool = False) -> FlowRow | None:
        stmt = self._scoped(select(flows).where(flows.c.id == flow_id, flows.c.deleted.is_(False)))
        if for_update:
            stmt = stmt.with_for_update()
        found = self._conn.execute(stmt).mappings().first()
        return FlowRow(**found) if found else None

    def get_any(self, flow_id: str) -> FlowRow | None:
        """A flow of any account (to say 403 rather than 404)."""
        found = self._conn.execute(select(flows).where(flows.c.id == flow_id)).mappings().first()
        return FlowRow(**found) if found and not found["deleted"] else None

    def page(self, *, after: str | None, limit: int) -> list[FlowRow]:
        stmt = self._scoped(select(flows).where(flows.c.deleted.is_(False)))
        if after is not None:
            stmt = stmt.where(flows.c.id > after)
        rows = self._conn.execute(stmt.order_by(flows.c.id).limit(limit)).mappings()
        return [FlowRow(**row) for row in rows]

    def enabled_with_trigger(self, trigger_types: Sequence[str]) -> list[FlowRow]:
        stmt = self._scoped(
            select(flows).where(
                flows.c.enabled.is_(True),
                flows.c.deleted.is_(False),
                flows.c.trigger_type.in_(trigger_types),
            )
        )
        return [FlowRow(**row) for row in self._conn.execute(stmt).mappings()]

    def change(self, flow_id: str, values: dict[str, Any]) -> None:
        self._conn.execute(update(flows).where(flows.c.id == flow_id).values(**values))

    def add_version(
        self, flow_id: str, version: int, definition: dict[str, Any], at: datetime
    ) -> None:
        self._conn.execute(
            insert(flow_versions).values(
                flow_id=flow_id, version=version, definition=definition, created_at=at
            )
        )

    def versions(self, flow_id: str) -> list[VersionRow]:
        stmt = (
            select(flow_versions)
            .where(flow_versions.c.flow_id == flow_id)
            .order_by(flow_versions.c.version.desc())
        )
        return [VersionRow(**row) for row in self._conn.execute(stmt).mappings()]

    def version(self, flow_id: str, version: int) -> VersionRow | None:
        stmt = select(flow_versions).where(
            flow_versions.c.flow_id == flow_id, flow_versions.c.version == version
        )
        found = self._conn.execute(stmt).mappings().first()
        return VersionRow(**found) if found else None

    def cursor(self, name: str) -> int | None:
        found = self._conn.execute(
            select(flow_cursor.c.position).where(flow_cursor.c.name == name)
        ).scalar()
        return None if found is None else int(found)

    def set_cursor(self, name: str, position: int) -> None:
        done = self._conn.execute(
            update(flow_cursor).where(flow_cursor.c.name == name).values(position=position)
        )
        if done.rowcount == 0:
            self._conn.execute(insert(flow_cursor).values(name=name, position=position))


class RunRepository:
    """Runs and their steps, scoped by account (`None`: the engine, which knows run ids)."""

    def __init__(self, conn: Connection, account_id: str | None) -> None:
        self._conn = conn
        self._account_id = account_id

    def add(self, row: dict[str, Any]) -> bool:
        """Insert a run; False when its flow already has a run for this trigger key."""
        if row.get("trigger_key") is not None:
            exists = self._conn.execute(
                select(flow_runs.c.id).where(
                    flow_runs.c.flow_id == row["flow_id"],
                    flow_runs.c.trigger_key == row["trigger_key"],
                )
            ).first()
            if exists:
                return False
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(flow_runs).values(**row))
        except IntegrityError:
            return False
        return True

    def get(self, run_id: str) -> RunRow | None:
        stmt = select(flow_runs).where(flow_runs.c.id == run_id)
        if self._account_id is not None:
            stmt = stmt.where(flow_runs.c.account_id == self._account_id)
        found = self._conn.execute(stmt).mappings().first()
        return RunRow(**found) if found else None

    def page(
        self, flow_id: str, *, before: tuple[datetime, str] | None, limit: int
    ) -> list[RunRow]:
        stmt = select(flow_runs).where(flow_runs.c.flow_id == flow_id)
        if before is not None:
            stmt = stmt.where(tuple_(flow_runs.c.created_at, flow_runs.c.id) < tuple_(*before))
        stmt = stmt.order_by(flow_runs.c.created_at.desc(), flow_runs.c.id.desc()).limit(limit)
        return [RunRow(**row) for row in self._conn.execute(stmt).mappings()]

    def with_status(self, statuses: Sequence[str], *, limit: int = 500) -> list[RunRow]:
        stmt = (
            select(flow_runs)
            .where(flow_runs.c.status.in_(statuses))
            .order_by(flow_runs.c.created_at)
            .limit(limit)
        )
        return [RunRow(**row) for row in self._conn.execute(stmt).mappings()]

    def change(self, run_id: str, values: dict[str, Any], *, unless: Sequence[str] = ()) -> bool:
        stmt = update(flow_runs).where(flow_runs.c.id == run_id)
        if unless:
            stmt = stmt.where(flow_runs.c.status.not_in(unless))
        return bool(self._conn.execute(stmt.values(**values)).rowcount)

    def steps(self, run_id: str) -> list[StepRow]:
        stmt = (
            select(flow_run_steps)
            .where(flow_run_steps.c.run_id == run_id)
            .order_by(flow_run_steps.c.position, flow_run_steps.c.started_at)
        )
        return [StepRow(**row) for row in self._conn.execute(stmt).mappings()]

    def step(self, run_id: str, step_id: str) -> StepRow | None:
        stmt = select(flow_run_steps).where(
            flow_run_steps.c.run_id == run_id, flow_run_steps.c.step_id == step_id
        )
        found = self._conn.execute(stmt).mappings().first()
        return StepRow(**found) if found else None

    def save_steps(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert or replace the rows of steps of a run (each with every column)."""
        if not rows:
            return
        by_run: dict[str, list[str]] = {}
        for row in rows:
            by_run.setdefault(row["run_id"], []).append(row["step_id"])
        for run_id, step_ids in by_run.items():
            self._conn.execute(
                delete(flow_run_steps).where(
                    flow_run_steps.c.run_id == run_id, flow_run_steps.c.step_id.in_(step_ids)
                )
            )
        # A step saved twice in one batch (a retried attempt) keeps its last row.
        last = {(row["run_id"], row["step_id"]): row for row in rows}
        insert_rows(self._conn, flow_run_steps, list(last.values()))

    def finish(
        self,
        run_id: str,
        status: str,
        error: dict[str, Any] | None,
        *,
        at: datetime,
        started_at: datetime,
    ) -> bool:
        """End a run that has not ended (`started_at` where it has none); whether it did."""
        stmt = (
            update(flow_runs)
            .where(
                flow_runs.c.id == run_id,
                flow_runs.c.status.not_in(("succeeded", "failed", "cancelled")),
            )
            .values(
                status=status,
                error=error,
                finished_at=at,
                started_at=func.coalesce(
                    flow_runs.c.started_at, literal(started_at, flow_runs.c.started_at.type)
                ),
            )
        )
        return bool(self._conn.execute(stmt).rowcount)

    def purge_before(self, at: datetime) -> int:
        """Delete finished runs (and their steps) created before `at`."""
        old = select(flow_runs.c.id).where(
            flow_runs.c.created_at < at, flow_runs.c.finished_at.is_not(None)
        )
        self._conn.execute(delete(flow_run_steps).where(flow_run_steps.c.run_id.in_(old)))
        return int(self._conn.execute(delete(flow_runs).where(flow_runs.c.id.in_(old))).rowcount)
