"""`describe_connection`: what an agent needs to know before it reads or writes, from the
connection and its connector's catalog entry."""

from __future__ import annotations

import types
from enum import StrEnum
from typing import Any, Union, get_args, get_origin

from ..accounts import Principal
from ..bootstrap import Container
from ..connectors import OPERATIONS
from ..health import connection_detail
from ..model import FILTER_FIELDS, MODELS, REFERENCE_FIELDS, Entity

__all__ = ["describe_connection"]


def describe_connection(container: Container, principal: Principal) -> dict[str, Any]:
    """The connection (system, status, last sync, last error) and, per entity its connector
    handles: availability, operations, unified fields, the values of its enumerated fields,
    list filters, expandable references, writable fields and the system's rules."""
    assert principal.connection_id is not None  # connection tokens always name one
    detail = connection_detail(container.uow, principal.account_id, principal.connection_id)
    spec = container.registry.get(detail.system).spec
    entities: dict[str, Any] = {}
    for entity, capability in spec.capabilities.items():
        operations = [op for op in OPERATIONS if capability.allows(op)]
        if not operations:
            continue
        availability = detail.availability.get(entity)
        entities[entity.value] = {
            "available": availability is None or availability.available,
            "unavailable_reason": availability.reason if availability else None,
            "operations": operations,
            "fields": list(MODELS[entity].model_fields),
            "values": _enumerated(entity),
            "filters": {
                name: [c.value for c in field.choices] if field.choices else field.description
                for name, field in FILTER_FIELDS[entity].items()
            },
            "expand": list(REFERENCE_FIELDS[entity]),
            "writable_fields": list(capability.writable_fields),
            "rules": list(capability.rules),
        }
    connection = detail.model_dump(
        mode="json",
        include={
            "id",
            "system",
            "end_customer_id",
            "end_customer_name",
            "status",
            "last_checked_at",
            "last_successful_sync_at",
            "last_error",
        },
    )
    return {
        "connection": {**connection, "system_name": spec.name, "category": spec.category},
        "entities": entities,
    }


def _enumerated(entity: Entity) -> dict[str, list[str]]:
    """Each field of the record whose values are a normalized enumeration (status, priority,
    type, ...), with those values."""
    found = {}
    for name, field in MODELS[entity].model_fields.items():
        enum = _enum_of(field.annotation)
        if enum is not None:
            found[name] = [member.value for member in enum]
    return found


def _enum_of(annotation: Any) -> type[StrEnum] | None:
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            enum = _enum_of(arg)
            if enum is not None:
                return enum
        return None
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return annotation
    return None
