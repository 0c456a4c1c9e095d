"""Raw source record → validated unified JSON text, with the connection's field mappings laid over.

The unified JSON is validated here, once, when it is written; reads serve the stored text.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, Final

import jmespath
import orjson
from pydantic import BaseModel, ValidationError

from ..connectors import Connector, RawRecord
from ..errors import UpstreamError, ValidationFailed
from ..model import FILTER_FIELDS, MODELS, Entity, field_errors, record_id
from ..store import UnitOfWork
from ..store.records import RecordRepository, RecordWrite, content_hash

__all__ = ["FieldMappings", "Projector", "raw_json", "reproject"]

_uncached_record_id = record_id.__wrapped__

#: unified field path (or `custom_fields.<name>`) → JMESPath over the raw record.
FieldMappings = Mapping[str, str]


_RAW_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)
# `json.dumps` sets up a new encoder for every call; the C one (where built), made once,
# writes the same text.
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_encode_raw: Callable[[Any, int], Iterable[str]] | None = (
    _c_make_encoder(
        None,  # no circular check: a source record is a tree (parsed JSON)
        str,
        json.encoder.encode_basestring_ascii,
        None,
        ":",
        ",",
        True,
        False,
        True,
    )
    if _c_make_encoder is not None
    else None
)


#: orjson writes what `json.dumps` below writes for the decoded JSON sources send, several
#: times faster; dates and times go through `str` as there (orjson's own ISO form differs).
_ORJSON_OPTIONS: Final = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _json_escapes(error: UnicodeError) -> tuple[str, int]:
    """Encoding error handler: a run of characters beyond ASCII as `json.dumps` escapes them
    (`ü` as `\\u00fc`; a character above U+FFFF as its UTF-16 surrogate pair)."""
    assert isinstance(error, UnicodeEncodeError)
    run = error.object[error.start : error.end]
    return json.encoder.encode_basestring_ascii(run)[1:-1], error.end


_JSON_ESCAPES: Final = "ironbridge.json_escapes"
codecs.register_error(_JSON_ESCAPES, _json_escapes)


def raw_json(data: Mapping[str, Any]) -> str:
    """The stored form of a raw record: stable key order, so equal records hash equal.

    The text of `json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)`, which
    stored records were hashed by, written by orjson several times faster. Text beyond
    ASCII, which orjson writes as UTF-8, is then escaped as `json` escapes it; where the two
    may differ otherwise the standard encoder writes it: keys that are not text, integers
    beyond 64 bits, lone surrogates. One difference is left to
    orjson, since finding it would cost more than orjson saves: a float written with an
    exponent (`1.5e-7`, not `1.5e-07`; `0.00001`, not `1e-05`; NaN, not JSON, as null). Such
    a record's raw text changes once; the store takes that as a change of unmapped source
    fields (kept, no event).
    """
    try:
        text = orjson.dumps(data, default=str, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is one
        pass
    else:
        # `json` also escapes DEL, which orjson writes as it is: rare enough to leave to it.
        if b"\x7f" not in text:
            if text.isascii():
                return text.decode("ascii")
            # Beyond ASCII only inside strings (keys and values), which orjson writes as
            # UTF-8; the codec's C loop leaves all else to it and calls back once a run.
            return text.decode("utf-8").encode("ascii", _JSON_ESCAPES).decode("ascii")
    if _encode_raw is None or not isinstance(data, dict):
        return _RAW_ENCODER.encode(data)
    return "".join(_encode_raw(data, 0))


def _set_path(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = target
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def _get_path(source: Mapping[str, Any], path: str) -> Any:
    node: Any = source
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _include(paths: list[str]) -> dict[str, Any]:
    """Pydantic's `include` for the fields at dotted `paths`."""
    tree: dict[str, Any] = {}
    for path in paths:
        _set_path(tree, path, True)
    return tree


#: Stands in for a column value `_json_text` cannot write without the field's serialiser.
_NOT_TEXT = "\x00not text"


def _json_text(value: Any) -> str | None:
    """A text or enum attribute as the record's JSON holds it (an enum by its value)."""
    if value is None:
        return None
    if isinstance(value, Enum):
        value = value.value
    if type(value) is str:
        return value
    return _NOT_TEXT


def _dated(raw: RawRecord, seen_at: datetime | None) -> datetime:
    """The record's change time, or for a record without one, when it was read."""
    if raw.modified_at is not None:
        return raw.modified_at
    if seen_at is None:
        raise ValueError(f"record {raw.remote_id!r} has no change time and no seen_at was given")
    return seen_at


