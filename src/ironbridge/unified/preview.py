"""What a field-mapping change would do, shown on a connection's stored raw records before it is
saved: the same projection `reproject` applies afterwards, written nowhere."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..connectors import Connector, RawRecord
from ..errors import UpstreamError, ValidationFailed
from ..model import Entity
from ..store import UnitOfWork
from ..store.records import RecordRepository
from .projection import FieldMappings, Projector

__all__ = ["MappingPreview", "preview_mappings"]


@dataclass(frozen=True, slots=True)
class MappingPreview:
    """One stored record under the current projection and under the proposed mappings."""

    remote_id: str
    before: dict[str, Any]
    #: None when the proposed mappings do not give a valid record (see `error`).
    after: dict[str, Any] | None
    error: str | None
    #: Dotted paths of the fields whose values differ, in the record's order.
    changed: list[str]


def _differences(before: Any, after: Any, prefix: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        paths: list[str] = []
        for key in [*before, *(k for k in after if k not in before)]:
            if key == "updated_at":
                continue
            paths += _differences(before.get(key), after.get(key), f"{prefix}{key}.")
        return paths
    return [] if before == after else [prefix.rstrip(".")]


def preview_mappings(
    uow: UnitOfWork,
    connector: Connector,
    connection_id: str,
    entity: Entity,
    mappings: FieldMappings,
    *,
    limit: int = 3,
) -> list[MappingPreview]:
    """Up to `limit` of the connection's stored `entity` records projected with `mappings`
    beside their stored unified JSON. The caller has checked the connection is its own and
    the mappings are well formed (`ConnectionPatch`)."""
    projector = Projector(connector, connection_id, entity, mappings)
    rows = RecordRepository(uow.connection, connection_id).all_raw(
        entity.value, after_id=None, limit=limit
    )
    previews = []
    for stored in rows:
        before = json.loads(stored.unified)
        raw = RawRecord(stored.remote_id, stored.modified_at, json.loads(stored.raw))
        try:
            after: dict[str, Any] | None = projector.unified(raw, deleted=stored.deleted)
            error = None
        except (ValidationFailed, UpstreamError) as exc:
            after, error = None, _describe(exc)
        changed = _differences(before, after) if after is not None else []
        previews.append(MappingPreview(stored.remote_id, before, after, error, changed))
    return previews


def _describe(exc: ValidationFailed | UpstreamError) -> str:
    fields = exc.details.get("fields")
    if fields:
        return f"{exc.message} " + "; ".join(f"{k}: {v}" for k, v in fields.items())
    return exc.message
