"""The connector SDK: what a connector declares, and what a connected session can do.

A connector is two things:

- a `Connector`: the static side. Its `spec` (catalog entry, auth fields, capability matrix) and
  its mapping `to_unified` from a source record to a unified record. It holds no credentials and
  does no I/O, so the catalog and re-projection of stored raw records never touch the network.
- a `ConnectorSession`: one authenticated conversation with one source instance, made by
  `Connector.session(credentials)`. It checks the connection in stages, streams changes, and
  performs writes. It is a context manager; `close()` releases its HTTP client.

Sessions raise the taxonomy in `ironbridge.errors` directly (`NotFound`, `RecordLocked`,
`ValidationFailed`, `RateLimitExceeded`, ...), so the sync engine and the API react to class
attributes rather than parsing messages.

Write payloads. The service validates a write body with the entity's `*Create` / `*Update` model,
then resolves every reference to the source's own id (`ironbridge.model.resolve_references`): a
session receives `vendor_remote_id`, `item_remote_id`, `location_remote_id`, ... and never an
ironbridge `*_id`. The payload holds only the fields the caller set, with Python values
(`Decimal`, `date`, `datetime`, enum members); a key present with None clears that field.
Before calling a write method the service checks `spec.supports(entity, operation)`, so a
session is never asked for an operation its spec does not declare.
"""

from __future__ import annotations

import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType, TracebackType
from typing import Any, ClassVar, Final, Literal, Protocol, Self, get_args, runtime_checkable

from ironbridge import errors
from ironbridge.model import Entity

__all__ = [
    "OPERATIONS",
    "PASSTHROUGH_PATH_PATTERN",
    "AuthField",
    "Availability",
    "Capability",
    "CheckResult",
    "CheckStage",
    "Connector",
    "ConnectorSession",
    "ConnectorSpec",
    "EntityAvailability",
    "IdFactory",
    "Operation",
    "PassthroughRequest",
    "PassthroughResponse",
    "PushNotice",
    "PushNotifications",
    "PushSubscription",
    "PushSubscriptions",
    "RawRecord",
    "SessionOptions",
    "StatusTable",
    "reference",
]

#: An operation on an entity, as named in capability matrices and `OPERATION_NOT_SUPPORTED`.
Operation = Literal["read", "create", "update", "delete", "adjust"]

#: Where records without a change time sort in a change stream: after every stamped record.
_UNSTAMPED: Final = datetime.max.replace(tzinfo=UTC)

#: Every operation, in the order the catalog lists them.
OPERATIONS: Final[tuple[Operation, ...]] = get_args(Operation)

# Connector ids appear in URLs, tokens and metrics labels: keep them plain.
_CONNECTOR_ID: Final = re.compile(r"[a-z][a-z0-9_]*")

#: Computes the ironbridge id of a record from its entity and remote id, for one connection.
#: The service passes `lambda entity, remote_id: record_id(connection_id, entity, remote_id)`.
IdFactory = Callable[[Entity, str], str]


def reference(ids: IdFactory, entity: Entity, remote_id: str) -> dict[str, str]:
    """A unified reference to the `entity` record `remote_id`: its ids only.

    Maps never copy the target's name or other fields beside the pointer: those belong to the
    target record, and a copy would change (and announce a change of) every record pointing at
    it. Reads embed the target record when asked (`expand`).
    """
    return {"id": ids(entity, remote_id), "remote_id": remote_id}


