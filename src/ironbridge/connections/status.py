"""Connection statuses, why they change, and the one function that changes them.

```
active ⇄ syncing          a sync run starts / ends (no event: a passing state)
active/syncing → offline  the source is unreachable, or its circuit opened
offline → active          a call, probe or health check reached the source again
any → auth_required       the source refused the stored credentials (plus connection.auth_required)
auth_required → active    a health check passed with the stored credentials, or a reconnect
any → disconnected        the integrator disconnected it (final; connection.disconnected)
```

Every path that moves a connection (health checks, calls to the source through the breaker,
sync runs, reconnect, disconnect) calls `change_status`: it re-reads the connection under its
row lock, so processes that observe the same thing record one transition and one event, not one
each. An outcome obtained with credentials that have since been replaced (a reconnect won the
race) changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from ..events import record_event
from ..logs import get_logger
from ..store import ConnectionRow, UnitOfWork, utcnow
from ..store.events import EventRepository

__all__ = ["MOVES", "ConnectionStatus", "StatusReason", "change_status"]

_log = get_logger("ironbridge.connections")


class ConnectionStatus(StrEnum):
    ACTIVE = "active"
    """Credentials work; data is being kept fresh."""
    SYNCING = "syncing"
    """A sync run is in progress."""
    OFFLINE = "offline"
    """The source system cannot be reached; syncs resume when it answers again."""
    AUTH_REQUIRED = "auth_required"
    """The source no longer accepts the credentials; the end customer must reconnect."""
    DISCONNECTED = "disconnected"
    """Disconnected by the integrator: token revoked, schedules stopped, data kept."""


class StatusReason(StrEnum):
    """Why a status changed: the `reason` of `connection.status_changed`."""

    UNREACHABLE = "unreachable"
    """A call or check found nothing answering."""
    CIRCUIT_OPEN = "circuit_open"
    """Failed calls in a row opened the connection's circuit."""
    CREDENTIALS_REJECTED = "credentials_rejected"
    """The source refused the stored credentials."""
    SOURCE_RECOVERED = "source_recovered"
    """A call reached the source again."""
    CHECK_PASSED = "check_passed"
    """A health check passed."""
    SYNC_STARTED = "sync_started"
    """A sync run began (active → syncing: no event)."""
    SYNC_FINISHED = "sync_finished"
    """A sync run ended."""
    RECONNECTED = "reconnected"
    """The end customer gave new credentials through the connect flow."""
    DISCONNECTED = "disconnected"
    """The integrator disconnected the connection."""


_ACTIVE, _SYNCING = ConnectionStatus.ACTIVE, ConnectionStatus.SYNCING
_OFFLINE, _AUTH = ConnectionStatus.OFFLINE, ConnectionStatus.AUTH_REQUIRED
_DISCONNECTED = ConnectionStatus.DISCONNECTED

#: Where each status may go. `disconnected` is final; an outage does not cure refused
#: credentials, so `auth_required` leaves only for a healthy status (a passing call or check, a
#: reconnect) or `disconnected`.
MOVES: Final[Mapping[str, frozenset[str]]] = {
    _ACTIVE: frozenset({_SYNCING, _OFFLINE, _AUTH, _DISCONNECTED}),
    _SYNCING: frozenset({_ACTIVE, _OFFLINE, _AUTH, _DISCONNECTED}),
    _OFFLINE: frozenset({_ACTIVE, _SYNCING, _AUTH, _DISCONNECTED}),
    _AUTH: frozenset({_ACTIVE, _SYNCING, _DISCONNECTED}),
    _DISCONNECTED: frozenset(),
}

#: A healthy connection, idle or syncing: moving between these is not news.
_HEALTHY: Final = frozenset({_ACTIVE, _SYNCING})

#: The events a move into each status records (into any status not listed:
#: `connection.status_changed`).
_EVENTS: Final[Mapping[str, tuple[str, ...]]] = {
    _AUTH: ("connection.status_changed", "connection.auth_required"),
    _DISCONNECTED: ("connection.disconnected",),
}


def _applies(
    current: ConnectionRow | None,
    status: str,
    *,
    credentials_ciphertext: str | None,
    leave_syncing: bool,
    only_from: str | None,
) -> bool:
    if current is None or status not in MOVES.get(current.status, frozenset()):
        return False
    if only_from is not None and current.status != only_from:
        return False
    if credentials_ciphertext is not None and current.credentials_ciphertext != (
        credentials_ciphertext
    ):
        # New credentials arrived while the call ran (a reconnect): what the old ones got
        # from the source says nothing about the connection now.
        return False
    return not (leave_syncing and current.status == _SYNCING and status == _ACTIVE)


def _event_data(
    previous: str, status: str, reason: str, error: Mapping[str, Any] | None
) -> dict[str, Any]:
    if status == _DISCONNECTED:
        # The disconnect event says where the connection was, as it always has.
        return {"previous_status": previous, "status": status}
    data: dict[str, Any] = {
        # Integrators see a syncing connection as healthy: syncing is no news.
        "previous_status": _ACTIVE.value if previous in _HEALTHY else previous,
        "status": _ACTIVE.value if status in _HEALTHY else status,
        "reason": reason,
    }
    if error:
        data["error"] = dict(error)
    return data


def change_status(
    uow: UnitOfWork,
    connection_id: str,
    status: str,
    *,
    reason: str,
    credentials_ciphertext: str | None = None,
    error: Mapping[str, Any] | None = None,
    leave_syncing: bool = True,
    only_from: str | None = None,
    now: datetime | None = None,
) -> str | None:
    """Move the connection to `status` in the caller's transaction, with its events.

    Returns the status it left, or None when nothing changed: the connection is gone, the move
    is not one `MOVES` allows (already there, disconnected, `auth_required` told `offline`), its
    credentials are no longer `credentials_ciphertext`, it is not `only_from` (when given), or
    (with `leave_syncing`) a running sync would be declared over. Moves between `active` and
    `syncing` record no event; the others record those of `_EVENTS`. The caller commits.
    """

    def applies(row: ConnectionRow | None) -> bool:
        return _applies(
            row,
            status,
            credentials_ciphertext=credentials_ciphertext,
            leave_syncing=leave_syncing,
            only_from=only_from,
        )

    current = uow.connections.get_for_token(connection_id)
    if current is None or not applies(current):
        return None
    # Reserving no event sequence numbers takes the connection row's lock (PostgreSQL; SQLite's
    # writing transaction is exclusive already); reading the row again under it means two
    # processes that saw the same failure record one transition, not two.
    EventRepository(uow.connection, current.account_id).reserve_sequences(connection_id, 0)
    current = uow.connections.get_for_token(connection_id)
    if current is None or not applies(current):
        return None
    now = now or utcnow()
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if status == _DISCONNECTED:
        values["disconnected_at"] = now
    uow.connections.update(current.account_id, connection_id, **values)
    previous = current.status
    if {previous, status} <= _HEALTHY:
        return previous
    data = _event_data(previous, status, reason, error)
    for type_ in _EVENTS.get(status, ("connection.status_changed",)):
        record_event(
            uow,
            account_id=current.account_id,
            connection_id=connection_id,
            type=type_,
            data=data,
        )
    _log.info(
        "connection_status_changed",
        connection_id=connection_id,
        previous_status=previous,
        status=status,
        reason=reason,
    )
    return previous
