"""Serving unified records from the store, as stored JSON text joined into a page.

Without `expand` a page is the stored texts joined, never parsed; with it, the named references
are replaced by the referenced records (`expand.py`), one more query per page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..accounts import Principal
from ..connections.availability import ensure_offered
from ..errors import NotFound, ValidationFailed
from ..model import FILTER_FIELDS, Entity, entity_of_id
from ..store import UnitOfWork, decode_keyset, encode_keyset
from ..store.records import RecordQuery, RecordRepository, StoredRecord
from .expand import expand_fields, expand_texts

__all__ = ["ListParams", "get_record", "list_records", "render_record"]

MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class ListParams:
    limit: int = 100
    cursor: str | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None
    include_deleted: bool = False
    include_remote_data: bool = False
    filters: dict[str, str] | None = None
    #: Comma-separated references to embed (`vendor,lines.item`); see `expand.py`.
    expand: str | None = None


def render_record(record: StoredRecord, include_remote_data: bool) -> str:
    """The record's JSON text; `remote_data` spliced in from the stored raw text when asked."""
    if not include_remote_data:
        return record.unified
    return f'{record.unified[:-1]},"remote_data":{record.raw}}}'


def _connection_of(principal: Principal, entity: Entity) -> str:
    """The id of the connection `principal`'s token is bound to, once the entity is known to
    be offered there: an empty list would read as "no records", when the customer's system has
    not enabled the area. What the connection offers came with the token's authentication."""
    if principal.connection_id is None:
        raise ValueError("reads are made with a connection token")
    if principal.connection_system is not None:
        ensure_offered(principal.connection_system, principal.connection_availability, entity)
    return principal.connection_id


def list_records(
    uow: UnitOfWork, principal: Principal, entity: Entity, params: ListParams
) -> bytes:
    """A list page of the connection `principal` (a connection token) reads, as the response
    body `{"data": [...], "next_cursor": ...}`.

    Raises `EntityUnavailable` for an entity the connection's source does not offer.
    """
    connection_id = _connection_of(principal, entity)
    if not 1 <= params.limit <= MAX_LIMIT:
        raise ValidationFailed({"limit": f"must be between 1 and {MAX_LIMIT}"})
    expanded = expand_fields(entity, params.expand)
    allowed = FILTER_FIELDS[entity]
    filters = dict(params.filters or {})
    unknown = sorted(set(filters) - set(allowed))
    if unknown:
        raise ValidationFailed({name: f"not a filter of {entity.value}" for name in unknown})
    for name, value in filters.items():
        if len(value) > 255:
            raise ValidationFailed({name: "must be at most 255 characters"})
        choices = allowed[name].choices
        if choices is not None and value not in {c.value for c in choices}:
            raise ValidationFailed({name: f"must be one of {', '.join(c.value for c in choices)}"})
    after = None
    if params.cursor:
        after = decode_keyset(params.cursor)
    status = filters.pop("status", None)
    repo = RecordRepository(uow.connection, connection_id)
    texts, last_key = repo.texts(
        entity.value,
        RecordQuery(
            modified_after=params.modified_after,
            modified_before=params.modified_before,
            include_deleted=params.include_deleted,
            status=status,
            filters=filters,
            after=after,
            limit=params.limit,
        ),
        with_raw=params.include_remote_data,
    )
    next_cursor = None
    if last_key is not None:
        next_cursor = encode_keyset(*last_key)
    items = ",".join(expand_texts(repo, expanded, texts) if expanded else texts)
    return f'{{"data":[{items}],"next_cursor":{json.dumps(next_cursor)}}}'.encode()


def get_record(
    uow: UnitOfWork,
    principal: Principal,
    entity: Entity,
    record_id: str,
    *,
    include_remote_data: bool = False,
    expand: str | None = None,
) -> bytes:
    """One record's JSON, deleted ones included (their `deleted` flag says so); the references
    `expand` names (comma-separated) embedded."""
    expanded = expand_fields(entity, expand)
    connection_id = _connection_of(principal, entity)
    stored = _find(uow, connection_id, entity, record_id)
    text = render_record(stored, include_remote_data)
    if expanded:
        (text,) = expand_texts(RecordRepository(uow.connection, connection_id), expanded, [text])
    return text.encode()


def _find(uow: UnitOfWork, connection_id: str, entity: Entity, record_id: str) -> StoredRecord:
    if entity_of_id(record_id) is not entity:
        raise NotFound(f"No {entity.label} {record_id}.")
    stored = RecordRepository(uow.connection, connection_id).get(entity.value, record_id)
    if stored is None:
        raise NotFound(f"No {entity.label} {record_id}.")
    return stored


def load_unified(
    uow: UnitOfWork, connection_id: str, entity: Entity, record_id: str
) -> dict[str, Any]:
    """The stored unified record as data."""
    value: dict[str, Any] = json.loads(_find(uow, connection_id, entity, record_id).unified)
    return value
