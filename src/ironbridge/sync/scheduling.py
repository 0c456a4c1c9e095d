"""What the schedule asks of workers: runs to queue now, and runs to hand out again.

The worker's tick and its API-facing `start_sync` are thin: they call these (each opens its own
unit of work) and wake workers for what comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from ..connections.status import ConnectionStatus
from ..connectors import ConnectorRegistry
from ..model import Entity
from ..store import ConnectionRow, UnitOfWorkFactory
from ..store.locks import is_locked, sync_lock_name
from ..store.sync import SyncRepository
from .service import SyncRunView, due_entities, postponed_runs, queue_runs

__all__ = [
    "LOST_AFTER",
    "ScheduledWork",
    "request_runs",
    "schedulable_connections",
    "scheduled_work",
]

#: A queued run older than this with no worker on it is handed to a worker again.
LOST_AFTER: Final = timedelta(minutes=5)


@dataclass(frozen=True)
class ScheduledWork:
    """What a connection's schedule asks for at one tick."""

    #: Runs queued by this tick, to wake a worker for.
    fresh: list[str] = field(default_factory=list)
    #: Runs nobody is working on (lost queue messages, killed workers, postponed runs whose
    #: circuit now lets a probe through), to hand to a worker again.
    lost: list[str] = field(default_factory=list)


def schedulable_connections(
    uows: UnitOfWorkFactory, registry: ConnectorRegistry
) -> list[ConnectionRow]:
    """Every account's live connections the schedule serves: not those whose credentials the
    source refused (they sync again after a reconnect), nor those whose connector this
    deployment no longer offers (they cannot sync, and must not stop the others)."""
    with uows(readonly=True) as uow:
        connections = uow.connections.list_all_active()
    return [
        c
        for c in connections
        if c.status != ConnectionStatus.AUTH_REQUIRED.value and c.system in registry
    ]


def request_runs(
    uows: UnitOfWorkFactory,
    registry: ConnectorRegistry,
    connection_id: str,
    entities: list[Entity] | None = None,
    *,
    full: bool = False,
    trigger: str = "api",
) -> list[SyncRunView]:
    """Queue runs for the connection (commits); none when it is gone. An entity that already
    has a queued run of the same mode reuses it."""
    with uows() as uow:
        connection = uow.connections.get_for_token(connection_id)
        if connection is None:
            return []
        return queue_runs(uow, connection, registry, entities, full=full, trigger=trigger)


def scheduled_work(
    uows: UnitOfWorkFactory,
    registry: ConnectorRegistry,
    connection: ConnectionRow,
    now: datetime,
) -> ScheduledWork:
    """Queue the connection's due syncs (commits) and find the runs lost on the way."""
    with uows() as uow:
        due = due_entities(uow, connection, registry, now)
        runs = (
            queue_runs(uow, connection, registry, due, trigger="schedule", now=now) if due else []
        )
        pending = SyncRepository(uow.connection, connection.id).pending_runs()
        postponed = {r.id for r in postponed_runs(uow, connection.id, now)}
    # A queued run nobody picked up, or a running one whose worker died (its lease expired),
    # is handed to a worker again; it resumes from its last committed page.
    holder_alive = is_locked(uows.engine, sync_lock_name(connection.id))
    lost = [
        r.id
        for r in pending
        if (r.status == "queued" and (r.queued_at < now - LOST_AFTER or r.id in postponed))
        or (r.status == "running" and not holder_alive)
    ]
    fresh = [run.id for run in runs if run.queued_at >= now]
    return ScheduledWork(fresh=fresh, lost=lost)
