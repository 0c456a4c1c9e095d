"""The periodic health check: each live connection's source, checked stage by stage.

The scheduler tick asks `due_for_check` which connections have not been checked for
`interval`, and a worker runs `check_connection` for each. A check is the connector's cheap
staged `check()` (reach → authenticate → permissions) and decides the connection's status:

- a failed `reach` stage is an outage: `offline`, and it counts towards the circuit breaker;
- a failed `authenticate` stage means the source refuses the stored credentials:
  `auth_required`. A source that fails its sign-in for another reason (some report any sign-in
  error there) costs one interval: the next passing check makes the connection `active` again;
- a failed `permissions` stage is recorded (health, error log) but changes no status: the
  credentials work, and syncs report what they may not read. The stage fails only when an
  entity the connection requires (or every one it syncs) is unavailable; either way the
  availability found is stored on the connection, so an area enabled since is synced from the
  next tick on and one withdrawn is no longer synced or read;
- every stage passing makes an `offline` or `auth_required` connection `active`.

While the circuit is open the check is skipped; the first check after it may probe is the
probe. No database transaction is open while the source is contacted: the connection is read in
one short transaction and the result written in another, and a lease in the database makes sure
one process checks a connection at a time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..connections.availability import availability_record, required_of, wanted_of
from ..connections.status import ConnectionStatus, StatusReason, change_status
from ..connectors import CheckResult, CheckStage, ConnectorRegistry, SessionOptions, judged
from ..errors import (
    ConnectionReauthRequired,
    ConnectionUnavailable,
    IronbridgeError,
    PermissionDenied,
)
from ..logs import get_logger
from ..security import CredentialCipher
from ..store import ConnectionRow, UnitOfWorkFactory, utcnow
from ..store.locks import acquire_lock, release_lock
from .breaker import BreakerBoard, is_source_failure
from .transitions import error_details, reason_for, record_error

__all__ = [
    "CheckOutcome",
    "HealthContext",
    "check_connection",
    "connections_due_for_check",
    "due_for_check",
]

_log = get_logger("ironbridge.health")


@dataclass(frozen=True)
class HealthContext:
    """What a health check needs; built once per worker."""

    uow: UnitOfWorkFactory
    registry: ConnectorRegistry
    cipher: CredentialCipher
    options: SessionOptions
    breakers: BreakerBoard | None = None
    #: How long a check result stays fresh.
    interval: timedelta = timedelta(minutes=5)
    #: How long one process may hold a connection's check before another may take over.
    lease: timedelta = timedelta(minutes=2)


@dataclass(frozen=True)
class CheckOutcome:
    """What one `check_connection` call did."""

    connection_id: str
    checked: bool
    """False when no check ran; `skipped` says why."""
    status: str | None
    """The connection's status afterwards (None if it no longer exists)."""
    checks: tuple[dict[str, Any], ...] = ()
    error: dict[str, Any] | None = None
    skipped: str | None = None
    """`not_due`, `busy` (another process checks it), `circuit_open`, `disconnected`, `gone`,
    `unknown_system` (no connector for it in this deployment), or `credentials_changed` (a
    reconnect replaced them during the check)."""


def due_for_check(
    connections: Iterable[ConnectionRow], now: datetime, interval: timedelta
) -> list[str]:
    """Ids of the live connections whose last check is older than `interval` (or missing)."""
    return [
        c.id
        for c in connections
        if c.status != ConnectionStatus.DISCONNECTED.value
        and (c.last_checked_at is None or c.last_checked_at <= now - interval)
    ]


def connections_due_for_check(
    uows: UnitOfWorkFactory, now: datetime, interval: timedelta
) -> list[str]:
    """Ids of every account's live connections whose last check is older than `interval`."""
    with uows(readonly=True) as uow:
        connections = uow.connections.list_all_active()
    return due_for_check(connections, now, interval)


def _stage_error(result: CheckResult) -> IronbridgeError:
    """The typed error a failed stage stands for."""
    details: dict[str, Any] = {"stage": result.stage.value}
    if result.fix:
        details["fix"] = result.fix
    if result.stage is CheckStage.REACH:
        return ConnectionUnavailable(result.message, details=details)
    if result.stage is CheckStage.AUTHENTICATE:
        return ConnectionReauthRequired(result.message, details=details)
    return PermissionDenied(result.message, details=details)


def _target(error: IronbridgeError | None, breaker_open: bool) -> str | None:
    if error is None:
        return ConnectionStatus.ACTIVE.value
    if isinstance(error, ConnectionReauthRequired):
        return ConnectionStatus.AUTH_REQUIRED.value
    if isinstance(error, ConnectionUnavailable) or (is_source_failure(error) and breaker_open):
        return ConnectionStatus.OFFLINE.value
    return None