@dataclass(frozen=True, slots=True)
class AuthField:
    """One input of the connect form, e.g. the instance URL or an API key.

    `secret` fields are stored encrypted, never echoed back and never logged. `help` tells an end
    customer, who is often not technical, where to find the value in their system.

    A system that signs in in more than one way declares a `select` field whose `options` are
    (value, label) pairs, and marks each way's own fields with `applies_when` = (select field,
    option value): such a field is shown, required (when `required`) and kept only when that
    option is chosen. A select left empty takes its first option, so credentials stored before
    a system offered a choice keep meaning what they meant.
    """

    name: str
    label: str
    help: str
    secret: bool
    required: bool = True
    kind: Literal["text", "password", "url", "select"] = "text"
    placeholder: str = ""
    options: tuple[tuple[str, str], ...] = ()
    applies_when: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if (self.kind == "select") != bool(self.options):
            raise ValueError(f"auth field {self.name!r}: options go with kind 'select' only")

    @classmethod
    def url(cls, label: str, help: str, name: str = "url", *, placeholder: str = "") -> AuthField:
        """The address of the system the form connects to: required, not secret, a URL."""
        return cls(name, label, help, secret=False, kind="url", placeholder=placeholder)

    @classmethod
    def text(
        cls, name: str, label: str, help: str, *, required: bool = True, placeholder: str = ""
    ) -> AuthField:
        """A value shown as typed, not secret (a database name, a login)."""
        return cls(name, label, help, secret=False, required=required, placeholder=placeholder)

    @classmethod
    def password(cls, name: str, label: str, help: str) -> AuthField:
        """A secret (a password, an API key): entered hidden, stored encrypted, never shown."""
        return cls(name, label, help, secret=True, kind="password")

    def to_dict(self) -> dict[str, Any]:
        """The field as the catalog JSON shows it."""
        return {
            "name": self.name,
            "label": self.label,
            "help": self.help,
            "secret": self.secret,
            "required": self.required,
            "kind": self.kind,
            "placeholder": self.placeholder,
            "options": [{"value": value, "label": label} for value, label in self.options],
            "applies_when": (
                None
                if self.applies_when is None
                else {"field": self.applies_when[0], "value": self.applies_when[1]}
            ),
        }


@dataclass(frozen=True, slots=True)
class Capability:
    """What a connector can do with one entity.

    `writable_fields` lists the unified field names a create or update may set (empty means
    every field of the write body). `rules` states, in words for integrators, the business rules
    the source enforces ("an approved purchase order cannot be modified"). `requires` names
    what the source system must have enabled for the entity to be read (SAP services and
    their communication arrangements, optional modules), so an integrator can tell a customer
    before connecting. A write left unsaid is not offered.
    """

    read: bool
    create: bool = False
    update: bool = False
    delete: bool = False
    adjust: bool = False
    writable_fields: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()

    def allows(self, operation: Operation) -> bool:
        """Whether `operation` is supported."""
        allowed: bool = getattr(self, operation)
        return allowed

    def to_dict(self) -> dict[str, Any]:
        """The capability as the catalog JSON shows it."""
        return {
            **{operation: self.allows(operation) for operation in OPERATIONS},
            "writable_fields": list(self.writable_fields),
            "rules": list(self.rules),
            "requires": list(self.requires),
        }


@dataclass(frozen=True)
class ConnectorSpec:
    """Everything ironbridge knows about a connector without connecting: its catalog entry.

    It is the single source for `GET /v1/connectors`, the connect form, and the service's
    `OPERATION_NOT_SUPPORTED` check. `change_field` names the source field that tracks changes
    (`lastModifiedDateTime`, `write_date`, ...), for people reading the catalog; `passthrough`
    says whether `POST /v1/passthrough` is available. `persists_writes` is False for a system
    whose writes are answered but change nothing (the sandbox), so the records store is left
    as it is after a write.
    """

    id: str
    name: str
    category: Literal["erp", "cmms", "eam"]
    logo: str
    description: str
    auth_fields: tuple[AuthField, ...]
    setup_guide: tuple[str, ...]
    capabilities: Mapping[Entity, Capability] = field(hash=False)
    change_field: str
    passthrough: bool
    persists_writes: bool = True
    #: How many days back a new connection's first sync reads; None = all history.
    default_history_days: int | None = 90

    def __post_init__(self) -> None:
        # Specs are written by hand; catch a slip when the module is imported, not when an
        # end customer opens the connect form.
        if not _CONNECTOR_ID.fullmatch(self.id):
            raise ValueError(f"connector id {self.id!r} must be lower-case letters, digits and _")
        names = [auth_field.name for auth_field in self.auth_fields]
        if len(names) != len(set(names)):
            raise ValueError(f"connector {self.id!r} repeats an auth field name")
        choices = {f.name: {value for value, _ in f.options} for f in self.auth_fields}
        for auth_field in self.auth_fields:
            if auth_field.applies_when is not None:
                select, value = auth_field.applies_when
                if value not in choices.get(select, set()):
                    raise ValueError(
                        f"connector {self.id!r}: {auth_field.name} applies when {select} is "
                        f"{value!r}, which is not an option of a select field"
                    )
        for entity, capability in self.capabilities.items():
            if capability.adjust and entity is not Entity.INVENTORY_ITEMS:
                raise ValueError(f"connector {self.id!r}: only inventory items can be adjusted")
            if not capability.read and any(
                capability.allows(operation) for operation in OPERATIONS
            ):
                raise ValueError(f"connector {self.id!r}: {entity} is writable but not readable")
        # A read-only view, so a shared spec cannot be changed by one caller for all.
        object.__setattr__(self, "capabilities", MappingProxyType(dict(self.capabilities)))

    @property
    def entities(self) -> tuple[Entity, ...]:
        """The entities this connector can read, in the order of `Entity`."""
        return tuple(entity for entity in Entity if self.supports(entity, "read"))

    def supports(self, entity: Entity, operation: Operation) -> bool:
        """Whether the connector offers `operation` on `entity`."""
        capability = self.capabilities.get(entity)
        return capability is not None and capability.allows(operation)

    def ensure_supported(self, entity: Entity, operation: Operation) -> None:
        """Raise `errors.OperationNotSupported` unless `operation` on `entity` is offered."""
        if not self.supports(entity, operation):
            raise errors.OperationNotSupported(self.id, entity.value, operation)

    def to_dict(self) -> dict[str, Any]:
        """The connector as `GET /v1/connectors` lists it; no secrets, plain JSON types only."""
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "logo": self.logo,
            "description": self.description,
            "auth_fields": [auth_field.to_dict() for auth_field in self.auth_fields],
            "setup_guide": list(self.setup_guide),
            "capabilities": {
                entity.value: self.capabilities[entity].to_dict()
                for entity in Entity
                if entity in self.capabilities
            },
            "change_field": self.change_field,
            "passthrough": self.passthrough,
            "persists_writes": self.persists_writes,
            "default_history_days": self.default_history_days,
        }


