"""A connector session over one database's models (Tryton, Odoo), declared by its system.

`ModelSession` is what every JSON-RPC model system's session does the same way: it reads the
entities its `resources` declare through `jsonrpc_changes` (an entity whose optional module the
database lacks reads empty, and `get` and the check say which module to activate), runs the
check of `jsonrpc_checks` in the system's `hints`, relays raw calls, and turns the service's
write payloads into calls on the system's `writers` (a stock adjustment into its
`adjust_stock`). A system hands its `resources`, `hints`, `writers`, `write_access` (the rights
its writes need, when not those its writers' models and `adjusts` need for what the spec
offers) and `enrich` (what one read cannot give) to the constructor. `ModelConnector`
is the connector such a session belongs to: its sessions are made from the connect form's
validated fields, its records mapped by its `mapper`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar, runtime_checkable

from ironbridge import errors
from ironbridge.connectors.base import (
    CheckResult,
    Connector,
    ConnectorSession,
    ConnectorSpec,
    IdFactory,
    Operation,
    PassthroughRequest,
    PassthroughResponse,
    RawRecord,
    SessionOptions,
)
from ironbridge.connectors.kit import Mapper, ensure_page_size, ensure_resolved
from ironbridge.connectors.protocols import jsonrpc_changes, jsonrpc_checks
from ironbridge.connectors.protocols.jsonrpc_changes import Enrich, ModelResource
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient, record_number
from ironbridge.model import (
    CREATE_MODELS,
    UPDATE_MODELS,
    Entity,
    InventoryAdjustment,
    parse_input,
)

__all__ = ["ModelConnector", "ModelDeleter", "ModelSession", "ModelWriter"]


class ModelWriter(Protocol):
    """Writes one entity: validated unified values in, record ids out."""

    def create(self, values: dict[str, Any]) -> int:
        """Create a record; its id."""
        ...

    def update(self, record_id: int, values: dict[str, Any]) -> None:
        """Change the record `record_id`."""
        ...


@runtime_checkable
class ModelDeleter(Protocol):
    """A writer that also deletes (when deleting takes more than deleting the record)."""

    def delete(self, record_id: int) -> None:
        """Delete the record `record_id`."""
        ...


def _as_read(resource: ModelResource, rows: list[dict[str, Any]]) -> None:
    """Rows need nothing beyond what was read."""


class ModelSession(ConnectorSession):
    """One signed-in conversation with one database of a JSON-RPC model system.

    A system may declare its writers as the classes that write each entity (`writer_types`,
    made of the session's client) and the model its stock adjustments create (`adjusts`)
    instead of handing them to the constructor.
    """

    writer_types: ClassVar[Mapping[Entity, Callable[[ModelClient], ModelWriter]]] = {}
    adjusts: str | None = None

    def __init__(
        self,
        spec: ConnectorSpec,
        client: ModelClient,
        options: SessionOptions | None = None,
        *,
        resources: Mapping[Entity, ModelResource],
        hints: jsonrpc_checks.CheckHints,
        enrich: Enrich | None = None,
        writers: Mapping[Entity, ModelWriter] | None = None,
        write_access: jsonrpc_checks.WriteAccess | None = None,
    ) -> None:
        """`resources` say where each entity the connector reads lives; `hints` what each
        failed check stage tells the person connecting; `enrich` adds what one read cannot
        give to the rows of a resource; `writers` write each writable entity, and `write_access`
        says which access rights those writes need, for the check to tell. Without it, they are
        the rights (`ModelDialect.write_rights`) of the writes the spec offers on each writer's
        `model` and, for stock adjustments, on the class's `adjusts`."""
        super().__init__(spec, options)
        self.client = client
        self.resources = resources
        self.hints = hints
        self.database = client.database
        self._http, self._rpc = client.http, client.rpc
        self.enrich: Enrich = enrich or _as_read
        self.writers: Mapping[Entity, ModelWriter] = writers or {
            entity: make(client) for entity, make in self.writer_types.items()
        }
        self.write_access = write_access or {}
        self._closed = False

    def close(self) -> None:
        """Log out (best effort) and close the HTTP client; safe to call twice."""
        if not self._closed:
            self._closed = True
            self.client.close()

    def context(self) -> dict[str, Any]:
        """The context sent with every model call (the user's company, English messages)."""
        return self.client.context()

    def _refused_writes(self) -> list[str]:
        """The offered writes the user's access rights refuse, in words."""
        return jsonrpc_checks.refused_writes(self.client, self.write_access or self._needs())

    def _needs(self) -> jsonrpc_checks.WriteAccess:
        """The rights the offered writes need on each writer's model and on `adjusts`."""
        rights, capabilities = self.client.dialect.write_rights, self.spec.capabilities
        if not rights:
            return {}
        models = {getattr(writer, "model", None): entity for entity, writer in self.writers.items()}
        offered: dict[str, tuple[Entity, tuple[Operation, ...]]] = {
            model: (entity, ("create", "update", "delete"))
            for model, entity in models.items()
            if model is not None
        }
        if self.adjusts is not None:
            offered[self.adjusts] = (Entity.INVENTORY_ITEMS, ("adjust",))
        return {
            model: (entity, tuple(rights[op] for op in ops if getattr(capabilities[entity], op)))
            for model, (entity, ops) in offered.items()
        }

    def record_id(self, entity: Entity, remote_id: str) -> int:
        """The record id `remote_id` names (`errors.NotFound` when it names none)."""
        return record_number(remote_id, entity.label, self.client.name)

    def row(self, entity: Entity, remote_id: str, fields: list[str]) -> dict[str, Any]:
        """The `fields` of a record the entity's resource covers; `errors.NotFound` when
        there is none."""
        resource, wire = self.resources[entity], self.client.dialect.wire
        where = wire.condition("id", "=", self.record_id(entity, remote_id))
        domain = wire.all_of(jsonrpc_changes.resource_domain(self.client, resource), where)
        rows = self.client.search_read(resource.model, domain, fields, extra=resource.context)
        if not rows:
            raise errors.NotFound(f"No {self.client.name} {entity.label} has the id {remote_id}.")
        return rows[0]

    def _resource(self, entity: Entity) -> ModelResource:
        self.spec.ensure_supported(entity, "read")
        return self.resources[entity]

    def _available(self, resource: ModelResource) -> bool:
        """Whether the database has the resource's model (its optional module is activated)."""
        optional = [r.model for r in self.resources.values() if r.module is not None]
        return self.client.present(resource.model, optional)

    def _unavailable(self, resource: ModelResource) -> errors.EntityUnavailable | None:
        """Why the database cannot hold the resource's entity, if it cannot."""
        if self._available(resource):
            return None
        words = {
            "name": self.client.name,
            "module": resource.module,
            "database": self.database,
            "what": resource.entity.value,
        }
        reason, enable = (text.format(**words) for text in self.hints.module_missing)
        return errors.EntityUnavailable(
            self.spec.id, resource.entity.value, "read", reason=reason, enable=enable
        )

    # -- reads ---------------------------------------------------------------------------------

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Records changed at or after `since`, in (modified_at, id) order.

        With a `since`, rows of the resource's dependents changed since then re-emit their
        records at the later of the two times (`jsonrpc_changes`). An entity whose optional
        module is not activated has no records: nothing is yielded, so its syncs succeed empty.
        """
        ensure_page_size(page_size)
        if since is not None and since.utcoffset() is None:
            raise ValueError("since must carry a time zone")
        resource = self._resource(entity)
        if self._available(resource):
            yield from jsonrpc_changes.changes(self.client, resource, since, page_size, self.enrich)

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The current record; `errors.NotFound` when there is none (or it is filtered).

        Raises `errors.OperationNotSupported` (with `details.reason`) for an entity whose
        optional module is not activated.
        """
        resource = self._resource(entity)
        if (unavailable := self._unavailable(resource)) is not None:
            raise unavailable
        record = self.record_id(entity, remote_id)
        raw = jsonrpc_changes.latest(self.client, resource, record, self.enrich)
        if raw is None:
            raise errors.NotFound(f"No {self.client.name} {entity.label} has the id {remote_id}.")
        return raw

    # -- check ---------------------------------------------------------------------------------

    def check(self) -> Iterator[CheckResult]:
        """Reach → authenticate → permissions (`jsonrpc_checks`, in the words of `hints`)."""
        return jsonrpc_checks.check(
            self.client,
            self.resources,
            self.spec.entities,
            self.hints,
            unavailable=self._unavailable,
            refused_writes=self._refused_writes,
        )

    # -- writes --------------------------------------------------------------------------------

    def checked(
        self, entity: Entity, operation: Operation, payload: Mapping[str, Any] | None = None
    ) -> ModelResource:
        """The entity's resource; refuses a write the spec does not offer, to an entity the
        database cannot hold (`errors.EntityUnavailable`), or with unresolved references."""
        self.spec.ensure_supported(entity, operation)
        resource = self.resources[entity]
        if (unavailable := self._unavailable(resource)) is not None:
            raise unavailable
        ensure_resolved(payload or {}, self.client.name)
        return resource

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """Create the record through the entity's writer; returns it as the source has it."""
        self.checked(entity, "create", payload)
        values = parse_input(CREATE_MODELS[entity], payload).model_dump(exclude_unset=True)
        return self.get(entity, str(self.writers[entity].create(values)))

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Change the record through the entity's writer; returns it as it now is."""
        self.checked(entity, "update", changes)
        record = self.record_id(entity, remote_id)
        values = parse_input(UPDATE_MODELS[entity], changes).model_dump(exclude_unset=True)
        self.writers[entity].update(record, values)
        return self.get(entity, remote_id)

    def delete(self, entity: Entity, remote_id: str) -> None:
        """Delete the record through the entity's writer where it has a `delete`, else the
        record of the resource's model; `errors.NotFound` when there is none."""
        model = self.checked(entity, "delete").model
        record, writer = self.record_id(entity, remote_id), self.writers.get(entity)
        if isinstance(writer, ModelDeleter):
            writer.delete(record)
            return
        if not self.client.search(model, self.client.dialect.wire.condition("id", "=", record)):
            raise errors.NotFound(f"No {self.client.name} {entity.label} has the id {record}.")
        self.client.delete(model, [record])

    def adjust_inventory(self, remote_id: str, adjustment: dict[str, Any]) -> RawRecord:
        """Check and validate a stock adjustment, record it through `adjust_stock`, and return
        the item with its stock as it now is."""
        self.checked(Entity.INVENTORY_ITEMS, "adjust", adjustment)
        self.adjust_stock(remote_id, parse_input(InventoryAdjustment, adjustment))
        return self.get(Entity.INVENTORY_ITEMS, remote_id)

    def adjust_stock(self, remote_id: str, adjustment: InventoryAdjustment) -> None:
        """Record the validated `adjustment` of item `remote_id` in the database; a system
        whose spec offers adjustments gives it."""
        raise errors.OperationNotSupported(self.spec.id, Entity.INVENTORY_ITEMS.value, "adjust")

    def passthrough(self, request: PassthroughRequest) -> PassthroughResponse:
        """Call one RPC method (`ModelClient.passthrough`)."""
        return self.client.passthrough(request)


_Session = TypeVar("_Session", bound=ModelSession)


class ModelConnector(Connector, Generic[_Session]):
    """The connector of a JSON-RPC model system: `session_type` makes its sessions from the
    connect form's validated fields, `mapper` maps its records to unified ones."""

    session_type: Callable[[Mapping[str, str], SessionOptions | None], _Session]
    mapper: Mapper

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> _Session:
        """A session for the connect form's fields; nothing is sent yet."""
        return self.session_type(self.validate_credentials(credentials), options)

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map a record (with what the session added to it) through `mapper`."""
        return self.mapper.to_unified(entity, raw, ids)
