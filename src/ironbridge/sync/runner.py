"""Running one sync of one entity of one connection, one committed transaction per page."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ..connections import ConnectionStatus
from ..connectors import ConnectorRegistry, SessionOptions
from ..errors import (
    ConnectionReauthRequired,
    ConnectionUnavailable,
    IronbridgeError,
    RateLimitExceeded,
    UpstreamError,
    ValidationFailed,
)
from ..logs import get_logger
from ..model import Entity
from ..security import CredentialCipher
from ..store import UnitOfWork, UnitOfWorkFactory, utcnow
from ..store.locks import acquire_lock, release_lock, renew_lock
from ..store.records import RecordChange, RecordRepository, RecordWrite
from ..store.sync import SyncRepository
from ..unified import Projector
from .cursor import ChangeCursor

__all__ = ["ChangeHook", "RunOutcome", "SyncContext", "execute_run", "sync_lock_name"]

_log = get_logger("ironbridge.sync")
LOCK_LEASE = timedelta(minutes=10)

#: Called inside each page's transaction with the changes it made (the transactional outbox).
ChangeHook = Callable[[UnitOfWork, str, Entity, Sequence[RecordChange]], None]


@dataclass(frozen=True)
class SyncContext:
    uow: UnitOfWorkFactory
    registry: ConnectorRegistry
    cipher: CredentialCipher
    options: SessionOptions
    page_size: int = 500
    on_changes: ChangeHook | None = None
    #: Called with (connection_id, entity, run_id, outcome) after each run ends.
    on_finished: Callable[[str, Entity, str, RunOutcome], None] | None = None


@dataclass
class RunOutcome:
    status: str = "running"
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failed: int = 0
    pages: int = 0
    error: dict[str, Any] | None = None
    retry_after: float | None = None
    record_errors: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "pages": self.pages,
        }


def sync_lock_name(connection_id: str) -> str:
    return f"sync:{connection_id}"


def _error_dict(exc: IronbridgeError, record: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.details:
        data["details"] = exc.details
    if record:
        data["record"] = record
    return data


def execute_run(ctx: SyncContext, connection_id: str, run_id: str) -> RunOutcome:
    """Run a queued sync run to its end and record how it ended.

    One run per connection at a time (a database lease shared by every process); a run that
    cannot take the lease stays queued for the next attempt.
    """
    owner = uuid.uuid4().hex
    lock = sync_lock_name(connection_id)
    if not acquire_lock(ctx.uow.engine, lock, owner, LOCK_LEASE):
        return RunOutcome(status="queued")
    try:
        return _execute_locked(
            ctx, connection_id, run_id, lambda: renew_lock(ctx.uow.engine, lock, owner, LOCK_LEASE)
        )
    finally:
        release_lock(ctx.uow.engine, lock, owner)


def _execute_locked(
    ctx: SyncContext, connection_id: str, run_id: str, renew: Callable[[], bool]
) -> RunOutcome:
    with ctx.uow() as uow:
        connection = uow.connections.get_for_token(connection_id)
        runs = SyncRepository(uow.connection, connection_id)
        run = runs.run(run_id)
        if connection is None or run is None or run.status not in {"queued", "running"}:
            return RunOutcome(status="skipped")
        entity = Entity(run.entity)
        if connection.status == ConnectionStatus.DISCONNECTED.value:
            runs.update_run(
                run_id,
                status="failed",
                finished_at=utcnow(),
                error={
                    "code": "CONNECTION_DISCONNECTED",
                    "message": "The connection is disconnected.",
                },
            )
            uow.commit()
            return RunOutcome(status="failed")
        state = runs.ensure_state(entity.value)
        now = utcnow()
        runs.update_run(run_id, status="running", started_at=now)
        runs.update_state(entity.value, status="running")
        if connection.status in {ConnectionStatus.ACTIVE.value, ConnectionStatus.OFFLINE.value}:
            uow.connections.update(
                connection.account_id,
                connection_id,
                status=ConnectionStatus.SYNCING.value,
                updated_at=now,
            )
        uow.commit()
    full = run.mode == "full"
    cursor = ChangeCursor(state.cursor_at, state.cursor_id)
    history_days = connection.settings.get("history_days")
    window_start = now - timedelta(days=history_days) if history_days else None
    since = window_start if full or cursor.at is None else cursor.since()
    connector = ctx.registry.get(connection.system)
    mappings = connection.settings.get("field_mappings", {}).get(entity.value, {})
    projector = Projector(connector, connection_id, entity, mappings)
    outcome = RunOutcome()
    seen: set[str] = set()
    final_connection_status = ConnectionStatus.ACTIVE.value
    try:
        credentials = ctx.cipher.decrypt(connection.credentials_ciphertext)
        with connector.session(credentials, options=ctx.options) as session:
            for page in session.list_changes(entity, since, page_size=ctx.page_size):
                writes: list[RecordWrite] = []
                for raw in page:
                    seen.add(raw.remote_id)
                    try:
                        writes.append(projector.write(raw))
                    except (ValidationFailed, UpstreamError) as exc:
                        outcome.failed += 1
                        if len(outcome.record_errors) < 20:
                            outcome.record_errors.append(_error_dict(exc, raw.remote_id))
                    cursor = cursor.advance(raw.modified_at, raw.remote_id)
                with ctx.uow() as uow:
                    changes = RecordRepository(uow.connection, connection_id).upsert(
                        entity.value, writes
                    )
                    _count(outcome, changes, len(writes))
                    if ctx.on_changes and changes:
                        ctx.on_changes(uow, connection_id, entity, changes)
                    outcome.pages += 1
                    runs = SyncRepository(uow.connection, connection_id)
                    runs.update_state(entity.value, cursor_at=cursor.at, cursor_id=cursor.remote_id)
                    runs.update_run(run_id, **outcome.counts())
                    uow.commit()
                renew()
        if full:
            # Deletions are decided only now, after a complete pass succeeded.
            with ctx.uow() as uow:
                repo = RecordRepository(uow.connection, connection_id)
                vanished = repo.live_remote_ids(entity.value, since=window_start) - seen
                changes = repo.mark_deleted(entity.value, vanished)
                outcome.deleted += len(changes)
                if ctx.on_changes and changes:
                    ctx.on_changes(uow, connection_id, entity, changes)
                uow.commit()
        outcome.status = "succeeded" if not outcome.failed else "partial"
        if outcome.record_errors:
            outcome.error = {
                "code": "RECORDS_FAILED",
                "message": f"{outcome.failed} records could not be mapped.",
                "records": outcome.record_errors,
            }
    except RateLimitExceeded as exc:
        # The quota is spent: keep what was committed and pick up on the next run.
        outcome.status = "partial"
        outcome.error = _error_dict(exc)
        outcome.retry_after = exc.retry_after
    except ConnectionReauthRequired as exc:
        outcome.status = "failed"
        outcome.error = _error_dict(exc)
        final_connection_status = ConnectionStatus.AUTH_REQUIRED.value
    except ConnectionUnavailable as exc:
        outcome.status = "failed"
        outcome.error = _error_dict(exc)
        outcome.retry_after = exc.retry_after
        final_connection_status = ConnectionStatus.OFFLINE.value
    except IronbridgeError as exc:
        outcome.status = "failed"
        outcome.error = _error_dict(exc)
        outcome.retry_after = exc.retry_after
    except Exception as exc:
        _log.error("sync_crashed", connection_id=connection_id, entity=entity.value, exc_info=exc)
        outcome.status = "failed"
        outcome.error = {"code": "INTERNAL_ERROR", "message": "The sync failed unexpectedly."}
    _finish(ctx, connection_id, entity, run_id, outcome, full, final_connection_status)
    return outcome


def _count(outcome: RunOutcome, changes: Sequence[RecordChange], written: int) -> None:
    for change in changes:
        if change.change == "created":
            outcome.created += 1
        elif change.change == "updated":
            outcome.updated += 1
        else:
            outcome.deleted += 1
    outcome.unchanged += written - len(changes)


def _finish(
    ctx: SyncContext,
    connection_id: str,
    entity: Entity,
    run_id: str,
    outcome: RunOutcome,
    full: bool,
    connection_status: str,
) -> None:
    now = utcnow()
    with ctx.uow() as uow:
        runs = SyncRepository(uow.connection, connection_id)
        runs.update_run(
            run_id, status=outcome.status, finished_at=now, error=outcome.error, **outcome.counts()
        )
        state_values: dict[str, Any] = {
            "status": "failed" if outcome.status == "failed" else "idle",
            "last_error": outcome.error,
        }
        if outcome.status in {"succeeded", "partial"}:
            state_values["last_success_at"] = now
            repo = RecordRepository(uow.connection, connection_id)
            state_values["records_seen"] = repo.count(entity.value)
            if full and outcome.status == "succeeded":
                state_values["last_full_at"] = now
        runs.update_state(entity.value, **state_values)
        connection = uow.connections.get_for_token(connection_id)
        if connection is not None and connection.status != ConnectionStatus.DISCONNECTED.value:
            still_running = [
                r for r in runs.pending_runs() if r.status == "running" and r.id != run_id
            ]
            status = connection_status
            if status == ConnectionStatus.ACTIVE.value and still_running:
                status = ConnectionStatus.SYNCING.value
            if connection.status != status:
                uow.connections.update(
                    connection.account_id, connection_id, status=status, updated_at=now
                )
        uow.commit()
    _log.info(
        "sync_finished",
        connection_id=connection_id,
        entity=entity.value,
        run_id=run_id,
        status=outcome.status,
        **outcome.counts(),
    )
    if ctx.on_finished:
        ctx.on_finished(connection_id, entity, run_id, outcome)
