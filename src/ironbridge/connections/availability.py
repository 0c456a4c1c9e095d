"""What a connection's source offers, per entity: kept on the connection, enforced on use.

The connector's check tells (`connectors.availability`); connect, reconnect and the periodic
health check store it on the connection (`availability`, with the `required_entities` the
integrator named). Syncs read only available entities, and a read, write or sync request for
an unavailable one is refused with `EntityUnavailable` (`OPERATION_NOT_SUPPORTED`, with the
reason and what to enable).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..connectors import (
    CheckResult,
    ConnectorSpec,
    EntityAvailability,
    Operation,
    availability_of,
    load_availability,
)
from ..errors import EntityUnavailable, ValidationFailed
from ..model import Entity
from ..store import ConnectionRow

__all__ = [
    "availability_record",
    "connection_availability",
    "ensure_available",
    "ensure_offered",
    "is_available",
    "required_of",
    "validate_required",
    "wanted_of",
]


def validate_required(
    spec: ConnectorSpec,
    required: Sequence[Entity] | None,
    synced: Sequence[Entity] | None,
    *,
    field: str = "required_entities",
) -> list[Entity] | None:
    """The required entities without repeats; `ValidationFailed` naming `field` when one is not
    read by the connector or not among the entities the connection syncs (`synced`)."""
    if required is None:
        return None
    chosen = list(dict.fromkeys(required))
    unread = [e.value for e in chosen if not spec.supports(e, "read")]
    if unread:
        raise ValidationFailed(
            {field: f"The {spec.id} connector does not read: {', '.join(unread)}."}
        )
    if synced:
        unsynced = [e.value for e in chosen if e not in synced]
        if unsynced:
            raise ValidationFailed(
                {field: f"Not among the entities this connection syncs: {', '.join(unsynced)}."}
            )
    return chosen


def required_of(row: ConnectionRow) -> list[Entity] | None:
    """The entities the integrator requires of this connection (None: at least one)."""
    if not row.required_entities:
        return None
    return [Entity(value) for value in row.required_entities]


def wanted_of(settings: Mapping[str, Any]) -> list[Entity] | None:
    """The entities a connection's settings sync (None: every one its connector reads)."""
    chosen = settings.get("entities")
    return [Entity(value) for value in chosen] if chosen else None


def availability_record(
    results: Iterable[CheckResult], spec: ConnectorSpec
) -> dict[str, Any] | None:
    """What to store as the connection's `availability` after a check (None: keep what is
    stored, the check did not reach the permissions stage)."""
    found = availability_of(results, spec)
    if found is None:
        return None
    return {entity.value: item.to_dict() for entity, item in found.items()}


def connection_availability(
    row: ConnectionRow, spec: ConnectorSpec
) -> dict[Entity, EntityAvailability]:
    """Each readable entity's availability as last recorded on the connection."""
    return load_availability(row.availability, spec)


def _stored(row: ConnectionRow, entity: Entity) -> EntityAvailability | None:
    return _kept(row.availability, entity)


def _kept(availability: Mapping[str, Any] | None, entity: Entity) -> EntityAvailability | None:
    kept = (availability or {}).get(entity.value)
    return EntityAvailability.from_dict(entity, kept) if isinstance(kept, Mapping) else None


def is_available(row: ConnectionRow, entity: Entity) -> bool:
    """Whether the connection's source offers `entity`, as last checked (unknown: yes)."""
    found = _stored(row, entity)
    return found is None or found.available


def ensure_available(row: ConnectionRow, entity: Entity, operation: Operation = "read") -> None:
    """Raise `EntityUnavailable` when the connection's source does not offer `entity`."""
    ensure_offered(row.system, row.availability, entity, operation)


def ensure_offered(
    system: str,
    availability: Mapping[str, Any] | None,
    entity: Entity,
    operation: Operation = "read",
) -> None:
    """`ensure_available` for a connection known by its system and stored `availability`
    only (as authenticating its token reads them)."""
    found = _kept(availability, entity)
    if found is not None and not found.available:
        raise EntityUnavailable(
            system,
            entity.value,
            operation,
            reason=found.reason or f"The system does not offer {entity.value}.",
            enable=found.enable,
        )
