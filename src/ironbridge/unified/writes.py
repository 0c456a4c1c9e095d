"""Writes through the unified API: capability check, validation, reference resolution, the
connector call, then the store (for connectors whose writes persist).

Every call to the source goes through the connection's circuit breaker: while it is open, writes
and passthrough fail fast with `CONNECTION_UNAVAILABLE` and a `retry_after` of the time it stays
open. A connection in `auth_required` fails fast with `CONNECTION_REAUTH_REQUIRED`. Each error
the source call raises goes to the connection's error log, and the outcome may move the
connection's status (see `health.transitions`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from pydantic_core import to_jsonable_python

from ..connections import ConnectionStatus
from ..connections.availability import ensure_available
from ..connectors import (
    Connector,
    ConnectorRegistry,
    ConnectorSession,
    Operation,
    PassthroughRequest,
    RawRecord,
    SessionOptions,
)
from ..errors import (
    ConnectionDisconnected,
    ConnectionReauthRequired,
    IronbridgeError,
    NotFound,
    OperationNotSupported,
)
from ..health import BreakerBoard, report_outcome
from ..model import (
    CREATE_MODELS,
    UPDATE_MODELS,
    Entity,
    InventoryAdjustment,
    parse_input,
    resolve_references,
)
from ..security import CredentialCipher
from ..store import ConnectionRow, UnitOfWorkFactory, utcnow
from ..store.records import RecordRepository
from .projection import Projector
from .reads import load_unified

__all__ = ["WriteContext", "adjust_inventory", "create", "delete", "passthrough", "update"]


@dataclass(frozen=True, slots=True)
class WriteContext:
    """What a write needs: the store, the connector registry, and the calling connection."""

    uow: UnitOfWorkFactory
    registry: ConnectorRegistry
    cipher: CredentialCipher
    options: SessionOptions
    connection: ConnectionRow
    #: The deployment's circuit breakers: every call to the source goes through one.
    breakers: BreakerBoard
    #: The caller's `Idempotency-Key`, handed to the session of the write (see
    #: `SessionOptions.idempotency_key`); None when the caller gave none.
    idempotency_key: str | None = None

    @property
    def connector(self) -> Connector:
        return self.registry.get(self.connection.system)

    def session(self) -> ConnectorSession:
        credentials = self.cipher.decrypt(self.connection.credentials_ciphertext)
        options = self.options
        if self.idempotency_key is not None:
            options = replace(options, idempotency_key=self.idempotency_key)
        return self.connector.session(credentials, options=options)

    def mappings(self, entity: Entity) -> dict[str, str]:
        value: dict[str, str] = self.connection.settings.get("field_mappings", {}).get(
            entity.value, {}
        )
        return value


def _ensure_credentials(ctx: WriteContext) -> None:
    """Fail fast when the connection may not use its credentials: disconnected, or refused."""
    status = ctx.connection.status
    if status == ConnectionStatus.DISCONNECTED.value:
        raise ConnectionDisconnected()
    if status == ConnectionStatus.AUTH_REQUIRED.value:
        raise ConnectionReauthRequired(
            "The source refused the stored credentials; the connection's owner must reconnect "
            "it. Reads from the records store keep working meanwhile."
        )


def _ready(ctx: WriteContext, entity: Entity, operation: Operation) -> Connector:
    if ctx.connection.status == ConnectionStatus.DISCONNECTED.value:
        raise ConnectionDisconnected()
    connector = ctx.connector
    # What can never work is said before what may work after a reconnect.
    if not connector.spec.supports(entity, operation):
        raise OperationNotSupported(connector.spec.id, entity.value, operation)
    ensure_available(ctx.connection, entity, operation)
    _ensure_credentials(ctx)
    return connector


@contextmanager
def _source_call(
    ctx: WriteContext, operation: str, entity: Entity | None, remote_id: str | None = None
) -> Iterator[ConnectorSession]:
    """A session for one call to the source, guarded by the connection's circuit breaker; the
    outcome is booked (error log, status) once the call is over.

    Entered after the request is validated and its references resolved, so a request that can
    never succeed says so rather than "retry later". While the circuit is open the guard raises
    `ConnectionUnavailable` with `retry_after` before any session is opened.
    """
    board = ctx.breakers
    called = False
    try:
        with board.guard(ctx.connection.id), ctx.session() as session:
            called = True
            yield session
    except IronbridgeError as exc:
        # A fast failure from an open circuit never reached the source: only calls are booked.
        if called:
            report_outcome(
                ctx.uow,
                ctx.connection,
                exc,
                operation=operation,
                entity=entity.value if entity else None,
                remote_id=remote_id,
                breakers=board,
            )
        raise
    report_outcome(ctx.uow, ctx.connection, None, operation=operation, breakers=board)


def _remote_id(ctx: WriteContext, entity: Entity, record_id: str) -> str:
    with ctx.uow(readonly=True) as uow:
        found = RecordRepository(uow.connection, ctx.connection.id).remote_ids_for(
            entity.value, [record_id]
        )
    if record_id not in found:
        raise NotFound(f"No {entity.label} {record_id}.")
    return found[record_id]


def _resolver(ctx: WriteContext) -> Any:
    def resolve(entity: Entity, record_id: str) -> str:
        return _remote_id(ctx, entity, record_id)

    return resolve


def _finish(
    ctx: WriteContext,
    connector: Connector,
    entity: Entity,
    raw: RawRecord,
    *,
    deleted: bool = False,
) -> dict[str, Any]:
    projector = Projector(connector, ctx.connection.id, entity, ctx.mappings(entity))
    now = utcnow()
    write = projector.write(raw, deleted=deleted, seen_at=now)
    if connector.spec.persists_writes:
        with ctx.uow() as uow:
            RecordRepository(uow.connection, ctx.connection.id).upsert(
                entity.value, [write], now=now
            )
            uow.commit()
    return projector.unified(raw, deleted=deleted, seen_at=now)


def _dry_run(
    ctx: WriteContext,
    entity: Entity,
    operation: Operation,
    record_id: str | None,
    payload: dict[str, Any] | None,
) -> dict[str, Any]:
    """What a write would send, once every check short of the source's own has passed: the
    payload with references as the source's ids, and the record as the store holds it now."""
    preview: dict[str, Any] = {
        "dry_run": True,
        "entity": entity.value,
        "operation": operation,
        "record_id": record_id,
        "payload": to_jsonable_python(payload),
    }
    if record_id is not None:
        with ctx.uow(readonly=True) as uow:
            preview["current"] = load_unified(uow, ctx.connection.id, entity, record_id)
    return preview