class Projector:
    """Projects one connection's records of one entity."""

    def __init__(
        self,
        connector: Connector,
        connection_id: str,
        entity: Entity,
        mappings: FieldMappings | None = None,
    ) -> None:
        self.connector = connector
        self.connection_id = connection_id
        self.entity = entity
        self.model = MODELS[entity]
        self.mappings = {k: jmespath.compile(v) for k, v in (mappings or {}).items()}
        self.filters = FILTER_FIELDS[entity]
        # What `write` reads back from the validated model besides its JSON text: read from
        # its attributes (text and enums as their JSON would hold them), or, for a value of
        # another type, by dumping only these fields.
        self._columns = _include(
            ["id", "deleted", "status", *(f.path for f in self.filters.values())]
        )
        self._column_steps = [
            (name, tuple(field.path.split(".")))
            for name, field in self.filters.items()
            if name != "status"
        ]

    def ids(self, entity: Entity, remote_id: str) -> str:
        if entity is self.entity:
            # The records being projected: each one's id is asked for once, so caching them
            # would only fill the cache (and memory) as a sync goes on, pushing out the
            # references (vendors, items) that are asked for again and again.
            return _uncached_record_id(self.connection_id, entity, remote_id)
        return record_id(self.connection_id, entity, remote_id)

    def unified(
        self, raw: RawRecord, *, deleted: bool = False, seen_at: datetime | None = None
    ) -> dict[str, Any]:
        """The validated unified record as JSON-ready data (without `remote_data`).

        `seen_at` is when the record was read; it dates a record without a change time.
        """
        dumped: dict[str, Any] = self._model(raw, deleted=deleted, seen_at=seen_at).model_dump(
            mode="json", exclude={"remote_data"}
        )
        return dumped

    def _model(self, raw: RawRecord, *, deleted: bool, seen_at: datetime | None) -> BaseModel:
        data = self.connector.to_unified(self.entity, raw, self.ids)
        for target, expression in self.mappings.items():
            _set_path(data, target, expression.search(raw.data))
        if raw.modified_at is None:
            # The source cannot date the record; if its content turns out new, it is dated by
            # when it was read (the store keeps the stored date otherwise).
            data["updated_at"] = _dated(raw, seen_at)
        data["deleted"] = deleted or bool(data.get("deleted", False))
        data.pop("remote_data", None)
        try:
            return self.model.model_validate(data)
        except ValidationError as exc:
            raise ValidationFailed(
                field_errors(exc),
                f"{self.entity.label} {raw.remote_id} does not map to a valid record.",
            ) from exc

    def write(
        self, raw: RawRecord, *, deleted: bool = False, seen_at: datetime | None = None
    ) -> RecordWrite:
        """What the store keeps for `raw`, read at `seen_at` (needed when `raw` has no change
        time: such a record is a snapshot, dated by when its content was first seen)."""
        model = self._model(raw, deleted=deleted, seen_at=seen_at)
        # pydantic's serializer writes the same compact UTF-8 JSON as `json.dumps(unified,
        # separators=(",", ":"), ensure_ascii=False)` (so content hashes stay comparable with
        # stored ones), several times faster.
        text = model.model_dump_json(exclude={"remote_data"})
        columns = self._read_columns(model)
        status = columns.pop("status")
        raw_text = raw_json(raw.data)
        return RecordWrite(
            id=model.id,  # type: ignore[attr-defined]  # every unified model is a Record
            remote_id=raw.remote_id,
            modified_at=_dated(raw, seen_at),
            status=status,
            filters=columns,
            unified=text,
            raw=raw_text,
            content_hash=content_hash(text, raw_text),
            deleted=model.deleted,  # type: ignore[attr-defined]
            snapshot=raw.modified_at is None,
        )

    def _read_columns(self, model: BaseModel) -> dict[str, str | None]:
        """The record's status (under `status`, None when it has none) and its filter values
        (only those it has), as text: what its JSON holds at their paths."""
        columns: dict[str, str | None] = {"status": _json_text(getattr(model, "status", None))}
        for name, steps in self._column_steps:
            node: Any = model
            for step in steps:
                node = getattr(node, step, None)
                if node is None:
                    break
            if node is not None:
                columns[name] = _json_text(node)
        if _NOT_TEXT in columns.values():
            # A value of another type (a date, a decimal) is written as its field's
            # serialiser writes it.
            unified = model.model_dump(mode="json", include=self._columns)
            status = unified.get("status")
            columns = {"status": str(status) if status is not None else None}
            for name, field in self.filters.items():
                value = _get_path(unified, field.path)
                if name != "status" and value is not None:
                    columns[name] = str(value)
        return columns


def reproject(
    uow: UnitOfWork,
    connector: Connector,
    connection_id: str,
    entity: Entity,
    mappings: FieldMappings | None,
    *,
    batch: int = 1000,
) -> int:
    """Recompute stored unified JSON from stored raw JSON (after a field-mapping change).

    Returns how many records changed. A record the new mapping cannot validate keeps its
    previous projection; the mapping was already checked to compile.
    """
    projector = Projector(connector, connection_id, entity, mappings)
    repo = RecordRepository(uow.connection, connection_id)
    changed = 0
    after: str | None = None
    while True:
        rows = repo.all_raw(entity.value, after_id=after, limit=batch)
        if not rows:
            return changed
        updates = []
        for stored in rows:
            raw = RawRecord(stored.remote_id, stored.modified_at, json.loads(stored.raw))
            try:
                write = projector.write(raw, deleted=stored.deleted)
            except (ValidationFailed, UpstreamError):
                continue
            if write.content_hash != stored.content_hash:
                updates.append(
                    {
                        "b_id": stored.id,
                        "unified": write.unified,
                        "status": write.status,
                        "filters": write.filters,
                        "content_hash": write.content_hash,
                    }
                )
        repo.set_projection(entity.value, updates)
        changed += len(updates)
        after = rows[-1].id
