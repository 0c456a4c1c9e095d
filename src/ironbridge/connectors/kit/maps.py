"""One entity's map (`RecordMap`) and a connector's maps bound to its wire (`Mapper`).

`Mapper.to_unified` is the whole of `Connector.to_unified` for a system whose records a table
can read; a system adds `derive` functions only for what a table cannot say (a status decided by
three sources, stock summed per location). `Mapper.to_source` turns a resolved write payload
into a source body through the same declarations, refusing what they cannot write, so nothing
a caller sends is silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.base import IdFactory, RawRecord
from ironbridge.connectors.kit.computed import Matching
from ironbridge.connectors.kit.custom import CustomCodes
from ironbridge.connectors.kit.fields import (
    Code,
    Field,
    FieldPlan,
    First,
    MapContext,
    Place,
    Ref,
    Rows,
    read_fields,
    write_fields,
)
from ironbridge.connectors.kit.numbered import Numbered
from ironbridge.connectors.kit.wire import Wire
from ironbridge.model import Entity

__all__ = ["Derive", "Mapper", "RecordMap", "Variants", "read_paths"]

#: A row index in a source's error path: `item.items[0].quantity`.
_INDEX: Final = re.compile(r"\[(\d+)\]")

#: Unified fields a table cannot read, computed from the whole source row.
Derive = Callable[[Mapping[str, Any], MapContext], Mapping[str, Any]]


def read_paths(fields: Iterable[Field], under: str = "") -> tuple[str, ...]:
    """The source paths `fields` read, each once, in the order first read, on a wire that
    spells a step into a nested object or rows with a dot (JSON-RPC's `lines.amount`): the
    fields to ask a system for that sends only those asked for. A nested object or rows
    (`Place`, `Rows`, `Numbered`, with the keys `Numbered` picks its rows by) reads its parts
    under its path, which itself is not asked for; a `First` reads each candidate, a `Matching`
    the value it checks, a `Code` the codes that refine it too. A field without a `path`
    (`Const`) reads none."""
    found: list[str] = []
    for converter in fields:
        if isinstance(converter, (Place, Rows, Numbered)):
            nested = converter.parts if isinstance(converter, Place) else converter.fields
            only = converter.only if isinstance(converter, Numbered) else {}
            found += read_paths([*nested.values()], f"{under}{converter.path}.")
            found += (f"{under}{converter.path}.{name}" for name in only)
        elif isinstance(converter, First):
            found += read_paths(converter.fields, under)
        elif isinstance(converter, Matching):
            found += read_paths([converter.value], under)
        elif isinstance(path := getattr(converter, "path", None), str):
            found.append(f"{under}{path}")
            if isinstance(converter, Code):
                found += read_paths(converter.refine.values(), under)
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class RecordMap:
    """One entity's table.

    `fields` are the unified fields; `created` reads the creation time; `custom_fields` are
    source fields outside the unified model that integrators still need, by the name they
    have in `custom_fields`; source keys starting with one of `extension_prefixes` (fields a
    customer added to their system) go to `custom_fields` too, without the prefix when
    `strip_prefix`. `derive` computes what the table cannot. Writes refuse a payload key no
    declaration writes with its reason in `refusals` (or the mapper's), and a null for a key
    in `unclearable` (a field the source cannot empty once set). With `custom_codes`, writes
    set the `custom_fields` declared too, as that says. `creates` are fields only a create
    writes, last (a deep insert's lines, which the source reads back by `derive`); an update
    refuses them as any field no declaration writes.
    """

    fields: Mapping[str, Field] = field(hash=False)
    created: Field | None = None
    custom_fields: Mapping[str, Field] = field(default_factory=dict, hash=False)
    extension_prefixes: tuple[str, ...] = ()
    strip_prefix: bool = False
    derive: Derive | None = None
    refusals: Mapping[str, str] = field(default_factory=dict, hash=False)
    unclearable: frozenset[str] = frozenset()
    custom_codes: CustomCodes | None = None
    creates: Mapping[str, Field] = field(default_factory=dict, hash=False)

    #: `fields` and `custom_fields` made ready to read every record (see `FieldPlan`).
    plan: FieldPlan = field(init=False, repr=False, compare=False, hash=False)
    custom_plan: FieldPlan = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plan", FieldPlan.of(self.fields))
        object.__setattr__(self, "custom_plan", FieldPlan.of(self.custom_fields))

    def custom(self, row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
        """The record's custom fields, empty values left out."""
        named = read_fields(self.custom_plan, row, ctx)
        custom = {name: value for name, value in named.items() if value is not None}
        prefixes = self.extension_prefixes
        if prefixes:
            # Hoisted: this scans every property of every record read.
            is_empty = ctx.wire.is_empty
            for key, value in row.items():
                if key.startswith(prefixes) and not is_empty(value):
                    name = key
                    if self.strip_prefix:
                        name = key.removeprefix(
                            next(p for p in self.extension_prefixes if key.startswith(p))
                        )
                    custom[name] = value
        return custom


@dataclass(frozen=True)
class Variants:
    """A `Mapper.choose` declared: a record of `entity` whose remote id starts with a key of
    `prefixes` is read by that key's map, else one whose data holds a value at a key of
    `present` by that key's map (SAP's functional locations and storage locations among the
    plants); any other record by its entity's map."""

    entity: Entity
    prefixes: Mapping[str, RecordMap] = field(default_factory=dict, hash=False)
    present: Mapping[str, RecordMap] = field(default_factory=dict, hash=False)

    def __call__(self, entity: Entity, raw: RawRecord) -> RecordMap | None:
        if entity is not self.entity:
            return None
        for prefix, record_map in self.prefixes.items():
            if raw.remote_id.startswith(prefix):
                return record_map
        return next((chosen for key, chosen in self.present.items() if raw.data.get(key)), None)


@dataclass(frozen=True)
class Mapper:
    """A connector's maps bound to its wire: what `to_unified` and writes go through.

    `system` names the source in error messages ("Tryton purchase order 7: ..."); `choose`
    picks another map for some records of an entity (SAP functional locations among plants);
    `created` reads the creation time of the records whose map declares none (a system that
    stamps every record alike).
    """

    system: str
    wire: Wire
    maps: Mapping[Entity, RecordMap] = field(hash=False)
    choose: Callable[[Entity, RawRecord], RecordMap | None] | None = None
    #: How a payload field no declaration can write is refused.
    refusal: str = "{system} cannot write this field."
    created: Field | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "maps", MappingProxyType(dict(self.maps)))

    def record_map(self, entity: Entity, raw: RawRecord) -> RecordMap:
        """The map that reads `raw`."""
        chosen = None if self.choose is None else self.choose(entity, raw)
        return self.maps[entity] if chosen is None else chosen

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """The unified record of `raw` (without `remote_data`).

        Raises `errors.UpstreamError` naming the record when a value cannot be read or a code
        is missing from its table.
        """
        record_map = self.record_map(entity, raw)
        ctx = MapContext(self.wire, ids)
        row = raw.data
        try:
            created = None
            stamp = self.created if record_map.created is None else record_map.created
            if stamp is not None:
                created = read_fields({"created_at": stamp}, row, ctx)["created_at"]
            unified: dict[str, Any] = {
                "id": ids(entity, raw.remote_id),
                "remote_id": raw.remote_id,
                "created_at": created,
                "updated_at": raw.modified_at,
                "deleted": False,
            }
            unified.update(read_fields(record_map.plan, row, ctx))
            if record_map.derive is not None:
                try:
                    unified.update(record_map.derive(row, ctx))
                except (ValueError, TypeError, ArithmeticError, AttributeError) as exc:
                    raise errors.UpstreamError(f"an unreadable value ({exc}).") from exc
            unified["custom_fields"] = record_map.custom(row, ctx)
        except errors.UpstreamError as exc:
            raise errors.UpstreamError(
                f"{self.system} {entity.label} {raw.remote_id}: {exc.message}"
            ) from exc
        return unified

    def to_source(
        self,
        entity: Entity,
        payload: Mapping[str, Any],
        *,
        handled: frozenset[str] = frozenset(),
        problems: Mapping[str, str] | None = None,
        creating: bool = False,
    ) -> dict[str, Any]:
        """The source body a resolved write payload sets, through the entity's declarations.

        Payload keys no writable declaration covers, and that the caller does not say it
        `handled` itself, are refused with `errors.ValidationFailed`, together with the
        `problems` the caller found in what it handled and what rows lack (`Rows(needs=...)`);
        a record's keys that rows `inherit` are handled by them. Custom fields whose source name
        carries an extension prefix are written under that name; the map's `custom_codes`
        write its custom fields, `creating` a record or not.
        """
        record_map = self.maps[entity]
        found = dict(problems or {})
        creates = record_map.creates if creating else {}
        payload = dict(payload)
        for name, rows in {**record_map.fields, **creates}.items():
            if isinstance(rows, Rows) and rows.writable and rows.rules:
                handled |= frozenset(rows.inherit)
                if name in payload:
                    payload[name] = rows.prepare(payload[name], payload, name, found)
        for key in sorted(record_map.unclearable):
            if key in payload and payload[key] is None:
                # A reference comes as `<name>_remote_id`; the caller sent `<name>_id`.
                name = key.removesuffix("_remote_id") + "_id" if key.endswith("_remote_id") else key
                found[name] = f"{self.system} cannot clear this field."
        values = {
            key: value
            for key, value in payload.items()
            if value is not None or key not in record_map.unclearable
        }
        body = write_fields(record_map.fields, values, self.wire)
        writable = {
            converter.payload_key(name)
            for name, converter in {**record_map.fields, **creates}.items()
            if converter.writable
        }
        refusal = self.refusal.format(system=self.system)
        for name in sorted(set(payload) - writable - handled - {"custom_fields"}):
            found[name] = record_map.refusals.get(name, refusal)
        codes, custom = record_map.custom_codes, payload.get("custom_fields") or {}
        if codes is not None:
            declared = record_map.custom_fields
            body |= codes.write(
                declared,
                custom,
                entity=entity,
                system=self.system,
                creating=creating,
                wire=self.wire,
                problems=found,
            )
            custom = {name: value for name, value in custom.items() if name not in declared}
            refusal = codes.refusal(declared, record_map.extension_prefixes, self.system)
        for name, value in custom.items():
            if record_map.strip_prefix and record_map.extension_prefixes:
                body[f"{record_map.extension_prefixes[0]}{name}"] = value
            elif name.startswith(record_map.extension_prefixes or ("\0",)):
                body[name] = value
            elif "custom_fields" not in handled:
                found[f"custom_fields.{name}"] = refusal
        body |= write_fields(creates, values, self.wire)
        if found:
            raise errors.ValidationFailed(found)
        return body

    def error_names(self, entity: Entity) -> Callable[[str], str | None]:
        """How the error path of a refused write names the unified field, read off the
        entity's write map: a dotted source path with `[n]` for the n-th row
        (`item.items[0].quantity`) becomes `lines.0.quantity`; a reference is named by the
        `*_id` key a caller sends (`entity` → `vendor_id`). None for a path the map does not
        write."""
        names: dict[str, str] = {}
        _collect_names(self.maps[entity].fields, "", "", names)

        def name(path: str) -> str | None:
            found = names.get(_INDEX.sub("[]", path))
            return None if found is None else found.format(*_INDEX.findall(path))

        return name


def _collect_names(
    fields: Mapping[str, Field], source: str, unified: str, names: dict[str, str]
) -> None:
    for name, converter in fields.items():
        path = getattr(converter, "path", None)
        if isinstance(converter, Rows):
            rows = f"{source}{converter.path.replace('/', '.')}[]."
            _collect_names(converter.fields, rows, f"{unified}{name}.{{}}.", names)
        elif isinstance(path, str):
            key = f"{name}_id" if isinstance(converter, Ref) else name
            names[source + path.split("/")[0]] = unified + key
