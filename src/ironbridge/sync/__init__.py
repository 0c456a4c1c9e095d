"""Keeping the records store fresh: cursors, runs, status and history."""

from .cursor import ChangeCursor
from .push import (
    PushContext,
    accept_notification,
    handshake_answer,
    maintain_push,
    push_due,
    stop_push,
)
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
    "PushContext",
    "RunOutcome",
    "ScheduledWork",
    "SyncContext",
    "SyncRunView",
    "accept_notification",
    "check_entities",
    "check_sync_request",
    "due_entities",
    "execute_run",
    "handshake_answer",
    "list_runs",
    "maintain_push",
    "postponed_runs",
    "push_due",
    "queue_runs",
    "request_runs",
    "runs_of",
    "schedulable_connections",
    "scheduled_work",
    "status_of",
    "stop_push",
    "sync_lock_name",
    "sync_status",
    "synced_entities",
]
