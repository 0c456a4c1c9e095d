"""A session over OData entity sets, driven by one declaration per unified entity.

A system package declares, per entity, an `EntitySet`: the service and entity set, the key
that is the unified `remote_id`, how changes are recorded (or None for a snapshot read whole
each time), `$expand` paths and a fixed `$filter`. `ODataSession` turns those declarations
into `list_changes`, `get`, the permission probe of `check()` and passthrough, so a system
writes code only where its source differs (SAP's locations come from three places).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

from ironbridge import errors
from ironbridge.connectors.base import (
    Availability,
    CheckResult,
    CheckStage,
    ConnectorSession,
    EntityAvailability,
    PassthroughRequest,
    PassthroughResponse,
    RawRecord,
)
from ironbridge.connectors.kit import ensure_page_size, pages
from ironbridge.connectors.protocols import http, odata_v2
from ironbridge.model import Entity

__all__ = ["EntitySet", "ODataSession", "Probe"]


@dataclass(frozen=True, kw_only=True)
class EntitySet:
    """Where one unified entity lives in an OData service.

    Attributes:
        root: where services live, relative to the base URL (`sap/opu/odata/sap`).
        service: the service's name, as administrators know it (`API_EQUIPMENT`).
        entity_set: the entity set read for the entity.
        key: the string property whose value is the unified `remote_id`.
        change: how the entity set records changes; None for a snapshot, read whole each time
            and without a change time.
        created: the change time of records the source never changed (their first change
            property is empty); they are read in a second stream ordered by it.
        expand: `$expand` paths read with every record.
        filter: a fixed `$filter` condition (only suppliers, only the current slice).
        key_parts: fixed further parts of a compound key, as ready literals.
        by_filter: `key` is not the entity set's key, so one record is found by `$filter`.
        prefix: what goes before the key in the unified remote id, where one entity reads
            several entity sets whose keys may coincide.
    """

    root: str = ""
    service: str
    entity_set: str
    key: str
    change: odata_v2.ChangeField | None
    created: odata_v2.ChangeField | None = None
    expand: tuple[str, ...] = ()
    filter: str | None = None
    key_parts: Mapping[str, str] = field(default_factory=dict, hash=False)
    by_filter: bool = False
    prefix: str = ""

    @property
    def service_path(self) -> str:
        """The service root's path relative to the base URL."""
        return f"{self.root}/{self.service}/" if self.root else f"{self.service}/"

    @property
    def path(self) -> str:
        """The entity set's path relative to the base URL."""
        return self.service_path + self.entity_set


class Probe(Enum):
    """What one read of an entity set found out about the user's access to it."""

    READABLE = "readable"
    REFUSED = "refused"
    ABSENT = "absent"