def check_connection(
    ctx: HealthContext, connection_id: str, *, force: bool = False
) -> CheckOutcome:
    """Check one connection's source now (if due, unless `force`) and record what it says.

    Writes `health` (`checks`, `consecutive_failures`, `last_error`) and `last_checked_at`,
    adds failures to the error log and moves the status as the module docstring describes,
    with one event per transition.
    """
    owner = uuid.uuid4().hex
    lock = f"health:{connection_id}"
    if not acquire_lock(ctx.uow.engine, lock, owner, ctx.lease):
        return CheckOutcome(connection_id, False, None, skipped="busy")
    try:
        return _check_locked(ctx, connection_id, force)
    finally:
        release_lock(ctx.uow.engine, lock, owner)


def _check_locked(ctx: HealthContext, connection_id: str, force: bool) -> CheckOutcome:
    now = utcnow()
    with ctx.uow(readonly=True) as uow:
        row = uow.connections.get_for_token(connection_id)
    if row is None:
        return CheckOutcome(connection_id, False, None, skipped="gone")
    if row.status == ConnectionStatus.DISCONNECTED.value:
        return CheckOutcome(connection_id, False, row.status, skipped="disconnected")
    if not force and row.last_checked_at is not None and row.last_checked_at > now - ctx.interval:
        return CheckOutcome(connection_id, False, row.status, skipped="not_due")
    if row.system not in ctx.registry:
        return CheckOutcome(connection_id, False, row.status, skipped="unknown_system")
    board = ctx.breakers
    if board is not None and board.is_open(connection_id):
        return CheckOutcome(connection_id, False, row.status, skipped="circuit_open")

    results, error, entered = _run_check(ctx, row)
    if not entered:
        # The circuit opened between the look above and the call: nothing was checked.
        return CheckOutcome(connection_id, False, row.status, skipped="circuit_open")
    return _record(ctx, row, results, error)


def _run_check(
    ctx: HealthContext, row: ConnectionRow
) -> tuple[list[CheckResult], IronbridgeError | None, bool]:
    """Run the staged check through the circuit breaker; no transaction is open meanwhile."""
    connector = ctx.registry.get(row.system)
    results: list[CheckResult] = []
    entered = False
    guard: AbstractContextManager[None] = (
        ctx.breakers.guard(row.id) if ctx.breakers is not None else nullcontext()
    )
    try:
        with guard:
            entered = True
            try:
                credentials = ctx.cipher.decrypt(row.credentials_ciphertext)
                with connector.session(credentials, options=ctx.options) as session:
                    for result in judged(
                        session.check(),
                        connector.spec,
                        required=required_of(row),
                        wanted=wanted_of(row.settings),
                    ):
                        results.append(result)
                        if not result.ok:
                            # Raised inside the guard, so an unreachable source counts
                            # towards the circuit and refused credentials do not.
                            raise _stage_error(result)
            except IronbridgeError:
                raise
            except Exception as exc:
                # A connector bug is ours, not the source's: it must not open the circuit.
                _log.error("health_check_crashed", connection_id=row.id, exc_info=exc)
                raise IronbridgeError("The connection check failed unexpectedly.") from exc
    except IronbridgeError as exc:
        return results, exc, entered
    return results, None, entered


def _record(
    ctx: HealthContext,
    row: ConnectionRow,
    results: list[CheckResult],
    error: IronbridgeError | None,
) -> CheckOutcome:
    now = utcnow()
    checks = tuple(result.to_dict() for result in results)
    breaker_open = error is not None and ctx.breakers is not None and ctx.breakers.is_open(row.id)
    target = _target(error, breaker_open)
    details = error_details(error) if error is not None else None
    with ctx.uow() as uow:
        current = uow.connections.get_for_token(row.id)
        if current is None:
            return CheckOutcome(row.id, False, None, skipped="gone")
        if current.status == ConnectionStatus.DISCONNECTED.value:
            return CheckOutcome(row.id, False, current.status, skipped="disconnected")
        if current.credentials_ciphertext != row.credentials_ciphertext:
            # Re-read before declaring anything: a reconnect replaced the credentials while
            # the old ones were being checked, and has recorded its own fresh check.
            return CheckOutcome(row.id, False, current.status, skipped="credentials_changed")
        failures = 0 if error is None else int(current.health.get("consecutive_failures", 0)) + 1
        health = {
            **current.health,
            "checks": list(checks),
            "consecutive_failures": failures,
            "last_error": details,
        }
        values: dict[str, Any] = {"health": health, "last_checked_at": now}
        if row.system in ctx.registry:
            availability = availability_record(results, ctx.registry.get(row.system).spec)
            if availability is not None:
                values["availability"] = availability
        uow.connections.update(current.account_id, row.id, **values)
        if error is not None:
            record_error(uow, row.id, error, operation="check", now=now)
        status = current.status
        if target is not None:
            previous = change_status(
                uow,
                row.id,
                target,
                reason=StatusReason.CHECK_PASSED if error is None else reason_for(target, error),
                credentials_ciphertext=row.credentials_ciphertext,
                error=details,
                now=now,
            )
            if previous is not None:
                status = target
        uow.commit()
    return CheckOutcome(row.id, True, status, checks, details)
