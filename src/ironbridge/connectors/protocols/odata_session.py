"""A session over OData entity sets, driven by one declaration per unified entity.

A system package declares, per entity, an `EntitySet`: the service and entity set, the key
that is the unified `remote_id`, how changes are recorded (or None for a snapshot read whole
each time), `$expand` paths and a fixed `$filter`. `ODataSession` turns those declarations
into `list_changes`, `get`, the permission probe of `check()` and passthrough, so a system
writes code only where its source differs (SAP's locations come from three places).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar, Final, Protocol

import httpx

from ironbridge import errors
from ironbridge.connectors.base import (
    Availability,
    CheckResult,
    CheckStage,
    ConnectorSession,
    ConnectorSpec,
    EntityAvailability,
    PassthroughRequest,
    PassthroughResponse,
    RawRecord,
    SessionOptions,
)
from ironbridge.connectors.kit import Mapper, ensure_page_size, ensure_resolved, pages
from ironbridge.connectors.protocols import http, odata_v2
from ironbridge.model import CREATE_MODELS, UPDATE_MODELS, Entity, parse_input

__all__ = ["CheckTexts", "EntitySet", "ODataSession", "Probe", "SignsRequests", "server_root"]

#: Records of an entity set read by its `levels` come one distinct row per request; a source
#: with more than this many is not one such a set was meant for.
MAX_DISTINCT: Final = 10_000


def server_root(address: str, root: str) -> str:
    """The server's base URL from the address a customer entered, tolerating a pasted
    service path (`https://host/sap/opu/odata/sap/API_X/` for `root` `sap/opu/odata/sap`)."""
    text = address.strip()
    marker = "/" + root
    if root and marker in text:
        text = text[: text.index(marker)]
    return text.rstrip("/") + "/"


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
        levels: for records the source keeps no list of, only as values on other rows (SAP's
            plants and storage locations, on stock rows): the string properties whose distinct
            values, level by level, are the records. Levels `Plant StorageLocation` give a
            record per plant (`1710`) and one per storage location in it (`1710/171A`), its
            remote id the values joined by `/`, its data every level (`""` below its own).
        grant: what an administrator grants or activates for the service (a role, SAP's
            communication arrangement), as check messages and the catalog name it; empty:
            the service itself.
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
    levels: tuple[str, ...] = ()
    grant: str = ""

    @property
    def service_path(self) -> str:
        """The service root's path relative to the base URL."""
        return f"{self.root}/{self.service}/" if self.root else f"{self.service}/"

    @property
    def path(self) -> str:
        """The entity set's path relative to the base URL."""
        return self.service_path + self.entity_set

    @property
    def requirement(self) -> str:
        """What an administrator enables for this set, as the catalog says (`requires`)."""
        return f"OData service {self.service}" + (f": {self.grant}" if self.grant else "")


def _with_levels(resource: EntitySet, data: dict[str, str]) -> dict[str, str]:
    """`data` with every level of `resource`, `""` for those it lacks."""
    return {name: data.get(name, "") for name in resource.levels}


@dataclass(frozen=True, kw_only=True)
class CheckTexts:
    """What `check()` tells an administrator at each failure, in their system's words.

    Attributes:
        address_fix: the fix for an address that cannot be used (not http(s), private).
        oauth_address_fix: the same for the OAuth token endpoint's address.
        unreachable_fix: the fix when nothing answers at the address.
        down: the message for an answer of 5xx or 429 (`{status}` is its status).
        down_fix: the fix for that.
        not_served: the message for a 404 that is not the server's own error body.
        not_served_fix: the fix for that.
        reached: the message of a passed reach stage.
        oauth_reached: the message when only the token endpoint answered.
        oauth_refused_fix: the fix when the token endpoint refused the client.
        refused_fix: the fix for refused credentials.
        accepted: the message of a passed authenticate stage.
        grant_fix: the fix for an entity set the user may not read; `{service}` and
            `{grant}` (`EntitySet.grant`, else the service) are filled in.
        activate_fix: the fix for an entity set the system does not serve, likewise.
        refused: the message for refused credentials by sign-in method (`basic`: the user's
            password; an OAuth client's secret), where it should say which were refused.
    """

    address_fix: str
    oauth_address_fix: str
    unreachable_fix: str
    down: str
    down_fix: str
    not_served: str
    not_served_fix: str
    reached: str
    oauth_reached: str
    oauth_refused_fix: str
    refused_fix: str
    accepted: str
    grant_fix: str = "Grant the user {grant}."
    activate_fix: str = "Activate {service}."
    refused: Mapping[str, str] = field(default_factory=dict)


