"""What a call to a source says about its connection: the status it points to and the error log.

The statuses and the one function that moves a connection between them live in
`connections.status`; this module reads a call's outcome (`status_after`, `reason_for`) and
books it (`report_outcome`, `record_error`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import structlog

from ..connections.status import ConnectionStatus, StatusReason, change_status
from ..errors import ConnectionReauthRequired, ConnectionUnavailable, IronbridgeError
from ..ids import new_id
from ..logs import get_logger
from ..store import ConnectionRow, UnitOfWork, UnitOfWorkFactory, utcnow
from ..store.errorlog import ErrorLogRepository
from .breaker import BreakerBoard, is_source_failure

__all__ = [
    "OPERATIONS",
    "current_request_id",
    "error_details",
    "reason_for",
    "record_error",
    "record_error_once",
    "report_outcome",
    "status_after",
]

_log = get_logger("ironbridge.health")

#: The operations the error log names.
OPERATIONS: Final = frozenset({"read", "write", "check", "passthrough", "sync"})

_ACTIVE = ConnectionStatus.ACTIVE.value
_OFFLINE = ConnectionStatus.OFFLINE.value
_AUTH_REQUIRED = ConnectionStatus.AUTH_REQUIRED.value
#: A healthy connection, idle or syncing: moving between these is not news.
_HEALTHY: Final = frozenset({_ACTIVE, ConnectionStatus.SYNCING.value})


def status_after(exc: BaseException | None, *, breaker_open: bool) -> str | None:
    """The status a call's outcome points to; None leaves the status as it is.

    Success, and any answer that proves the source is up (a validation error, a locked record, a
    rate limit), point to `active`; refused credentials to `auth_required`; an unreachable source
    to `offline`; an upstream error or timeout to `offline` only once the circuit has opened, since
    one bad answer is not an outage. Failures that are ours, not the source's, change nothing.
    """
    if exc is None:
        return _ACTIVE
    if isinstance(exc, ConnectionReauthRequired):
        return _AUTH_REQUIRED
    if isinstance(exc, ConnectionUnavailable):
        return _OFFLINE
    if is_source_failure(exc):
        return _OFFLINE if breaker_open else None
    if isinstance(exc, IronbridgeError):
        return _ACTIVE
    return None


def error_details(exc: IronbridgeError) -> dict[str, Any]:
    """The error as a connection's health and events show it."""
    data: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.details:
        data["details"] = exc.details
    return data


def current_request_id() -> str | None:
    """The id of the API request being served, when there is one (the edge binds it to the
    log context of the request)."""
    value = structlog.contextvars.get_contextvars().get("request_id")
    return str(value) if value else None


def record_error(
    uow: UnitOfWork,
    connection_id: str,
    error: IronbridgeError | Mapping[str, Any],
    *,
    operation: str,
    entity: str | None = None,
    remote_id: str | None = None,
    request_id: str | None = None,
    run_id: str | None = None,
    now: datetime | None = None,
) -> None:
    """Add one entry to the connection's error log (in the caller's transaction) and write the
    structured log line tagged with the connection id."""
    if operation not in OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}")
    if isinstance(error, IronbridgeError):
        code, message = error.code, error.message
    else:
        code, message = str(error.get("code")), str(error.get("message"))
    request_id = request_id or current_request_id()
    ErrorLogRepository(uow.connection, connection_id).add(
        [
            {
                "id": new_id("err"),
                "occurred_at": now or utcnow(),
                "operation": operation,
                "entity": entity,
                "remote_id": remote_id[:255] if remote_id else None,
                "code": code[:64],
                "message": message,
                "request_id": request_id[:128] if request_id else None,
                "run_id": run_id,
            }
        ]
    )
    _log.warning(
        "source_call_failed",
        connection_id=connection_id,
        operation=operation,
        entity=entity,
        code=code,
        message=message,
        request_id=request_id,
        run_id=run_id,
    )


def record_error_once(
    uows: UnitOfWorkFactory,
    connection_id: str,
    error: Mapping[str, Any],
    *,
    operation: str,
) -> bool:
    """`record_error` (commits) unless the connection's newest entry says the same already, so
    a failure that repeats every minute is in the error log once; whether it was added."""
    with uows() as uow:
        newest = ErrorLogRepository(uow.connection, connection_id).newest(before=None, limit=1)
        same = (operation, str(error.get("code")), str(error.get("message")))
        if newest and (newest[0].operation, newest[0].code, newest[0].message) == same:
            return False
        record_error(uow, connection_id, error, operation=operation)
        uow.commit()
    return True


def reason_for(status: str, exc: BaseException | None) -> str:
    """A short machine word for why a call's outcome moved the connection to `status`."""
    if status == _AUTH_REQUIRED:
        return StatusReason.CREDENTIALS_REJECTED
    if status == _OFFLINE:
        if isinstance(exc, ConnectionUnavailable):
            return StatusReason.UNREACHABLE
        return StatusReason.CIRCUIT_OPEN
    return StatusReason.SOURCE_RECOVERED


def report_outcome(
    uows: UnitOfWorkFactory,
    connection: ConnectionRow,
    exc: BaseException | None,
    *,
    operation: str,
    entity: str | None = None,
    remote_id: str | None = None,
    breakers: BreakerBoard | None = None,
) -> None:
    """Book a finished call to the connection's source: its error (if it raised one) in the
    error log, and the status the outcome points to.

    `connection` is the row the call was made with (its status and credentials). A passing call
    on a healthy connection writes nothing, so the common case costs no transaction.
    """
    breaker_open = exc is not None and breakers is not None and breakers.is_open(connection.id)
    target = status_after(exc, breaker_open=breaker_open)
    failed = isinstance(exc, IronbridgeError)
    moves = target is not None and target != connection.status
    if target == _ACTIVE and connection.status in _HEALTHY:
        moves = False
    if not failed and not moves:
        return
    with uows() as uow:
        if isinstance(exc, IronbridgeError):
            record_error(
                uow,
                connection.id,
                exc,
                operation=operation,
                entity=entity,
                remote_id=remote_id,
            )
        if target is not None and moves:
            change_status(
                uow,
                connection.id,
                target,
                reason=reason_for(target, exc),
                credentials_ciphertext=connection.credentials_ciphertext,
                error=error_details(exc) if isinstance(exc, IronbridgeError) else None,
            )
        uow.commit()
