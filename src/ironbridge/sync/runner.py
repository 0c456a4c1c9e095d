"""Running one sync of one entity of one connection, one committed transaction per page.

Each page's records, change events and cursor are committed together (the transactional
outbox), so a crash loses nothing: the next attempt resumes from the last committed page, and
records it re-reads are dropped by content hash, so no event is written twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..connections.availability import ensure_available
from ..connections.status import ConnectionStatus, StatusReason, change_status
from ..connectors import ConnectorRegistry, RawRecord, SessionOptions
from ..errors import (
    ConnectionReauthRequired,
    EntityUnavailable,
    IronbridgeError,
)
from ..events import record_event, record_events
from ..health import BreakerBoard, is_source_failure, reason_for, record_error, status_after
from ..ids import new_id
from ..logs import get_logger
from ..model import Entity
from ..schedule import retry_delay
from ..security import CredentialCipher
from ..store import ConnectionRow, UnitOfWork, UnitOfWorkFactory, utcnow
from ..store.errorlog import ErrorLogRepository
from ..store.locks import acquire_lock, release_lock, renew_lock, sync_lock_name
from ..store.records import RecordChange, RecordRepository, RecordWrite
from ..store.sync import SyncRepository, SyncRunRow
from ..store.types import JSONText
from ..unified import Projector
from .collector import collector_paused
from .cursor import ChangeCursor
from .readahead import read_ahead
from .resolution import RECORD_RESOLUTIONS, SyncAction, resolve

__all__ = ["PageProgress", "RunOutcome", "SyncContext", "execute_run", "sync_lock_name"]

_log = get_logger("ironbridge.sync")
#: Failures in a row after which a `system.error` event is raised.
ALERT_AFTER_FAILURES = 3

#: Called after each committed page: (entity, records read so far, outcome so far).
PageProgress = Callable[[Entity, int, "RunOutcome"], None]


@dataclass(frozen=True)
class SyncContext:
    uow: UnitOfWorkFactory
    registry: ConnectorRegistry
    cipher: CredentialCipher
    options: SessionOptions
    page_size: int = 500
    #: How long a worker holds a connection's sync lock without renewing it (renewed per page);
    #: a killed worker's lock is taken over after this.
    lock_lease: timedelta = timedelta(seconds=60)
    on_page: PageProgress | None = None
    #: The connections' circuit breakers. The worker and `ironbridge sync` pass the
    #: deployment's; None runs unguarded (benchmarks of the engine alone).
    breakers: BreakerBoard | None = None
    #: The time now (UTC): when records are seen, which dates those their source cannot date,
    #: and where the history window starts.
    clock: Callable[[], datetime] = utcnow
    #: Pages the source is read ahead of the page being written (see `readahead`); 0 reads
    #: each page only once the one before it is committed.
    read_ahead: int = 1


@dataclass
class RunOutcome:
    #: The run's status when it ended, `queued` when another run held the connection, or
    #: `postponed` (still queued) while the connection's circuit is open.
    status: str = "running"
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failed: int = 0
    pages: int = 0
    read: int = 0
    error: dict[str, Any] | None = None
    retry_after: float | None = None
    #: When the connection's circuit lets the next call through, if this run left it open.
    probe_at: datetime | None = None
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


def _error_dict(exc: IronbridgeError, record: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.details:
        data["details"] = exc.details
    if record:
        data["record"] = record
    return data


def execute_run(ctx: SyncContext, connection_id: str, run_id: str) -> RunOutcome:
    """Run a queued (or interrupted) sync run to its end and record how it ended.

    One run per connection at a time, through a database lease shared by every process; a
    run that cannot take the lease stays queued for a later attempt.
    """
    owner = uuid.uuid4().hex
    lock = sync_lock_name(connection_id)
    if not acquire_lock(ctx.uow.engine, lock, owner, ctx.lock_lease):
        return RunOutcome(status="queued")
    try:
        return _execute_locked(
            ctx,
            connection_id,
            run_id,
            lambda: renew_lock(ctx.uow.engine, lock, owner, ctx.lock_lease),
        )
    finally:
        release_lock(ctx.uow.engine, lock, owner)


def _change_events(
    entity: Entity, changes: Sequence[RecordChange]
) -> list[tuple[str, dict[str, Any] | JSONText]]:
    # The record's stored JSON is the event's data as it is: no parsing to serialise it again.
    return [(f"{entity.event_name}.{c.change}", JSONText(c.unified)) for c in changes]


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
        if run.mode == "full":
            # What an interrupted full pass read is of no use to a run that ends here, and
            # one that goes on reads everything again.
            runs.clear_seen(run_id)
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
        refusal = _refusal(ctx, connection, entity)
        if refusal is not None:
            return _refuse(uow, connection, entity, run, refusal)
        probe_at = ctx.breakers.probe_at(connection_id) if ctx.breakers is not None else None
        if probe_at is not None and ctx.breakers is not None:
            return _postpone(uow, connection, entity, run, probe_at, ctx.breakers.clock())
        state = runs.ensure_state(entity.value)
        now = ctx.clock()
        runs.update_run(run_id, status="running", started_at=run.started_at or now)
        runs.update_state(entity.value, status="running")
        # An offline connection stays offline until this run shows the source answers again,
        # so its recovery is announced (offline → active) rather than hidden in syncing.
        change_status(
            uow,
            connection_id,
            ConnectionStatus.SYNCING,
            reason=StatusReason.SYNC_STARTED,
            only_from=ConnectionStatus.ACTIVE,
            now=now,
        )
        uow.commit()
    full = run.mode == "full"
    # The initial load is announced by sync.completed alone, not by one event per record.
    emit_records = run.trigger != "initial"
    cursor = ChangeCursor(state.cursor_at, state.cursor_id)
    history_days = connection.settings.get("history_days")
    window_start = now - timedelta(days=history_days) if history_days else None
    first_load = cursor.at is None
    since = window_start if full or first_load else cursor.since()
    connector = ctx.registry.get(connection.system)
    mappings = connection.settings.get("field_mappings", {}).get(entity.value, {})
    projector = Projector(connector, connection_id, entity, mappings)
    outcome = RunOutcome(
        created=run.created,
        updated=run.updated,
        deleted=run.deleted,
        unchanged=run.unchanged,
        failed=run.failed,
        pages=run.pages,
    )
    # The status the run's outcome points to (None: as it was) and why.
    final_status: str | None = ConnectionStatus.ACTIVE.value
    failure: BaseException | None = None
    try:
        credentials = ctx.cipher.decrypt(connection.credentials_ciphertext)
        with (
            _guard(ctx, connection_id),
            connector.session(credentials, options=ctx.options) as session,
        ):
            source = session.list_changes(entity, since, page_size=ctx.page_size)
            with read_ahead(source, ctx.read_ahead) as pages:
                for page in pages:
                    cursor = _commit_page(
                        ctx,
                        connection,
                        entity,
                        run_id,
                        page,
                        projector,
                        cursor,
                        outcome,
                        emit_records,
                        full,
                    )
                    del page
                    if ctx.on_page:
                        ctx.on_page(entity, outcome.read, outcome)
                    renew()
        if full:
            # Deletions are decided only now, after a complete pass succeeded.
            with ctx.uow() as uow:
                repo = RecordRepository(uow.connection, connection_id)
                vanished = repo.unseen_remote_ids(entity.value, run_id, since=window_start)
                changes = repo.mark_deleted(entity.value, vanished)
                outcome.deleted += len(changes)
                record_events(
                    uow, connection.account_id, connection_id, _change_events(entity, changes)
                )
                uow.commit()
        outcome.status = "succeeded" if not outcome.failed else "partial"
        if outcome.record_errors:
            outcome.error = {
                "code": "RECORDS_FAILED",
                "message": f"{outcome.failed} records could not be mapped; see the error log.",
                "records": outcome.record_errors,
            }
    except Exception as exc:
        failure = exc
        final_status = _resolve_failure(ctx, connection_id, entity, exc, outcome)
    if outcome.status == "failed" and ctx.breakers is not None:
        # A failure that left the circuit open: the next run is when it lets a probe through.
        outcome.probe_at = ctx.breakers.probe_at(connection_id)
    reason = reason_for(final_status, failure) if final_status else ""
    _finish(ctx, connection, entity, run_id, outcome, full, final_status, reason)
    return outcome


def _resolve_failure(
    ctx: SyncContext, connection_id: str, entity: Entity, exc: Exception, outcome: RunOutcome
) -> str | None:
    """End `outcome` as `READ_RESOLUTIONS` says for `exc`; the status the connection is to take
    (None: as it was)."""
    action = resolve(exc)
    if action is SyncAction.CRASH or not isinstance(exc, IronbridgeError):
        _log.error("sync_crashed", connection_id=connection_id, entity=entity.value, exc_info=exc)
        outcome.status = "failed"
        outcome.error = {"code": "INTERNAL_ERROR", "message": "The sync failed unexpectedly."}
        return None
    outcome.error = _error_dict(exc)
    if action is SyncAction.RETRY_LATER:
        # The quota is spent: keep what was committed and pick up on the next run.
        outcome.status = "partial"
        outcome.retry_after = exc.retry_after
        return ConnectionStatus.ACTIVE.value
    outcome.status = "failed"
    if action is SyncAction.MARK_AUTH_REQUIRED:
        return ConnectionStatus.AUTH_REQUIRED.value
    outcome.retry_after = exc.retry_after
    if action is SyncAction.MARK_OFFLINE:
        return ConnectionStatus.OFFLINE.value
    # One bad answer is not an outage; the circuit opening after several is.
    tripped = (
        is_source_failure(exc) and ctx.breakers is not None and ctx.breakers.is_open(connection_id)
    )
    if tripped and ctx.breakers is not None:
        outcome.retry_after = ctx.breakers.retry_after(connection_id)
    return status_after(exc, breaker_open=tripped)


def _guard(ctx: SyncContext, connection_id: str) -> AbstractContextManager[None]:
    return ctx.breakers.guard(connection_id) if ctx.breakers is not None else nullcontext()


def _refusal(ctx: SyncContext, connection: ConnectionRow, entity: Entity) -> IronbridgeError | None:
    """Why a run must end without contacting the source, if it must."""
    try:
        # Queued before a check found the entity gone from the source.
        ensure_available(connection, entity)
    except EntityUnavailable as exc:
        return exc
    if connection.status == ConnectionStatus.AUTH_REQUIRED.value:
        return ConnectionReauthRequired(
            "The source refused the stored credentials; the connection must be reconnected "
            "before it syncs again."
        )
    # An open circuit is no refusal: the run is postponed until it lets a probe through.
    return None


def _refuse(
    uow: UnitOfWork,
    connection: ConnectionRow,
    entity: Entity,
    run: SyncRunRow,
    error: IronbridgeError,
) -> RunOutcome:
    """End a run at once without contacting the source (commits).

    Refusals do not count as failures in a row (the source was not asked), and nothing goes to
    the error log; `sync.failed` still says the run ended.
    """
    now = utcnow()
    runs = SyncRepository(uow.connection, connection.id)
    state = runs.ensure_state(entity.value)
    data = _error_dict(error)
    outcome = RunOutcome(
        status="failed",
        created=run.created,
        updated=run.updated,
        deleted=run.deleted,
        unchanged=run.unchanged,
        failed=run.failed,
        pages=run.pages,
        error=data,
        retry_after=error.retry_after,
    )
    runs.update_run(
        run.id,
        status="failed",
        started_at=run.started_at or now,
        finished_at=now,
        error=data,
    )
    failures = int((state.last_error or {}).get("consecutive_failures", 0))
    values: dict[str, Any] = {
        "status": "failed",
        "last_error": {**data, "consecutive_failures": failures},
    }
    if error.retry_after:
        values["next_run_at"] = now + timedelta(seconds=error.retry_after)
    runs.update_state(entity.value, **values)
    record_event(
        uow,
        account_id=connection.account_id,
        connection_id=connection.id,
        type="sync.failed",
        data={
            "run_id": run.id,
            "entity": entity.value,
            "mode": run.mode,
            "status": "failed",
            **outcome.counts(),
            "error": data,
        },
    )
    uow.commit()
    _log.info(
        "sync_refused",
        connection_id=connection.id,
        entity=entity.value,
        run_id=run.id,
        code=error.code,
        retry_after=error.retry_after,
    )
    return outcome


def _postpone(
    uow: UnitOfWork,
    connection: ConnectionRow,
    entity: Entity,
    run: SyncRunRow,
    probe_at: datetime,
    now: datetime,
) -> RunOutcome:
    """Leave a run queued until the open circuit lets a probe through (commits).

    Nothing was asked of the source, so nothing failed: no event, no run ended, nothing in the
    error log. The entity's `next_run_at` says when the run goes ahead; the worker wakes for it
    then (`retry_after`), and the tick sends it again should that wake-up be lost.
    """
    runs = SyncRepository(uow.connection, connection.id)
    runs.ensure_state(entity.value)
    if run.status != "queued":
        # An interrupted run handed back while the circuit is open waits like the others.
        runs.update_run(run.id, status="queued")
    runs.update_state(entity.value, status="queued", next_run_at=probe_at)
    uow.commit()
    wait = max((probe_at - now).total_seconds(), 0.0)
    _log.info(
        "sync_postponed",
        connection_id=connection.id,
        entity=entity.value,
        run_id=run.id,
        until=probe_at.isoformat(),
    )
    return RunOutcome(status="postponed", retry_after=wait)


def _advance(cursor: ChangeCursor, page: Sequence[RawRecord]) -> ChangeCursor:
    for raw in page:
        # Records without a change time come whole on every read: they mark no position.
        if raw.modified_at is not None:
            cursor = cursor.advance(raw.modified_at, raw.remote_id)
    return cursor


# The page's objects are freed by reference counting as it ends: see `collector_paused`.
@collector_paused()
def _commit_page(
    ctx: SyncContext,
    connection: ConnectionRow,
    entity: Entity,
    run_id: str,
    page: Sequence[RawRecord],
    projector: Projector,
    cursor: ChangeCursor,
    outcome: RunOutcome,
    emit_records: bool,
    collect_seen: bool,
) -> ChangeCursor:
    """Write `page` in one transaction; the cursor after it."""
    writes: list[RecordWrite] = []
    failures: list[dict[str, Any]] = []
    now = ctx.clock()
    for raw in page:
        try:
            writes.append(projector.write(raw, seen_at=now))
        except Exception as exc:
            if resolve(exc, RECORD_RESOLUTIONS) is not SyncAction.SKIP_RECORD:
                raise
            assert isinstance(exc, IronbridgeError)
            outcome.failed += 1
            if len(outcome.record_errors) < 20:
                outcome.record_errors.append(_error_dict(exc, raw.remote_id))
            failures.append(
                {
                    "id": new_id("err"),
                    "occurred_at": now,
                    "operation": "sync",
                    "entity": entity.value,
                    "remote_id": raw.remote_id[:255],
                    "code": exc.code,
                    "message": exc.message,
                    "run_id": run_id,
                }
            )
    cursor = _advance(cursor, page)
    outcome.read += len(page)
    with ctx.uow() as uow:
        changes = RecordRepository(uow.connection, connection.id).upsert(
            entity.value, writes, now=now
        )
        _count(outcome, changes, len(writes))
        if emit_records:
            record_events(
                uow, connection.account_id, connection.id, _change_events(entity, changes)
            )
        ErrorLogRepository(uow.connection, connection.id).add(failures)
        outcome.pages += 1
        runs = SyncRepository(uow.connection, connection.id)
        if collect_seen:
            # Deletions are what a complete full pass did not read (decided at its end).
            runs.add_seen(run_id, dict.fromkeys(raw.remote_id for raw in page))
        runs.update_state(entity.value, cursor_at=cursor.at, cursor_id=cursor.remote_id)
        runs.update_run(run_id, **outcome.counts())
        uow.commit()
    return cursor


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
    connection: ConnectionRow,
    entity: Entity,
    run_id: str,
    outcome: RunOutcome,
    full: bool,
    connection_status: str | None,
    reason: str,
) -> None:
    now = utcnow()
    connection_id = connection.id
    with ctx.uow() as uow:
        runs = SyncRepository(uow.connection, connection_id)
        state = runs.ensure_state(entity.value)
        runs.update_run(
            run_id, status=outcome.status, finished_at=now, error=outcome.error, **outcome.counts()
        )
        if full:
            runs.clear_seen(run_id)
        values: dict[str, Any] = {"status": "failed" if outcome.status == "failed" else "idle"}
        failures = 0
        if outcome.status == "failed":
            failures = int((state.last_error or {}).get("consecutive_failures", 0)) + 1
            values["last_error"] = {**(outcome.error or {}), "consecutive_failures": failures}
            delay = retry_delay(failures)
            if outcome.retry_after:
                delay = max(delay, timedelta(seconds=outcome.retry_after))
            values["next_run_at"] = max(now + delay, outcome.probe_at or now)
        else:
            values["last_error"] = outcome.error
            values["last_success_at"] = now
            values["records_seen"] = RecordRepository(uow.connection, connection_id).live_count(
                entity.value
            )
            values["next_run_at"] = (
                now + timedelta(seconds=outcome.retry_after) if outcome.retry_after else None
            )
            if full and outcome.status == "succeeded":
                values["last_full_at"] = now
        runs.update_state(entity.value, **values)
        summary = {
            "run_id": run_id,
            "entity": entity.value,
            "mode": "full" if full else "incremental",
            "status": outcome.status,
            **outcome.counts(),
        }
        if outcome.status == "failed":
            record_event(
                uow,
                account_id=connection.account_id,
                connection_id=connection_id,
                type="sync.failed",
                data={**summary, "error": outcome.error},
            )
            if failures == ALERT_AFTER_FAILURES:
                record_event(
                    uow,
                    account_id=connection.account_id,
                    connection_id=connection_id,
                    type="system.error",
                    data={
                        "message": f"{entity.label} sync failed {failures} times in a row.",
                        "error": outcome.error,
                        "entity": entity.value,
                    },
                )
        else:
            record_event(
                uow,
                account_id=connection.account_id,
                connection_id=connection_id,
                type="sync.completed",
                data=summary,
            )
        # Records that failed mapping are logged one by one as their pages commit.
        if outcome.error and outcome.error.get("code") != "RECORDS_FAILED":
            record_error(
                uow,
                connection_id,
                outcome.error,
                operation="sync",
                entity=entity.value,
                run_id=run_id,
                now=now,
            )
        _settle_connection(
            uow,
            connection,
            run_id,
            connection_status,
            now,
            reason=reason,
            error=outcome.error if outcome.status == "failed" else None,
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


def _settle_connection(
    uow: UnitOfWork,
    connection: ConnectionRow,
    run_id: str,
    status: str | None,
    now: datetime,
    *,
    reason: str,
    error: dict[str, Any] | None,
) -> None:
    """Move the connection to where the run's outcome points, with one event per transition.

    `status` None means the outcome says nothing about the source: a healthy connection leaves
    `syncing`, an offline one stays offline.
    """
    current = uow.connections.get_for_token(connection.id)
    if current is None or current.status == ConnectionStatus.DISCONNECTED.value:
        return
    healthy = {ConnectionStatus.ACTIVE.value, ConnectionStatus.SYNCING.value}
    if status is None:
        if current.status not in healthy:
            return
        status = ConnectionStatus.ACTIVE.value
    others = [
        r
        for r in SyncRepository(uow.connection, connection.id).pending_runs()
        if r.status == "running" and r.id != run_id
    ]
    if status == ConnectionStatus.ACTIVE.value and others:
        status = ConnectionStatus.SYNCING.value
    change_status(
        uow,
        connection.id,
        status,
        reason=reason or StatusReason.SYNC_FINISHED,
        credentials_ciphertext=connection.credentials_ciphertext,
        error=error if status not in healthy else None,
        leave_syncing=False,
        now=now,
    )