class SignsRequests(Protocol):
    """How a session signs its requests (`connectors.auth.SignIn`; its `method`, where it has
    one, chooses the message of `CheckTexts.refused`)."""

    def around(self, wrap: Callable[[httpx.Auth], httpx.Auth] | None = None) -> httpx.Auth:
        """The client's auth, `wrap`ped around the sign-in's own."""

    def close(self) -> None:
        """Forget any token."""


class Probe(Enum):
    """What one read of an entity set found out about the user's access to it."""

    READABLE = "readable"
    REFUSED = "refused"
    ABSENT = "absent"


class ODataSession(ConnectorSession):
    """Reads declared entity sets; the system's session sets `odata` and the class attributes.

    An entity may be read from further entity sets declared in `optional`, without which it is
    only partly read: their records come first, and the remote ids of each carry its `prefix`.
    """

    #: Where each entity of the spec lives.
    resources: ClassVar[Mapping[Entity, EntitySet]]
    #: What `check()` says; it reaches and signs in on the service of `check_entity`.
    check_texts: ClassVar[CheckTexts]
    check_entity: ClassVar[Entity]
    #: Entity sets an entity is read from besides its own, without which it is `limited`:
    #: the set, and what is then read and what not.
    optional: ClassVar[Mapping[Entity, tuple[EntitySet, str]]] = {}
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
    #: What `open` wraps the sign-in's auth in (a server's protocol, such as SAP Gateway's CSRF
    #: tokens), and how it reads error bodies (None: `odata_v2.read_error`).
    auth_protocol: ClassVar[Callable[..., httpx.Auth] | None] = None
    error_reader: ClassVar[Callable[..., odata_v2.ErrorBody] | None] = None
    #: The connector's maps, whose `to_source` is the write body and whose write declarations
    #: name the fields of refused writes (`odata_v2.TargetNames`); None: no writes.
    mapper: ClassVar[Mapper | None] = None
    #: Records no write may change, by a property of the record read before the write: its
    #: name → (the value that locks it, the state that value is, the unified status it reads as).
    locks: ClassVar[Mapping[str, tuple[Any, str, str]]] = {}

    odata: odata_v2.ODataV2Client

    def __init__(self, spec: ConnectorSpec, options: SessionOptions | None = None) -> None:
        super().__init__(spec, options)
        # Services found readable or not, by name (see `offers`).
        self._offered: dict[str, bool] = {}

    def open(
        self,
        root: str,
        signin: SignsRequests,
        *,
        params: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Set `odata` to a client of the server at `root` whose requests `signin` signs, in
        the session's `auth_protocol`, each with the query `params` (a system's client number);
        error bodies are read by its `error_reader`."""
        self._signer = signin
        auth = signin.around(type(self).auth_protocol)
        self._http = http.make_client(root, auth=auth, options=self.options, transport=transport)
        if params:
            self._http.params = httpx.QueryParams(params)
        reader = type(self).error_reader or odata_v2.read_error
        self.odata = odata_v2.ODataV2Client(self._http, error_reader=reader)

    def close(self) -> None:
        """Close what `open` opened: the HTTP client, and the sign-in with any token."""
        for opened in (getattr(self, "_http", None), getattr(self, "_signer", None)):
            if opened is not None:
                opened.close()

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
        order; `batch` rows per change query, `page_size` per snapshot query.

        Records of an `optional` entity set the user may read come first: the entity's own set
        is then a snapshot, whose records, without a change time, come last in that order.
        """
        extra = self.optional.get(entity)
        if extra is not None and self.offers(extra[0]):
            yield from self.read(extra[0], since, batch=batch, page_size=page_size)
        yield from self.read(self.resources[entity], since, batch=batch, page_size=page_size)

    def read(
        self, resource: EntitySet, since: datetime | None, *, batch: int, page_size: int
    ) -> Iterator[RawRecord]:
        """The records of one entity set, as `records` describes."""
        if resource.change is None:
            return self._snapshot(resource, page_size)
        return self._changes(resource, resource.change, since, batch)

    def _snapshot(self, resource: EntitySet, page_size: int) -> Iterator[RawRecord]:
        if resource.levels:
            yield from self._levels(resource)
            return
        for rows in self.odata.iter_all(
            resource.path,
            key=[resource.key],
            page_size=page_size,
            filter=resource.filter,
            expand=resource.expand,
        ):
            for row in rows:
                yield RawRecord(resource.prefix + str(row[resource.key]), None, row)

    def _levels(self, resource: EntitySet) -> Iterator[RawRecord]:
        """The records of an entity set read by its `levels`, in remote id order."""
        found: dict[str, dict[str, str]] = {}
        for values in self.odata.distinct(resource.path, resource.levels, limit=MAX_DISTINCT):
            for depth in range(1, len(values) + 1):
                if not values[depth - 1]:
                    break
                data = dict(zip(resource.levels, values[:depth], strict=False))
                found.setdefault("/".join(values[:depth]), _with_levels(resource, data))
        for remote_id, data in sorted(found.items()):
            yield RawRecord(remote_id, None, data)

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
        """The record `remote_id` of `entity`, from the `optional` set whose prefix its id
        carries, else from its own; any `errors.NotFound` when there is none."""
        resource = self.resources[entity]
        extra = self.optional.get(entity)
        if extra is not None and extra[0].prefix and remote_id.startswith(extra[0].prefix):
            resource = extra[0]
            if remote_id == resource.prefix:
                raise errors.NotFound()
        if resource.levels:
            return self._fetch_level(resource, remote_id)
        return self.fetch_one(resource, remote_id.removeprefix(resource.prefix))

    def _fetch_level(self, resource: EntitySet, remote_id: str) -> RawRecord:
        """The record `remote_id` of an entity set read by its `levels`, if some row holds it."""
        values = remote_id.split("/", len(resource.levels) - 1)
        data = _with_levels(resource, dict(zip(resource.levels, values, strict=False)))
        condition = " and ".join(
            f"{name} eq {odata_v2.string_literal(value)}"
            for index, (name, value) in enumerate(data.items())
            if value or not index
        )
        if not self.odata.query(resource.path, filter=condition, top=1, select=resource.levels[:1]):
            raise errors.NotFound()
        return RawRecord(remote_id, None, data)

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

    # -- check ----------------------------------------------------------------------------------

    def check(self) -> Iterator[CheckResult]:
        """Reach the server, sign in, then read one record of every entity.

        The first request goes to the root of `check_entity`'s service: any answer from the
        server proves the address, a 401 disproves the credentials. A 403 there is a
        permissions matter, reported per entity in the third stage.
        """
        texts = self.check_texts
        try:
            response = self.odata.send("GET", self.resources[self.check_entity].service_path)
        except errors.ValidationFailed as exc:
            token_url = exc.fields.get("token_url")
            yield CheckResult(
                CheckStage.REACH,
                False,
                token_url or exc.fields.get("base_url", exc.message),
                fix=texts.address_fix if token_url is None else texts.oauth_address_fix,
            )
            return
        except errors.ConnectionReauthRequired as exc:
            # Only a token endpoint raises this here: it answered, and refused the client.
            yield CheckResult(CheckStage.REACH, True, texts.oauth_reached)
            yield CheckResult(
                CheckStage.AUTHENTICATE, False, exc.message, fix=texts.oauth_refused_fix
            )
            return
        except (errors.ConnectionUnavailable, errors.UpstreamTimeout, errors.UpstreamError) as exc:
            yield CheckResult(CheckStage.REACH, False, exc.message, fix=texts.unreachable_fix)
            return
        status = response.status_code
        if status >= 500 or status == 429:
            yield CheckResult(
                CheckStage.REACH, False, texts.down.format(status=status), fix=texts.down_fix
            )
            return
        if status == 404 and not odata_v2.has_error_body(response):
            yield CheckResult(CheckStage.REACH, False, texts.not_served, fix=texts.not_served_fix)
            return
        yield CheckResult(CheckStage.REACH, True, texts.reached)
        if status == 401:
            yield CheckResult(CheckStage.AUTHENTICATE, False, self.refused(), fix=texts.refused_fix)
            return
        yield CheckResult(CheckStage.AUTHENTICATE, True, texts.accepted)
        yield self.check_permissions()

    def refused(self) -> str:
        """The message for credentials the server refused: the check texts' for the session's
        sign-in method (`SignIn.method`), else a general one."""
        method = getattr(getattr(self, "_signer", None), "method", "")
        return self.check_texts.refused.get(method, f"{self.source} refused the credentials.")

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
        """None when `entity` is fully readable, what is missing when not, or a failed stage.

        Without its own entity set it is unavailable; without an `optional` one, `limited`.
        """
        resource = self.resources[entity]
        partial = self.optional.get(entity)
        status = Availability.UNAVAILABLE
        probe = self.probe(resource)
        if probe is Probe.READABLE and partial is not None:
            resource, status = partial[0], Availability.LIMITED
            probe = self.probe(resource)
        if isinstance(probe, CheckResult):
            return probe
        if probe is Probe.READABLE:
            return None
        reason, enable = self.unreadable(entity, resource, probe)
        if partial is not None and status is Availability.LIMITED:
            reason = f"{reason} {partial[1]}"
        return EntityAvailability(entity, status, reason, enable)

    def offers(self, resource: EntitySet) -> bool:
        """Whether the system lets this user read `resource`; asked once per session."""
        offered = self._offered.get(resource.service)
        if offered is None:
            probe = self.probe(resource)
            if isinstance(probe, CheckResult):
                raise errors.UpstreamError(probe.message)
            offered = self._offered[resource.service] = probe is Probe.READABLE
        return offered

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
        texts = self.check_texts
        grant = {"service": resource.service, "grant": resource.grant or resource.service}
        if probe is Probe.REFUSED:
            return f"The user may not read {where}.", texts.grant_fix.format_map(grant)
        return (
            f"The service for {where} is not available on this system.",
            texts.activate_fix.format_map(grant),
        )

    # -- writes ---------------------------------------------------------------------------------

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """Create a record with one POST (a deep insert, lines included), then read it back."""
        self.spec.ensure_supported(entity, "create")
        body = self._source_body(entity, payload, creating=True)
        resource = self.resources[entity]
        created = self.odata.create(resource.path, body, field_names=self.field_names(entity))
        key = created.get(resource.key)
        if not isinstance(key, str) or not key:
            raise errors.UpstreamError(
                f"{self.source} created the {entity.label} but did not say its number."
            )
        return self.get(entity, key)

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Change a record with `If-Match` from a fresh read, then read it back.

        Raises `errors.RecordLocked` when `ensure_changeable` refuses the record, and when the
        source reports it changed between that read and the write (412): someone else's
        change is never overwritten.
        """
        self.spec.ensure_supported(entity, "update")
        body = self._source_body(entity, changes, creating=False)
        resource = self.resources[entity]
        keys = {resource.key: remote_id, **resource.key_parts}
        path = resource.path + odata_v2.key_predicate(keys)
        try:
            current, etag = self.odata.get(path)
        except errors.NotFound:
            raise errors.NotFound(
                f"No {entity.label} {remote_id!r} exists in {self.source}."
            ) from None
        self.ensure_changeable(entity, remote_id, current)
        if body:
            self.odata.update(path, body, etag=etag, field_names=self.field_names(entity))
        return self.get(entity, remote_id)

    def _source_body(
        self, entity: Entity, payload: dict[str, Any], *, creating: bool
    ) -> dict[str, Any]:
        model = (CREATE_MODELS if creating else UPDATE_MODELS)[entity]
        body = parse_input(model, payload)
        ensure_resolved(body, self.spec.name)
        return self.write_body(entity, body.model_dump(exclude_unset=True), creating=creating)

    def write_body(
        self, entity: Entity, payload: dict[str, Any], *, creating: bool
    ) -> dict[str, Any]:
        """The source body of a validated, resolved write payload: the `mapper`'s `to_source`."""
        if self.mapper is None:
            raise TypeError(f"{self.spec.name} declares writes to {entity} but no write body")
        return self.mapper.to_source(entity, payload, creating=creating)

    def field_names(self, entity: Entity) -> odata_v2.FieldNames | None:
        """How error targets of a write to `entity` become unified field paths: as the
        `mapper`'s map of the entity writes them."""
        if self.mapper is None:
            return None
        return odata_v2.TargetNames.of(self.mapper.maps[entity])

    def ensure_changeable(self, entity: Entity, remote_id: str, current: Mapping[str, Any]) -> None:
        """Refuse (`errors.RecordLocked`) a change to a record in a state that forbids it: one
        of `locks`, its unified status in the error's details."""
        for name, (value, state, status) in self.locks.items():
            if current.get(name) == value:
                raise errors.RecordLocked(
                    f"{entity.label.capitalize()} {remote_id} is {state} in {self.source} and "
                    "cannot be changed.",
                    details={"status": status},
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
