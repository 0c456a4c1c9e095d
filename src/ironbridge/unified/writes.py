"""Writes through the unified API: capability check, validation, reference resolution, the
connector call, then the store (for connectors whose writes persist)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..connections import ConnectionStatus
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
    NotFound,
    OperationNotSupported,
)
from ..model import (
    CREATE_MODELS,
    UPDATE_MODELS,
    Entity,
    InventoryAdjustment,
    parse_input,
    resolve_references,
)
from ..security import CredentialCipher
from ..store import ConnectionRow, UnitOfWorkFactory
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

    @property
    def connector(self) -> Connector:
        return self.registry.get(self.connection.system)

    def session(self) -> ConnectorSession:
        credentials = self.cipher.decrypt(self.connection.credentials_ciphertext)
        return self.connector.session(credentials, options=self.options)

    def mappings(self, entity: Entity) -> dict[str, str]:
        value: dict[str, str] = self.connection.settings.get("field_mappings", {}).get(
            entity.value, {}
        )
        return value


def _ready(ctx: WriteContext, entity: Entity, operation: Operation) -> Connector:
    status = ctx.connection.status
    if status == ConnectionStatus.DISCONNECTED.value:
        raise ConnectionDisconnected()
    if status == ConnectionStatus.AUTH_REQUIRED.value:
        raise ConnectionReauthRequired()
    connector = ctx.connector
    if not connector.spec.supports(entity, operation):
        raise OperationNotSupported(connector.spec.id, entity.value, operation)
    return connector


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
    write = projector.write(raw, deleted=deleted)
    if connector.spec.persists_writes:
        with ctx.uow() as uow:
            RecordRepository(uow.connection, ctx.connection.id).upsert(entity.value, [write])
            uow.commit()
    return projector.unified(raw, deleted=deleted)


def create(ctx: WriteContext, entity: Entity, body: Any) -> dict[str, Any]:
    """Create a record in the source system; returns it in unified form."""
    connector = _ready(ctx, entity, "create")
    parsed = parse_input(CREATE_MODELS[entity], body)
    payload = resolve_references(parsed, _resolver(ctx))
    with ctx.session() as session:
        raw = session.create(entity, payload)
    return _finish(ctx, connector, entity, raw)


def update(ctx: WriteContext, entity: Entity, record_id: str, body: Any) -> dict[str, Any]:
    """Change fields of a record in the source system."""
    connector = _ready(ctx, entity, "update")
    parsed = parse_input(UPDATE_MODELS[entity], body)
    remote_id = _remote_id(ctx, entity, record_id)
    payload = resolve_references(parsed, _resolver(ctx))
    with ctx.session() as session:
        raw = session.update(entity, remote_id, payload)
    return _finish(ctx, connector, entity, raw)


def delete(ctx: WriteContext, entity: Entity, record_id: str) -> dict[str, Any]:
    """Delete a record in the source system; returns the record marked deleted."""
    connector = _ready(ctx, entity, "delete")
    remote_id = _remote_id(ctx, entity, record_id)
    with ctx.uow(readonly=True) as uow:
        current = load_unified(uow, ctx.connection.id, entity, record_id)
    with ctx.session() as session:
        session.delete(entity, remote_id)
    if connector.spec.persists_writes:
        with ctx.uow() as uow:
            RecordRepository(uow.connection, ctx.connection.id).mark_deleted(
                entity.value, [remote_id]
            )
            uow.commit()
    current["deleted"] = True
    return current


def adjust_inventory(ctx: WriteContext, record_id: str, body: Any) -> dict[str, Any]:
    """Change an item's stock at one location; returns the item with its new stock levels."""
    entity = Entity.INVENTORY_ITEMS
    connector = _ready(ctx, entity, "adjust")
    parsed = parse_input(InventoryAdjustment, body)
    remote_id = _remote_id(ctx, entity, record_id)
    payload = resolve_references(parsed, _resolver(ctx))
    with ctx.session() as session:
        raw = session.adjust_inventory(remote_id, payload)
    return _finish(ctx, connector, entity, raw)


def passthrough(ctx: WriteContext, request: PassthroughRequest) -> dict[str, Any]:
    """A raw request to the source through the connector's auth."""
    connector = ctx.connector
    if not connector.spec.passthrough:
        raise OperationNotSupported(connector.spec.id, "passthrough", "passthrough")
    if ctx.connection.status == ConnectionStatus.AUTH_REQUIRED.value:
        raise ConnectionReauthRequired()
    with ctx.session() as session:
        response = session.passthrough(request)
    return {"status": response.status, "headers": response.headers, "body": response.body}
