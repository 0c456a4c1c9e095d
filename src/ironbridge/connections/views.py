"""What the outside world sees of a connection, and what it may change."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from ..eventtypes import EVENT_TYPES, EventTypeName, is_event_type
from ..model import Entity
from ..schedule import validate_schedule
from ..store import ConnectionRow
from .status import ConnectionStatus

__all__ = [
    "CONNECTOR_ID_MARK",
    "ConnectionCreate",
    "ConnectionPatch",
    "ConnectionSettings",
    "ConnectionView",
    "ConnectorId",
    "Metadata",
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
#: Marks a connector id in the schema; the API document lists the registered connectors there.
CONNECTOR_ID_MARK = "x-connector-id"
ConnectorId = Annotated[
    str, Field(min_length=1, max_length=64, json_schema_extra={CONNECTOR_ID_MARK: True})
]


def _check_metadata(value: Metadata | None) -> Metadata | None:
    if value is None:
        return None
    if len(value) > 50:
        raise ValueError("at most 50 keys")
    for key, item in value.items():
        if not 1 <= len(key) <= 40:
            raise ValueError(f"key {key[:40]!r} must be 1-40 characters")
        if len(item) > 500:
            raise ValueError(f"value of {key!r} must be at most 500 characters")
    return value


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


def _check_schedule(value: str | None) -> str | None:
    return None if value is None else validate_schedule(value)


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


class ConnectionView(BaseModel):
    """A connection as the management and unified APIs return it."""

    id: str = Field(description="Connection id (`conn_…`).")
    system: str = Field(description="Connector id, e.g. `sandbox`, `tryton`, `sap_s4hana`.")
    end_customer_id: str = Field(description="Your id for the customer who owns this connection.")
    end_customer_name: str
    status: ConnectionStatus
    health: dict[str, Any] = Field(description="Last check results and recent error counts.")
    last_checked_at: datetime | None
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
            settings=ConnectionSettings.model_validate(row.settings),
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
    metadata: Metadata | None = None

    _mappings = field_validator("field_mappings")(_check_mappings)
    _schedule = field_validator("sync_schedule")(_check_schedule)
    _metadata = field_validator("metadata")(_check_metadata)
    _events = field_validator("enabled_event_types")(_check_event_types)
