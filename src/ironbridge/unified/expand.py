"""`expand`: reads that embed referenced records in place of their references.

A stored record holds each reference as `{"id", "remote_id"}` only; the referenced record's
name and other fields live in that record, which changes on its own. A read asking for
`expand=vendor,lines.item` gets, in place of each named reference, the referenced record as
stored (its unified JSON, without `remote_data`), found with one lookup by id for the whole
page. A reference whose record is not stored (not synced yet, or outside the history window)
stays `{"id", "remote_id"}`; one deleted since is embedded all the same (the reference still
names it, as `GET` of a deleted record still answers).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..errors import ValidationFailed
from ..model import REFERENCE_FIELDS, Entity, ReferenceField
from ..store.records import RecordRepository

__all__ = ["expand_fields", "expand_texts"]


def expand_fields(entity: Entity, expand: str | None) -> tuple[ReferenceField, ...]:
    """The references `expand` names (comma-separated), checked against the entity's table.

    Raises `ValidationFailed` for a name that is not a reference of `entity` or an empty name.
    A name given twice is expanded once (a comma list's pattern cannot forbid repeats, and a
    repeat asks for nothing different). None names nothing.
    """
    if expand is None:
        return ()
    allowed = REFERENCE_FIELDS[entity]
    choices = ", ".join(allowed) or "none"
    fields: list[ReferenceField] = []
    for name in expand.split(","):
        field = allowed.get(name)
        if field is None:
            shown = name[:100]
            raise ValidationFailed(
                {"expand": f"{shown!r} is not a reference of {entity.value}; one of: {choices}"}
            )
        if field not in fields:
            fields.append(field)
    return tuple(fields)


def expand_texts(
    repo: RecordRepository, fields: Sequence[ReferenceField], texts: Sequence[str]
) -> list[str]:
    """`texts` (stored records' JSON) with the references `fields` name replaced by the
    referenced records, looked up together; the texts as they are when `fields` is empty."""
    if not fields:
        return list(texts)
    records: list[dict[str, Any]] = [json.loads(text) for text in texts]
    wanted = {
        ref["id"]
        for record in records
        for field in fields
        for holder in field.holders(record)
        if isinstance(ref := holder.get(field.path[-1]), dict) and ref.get("id")
    }
    stored = repo.unified_by_id(wanted)
    targets: dict[str, Any] = {}
    for field in fields:
        for holder in (holder for record in records for holder in field.holders(record)):
            ref = holder.get(field.path[-1])
            if not isinstance(ref, dict):
                continue
            found = stored.get(ref.get("id") or "")
            # An id names one entity; checking it keeps a stray id from embedding a record of
            # another kind.
            if found is None or found[0] != field.target.value:
                continue
            if ref["id"] not in targets:
                targets[ref["id"]] = json.loads(found[1])
            holder[field.path[-1]] = targets[ref["id"]]
    return [json.dumps(record, separators=(",", ":"), ensure_ascii=False) for record in records]
