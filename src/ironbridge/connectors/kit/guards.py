"""Checks every session makes on what the service hands it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ironbridge.connectors.base import ConnectorSpec, Operation
from ironbridge.model import Entity, InputModel

__all__ = ["ensure_page_size", "ensure_resolved", "ensure_writable"]


def ensure_page_size(page_size: int) -> None:
    """Refuse a page size below one (a caller bug, not a source problem)."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")


def ensure_resolved(body: InputModel | Mapping[str, Any], system: str) -> None:
    """Refuse ironbridge ids in a write: the service resolves references to remote ids first
    (`ironbridge.model.resolve_references`), so a connector only ever sees the source's own."""
    if isinstance(body, InputModel):
        for stem in body.references:
            if getattr(body, f"{stem}_id") is not None:
                _refuse(f"{stem}_id", system)
        values: list[Any] = [getattr(body, name) for name in type(body).model_fields]
    else:
        for key, value in body.items():
            if key.endswith("_id") and key.removesuffix("_id") in _STEMS and value is not None:
                _refuse(key, system)
        values = list(body.values())
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, InputModel | Mapping):
                ensure_resolved(item, system)


def ensure_writable(
    spec: ConnectorSpec,
    entity: Entity,
    operation: Operation,
    body: InputModel | Mapping[str, Any],
    system: str,
) -> None:
    """What a write checks first: that the connector offers `operation` on `entity`
    (`errors.OperationNotSupported`), and that `body` holds no ironbridge ids
    (`ensure_resolved`)."""
    spec.ensure_supported(entity, operation)
    ensure_resolved(body, system)


def _refuse(key: str, system: str) -> None:
    stem = key.removesuffix("_id")
    raise ValueError(
        f"{key} reached the {system} connector unresolved; pass {stem}_remote_id "
        "(see ironbridge.model.resolve_references)"
    )


def _reference_stems() -> frozenset[str]:
    from ironbridge.model import CREATE_MODELS, UPDATE_MODELS

    stems: set[str] = set()
    pending: list[type[InputModel]] = [*CREATE_MODELS.values(), *UPDATE_MODELS.values()]
    seen: set[type[InputModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        stems.update(model.references)
        for info in model.model_fields.values():
            for arg in getattr(info.annotation, "__args__", ()) or (info.annotation,):
                inner = getattr(arg, "__args__", (arg,))
                pending.extend(
                    t for t in inner if isinstance(t, type) and issubclass(t, InputModel)
                )
    return frozenset(stems)


#: The reference stems of every write body (`vendor`, `item`, `location`, `asset`, ...).
_STEMS = _reference_stems()
