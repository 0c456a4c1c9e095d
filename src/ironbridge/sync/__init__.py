"""Keeping the records store fresh: cursors, runs, status and history."""

from .cursor import ChangeCursor
from .runner import PageProgress, RunOutcome, SyncContext, execute_run, sync_lock_name
from .scheduling import ScheduledWork, request_runs, schedulable_connections, scheduled_work
from .service import (
    EntitySyncStatus,
    SyncRunView,
    check_entities,
    check_sync_request,
    due_entities,
    list_runs,
    postponed_runs,
    queue_runs,
    runs_of,
    status_of,
    sync_status,
    synced_entities,
)

__all__ = [
    "ChangeCursor",
    "EntitySyncStatus",
    "PageProgress",
    "RunOutcome",
    "ScheduledWork",
    "SyncContext",
    "SyncRunView",
    "check_entities",
    "check_sync_request",
    "due_entities",
    "execute_run",
    "list_runs",
    "postponed_runs",
    "queue_runs",
    "request_runs",
    "runs_of",
    "schedulable_connections",
    "scheduled_work",
    "status_of",
    "sync_lock_name",
    "sync_status",
    "synced_entities",
]
