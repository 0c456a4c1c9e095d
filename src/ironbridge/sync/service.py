"""Use cases of sync: queue runs, report status per entity, list the history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from ..connections.availability import connection_availability, ensure_available, is_available
from ..connections.service import load_connection
from ..connections.status import ConnectionStatus
from ..connections.views import EntityAvailabilityView
from ..connectors import ConnectorRegistry
from ..errors import (
    ConnectionDisconnected,
    ConnectionReauthRequired,
    OperationNotSupported,
    ValidationFailed,
)
from ..ids import new_id
from ..model import Entity
from ..schedule import next_run as next_run_at
from ..store import (
    ConnectionRow,
    UnitOfWork,
    UnitOfWorkFactory,
    decode_keyset,
    encode_keyset,
    utcnow,
)
from ..store.sync import SyncRepository, SyncRunRow

__all__ = [
    "EntitySyncStatus",
    "SyncRunView",
    "check_entities",
    "check_sync_request",
    "connection_entities",
    "due_entities",
    "list_runs",
    "postponed_runs",
    "queue_runs",
    "sync_status",
    "synced_entities",
]


class SyncRunView(BaseModel):
    """One sync run of one entity."""

    id: str = Field(description="Sync run id (`run_…`).")
    connection_id: str
    entity: Entity
    mode: str = Field(description="`incremental` or `full`.")
    status: str = Field(description="`queued`, `running`, `succeeded`, `partial` or `failed`.")
    trigger: str = Field(description="`initial`, `schedule`, `api`, `inbound` or `cli`.")
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    created: int
    updated: int
    deleted: int
    unchanged: int
    failed: int = Field(description="Records that could not be mapped (see `error.records`).")
    pages: int
    error: dict[str, Any] | None = Field(description="Code, message and the record it concerns.")

    @classmethod
    def from_row(cls, row: SyncRunRow) -> SyncRunView:
        return cls(**{name: getattr(row, name) for name in cls.model_fields})


class EntitySyncStatus(BaseModel):
    """How fresh one entity of a connection is."""

    entity: Entity
    status: str = Field(
        description=(
            "`idle`, `queued`, `running` or `failed`; `unavailable` when the connected system "
            "does not offer the entity (not synced: see `availability` for why and what to "
            "enable)."
        )
    )
    ready: bool = Field(description="True once a first sync of this entity has completed.")
    last_success_at: datetime | None
    last_full_at: datetime | None
    records: int = Field(description="Live records in the store.")
    next_run_at: datetime | None
    last_error: dict[str, Any] | None
    availability: EntityAvailabilityView | None = Field(
        None,
        description=(
            "Whether the connected system offers the entity, as the last check found (the "
            "connection's `availability` entry; `available` until a check has told)."
        ),
    )


def connection_entities(connection: ConnectionRow, registry: ConnectorRegistry) -> list[Entity]:
    """The entities of this connection: its setting, else all its connector can read, whether
    or not its source offers them."""
    spec = registry.get(connection.system).spec
    readable = [e for e in Entity if spec.supports(e, "read")]
    chosen = connection.settings.get("entities")
    if chosen:
        return [e for e in readable if e.value in chosen]
    return readable


def synced_entities(connection: ConnectionRow, registry: ConnectorRegistry) -> list[Entity]:
    """The entities this connection syncs: its entities (`connection_entities`) less those its
    source does not offer (as the last check found)."""
    return [e for e in connection_entities(connection, registry) if is_available(connection, e)]


def check_entities(
    connection: ConnectionRow, registry: ConnectorRegistry, entities: list[Entity] | None
) -> list[Entity]:
    """The entities a sync request names, checked against the connector and the settings."""
    if connection.status == ConnectionStatus.DISCONNECTED.value:
        raise ConnectionDisconnected()
    available = synced_entities(connection, registry)
    if not entities:
        return available
    spec = registry.get(connection.system).spec
    unsupported = [e for e in entities if not spec.supports(e, "read")]
    if unsupported:
        raise OperationNotSupported(spec.id, unsupported[0].value, "read")
    for entity in entities:
        ensure_available(connection, entity)
    not_enabled = [e.value for e in entities if e not in available]
    if not_enabled:
        raise ValidationFailed(
            {"entities": f"not synced by this connection: {', '.join(not_enabled)}"}
        )
    return list(dict.fromkeys(entities))


def check_sync_request(
    uows: UnitOfWorkFactory,
    registry: ConnectorRegistry,
    account_id: str,
    connection_id: str,
    entities: list[Entity] | None,
) -> list[Entity]:
    """The entities a sync asked for over the API (or by a change notice) names, checked
    against the account's connection (`check_entities`) before anything is queued; refused at
    once for a connection whose credentials the source refused. Runs queued by the schedule or
    the CLI are refused by the run itself, on record."""
    with uows(readonly=True) as uow:
        connection = load_connection(uow, account_id, connection_id)
        targets = check_entities(connection, registry, entities)
    if connection.status == ConnectionStatus.AUTH_REQUIRED.value:
        raise ConnectionReauthRequired()
    return targets


def queue_runs(
    uow: UnitOfWork,
    connection: ConnectionRow,
    registry: ConnectorRegistry,
    entities: list[Entity] | None,
    *,
    full: bool = False,
    trigger: str = "api",
    now: datetime | None = None,
) -> list[SyncRunView]:
    """Queue one run per entity (commits); an entity with a run already queued reuses it."""
    targets = check_entities(connection, registry, entities)
    repo = SyncRepository(uow.connection, connection.id)
    pending = {(r.entity, r.mode): r for r in repo.pending_runs() if r.status == "queued"}
    mode = "full" if full else "incremental"
    now = now or utcnow()
    views: list[SyncRunView] = []
    for entity in targets:
        repo.ensure_state(entity.value)
        existing = pending.get((entity.value, mode))
        if existing is not None:
            views.append(SyncRunView.from_row(existing))
            continue
        row = SyncRunRow(
            id=new_id("run"),
            connection_id=connection.id,
            entity=entity.value,
            mode=mode,
            status="queued",
            trigger=trigger,
            queued_at=now,
            started_at=None,
            finished_at=None,
            created=0,
            updated=0,
            deleted=0,
            unchanged=0,
            failed=0,
            pages=0,
            error=None,
        )
        repo.add_run(row)
        # A queued entity's next run is this one; a `next_run_at` on a queued entity says its
        # run waits for the source (see `postponed_runs`).
        repo.update_state(entity.value, status="queued", next_run_at=None)
        views.append(SyncRunView.from_row(row))
    uow.commit()
    return views


def sync_status(
    uow: UnitOfWork,
    connection: ConnectionRow,
    registry: ConnectorRegistry,
    now: datetime | None = None,
    *,
    unavailable: bool = False,
) -> list[EntitySyncStatus]:
    """Per entity synced: last success, status, records in the store, next scheduled run (none
    when the connection's schedule never fires), and the entity's availability. With
    `unavailable`, also the connection's entities its source does not offer, with status
    `unavailable` and no next run.

    An entity never synced (one that became available after the connection was made) is due
    `now` (default: the current time), so the tick asking with its own time queues it.
    """
    from ..store.records import RecordRepository

    repo = SyncRepository(uow.connection, connection.id)
    states = {s.entity: s for s in repo.states()}
    records = RecordRepository(uow.connection, connection.id)
    schedule = str(connection.settings.get("sync_schedule", "hourly"))
    now = now or utcnow()
    # An entity never synced is due at once, unless the schedule never fires.
    first = now if next_run_at(schedule, now) is not None else None
    offered = connection_availability(connection, registry.get(connection.system).spec)
    result = []
    for entity in connection_entities(connection, registry):
        availability = offered[entity]
        if not availability.available and not unavailable:
            continue
        state = states.get(entity.value)
        last = state.last_success_at if state else None
        next_run = state.next_run_at if state and state.next_run_at else None
        if next_run is None and connection.status != "disconnected":
            next_run = next_run_at(schedule, last) if last else first
        result.append(
            EntitySyncStatus(
                entity=entity,
                status=(state.status if state else "idle")
                if availability.available
                else "unavailable",
                ready=last is not None,
                last_success_at=last,
                last_full_at=state.last_full_at if state else None,
                records=records.live_count(entity.value),
                # Not synced while unavailable: nothing is scheduled.
                next_run_at=next_run if availability.available else None,
                last_error=state.last_error if state else None,
                availability=EntityAvailabilityView.model_validate(availability.to_dict()),
            )
        )
    return result


def due_entities(
    uow: UnitOfWork, connection: ConnectionRow, registry: ConnectorRegistry, now: datetime
) -> list[Entity]:
    """Entities whose next scheduled incremental sync is due."""
    return [
        s.entity
        for s in sync_status(uow, connection, registry, now)
        if s.status in {"idle", "failed"} and s.next_run_at is not None and s.next_run_at <= now
    ]


def postponed_runs(uow: UnitOfWork, connection_id: str, now: datetime) -> list[SyncRunRow]:
    """Queued runs that waited for the source (an open circuit) and may go ahead at `now`."""
    repo = SyncRepository(uow.connection, connection_id)
    ready = {
        s.entity
        for s in repo.states()
        if s.status == "queued" and s.next_run_at is not None and s.next_run_at <= now
    }
    return [r for r in repo.pending_runs() if r.status == "queued" and r.entity in ready]


def status_of(
    uows: UnitOfWorkFactory, registry: ConnectorRegistry, account_id: str, connection_id: str
) -> list[EntitySyncStatus]:
    """The account's connection's `sync_status` now, read in one transaction: every entity of
    the connection, those its source does not offer `unavailable`."""
    with uows(readonly=True) as uow:
        connection = load_connection(uow, account_id, connection_id)
        return sync_status(uow, connection, registry, unavailable=True)


def list_runs(
    uow: UnitOfWork,
    connection_id: str,
    *,
    entity: Entity | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[SyncRunView], str | None]:
    """The connection's runs, newest first."""
    before = None
    if cursor:
        before = decode_keyset(cursor)
    rows = SyncRepository(uow.connection, connection_id).runs(
        entity=entity.value if entity else None, before=before, limit=limit + 1
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_keyset(rows[-1].queued_at, rows[-1].id)
    return [SyncRunView.from_row(r) for r in rows], next_cursor


def runs_of(
    uows: UnitOfWorkFactory,
    account_id: str,
    connection_id: str,
    *,
    entity: Entity | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[SyncRunView], str | None]:
    """The account's connection's runs, newest first (`list_runs`); 403 if the connection is
    another account's, 404 if there is none."""
    with uows(readonly=True) as uow:
        load_connection(uow, account_id, connection_id)
        return list_runs(uow, connection_id, entity=entity, cursor=cursor, limit=limit)
