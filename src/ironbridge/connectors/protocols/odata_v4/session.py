"""A session over OData v4 entity sets, driven by one declaration per unified entity.

A system package declares, per entity, an `EntitySet` (the entity set and its `$expand`
paths), and once for all of them the key that is the unified `remote_id`, its Edm type and
the change property. `ODataV4Session` turns those into `list_changes`, `get`, the permission
probe of `check()`, and writes with ETags through the system's `kit.Mapper`, so a system
writes code only where it differs (Business Central's company and its line-replacing
`$batch`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from ironbridge import errors
from ironbridge.connectors import kit
from ironbridge.connectors.base import (
    Availability,
    CheckResult,
    CheckStage,
    ConnectorSession,
    EntityAvailability,
    Operation,
    RawRecord,
)
from ironbridge.connectors.kit import ensure_page_size, ensure_resolved
from ironbridge.connectors.protocols.odata_v4.changes import ChangeReader
from ironbridge.connectors.protocols.odata_v4.client import ODataV4Client, QueryOptions
from ironbridge.connectors.protocols.odata_v4.values import key_predicate, parse_datetime
from ironbridge.model import Entity

__all__ = ["EntitySet", "ODataV4Session"]


@dataclass(frozen=True)
class EntitySet:
    """Where one unified entity lives in an OData v4 service.

    Attributes:
        entity_set: the entity set, relative to the session's `base()`.
        expand: `$expand` paths read with every record (lines without a change time of their
            own come with their header, read again when it changes).
        webhooks: the service pushes change notifications of this entity set
            (`webhooks.ODataV4PushSession`).
    """

    entity_set: str
    expand: tuple[str, ...] = ()
    webhooks: bool = False


class ODataV4Session(ConnectorSession):
    """Reads and writes declared entity sets; the system's session sets `odata`, the class
    attributes, and its own `check()` (which ends with `check_permissions`).

    A system overrides `base` where its entity sets live under a path chosen at run time (a
    company), and any operation it does differently.
    """

    #: Where each entity of the spec lives.
    resources: ClassVar[Mapping[Entity, EntitySet]]
    #: The key property every entity set is keyed by (the unified `remote_id`), its Edm type,
    #: and the Edm.DateTimeOffset property that records changes.
    key: ClassVar[str]
    key_type: ClassVar[str] = "Edm.String"
    change: ClassVar[str]
    #: The source system as messages name it (`Business Central`).
    source: ClassVar[str]
    #: The maps writes go through.
    mapper: ClassVar[kit.Mapper]
    #: What the permissions stage says when every entity set is readable, and the fix for one
    #: that is refused or absent.
    all_readable: ClassVar[str]
    grant_fix: ClassVar[str]

    odata: ODataV4Client

    def base(self) -> str:
        """The path every entity set is relative to, below the client's base URL."""
        return ""

    def resource(self, entity: Entity, operation: Operation = "read") -> EntitySet:
        """The entity set of `entity`, once the spec is known to support `operation` on it."""
        self.spec.ensure_supported(entity, operation)
        return self.resources[entity]

    def path(self, resource: EntitySet, remote_id: str) -> str:
        """The URL path of record `remote_id`; `errors.NotFound` when it cannot be a key."""
        key: Any = remote_id
        if self.key_type == "Edm.Guid":
            try:
                key = uuid.UUID(remote_id)
            except ValueError:
                raise errors.NotFound(
                    f"{self.source} has no {resource.entity_set} {remote_id!r}."
                ) from None
        return f"{self.base()}{resource.entity_set}{key_predicate(key)}"

    # -- check ----------------------------------------------------------------------------------

    def check_permissions(self) -> CheckResult:
        """Read one record of every entity; an entity set refused or absent is unavailable.

        Any other failure fails the stage: it says nothing about what the system offers.
        """
        missing: list[EntityAvailability] = []
        for entity in self.spec.entities:
            try:
                path = self.base() + self.resources[entity].entity_set
                self.odata.query(path, QueryOptions(top=1))
            except (errors.PermissionDenied, errors.NotFound) as exc:
                found = EntityAvailability(
                    entity, Availability.UNAVAILABLE, exc.message, self.grant_fix
                )
                missing.append(found)
            except errors.IronbridgeError as exc:
                return CheckResult(
                    CheckStage.PERMISSIONS, False, exc.message, fix="Try again later."
                )
        message = self.all_readable
        if missing:
            message = "Not available: " + "; ".join(
                f"{m.entity.value}: {m.reason}" for m in missing
            )
        return CheckResult(CheckStage.PERMISSIONS, True, message, entities=tuple(missing))

    # -- reads ----------------------------------------------------------------------------------

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Records changed at or after `since`, in (change time, key) order."""
        ensure_page_size(page_size)
        resource = self.resource(entity)
        reader = ChangeReader(
            self.odata,
            self.base() + resource.entity_set,
            key=self.key,
            change=self.change,
            key_type=self.key_type,
            expand=resource.expand,
        )
        for page in reader.pages(since, page_size=page_size):
            yield [RawRecord(str(row.key), row.modified_at, row.row) for row in page]

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """One record, with what its entity set expands."""
        resource = self.resource(entity)
        row, _ = self.odata.get(self.path(resource, remote_id), expand=resource.expand)
        return RawRecord(str(row[self.key]), parse_datetime(str(row[self.change])), row)

    # -- writes ---------------------------------------------------------------------------------

    def write_body(self, entity: Entity, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The source body of a resolved write payload, through `mapper`."""
        ensure_resolved(payload, self.source)
        try:
            return self.mapper.to_source(entity, payload)
        except KeyError as exc:
            # A status the source has no code for (Business Central: an inactive vendor).
            problem = f"{self.source} has no state {exc}."
            raise errors.ValidationFailed({"status": problem}) from None

    def field_name(self, target: str) -> str:
        """The unified payload key of an error's `target` in a refused write."""
        return target

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """Create a record in one POST (a deep insert, lines included), then read it back."""
        resource = self.resource(entity, "create")
        body = self.write_body(entity, payload)
        path = self.base() + resource.entity_set
        created = self.odata.create(path, body, field_names=self.field_name)
        return self.get(entity, str(created[self.key]))

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Change a record with `If-Match` set to the ETag read just before, then read it back."""
        path = self.path(self.resource(entity, "update"), remote_id)
        body = self.write_body(entity, changes)
        self.odata.update(path, body, field_names=self.field_name)
        return self.get(entity, remote_id)

    def delete(self, entity: Entity, remote_id: str) -> None:
        """Delete a record with `If-Match` set to the ETag read just before."""
        self.odata.delete(self.path(self.resource(entity, "delete"), remote_id))
