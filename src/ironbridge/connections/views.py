"""What the outside world sees of a connection, and what it may change."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema, field_validator

from ..eventtypes import EVENT_TYPES, EventTypeName, is_event_type
from ..model import Entity
from ..schedule import validate_schedule
from ..store import ConnectionRow
from .status import ConnectionStatus

__all__ = [
    "CONNECTOR_ID_MARK",
    "STORED",
    "ConnectionCreate",
    "ConnectionPatch",
    "ConnectionSettings",
    "ConnectionView",
    "ConnectorId",
    "EntityAvailabilityView",
    "Metadata",
    "MetadataChanges",
    "merge_metadata",
]

#: The integrator's own key-values; the schema states what `_check_metadata` enforces.
Metadata = Annotated[
    dict[str, str],
    WithJsonSchema(
        {
            "type": "object",
            "maxProperties": 50,
            "propertyNames": {"minLength": 1, "maxLength": 40},
            "additionalProperties": {"type": "string", "maxLength": 500},
        },
        mode="validation",
    ),
]
#: Metadata in a PATCH: a key set to a string is added or replaced, a key set to null removed.
MetadataChanges = Annotated[
    dict[str, str | None],
    WithJsonSchema(
        {
            "type": "object",
            "propertyNames": {"minLength": 1, "maxLength": 40},
            "additionalProperties": {
                "anyOf": [{"type": "string", "maxLength": 500}, {"type": "null"}]
            },
        },
        mode="validation",
    ),
]
MAX_METADATA_KEYS = 50

_ENTITY_VALUES = frozenset(entity.value for entity in Entity)
#: Marks a connector id in the schema; the API document lists the registered connectors there.
CONNECTOR_ID_MARK = "x-connector-id"
ConnectorId = Annotated[
    str, Field(min_length=1, max_length=64, json_schema_extra={CONNECTOR_ID_MARK: True})
]


def _check_metadata(value: Metadata | None) -> Metadata | None:
    if value is None:
        return None
    if len(value) > MAX_METADATA_KEYS:
        raise ValueError(f"at most {MAX_METADATA_KEYS} keys")
    _check_metadata_entries(value)
    return value


def _check_metadata_entries(value: Mapping[str, str | None]) -> None:
    for key, item in value.items():
        if not 1 <= len(key) <= 40:
            raise ValueError(f"key {key[:40]!r} must be 1-40 characters")
        if item is not None and len(item) > 500:
            raise ValueError(f"value of {key!r} must be at most 500 characters")


def _check_metadata_changes(value: MetadataChanges | None) -> MetadataChanges | None:
    if value is not None:
        _check_metadata_entries(value)
    return value


def merge_metadata(current: Metadata, changes: MetadataChanges) -> Metadata:
    """`current` with `changes` laid over it: keys merge, a key set to null is removed.

    Raises ValueError when the result would hold more keys than allowed.
    """
    merged = {key: item for key, item in {**current, **changes}.items() if item is not None}
    if len(merged) > MAX_METADATA_KEYS:
        raise ValueError(
            f"at most {MAX_METADATA_KEYS} keys; this change would make {len(merged)} "
            "(set a key to null to remove it)"
        )
    return merged


#: Unified fields that identify a record; a mapping may not replace them.
_UNMAPPABLE = ("id", "remote_id", "remote_data")
#: Per entity: target field <- JMESPath expression. The schema states what `_check_mappings`
#: checks but the expressions' syntax, which only a JMESPath parser can.
FieldMappings = Annotated[
    dict[Entity, dict[str, str]],
    WithJsonSchema(
        {
            "type": "object",
            "propertyNames": {"enum": [entity.value for entity in Entity]},
            "additionalProperties": {
                "type": "object",
                "propertyNames": {"minLength": 1, "not": {"enum": list(_UNMAPPABLE)}},
                "additionalProperties": {
                    "type": "string",
                    "description": "A JMESPath expression over the raw source record.",
                },
            },
        },
        mode="validation",
    ),
]


#: Validation context for settings read back from the store: the fields it names were accepted
#: when written and are kept as they are, even if the rules have since become stricter (a
#: connection's reads and unrelated changes must not fail on them).
STORED = "stored"


def _check_schedule(value: str | None, info: ValidationInfo) -> str | None:
    if value is None or info.field_name in (info.context or {}).get(STORED, ()):
        return value
    return validate_schedule(value)


def _check_mappings(
    value: dict[Entity, dict[str, str]] | None,
) -> dict[Entity, dict[str, str]] | None:
    if value is not None:
        for entity, fields in value.items():
            for target, expression in fields.items():
                if not target or target in _UNMAPPABLE:
                    raise ValueError(f"{entity.value}: {target!r} cannot be mapped")
                try:
                    jmespath.compile(expression)
                except JMESPathError as exc:
                    raise ValueError(
                        f"{entity.value}.{target}: invalid JMESPath {expression!r}: {exc}"
                    ) from exc
    return value


class ConnectionSettings(BaseModel):
    """How a connection is kept fresh and how its records are shaped."""

    model_config = ConfigDict(extra="forbid")

    sync_schedule: str = Field(
        "hourly",
        description=(
            "When incremental syncs run: `15m`, `hourly`, `6h`, `daily`, or a five-field cron "
            "expression in UTC (e.g. `30 2 * * 1-5`)."
        ),
    )
    history_days: int | None = Field(
        90,
        ge=1,
        le=36500,
        description=(
            "How many days back the first and full syncs read; null = all history. "
            "A new connection takes its connector's default unless given."
        ),
    )
    entities: list[Entity] | None = Field(
        None, description="Entities to sync; null = every entity the connector can read."
    )
    field_mappings: FieldMappings = Field(
        default_factory=dict,
        description=(
            "Per entity: unified field (or `custom_fields.<name>`) <- JMESPath expression over "
            "the raw source record. Applied on read, over the connector's own mapping."
        ),
    )

    _mappings = field_validator("field_mappings")(_check_mappings)
    _schedule = field_validator("sync_schedule")(_check_schedule)


class EntityAvailabilityView(BaseModel):
    """Whether the connected system offers one entity, and if not, why and what to enable."""

    status: Literal["available", "limited", "unavailable"] = Field(
        description=(
            "`available`; `limited` (read, but part of it is missing: see `reason`); "
            "`unavailable` (not synced, and reads answer `OPERATION_NOT_SUPPORTED`)."
        )
    )
    available: bool = Field(description="Whether the entity is synced and can be read.")
    reason: str | None = Field(description="What the system lacks; null when nothing.")
    enable: str | None = Field(
        description="What the customer's administrator enables or grants to make it available."
    )


_REQUIRED_DESCRIPTION = (
    "Entities the connection cannot do without: connecting (and reconnecting) fails with "
    "`CONNECTION_CHECK_FAILED` (stage `permissions`) when one of them is unavailable. "
    "Null: at least one entity the connection syncs must be available; the others may be "
    "missing and are reported in `availability`. Each must be read by the connector and, "
    "when `settings.entities` is given, be among them."
)


class ConnectionView(BaseModel):
    """A connection as the management and unified APIs return it."""

    id: str = Field(description="Connection id (`conn_…`).")
    system: str = Field(description="Connector id, e.g. `sandbox`, `tryton`, `sap_s4hana`.")
    end_customer_id: str = Field(description="Your id for the customer who owns this connection.")
    end_customer_name: str
    status: ConnectionStatus
    health: dict[str, Any] = Field(description="Last check results and recent error counts.")
    last_checked_at: datetime | None
    availability: dict[Entity, EntityAvailabilityView] = Field(
        description=(
            "Per entity the connector reads: whether the customer's system offers it, as the "
            "last check found (connect, reconnect and the periodic health check update it). "
            "Empty until a check has told; an entity not listed counts as available."
        )
    )
    required_entities: list[Entity] | None = Field(description=_REQUIRED_DESCRIPTION)
    settings: ConnectionSettings
    enabled_event_types: list[str]
    metadata: Metadata = Field(description="Your own key-values, returned on every read.")
    created_at: datetime
    updated_at: datetime
    disconnected_at: datetime | None

    @classmethod
    def from_row(cls, row: ConnectionRow) -> ConnectionView:
        return cls(
            id=row.id,
            system=row.system,
            end_customer_id=row.end_customer_id,
            end_customer_name=row.end_customer_name,
            status=ConnectionStatus(row.status),
            health=row.health,
            last_checked_at=row.last_checked_at,
            availability={
                Entity(name): EntityAvailabilityView.model_validate(value)
                for name, value in (row.availability or {}).items()
                if name in _ENTITY_VALUES
            },
            required_entities=(
                None
                if row.required_entities is None
                else [Entity(name) for name in row.required_entities]
            ),
            settings=ConnectionSettings.model_validate(
                row.settings, context={STORED: set(row.settings)}
            ),
            enabled_event_types=row.enabled_event_types,
            metadata=row.metadata,
            created_at=row.created_at,
            updated_at=row.updated_at,
            disconnected_at=row.disconnected_at,
        )


def _check_event_types(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    unknown = [name for name in value if not is_event_type(name)]
    if unknown:
        raise ValueError(f"unknown event types: {', '.join(unknown)}")
    return list(dict.fromkeys(value))


class ConnectionCreate(BaseModel):
    """Server-side connect: the same staged check the connect flow runs."""

    model_config = ConfigDict(extra="forbid")

    system: ConnectorId = Field(description="Connector id.")
    end_customer_id: str = Field(min_length=1, max_length=255)
    end_customer_name: str = Field(min_length=1, max_length=255)
    credentials: dict[str, str] = Field(
        default_factory=dict, description="The connector's auth fields (see GET /v1/connectors)."
    )
    metadata: Metadata = Field(default_factory=dict)
    settings: ConnectionSettings = Field(default_factory=ConnectionSettings)  # type: ignore[arg-type]
    enabled_event_types: list[EventTypeName] = Field(default_factory=lambda: list(EVENT_TYPES))
    required_entities: list[Entity] | None = Field(
        None, min_length=1, description=_REQUIRED_DESCRIPTION
    )

    _metadata = field_validator("metadata")(_check_metadata)
    _events = field_validator("enabled_event_types")(_check_event_types)


class ConnectionPatch(BaseModel):
    """Fields a PATCH may change; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    end_customer_name: str | None = Field(None, min_length=1, max_length=255)
    sync_schedule: str | None = None
    history_days: int | None = Field(None, ge=1, le=36500)
    entities: list[Entity] | None = None
    field_mappings: FieldMappings | None = None
    enabled_event_types: list[EventTypeName] | None = None
    metadata: MetadataChanges | None = Field(
        None,
        description=(
            "Changes to your key-values, merged into the stored ones: a key set to a string is "
            "added or replaced, a key set to null is removed, keys not named are kept. At most "
            f"{MAX_METADATA_KEYS} keys after the merge; keys 1-40 characters, values at most "
            "500."
        ),
    )

    _mappings = field_validator("field_mappings")(_check_mappings)
    _schedule = field_validator("sync_schedule")(_check_schedule)
    _metadata = field_validator("metadata")(_check_metadata_changes)
    _events = field_validator("enabled_event_types")(_check_event_types)
