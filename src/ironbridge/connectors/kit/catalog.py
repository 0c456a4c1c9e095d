"""What a connector's catalog entry and writes can take from its maps instead of repeating it.

A map already says which fields a write sets and which tables translate statuses, so:

- `writable_fields`: the payload fields of an entity's writable declarations, as a
  `Capability.writable_fields` lists them (a reference as its `_id` and its `_remote_id`).
- `status_tables`: a `StatusTable` for each entity whose status field is a `Code`, for
  `Connector.status_tables`; `code_tables`: one for every `Code` and `Tokens` field of a set
  of maps, whatever the field.
- `written_codes`: the source code each unified member of a table is written as, its first.

`capability` spells a `Capability` by the operations it allows beside reading.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from ironbridge.connectors.base import Capability, Operation, StatusTable
from ironbridge.connectors.kit.computed import Tokens
from ironbridge.connectors.kit.fields import STRICT, Code, Field
from ironbridge.connectors.kit.maps import Mapper, RecordMap
from ironbridge.connectors.kit.wire import Wire
from ironbridge.model import Entity

__all__ = ["capability", "code_tables", "status_tables", "writable_fields", "written_codes"]


def capability(
    *allows: Operation,
    writable: tuple[str, ...] = (),
    rules: tuple[str, ...] = (),
    requires: tuple[str, ...] = (),
) -> Capability:
    """Reads, and the writes of `allows` (`create`, `update`, `delete`, `adjust`)."""
    return Capability(
        read=True,
        create="create" in allows,
        update="update" in allows,
        delete="delete" in allows,
        adjust="adjust" in allows,
        writable_fields=writable,
        rules=rules,
        requires=requires,
    )


def writable_fields(
    record_map: RecordMap, *, but: Collection[str] = (), also: Collection[str] = ()
) -> tuple[str, ...]:
    """The payload fields the writable declarations of `record_map` take, in its order, without
    the fields `but` (the source sets them) and with those fields `also` a session writes
    itself (a status changed through an action)."""
    names: list[str] = []
    for name, converter in record_map.fields.items():
        if name in but or not (converter.writable or name in also):
            continue
        key = converter.payload_key(name)
        names.extend((f"{name}_id", key) if key != name else (name,))
    return tuple(names)


def status_tables(mapper: Mapper, field: str = "status") -> tuple[StatusTable, ...]:
    """The tables of the `Code` each map reads `field` with, to the enum of their members."""
    found: list[StatusTable] = []
    for entity, record_map in mapper.maps.items():
        code = record_map.fields.get(field)
        if isinstance(code, Code):
            enum = next(type(m) for m in code.table.values() if isinstance(m, StrEnum))
            found.append(StatusTable(entity, code.path, code.table, enum))
    return tuple(found)


def code_tables(
    maps: Mapping[Entity, RecordMap], *, refined: bool = False, wire: Wire | None = None
) -> tuple[StatusTable, ...]:
    """A `StatusTable` for every `Code` and `Tokens` field of `maps`, in their order, to the
    enum of its members. A table is open (not `closed`) when the map reads codes outside it as
    a value of its own (`Code.otherwise`: codes each installation defines) or by another field
    (codes its `Code.refine` refines but does not list), and for `Tokens`, whose text holds
    words that are no status. With `refined`, the tables of the codes that refine a `Code`
    follow it, each once; with a `wire`, a source is named as `Wire.source_key` spells it."""
    found: list[StatusTable] = []
    seen: set[tuple[Entity, str, int]] = set()
    for entity, record_map in maps.items():
        for converter in record_map.fields.values():
            codes: list[Field] = [converter]
            if refined and isinstance(converter, Code):
                codes += converter.refine.values()
            for code in codes:
                if isinstance(code, Code):
                    if (entity, code.path, id(code.table)) in seen:
                        continue  # one table refining several codes
                    seen.add((entity, code.path, id(code.table)))
                    table = code.table
                    closed = code.otherwise is STRICT and all(key in table for key in code.refine)
                elif isinstance(code, Tokens):
                    table, closed = MappingProxyType(dict(code.rules)), False
                else:
                    continue
                enum = next(type(m) for m in table.values() if isinstance(m, StrEnum))
                source = code.path if wire is None else wire.source_key(code.path)
                found.append(StatusTable(entity, source, table, enum, closed))
    return tuple(found)


def written_codes(table: Mapping[Any, Any]) -> dict[Any, Any]:
    """Each member of `table` → the first source code that reads as it (`kit.source_code`)."""
    written: dict[Any, Any] = {}
    for code, member in table.items():
        written.setdefault(member, code)
    return written