class CheckStage(StrEnum):
    """A stage of the connection check, in the order they run.

    - `reach`: the instance answers at the given address (DNS, TLS, network, firewall).
    - `authenticate`: the source accepts the credentials.
    - `permissions`: the credentials may read (and write, where offered) what ironbridge needs.
    """

    REACH = "reach"
    AUTHENTICATE = "authenticate"
    PERMISSIONS = "permissions"


class Availability(StrEnum):
    """Whether a connected system holds an entity ironbridge can read.

    - `available`: everything the connector reads for the entity is there.
    - `limited`: the entity is read, but part of it is missing (SAP locations without
      functional locations); the reason says which part.
    - `unavailable`: the system does not offer it to this user (a service not activated, an
      arrangement or module missing); the entity is not synced and reads of it are refused.
    """

    AVAILABLE = "available"
    LIMITED = "limited"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class EntityAvailability:
    """One entity's availability in one connected system, with why and what to enable.

    `reason` says what is missing (None when nothing is); `enable` tells the end customer's
    administrator what to switch on or grant so the entity becomes (fully) available.
    """

    entity: Entity
    status: Availability
    reason: str | None = None
    enable: str | None = None

    @property
    def available(self) -> bool:
        """Whether the entity can be synced and read (fully or `limited`)."""
        return self.status is not Availability.UNAVAILABLE

    def to_dict(self) -> dict[str, Any]:
        """The availability as stored on the connection and shown by the API."""
        return {
            "status": self.status.value,
            "available": self.available,
            "reason": self.reason,
            "enable": self.enable,
        }

    @classmethod
    def from_dict(cls, entity: Entity, data: Mapping[str, Any]) -> EntityAvailability:
        """Read back what `to_dict` wrote."""
        return cls(
            entity,
            Availability(data.get("status", Availability.AVAILABLE.value)),
            data.get("reason"),
            data.get("enable"),
        )


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check stage; `fix` tells the end customer what to do when it failed.

    The `permissions` stage also reports, in `entities`, each entity the system does not fully
    offer (unavailable or limited) with the reason and what to enable; an entity it does not
    name is available. A connector passes that stage when the credentials work, whatever is
    missing: what a connection needs is decided by the service (`connectors.availability`).
    """

    stage: CheckStage
    ok: bool
    message: str
    fix: str | None = None
    entities: tuple[EntityAvailability, ...] = field(default=(), hash=False)

    def to_error(self) -> errors.ConnectionCheckFailed:
        """The error that reports this failed stage (`CONNECTION_CHECK_FAILED`)."""
        if self.ok:
            raise ValueError("a passing check stage is not an error")
        return errors.ConnectionCheckFailed(
            self.stage.value,
            self.message,
            fix=self.fix,
            entities={item.entity.value: item.to_dict() for item in self.entities} or None,
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as the connect flow streams it and the connection's health keeps it."""
        data: dict[str, Any] = {
            "stage": self.stage.value,
            "ok": self.ok,
            "message": self.message,
            "fix": self.fix,
        }
        if self.entities:
            data["entities"] = {item.entity.value: item.to_dict() for item in self.entities}
        return data


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record exactly as the source gave it, with the two facts sync needs.

    `modified_at` is the source's change time in UTC; a naive time is rejected because its zone
    would be a guess. It is None for a record the source keeps no change time for (SAP stock,
    plants and storage locations): such records are read whole on every sync, and never stamped
    with the time of the read, which would make every read look like a change. ironbridge then
    dates the record by when it first saw its current content. `data` is the source's own
    JSON, stored as `remote_data`.
    """

    remote_id: str
    modified_at: datetime | None
    data: dict[str, Any] = field(hash=False)

    def __post_init__(self) -> None:
        if self.modified_at is None:
            return
        if self.modified_at.tzinfo is None or self.modified_at.utcoffset() is None:
            raise ValueError(f"modified_at of {self.remote_id!r} has no time zone")
        object.__setattr__(self, "modified_at", self.modified_at.astimezone(UTC))

    @property
    def change_key(self) -> tuple[datetime, str]:
        """The keyset position of the record in a change stream: (modified_at, remote_id).

        Records without a change time sort after every stamped one, by remote id.
        """
        return (self.modified_at or _UNSTAMPED, self.remote_id)


@dataclass(frozen=True, slots=True)
class StatusTable:
    """A table translating the codes of one source field into one unified enum.

    Connectors declare theirs on `Connector.status_tables` so the conformance suite can check
    them against what the source really sends. `source` is a key of `RawRecord.data` (a path
    through nested objects is written `a/b`); a value may be None where the code imposes no
    member. `closed` says the table must list every code the source sends (a closed code list,
    such as SAP's processing status); an open table covers a list each system may extend with
    its own codes (customizing), which the map reads as no member or as a catch-all.
    """

    entity: Entity
    source: str
    table: Mapping[Any, StrEnum | None] = field(hash=False)
    enum: type[StrEnum]
    closed: bool = True


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """How a session talks to its source.

    `allow_private_urls` lets a session reach private and loopback addresses, which
    on-premises systems need and a multi-tenant deployment must refuse (SSRF). `clock`
    (monotonic seconds) times what a session keeps, such as access tokens until they expire.

    `idempotency_key` is the caller's `Idempotency-Key` for the write the session is opened
    for (the unified write services open one session per write): a connector whose source
    applies a keyed write once (NetSuite's `X-NetSuite-Idempotency-Key`) sends a key derived
    from it, so a write retried after a lost answer is applied once at the source too. None
    when the caller gave none, and for reads and syncs.
    """

    timeout: float = 30.0
    allow_private_urls: bool = False
    clock: Callable[[], float] = time.monotonic
    idempotency_key: str | None = None


_PASSTHROUGH_METHODS: Final = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"})


_SEGMENT: Final = r"(\.|\.\.[^/\\]+|\.?[^/\\.][^/\\]*)"
#: A passthrough path: `/`, then non-empty segments (a trailing `/` allowed), none of them `..`,
#: no `\`; so no scheme (`a://`), no scheme-relative `//host` and no way up out of the base URL.
PASSTHROUGH_PATH_PATTERN: Final = rf"^/({_SEGMENT}(/{_SEGMENT})*/?)?$"
_PASSTHROUGH_PATH: Final = re.compile(PASSTHROUGH_PATH_PATTERN)


@dataclass(frozen=True, slots=True)
class PassthroughRequest:
    """A raw request to send to the source through the connection's authentication.

    `path` is relative to the instance's base URL and may not leave it: absolute URLs,
    scheme-relative paths and `..` segments are refused, since the connection's credentials
    would otherwise be sent wherever the caller chose.
    """

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict, hash=False)
    headers: dict[str, str] = field(default_factory=dict, hash=False)
    body: Any = field(default=None, hash=False)

    def __post_init__(self) -> None:
        method = self.method.upper()
        if method not in _PASSTHROUGH_METHODS:
            allowed = ", ".join(sorted(_PASSTHROUGH_METHODS))
            raise errors.ValidationFailed({"method": f"Use one of {allowed}."})
        if not _PASSTHROUGH_PATH.fullmatch(self.path):
            raise errors.ValidationFailed(
                {"path": "Give a path relative to the system's base URL, starting with /."}
            )
        object.__setattr__(self, "method", method)


@dataclass(frozen=True, slots=True)
class PassthroughResponse:
    """The source's answer to a passthrough request, returned to the caller as it came."""

    status: int
    headers: dict[str, str] = field(default_factory=dict, hash=False)
    body: Any = field(default=None, hash=False)


class ConnectorSession(ABC):
    """One authenticated conversation with one source instance.

    Subclasses implement `check`, `list_changes` and `get`, and override the write methods their
    spec declares. The base write methods raise `errors.OperationNotSupported`.
    """

    def __init__(self, spec: ConnectorSpec, options: SessionOptions | None = None) -> None:
        self.spec = spec
        self.options = options or SessionOptions()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:  # noqa: B027, optional override: most sessions hold nothing to release
        """Release what the session holds (HTTP clients, tokens). Safe to call twice."""

    @abstractmethod
    def check(self) -> Iterator[CheckResult]:
        """Check the connection stage by stage: reach, authenticate, permissions.

        Yields one result per stage, in that order, and stops after the first failure, so the
        connect flow can show progress live and the failing stage is always the last one.
        """

    @abstractmethod
    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Stream the records of `entity` changed at or after `since` (all when None).

        Pages hold at most `page_size` records and are ordered by `(modified_at, remote_id)`
        ascending across pages, so the caller can save `page[-1].change_key` after each page and
        resume there. The comparison is `>=`: records sharing the boundary time are re-read, never
        skipped; the caller drops the duplicates. No empty pages are yielded.

        Records the source keeps no change time for (`modified_at` None) are returned by every
        call whatever `since`, after all stamped records, in remote id order; they do not move
        the caller's position.
        """

    @abstractmethod
    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The current source record `remote_id`; raises `errors.NotFound` when there is none."""

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """Create a record from a resolved `*Create` payload; returns it as the source has it."""
        raise errors.OperationNotSupported(self.spec.id, entity.value, "create")

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Apply a resolved `*Update` payload to `remote_id`; returns the record as it now is.

        Raises `errors.NotFound` for an unknown record and `errors.RecordLocked` when the source
        refuses changes in the record's state.
        """
        raise errors.OperationNotSupported(self.spec.id, entity.value, "update")

    def delete(self, entity: Entity, remote_id: str) -> None:
        """Delete (or cancel, where the source only cancels) the record `remote_id`."""
        raise errors.OperationNotSupported(self.spec.id, entity.value, "delete")

    def adjust_inventory(self, remote_id: str, adjustment: dict[str, Any]) -> RawRecord:
        """Apply a resolved `InventoryAdjustment` payload to item `remote_id`; returns the item."""
        raise errors.OperationNotSupported(self.spec.id, Entity.INVENTORY_ITEMS.value, "adjust")

    def passthrough(self, request: PassthroughRequest) -> PassthroughResponse:
        """Send a raw request to the source with the session's authentication."""
        raise errors.OperationNotSupported(self.spec.id, "the source API", "passthrough")


@dataclass(frozen=True, slots=True)
class PushSubscription:
    """A subscription the source keeps to push changes of one entity to ironbridge.

    `remote_id` is the source's id of the subscription, `etag` what renewing it must present
    (None when the source wants none), `expires_at` when the source drops it unless renewed.
    """

    entity: Entity
    remote_id: str
    expires_at: datetime
    etag: str | None = None


@dataclass(frozen=True, slots=True)
class PushNotice:
    """One change notification as the source pushed it.

    `remote_id` names the changed record, or is None when the source says only that many
    records changed (the entity is then read incrementally as a whole). `client_state` is the
    secret given when subscribing, which authenticates the notice.
    """

    entity: Entity
    subscription_id: str
    client_state: str
    remote_id: str | None = None


@runtime_checkable
class PushNotifications(Protocol):
    """The stateless side of a connector whose source pushes changes (no session, no I/O):
    which entities it can push, the source's validation handshake, and its notification body."""

    #: Entities the source can send change notifications for.
    entities: frozenset[Entity]

    def handshake(self, query: Mapping[str, str]) -> str | None:
        """The body to answer a validation request with (its query parameters), or None when
        the request is not one."""
        ...

    def parse(self, body: bytes) -> list[PushNotice]:
        """The notices of a notification body; `errors.ValidationFailed` when it is not one."""
        ...


@runtime_checkable
class PushSubscriptions(Protocol):
    """What a session of a pushing source does with subscriptions.

    The source calls `url` back to validate it while `subscribe` and `renew` wait (a
    handshake); either raises the taxonomy when the source refuses, and `renew` raises
    `errors.NotFound` for a subscription the source no longer has.
    """

    def subscribe(self, entity: Entity, url: str, client_state: str) -> PushSubscription:
        """Ask the source to push changes of `entity` to `url` with `client_state`."""
        ...

    def renew(self, subscription: PushSubscription, url: str) -> PushSubscription:
        """Extend `subscription` before it expires; returns it as the source now keeps it."""
        ...

    def unsubscribe(self, subscription: PushSubscription) -> None:
        """Remove `subscription` at the source; one already gone is no error."""
        ...


class Connector(ABC):
    """A source system ironbridge can connect to: its spec and its mapping to the unified model.

    A connector holds no state and does no I/O; one instance serves every connection of its
    system, from any thread.
    """

    spec: ClassVar[ConnectorSpec]
    #: The connector's status and code tables, for the conformance suite; none by default.
    status_tables: ClassVar[tuple[StatusTable, ...]] = ()
    #: Change notifications the source pushes (its sessions are then `PushSubscriptions`);
    #: None for a source that is only polled.
    push: ClassVar[PushNotifications | None] = None

    @abstractmethod
    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> ConnectorSession:
        """Open a session with `credentials` (the spec's auth fields by name).

        Raises `errors.ValidationFailed` when a required field is missing or an unknown one is
        given; it does not contact the source (that is `ConnectorSession.check`).
        """

    @abstractmethod
    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map a source record to the unified record of `entity`.

        The result validates as `ironbridge.model.MODELS[entity]`: `id` is `ids(entity,
        raw.remote_id)`, `remote_id`, `created_at`, `updated_at` (`raw.modified_at`; None for a
        record without a change time, which the service dates), `deleted` and `custom_fields` are
        filled, every reference carries both `remote_id` and `id` (from `ids`), and `remote_data`
        is left out (the service adds it when asked). Raises `errors.UpstreamError` for a record
        the map cannot read, such as a status missing from the connector's status table.
        """

    def validate_credentials(self, credentials: Mapping[str, str]) -> dict[str, str]:
        """Check `credentials` against the spec's auth fields; returns them without blank optionals.

        Raises `errors.ValidationFailed` naming each missing required field and each unknown one.
        A select takes one of its options (its first when empty); fields that apply to another
        option than the one chosen are dropped, and are required only under their own option.
        """
        known = {auth_field.name: auth_field for auth_field in self.spec.auth_fields}
        problems = {
            name: "Not a field of this system's connect form."
            for name in credentials
            if name not in known
        }
        chosen: dict[str, str] = {}
        for auth_field in known.values():
            if auth_field.kind == "select":
                value = credentials.get(auth_field.name, "")
                picked = value.strip() if isinstance(value, str) else ""
                allowed = [option for option, _ in auth_field.options]
                if picked and picked not in allowed:
                    problems[auth_field.name] = f"Choose one of: {', '.join(allowed)}."
                chosen[auth_field.name] = picked or allowed[0]
        clean: dict[str, str] = {}
        for name, auth_field in known.items():
            when = auth_field.applies_when
            if when is not None and chosen.get(when[0]) != when[1]:
                continue
            value = credentials.get(name, "")
            if not isinstance(value, str):
                problems[name] = "Must be text."
            elif auth_field.kind == "select":
                if value.strip():
                    clean[name] = value.strip()
            elif value.strip():
                clean[name] = value
            elif auth_field.required:
                problems[name] = f"{auth_field.label} is required."
        if problems:
            raise errors.ValidationFailed(problems)
        return clean