class ODataSession(ConnectorSession):
    """Reads declared entity sets; the system's session sets `odata` and the class attributes.

    A system overrides `records` and `fetch` for an entity whose source is not one entity set,
    `availability` for one whose check is more than one probe, and `unreadable` to say what an
    administrator enables.
    """

    #: Where each entity of the spec lives.
    resources: ClassVar[Mapping[Entity, EntitySet]]
    #: The source system as messages name it (`SAP`).
    source: ClassVar[str]
    #: Rows per request when reading changes: the page size, kept within these bounds.
    min_batch: ClassVar[int] = 50
    max_batch: ClassVar[int] = 1000
    #: What passthrough sends, and the headers a caller may not set (the session owns
    #: authentication and its cookies).
    passthrough_methods: ClassVar[frozenset[str]] = frozenset({"GET", "POST"})
    blocked_headers: ClassVar[frozenset[str]] = frozenset(
        {"authorization", "cookie", "host", "content-length", "transfer-encoding"}
    )

    odata: odata_v2.ODataV2Client

    # -- reads ----------------------------------------------------------------------------------

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Pages of records changed at or after `since`, in (modified_at, remote_id) order.

        Snapshot entities come whole on every call, without a change time.
        """
        ensure_page_size(page_size)
        if since is not None and since.utcoffset() is None:
            raise ValueError("since must carry a time zone")
        self.spec.ensure_supported(entity, "read")
        batch = min(max(page_size, self.min_batch), self.max_batch)
        yield from pages(self.records(entity, since, batch=batch, page_size=page_size), page_size)

    def records(
        self, entity: Entity, since: datetime | None, *, batch: int, page_size: int
    ) -> Iterator[RawRecord]:
        """The records of `entity` changed at or after `since`, in (modified_at, remote_id)
        order; `batch` rows per change query, `page_size` per snapshot query."""
        return self.read(self.resources[entity], since, batch=batch, page_size=page_size)

    def read(
        self, resource: EntitySet, since: datetime | None, *, batch: int, page_size: int
    ) -> Iterator[RawRecord]:
        """The records of one entity set, as `records` describes."""
        if resource.change is None:
            return self._snapshot(resource, page_size)
        return self._changes(resource, resource.change, since, batch)

    def _snapshot(self, resource: EntitySet, page_size: int) -> Iterator[RawRecord]:
        for rows in self.odata.iter_all(
            resource.path,
            key=[resource.key],
            page_size=page_size,
            filter=resource.filter,
            expand=resource.expand,
        ):
            for row in rows:
                yield RawRecord(resource.prefix + str(row[resource.key]), None, row)

    def _changes(
        self,
        resource: EntitySet,
        change: odata_v2.ChangeField,
        since: datetime | None,
        batch: int,
    ) -> Iterator[RawRecord]:
        if resource.created is None:
            rows = self._rows(resource, change, resource.filter, since, batch)
        else:
            # Records never changed have an empty change field; they are read by their
            # creation time in a second, equally ordered stream, and the two are merged.
            empty = change.order_by()[0]
            rows = odata_v2.merge_changes(
                self._rows(
                    resource,
                    change,
                    odata_v2.all_of(resource.filter, f"{empty} ne null"),
                    since,
                    batch,
                ),
                self._rows(
                    resource,
                    resource.created,
                    odata_v2.all_of(resource.filter, f"{empty} eq null"),
                    since,
                    batch,
                ),
            )
        for row in rows:
            yield RawRecord(resource.prefix + row.remote_id, row.modified_at, row.data)

    def _rows(
        self,
        resource: EntitySet,
        change: odata_v2.ChangeField,
        condition: str | None,
        since: datetime | None,
        batch: int,
    ) -> Iterator[odata_v2.ChangedRow]:
        reader = odata_v2.ChangeReader(
            self.odata,
            resource.path,
            resource.key,
            change,
            filter=condition,
            expand=resource.expand,
        )
        return reader.rows(since, batch=batch)

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The current record `remote_id`; `errors.NotFound` when there is none."""
        self.spec.ensure_supported(entity, "read")
        if not remote_id:
            raise errors.NotFound(f"No {entity.label} has an empty id.")
        try:
            return self.fetch(entity, remote_id)
        except errors.NotFound:
            raise errors.NotFound(
                f"No {entity.label} {remote_id!r} exists in {self.source}."
            ) from None

    def fetch(self, entity: Entity, remote_id: str) -> RawRecord:
        """The record `remote_id` of `entity`; any `errors.NotFound` when there is none."""
        resource = self.resources[entity]
        return self.fetch_one(resource, remote_id.removeprefix(resource.prefix))

    def fetch_one(self, resource: EntitySet, key: str) -> RawRecord:
        """The record of `resource` whose key is `key`, with its change time."""
        if resource.by_filter:
            rows = self.odata.query(
                resource.path,
                filter=f"{resource.key} eq {odata_v2.string_literal(key)}",
                top=1,
                expand=resource.expand,
            )
            if not rows:
                raise errors.NotFound()
            data = rows[0]
        else:
            keys = {resource.key: key, **resource.key_parts}
            data, _ = self.odata.get(
                resource.path + odata_v2.key_predicate(keys), expand=resource.expand
            )
        remote_id = resource.prefix + key
        if resource.change is None:
            return RawRecord(remote_id, None, data)
        moment = resource.change.read(data)
        if moment is None and resource.created is not None:
            moment = resource.created.read(data)
        if moment is None:
            raise errors.UpstreamError(
                f"{self.source} sent {resource.entity_set} {remote_id} without a change time."
            )
        return RawRecord(remote_id, resource.change.floor(moment), data)

    # -- permissions ----------------------------------------------------------------------------

    def check_permissions(self) -> CheckResult:
        """Read one record of every entity; an entity set refused or absent is unavailable.

        Any other answer (a server error) fails the stage: it says nothing about what the
        system offers.
        """
        found: list[EntityAvailability] = []
        readable: list[str] = []
        for entity in self.spec.entities:
            judged = self.availability(entity)
            if isinstance(judged, CheckResult):
                return judged
            if judged is not None:
                found.append(judged)
            if judged is None or judged.status is not Availability.UNAVAILABLE:
                readable.append(entity.label)
        message = (
            f"The user may read {', '.join(readable)}."
            if readable
            else "The user may read none of the data ironbridge reads."
        )
        if found:
            missing = "; ".join(f"{item.entity.value}: {item.reason}" for item in found)
            message += f" Not fully available: {missing}"
        return CheckResult(CheckStage.PERMISSIONS, True, message, entities=tuple(found))

    def availability(self, entity: Entity) -> EntityAvailability | CheckResult | None:
        """None when `entity` is fully readable, what is missing when not, or a failed stage."""
        resource = self.resources[entity]
        probe = self.probe(resource)
        if isinstance(probe, CheckResult):
            return probe
        if probe is Probe.READABLE:
            return None
        reason, enable = self.unreadable(entity, resource, probe)
        return EntityAvailability(entity, Availability.UNAVAILABLE, reason, enable)

    def probe(self, resource: EntitySet) -> Probe | CheckResult:
        """Read one record of `resource`: readable, refused (401/403), absent (404), or a
        failed stage for any other failure."""
        params = {"$top": "1", "$format": "json"}
        if resource.filter:
            params["$filter"] = resource.filter
        try:
            response = self.odata.send("GET", resource.path, params=params)
        except errors.IronbridgeError as exc:
            return CheckResult(CheckStage.PERMISSIONS, False, exc.message)
        if response.status_code < 400:
            return Probe.READABLE
        if response.status_code in (401, 403):
            return Probe.REFUSED
        if response.status_code == 404:
            return Probe.ABSENT
        return CheckResult(CheckStage.PERMISSIONS, False, self.odata.error_for(response).message)

    def unreadable(self, entity: Entity, resource: EntitySet, probe: Probe) -> tuple[str, str]:
        """(reason, what to enable) for `resource` found refused or absent."""
        where = f"{entity.label}s ({resource.service})"
        if probe is Probe.REFUSED:
            return f"The user may not read {where}.", f"Grant the user {resource.service}."
        return (
            f"The service for {where} is not available on this system.",
            f"Activate {resource.service}.",
        )

    # -- passthrough ----------------------------------------------------------------------------

    def passthrough(self, request: PassthroughRequest) -> PassthroughResponse:
        """Send a request under the system's base URL with the session's credentials.

        The answer comes back as the source gave it, minus headers that carry session secrets.
        """
        if request.method not in self.passthrough_methods:
            allowed = " and ".join(sorted(self.passthrough_methods))
            raise errors.ValidationFailed(
                {"method": f"The {self.spec.name} passthrough sends {allowed} only."}
            )
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in self.blocked_headers
        }
        response = self.odata.send(
            request.method,
            request.path.lstrip("/"),
            params=request.query,
            json=request.body if request.method == "POST" else None,
            headers=headers,
        )
        kept = {
            name: value
            for name, value in http.redact_headers(dict(response.headers)).items()
            if value != http.REDACTED
        }
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        return PassthroughResponse(status=response.status_code, headers=kept, body=body)