def create(
    ctx: WriteContext, entity: Entity, body: Any, *, dry_run: bool = False
) -> dict[str, Any]:
    """Create a record in the source system; returns it in unified form.

    A `dry_run` validates and resolves the body as a write does, then returns what would be
    sent without calling the source (its own business rules are not checked)."""
    connector = _ready(ctx, entity, "create")
    parsed = parse_input(CREATE_MODELS[entity], body)
    payload = resolve_references(parsed, _resolver(ctx))
    if dry_run:
        return _dry_run(ctx, entity, "create", None, payload)
    with _source_call(ctx, "write", entity) as session:
        raw = session.create(entity, payload)
    return _finish(ctx, connector, entity, raw)


def update(
    ctx: WriteContext, entity: Entity, record_id: str, body: Any, *, dry_run: bool = False
) -> dict[str, Any]:
    """Change fields of a record in the source system (a `dry_run` as for `create`)."""
    connector = _ready(ctx, entity, "update")
    parsed = parse_input(UPDATE_MODELS[entity], body)
    remote_id = _remote_id(ctx, entity, record_id)
    payload = resolve_references(parsed, _resolver(ctx))
    if dry_run:
        return _dry_run(ctx, entity, "update", record_id, payload)
    with _source_call(ctx, "write", entity, remote_id) as session:
        raw = session.update(entity, remote_id, payload)
    return _finish(ctx, connector, entity, raw)


def delete(
    ctx: WriteContext, entity: Entity, record_id: str, *, dry_run: bool = False
) -> dict[str, Any]:
    """Delete a record in the source system; returns the record marked deleted (a `dry_run`
    as for `create`)."""
    connector = _ready(ctx, entity, "delete")
    remote_id = _remote_id(ctx, entity, record_id)
    if dry_run:
        return _dry_run(ctx, entity, "delete", record_id, None)
    with ctx.uow(readonly=True) as uow:
        current = load_unified(uow, ctx.connection.id, entity, record_id)
    with _source_call(ctx, "write", entity, remote_id) as session:
        session.delete(entity, remote_id)
    if connector.spec.persists_writes:
        with ctx.uow() as uow:
            RecordRepository(uow.connection, ctx.connection.id).mark_deleted(
                entity.value, [remote_id]
            )
            uow.commit()
    current["deleted"] = True
    return current


def adjust_inventory(
    ctx: WriteContext, record_id: str, body: Any, *, dry_run: bool = False
) -> dict[str, Any]:
    """Change an item's stock at one location; returns the item with its new stock levels (a
    `dry_run` as for `create`)."""
    entity = Entity.INVENTORY_ITEMS
    connector = _ready(ctx, entity, "adjust")
    parsed = parse_input(InventoryAdjustment, body)
    remote_id = _remote_id(ctx, entity, record_id)
    payload = resolve_references(parsed, _resolver(ctx))
    if dry_run:
        return _dry_run(ctx, entity, "adjust", record_id, payload)
    with _source_call(ctx, "write", entity, remote_id) as session:
        raw = session.adjust_inventory(remote_id, payload)
    return _finish(ctx, connector, entity, raw)


def passthrough(ctx: WriteContext, request: PassthroughRequest) -> dict[str, Any]:
    """A raw request to the source through the connector's auth."""
    connector = ctx.connector
    if not connector.spec.passthrough:
        raise OperationNotSupported(connector.spec.id, "passthrough", "passthrough")
    _ensure_credentials(ctx)
    with _source_call(ctx, "passthrough", None) as session:
        response = session.passthrough(request)
    return {"status": response.status, "headers": response.headers, "body": response.body}
