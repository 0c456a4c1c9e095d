"""The map vocabulary: how one unified field is read from, and written to, a source record.

A connector's map is a table of these converters per entity (`kit.RecordMap`), read through
its family's `Wire`, which knows the path syntax and how dates, times and decimals are spelled.
The same declaration serves reads and, for writable fields, writes: `write` puts the unified
payload value into a source body, `payload_key` names the key it comes under (references come
as `<name>_remote_id`, resolved by the service).

Status and enum tables are plain mappings from source code to unified member. A code missing
from a table is an `errors.UpstreamError`, never a silent default, unless the table is of
codes each installation defines for itself (`otherwise=`), which then read as that value.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.base import IdFactory, reference
from ironbridge.connectors.kit.wire import Wire
from ironbridge.model import Entity

__all__ = [
    "STRICT",
    "Code",
    "Const",
    "Day",
    "DayStart",
    "Field",
    "FieldPlan",
    "First",
    "Flag",
    "Flags",
    "Integer",
    "MapContext",
    "Needs",
    "Number",
    "Place",
    "Ref",
    "Rows",
    "Stamp",
    "Sum",
    "Text",
    "first_text",
    "names",
    "read_fields",
    "read_rows",
    "source_code",
    "write_fields",
]


class _Strict:
    def __repr__(self) -> str:
        return "STRICT"


#: `Code(otherwise=STRICT)`: a code missing from the table fails the record (the default).
STRICT: Final[Any] = _Strict()


@dataclass(frozen=True, slots=True)
class MapContext:
    """What a converter reads with: the family's wire and the connection's id factory."""

    wire: Wire
    ids: IdFactory

    @classmethod
    def codes_only(cls, wire: Wire) -> MapContext:
        """A context for reading values that are no references (codes, statuses, amounts)
        outside a connection, such as a status rule read on its own: making an id fails."""
        return cls(wire, _no_ids)


def _no_ids(entity: Entity, remote_id: str) -> str:
    raise TypeError(f"a read without a connection made a reference to {entity} {remote_id}")


class Field(ABC):
    """How one unified field is read from a source record (and written, where it can be)."""

    #: Whether `write` is implemented; a read-only field in a write payload is refused.
    writable: bool = False

    @abstractmethod
    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        """The unified value in `row`."""

    def payload_key(self, name: str) -> str:
        """The key of the unified field `name` in a resolved write payload."""
        return name

    def write(self, value: Any, out: dict[str, Any], wire: Wire) -> None:
        """Set the field's source keys in the write body `out` from the payload `value`."""
        raise TypeError(f"{type(self).__name__} cannot be written")


@dataclass(frozen=True, slots=True)
class _Path(Field):
    """A field stored at one source path, written back to it (None clears it)."""

    path: str
    writable: bool = field(default=True, kw_only=True)

    def value(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        wire = ctx.wire
        value = wire.get(row, self.path)
        return None if value is None or wire.is_empty(value) else value

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        value = self.value(row, ctx)
        return None if value is None else self.convert(value, ctx.wire)

    def convert(self, value: Any, wire: Wire) -> Any:
        """The unified value of a source value that is not empty."""
        return value

    def encode(self, value: Any, wire: Wire) -> Any:
        return value

    def write(self, value: Any, out: dict[str, Any], wire: Wire) -> None:
        wire.put(out, self.path, wire.blank_write if value is None else self.encode(value, wire))


@dataclass(frozen=True, slots=True)
class Text(_Path):
    """Text; whatever else the source sends (ids as numbers) as its text."""

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        # `convert` inlined: fields are also read one by one, outside a plan (computed
        # fields, `derive` functions), where the extra call would cost.
        value = self.value(row, ctx)
        return value if value is None or isinstance(value, str) else str(value)

    def convert(self, value: Any, wire: Wire) -> Any:
        return value if isinstance(value, str) else str(value)


@dataclass(frozen=True, slots=True)
class Integer(_Path):
    """A whole number."""

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        value = self.value(row, ctx)
        return None if value is None else int(value)

    def convert(self, value: Any, wire: Wire) -> Any:
        return int(value)

    def encode(self, value: Any, wire: Wire) -> Any:
        return int(value)


@dataclass(frozen=True, slots=True)
class Number(_Path):
    """A decimal (amounts, quantities), as a `Decimal`."""

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        value = self.value(row, ctx)
        return None if value is None else ctx.wire.to_decimal(value)

    def convert(self, value: Any, wire: Wire) -> Any:
        return wire.to_decimal(value)

    def encode(self, value: Any, wire: Wire) -> Any:
        return wire.from_decimal(Decimal(value))


@dataclass(frozen=True, slots=True)
class Day(_Path):
    """A calendar date."""

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        value = self.value(row, ctx)
        return None if value is None else ctx.wire.to_date(value)

    def convert(self, value: Any, wire: Wire) -> Any:
        return wire.to_date(value)

    def encode(self, value: Any, wire: Wire) -> Any:
        return wire.from_date(value.date() if isinstance(value, datetime) else value)


@dataclass(frozen=True, slots=True)
class DayStart(_Path):
    """A date where the unified model wants an instant: 00:00 UTC of that day, the earliest
    moment the date allows (systems that plan by the day)."""

    writable: bool = field(default=False, kw_only=True)

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        value = self.value(row, ctx)
        if value is None:
            return None
        return datetime.combine(ctx.wire.to_date(value), time(), tzinfo=UTC)

    def convert(self, value: Any, wire: Wire) -> Any:
        return datetime.combine(wire.to_date(value), time(), tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Stamp(_Path):
    """An instant, aware and in UTC."""

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        value = self.value(row, ctx)
        return None if value is None else ctx.wire.to_datetime(value)

    def convert(self, value: Any, wire: Wire) -> Any:
        return wire.to_datetime(value)

    def encode(self, value: Any, wire: Wire) -> Any:
        return wire.from_datetime(value)


@dataclass(frozen=True, slots=True)
class Flag(_Path):
    """A boolean (some databases send 0/1)."""

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        value = self.value(row, ctx)
        return None if value is None else bool(value)

    def convert(self, value: Any, wire: Wire) -> Any:
        return bool(value)


def source_code(table: Mapping[Any, Any], member: Any) -> Any:
    """The first source code a table maps to `member`; KeyError when it has none."""
    for code, mapped in table.items():
        if mapped == member:
            return code
    raise KeyError(member)


@dataclass(frozen=True, slots=True)
class Code(_Path):
    """A source code translated through a table to a unified enum member.

    `refine` maps a code to another `Code` that decides instead (Tryton's purchase state
    `processing` is decided by its shipment state). `coerce` normalises the raw value first
    (`bool` for flags sent as 0/1). `otherwise` is what a code outside the table reads as, for
    tables of codes each installation defines (order types, priorities); by default such a
    code fails the record. Writing looks the unified member up backwards.
    """

    table: Mapping[Any, Any] = field(default_factory=dict, hash=False)
    refine: Mapping[Any, Code] = field(default_factory=dict, hash=False)
    coerce: Callable[[Any], Any] | None = None
    otherwise: Any = STRICT

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        value = self.value(row, ctx)
        if value is None:
            if ctx.wire.blank is None:
                return None
            value = ctx.wire.blank
        if self.coerce is not None:
            value = self.coerce(value)
        if value in self.refine:
            return self.refine[value].read(row, ctx)
        try:
            return self.table[value]
        except KeyError:
            if self.otherwise is not STRICT:
                return self.otherwise
            # Loud by design: a guessed default would publish a wrong status to integrators.
            raise errors.UpstreamError(
                f"{ctx.wire.name} sent {self.path} {value!r}, which the map does not know; the "
                "record is left out until the connector maps it."
            ) from None
        except TypeError:
            raise ValueError(f"{self.path} holds {value!r}, not a code") from None

    def encode(self, value: Any, wire: Wire) -> Any:
        return source_code(self.table, value)


@dataclass(frozen=True, slots=True)
class Flags(Field):
    """The member of the first rule whose flag is set; `otherwise` when none is (statuses that
    a source keeps as several yes/no flags, most decisive first)."""

    rules: tuple[tuple[str, Enum], ...]
    otherwise: Enum

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        for path, member in self.rules:
            if ctx.wire.get(row, path) is True:
                return member
        return self.otherwise


@dataclass(frozen=True, slots=True)
class Ref(Field):
    """A pointer to another record by its source key (ids only; see `base.reference`).

    A source that sends the key as a nested object (`{"id": 3, ...}`) is read by its `id`.
    `prefix` goes before the key where one unified entity holds records of several source
    objects whose keys may coincide. Written from the payload's `<name>_remote_id`.
    """

    entity: Entity
    path: str
    prefix: str = ""
    writable: bool = field(default=True, kw_only=True)

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        wire = ctx.wire
        value = wire.get(row, self.path)
        # A key as text or a number is the common case: it skips the (slow) ABC check for a
        # nested object.
        kind = type(value)
        if kind is not str and kind is not int and (value is None or isinstance(value, Mapping)):
            node = wire.node(row, self.path)
            value = None if node is None else node.get("id")
        if value is None or isinstance(value, bool) or wire.is_empty(value):
            return None
        return reference(ctx.ids, self.entity, f"{self.prefix}{value}")

    def refer(self, value: str | int, ctx: MapContext) -> dict[str, str]:
        """What `read` gives for a key sent as text or a number that is not empty."""
        return reference(ctx.ids, self.entity, f"{self.prefix}{value}")

    def payload_key(self, name: str) -> str:
        return f"{name}_remote_id"

    def write(self, value: Any, out: dict[str, Any], wire: Wire) -> None:
        encoded = wire.blank_write if value is None else str(value).removeprefix(self.prefix)
        wire.put(out, self.path, encoded)


@dataclass(frozen=True, slots=True)
class Place(Field):
    """A nested object (an address) whose parts are fields of their own."""

    path: str
    parts: Mapping[str, Field] = field(hash=False)
    writable: bool = field(default=True, kw_only=True)
    plan: FieldPlan = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plan", FieldPlan.of(self.parts))

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        node = ctx.wire.node(row, self.path)
        return None if node is None else read_fields(self.plan, node, ctx)

    def write(self, value: Any, out: dict[str, Any], wire: Wire) -> None:
        body = None if value is None else write_fields(self.parts, value, wire)
        wire.put(out, self.path, body)


@dataclass(frozen=True, slots=True)
class Needs:
    """What a written row cannot do without: a value for its field `name` (for a reference,
    `Ref` or `Link`, a remote id not starting with one of `not_prefixed`: a record of another
    kind the same entity holds), unless it has one for `unless`. `message` says why."""

    name: str
    message: str
    unless: str = ""
    not_prefixed: tuple[str, ...] = ()

    def check(
        self, fields: Mapping[str, Field], row: Mapping[str, Any], at: str, problems: dict[str, str]
    ) -> None:
        """Add `message` to `problems` at the row's path `at` when `row` lacks the value."""
        if self.unless and row.get(fields[self.unless].payload_key(self.unless)):
            return
        key = fields[self.name].payload_key(self.name)
        value = row.get(key)
        if not value or (isinstance(value, str) and value.startswith(self.not_prefixed)):
            name = key.removesuffix("_remote_id") + "_id" if key != self.name else key
            problems[f"{at}.{name}"] = self.message


@dataclass(frozen=True, slots=True)
class Rows(Field):
    """A list of nested rows (order lines, stock levels), each mapped by its own table.

    With `number`, each row written is numbered at that source path by its place times `step`,
    as text (SAP numbers the items of a new order "10", "20", "30"). With write rules (applied
    by `Mapper.to_source`), rows are written without their nulls, a row takes the record's
    value of each key in `inherit` it has none of (a line's date, the order's), what it `needs`
    is checked, and where it has a value at a key of `repeat` it is also the one row of the
    nested `Rows` field that key names (a schedule line on the line's date).
    """

    path: str
    fields: Mapping[str, Field] = field(hash=False)
    writable: bool = field(default=True, kw_only=True)
    number: str = field(default="", kw_only=True)
    step: int = field(default=1, kw_only=True)
    inherit: tuple[str, ...] = field(default=(), kw_only=True)
    needs: tuple[Needs, ...] = field(default=(), kw_only=True)
    repeat: Mapping[str, str] = field(default_factory=dict, kw_only=True, hash=False)
    plan: FieldPlan = field(init=False, repr=False, compare=False, hash=False)

    @property
    def rules(self) -> bool:
        """Whether writes prepare the rows (`inherit`, `needs` or `repeat` declared)."""
        return bool(self.inherit or self.needs or self.repeat)

    def prepare(
        self, rows: Any, record: Mapping[str, Any], at: str, problems: dict[str, str]
    ) -> list[dict[str, Any]]:
        """The payload `rows` (at the payload path `at`) made ready to write: nulls left out,
        `inherit`ed and `repeat`ed values added; what a row `needs` and lacks goes to
        `problems`."""
        ready: list[dict[str, Any]] = []
        for place, row in enumerate(rows or ()):
            given = {key: value for key, value in row.items() if value is not None}
            for key in self.inherit:
                if given.get(key) is None and record.get(key) is not None:
                    given[key] = record[key]
            for need in self.needs:
                need.check(self.fields, given, f"{at}.{place}", problems)
            repeated = {nested: [given] for nested, key in self.repeat.items() if key in given}
            ready.append(given | repeated)
        return ready

    def __post_init__(self) -> None:
        object.__setattr__(self, "plan", FieldPlan.of(self.fields))

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        return read_rows(self.plan, ctx.wire.rows(row, self.path), ctx)

    def write(self, value: Any, out: dict[str, Any], wire: Wire) -> None:
        rows: list[dict[str, Any]] = []
        for place, item in enumerate(value or (), start=1):
            row: dict[str, Any] = {}
            if self.number:
                wire.put(row, self.number, str(place * self.step))
            rows.append(row | write_fields(self.fields, item, wire))
        wire.put(out, self.path, rows)


@dataclass(frozen=True, slots=True)
class Sum(Field):
    """The sum of `column` over the nested rows at `path` (an order's total from its lines'
    amounts, an item's stock over its locations); rows without a value count as nothing."""

    path: str
    column: str

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        values = (ctx.wire.get(item, self.column) for item in ctx.wire.rows(row, self.path))
        return sum((ctx.wire.to_decimal(v) for v in values if v is not None), Decimal(0))


@dataclass(frozen=True, slots=True)
class First(Field):
    """The first of several fields that has a value (a stored cache, then the computed one)."""

    fields: tuple[Field, ...]

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        for candidate in self.fields:
            value = candidate.read(row, ctx)
            if value is not None:
                return value
        return None


def first_text(paths: str) -> First:
    """The first of the space-separated `paths` that holds text: `first_text("Name Code")` is
    `First((Text("Name"), Text("Code")))`, a name with its fallbacks."""
    return First(tuple(Text(path) for path in paths.split()))


@dataclass(frozen=True, slots=True)
class Const(Field):
    """The same value for every record (a source with one kind of work order)."""

    value: Any

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        return self.value


#: What a converter may raise on a value it cannot read; anything else is a bug.
_UNREADABLE: Final = (ValueError, TypeError, ArithmeticError, AttributeError)


def names(text: str) -> tuple[str, ...]:
    """The space-separated names in `text`, in order: a list of field names declared as one
    string (`names("name partner_id state")`)."""
    return tuple(text.split())


#: One field of a `FieldPlan`: its name, its `read`, and for a field at one plain key that
#: `_Path` (or `Ref`) reads, the key, its `convert` (`Ref.refer`) and its kind (else None,
#: None, _OTHER).
_Step = tuple[
    str,
    Callable[[Mapping[str, Any], MapContext], Any],
    str | None,
    Callable[[Any, Any], Any] | None,
    int,
]

#: The kinds of plan steps whose conversion `read_fields` does itself for the common values:
#: `Text` (text as is), `Number` (a JSON number, on a wire that reads them as `Wire` does),
#: `Day` (ISO text, likewise), `Ref` (a key as text).
_OTHER, _TEXT, _NUMBER, _DAY, _REF = range(5)


class FieldPlan(tuple[_Step, ...]):
    """A table of fields made ready to read many records (`FieldPlan.of(fields)`, once, where
    the table is declared); `read_fields` takes one wherever it takes a table.

    Mapping a record reads every field of its table, lines included, so what can be decided
    once is: each converter's bound `read`, and for the plain fields (`Text`, `Number`, ...
    at a one-step path) the key, so that a wire with `plain_keys` reads them from a decoded
    JSON object with one `dict.get`, leaving only the emptiness check and the conversion
    (done in place for the commonest kinds of field and value).
    """

    __slots__ = ()

    @classmethod
    def of(cls, fields: Mapping[str, Field]) -> FieldPlan:
        """The plan of `fields`, in their order."""
        steps: list[_Step] = []
        for name, converter in fields.items():
            if isinstance(converter, _Path) and _plain(converter):
                kind = _KINDS.get(type(converter), _OTHER)
                steps.append((name, converter.read, converter.path, converter.convert, kind))
            elif type(converter) is Ref and _one_step(converter.path):
                steps.append((name, converter.read, converter.path, converter.refer, _REF))
            else:
                steps.append((name, converter.read, None, None, _OTHER))
        return cls(steps)


#: The `read` of each kit field that is `value` then `convert`, and that `convert`.
_CONVERTS: Final[Mapping[Any, Any]] = {
    kind.read: kind.convert for kind in (Text, Integer, Number, Day, DayStart, Stamp, Flag)
}
#: The step kind of the kit fields `read_fields` converts itself (exactly these classes).
_KINDS: Final[Mapping[type, int]] = {Text: _TEXT, Number: _NUMBER, Day: _DAY}


def _one_step(path: str) -> bool:
    return "/" not in path and "." not in path


def _plain(converter: _Path) -> bool:
    # Reads its value as `_Path` does, at a path of one step on any wire.
    kind = type(converter)
    return (
        (kind.read is _Path.read or _CONVERTS.get(kind.read) is kind.convert)
        and kind.value is _Path.value
        and _one_step(converter.path)
    )


#: How `_read_plain` reads through one wire: a family's own `is_empty`, else (None) its
#: `empty_texts`, which the loop checks itself after `is None` (`Wire.is_empty`); whether it
#: reads a JSON number as `Wire.to_decimal` does, and ISO text as `Wire.to_date` does.
_Reading = tuple[Callable[[Any], bool] | None, frozenset[str] | None, bool, bool]
#: Each wire's `_Reading`, decided once (wires are declared once per family or system).
_READINGS: dict[int, tuple[Wire, _Reading]] = {}


def _reading(wire: Wire) -> _Reading:
    known = _READINGS.get(id(wire))
    if known is not None and known[0] is wire:
        return known[1]
    family = type(wire)
    own_empty = family.is_empty is not Wire.is_empty
    reading = (
        wire.is_empty if own_empty else None,
        None if own_empty else wire.empty_texts,
        family.to_decimal is Wire.to_decimal,
        family.to_date is Wire.to_date and family.decode is Wire.decode,
    )
    _READINGS[id(wire)] = (wire, reading)
    return reading


#: The Decimal of each float lately read as one (amounts and quantities repeat across
#: records and lines), as `Wire.to_decimal` makes it. Never zero, which is equal to its
#: negative, whose Decimal is not; cleared when full.
_DECIMALS: dict[float, Decimal] = {}
_DECIMALS_KEPT: Final = 4096


def _float_decimal(value: float) -> Decimal:
    number = Decimal(str(value))
    if value:
        if len(_DECIMALS) >= _DECIMALS_KEPT:
            _DECIMALS.clear()
        _DECIMALS[value] = number
    return number


def _read_plain(
    plan: FieldPlan, row: dict[str, Any], ctx: MapContext, reading: _Reading
) -> dict[str, Any]:
    """`read_fields` of a plan from a decoded JSON object on a wire with `plain_keys`: the hot
    path, every field of every record mapped, each a key of the object."""
    out: dict[str, Any] = {}
    wire = ctx.wire
    get = row.get
    # Without a family's own `is_empty`, only text can be empty besides None.
    is_empty, empties, numbers, days = reading
    decimals = _DECIMALS.get
    name = ""
    try:
        for name, read, key, convert, kind in plan:
            if key is None:
                out[name] = read(row, ctx)
                continue
            value = get(key)
            if value is None:
                out[name] = None
            elif type(value) is str:
                if empties is not None:
                    if value in empties:
                        out[name] = None
                        continue
                elif is_empty is not None and is_empty(value):
                    out[name] = None
                    continue
                if kind is _TEXT:
                    out[name] = value
                elif kind is _DAY and days:
                    out[name] = date.fromisoformat(value[:10])
                elif kind is _REF:
                    out[name] = convert(value, ctx)  # type: ignore[misc]
                else:
                    out[name] = convert(value, wire)  # type: ignore[misc]
            elif kind is _REF:
                # A key as a number (a JSON-RPC many2one) is no empty value on a wire without an
                # `is_empty` of its own; anything else goes the way `Ref.read` goes.
                if type(value) is int and is_empty is None:
                    out[name] = convert(value, ctx)  # type: ignore[misc]
                else:
                    out[name] = read(row, ctx)
            elif isinstance(value, list):
                # What a wire's `get` may read otherwise (an Odoo many2one pair).
                out[name] = read(row, ctx)
            elif is_empty is not None and is_empty(value):
                out[name] = None
            elif kind is _NUMBER and numbers and type(value) is float:
                number = decimals(value)
                out[name] = _float_decimal(value) if number is None else number
            elif kind is _NUMBER and numbers and type(value) is int:
                out[name] = Decimal(str(value))
            else:
                out[name] = convert(value, wire)  # type: ignore[misc]
    except _UNREADABLE as exc:
        raise errors.UpstreamError(
            f"{wire.name}'s value for {name} is unreadable ({exc})."
        ) from exc
    return out


def read_fields(
    fields: Mapping[str, Field] | FieldPlan, row: Mapping[str, Any], ctx: MapContext
) -> dict[str, Any]:
    """Read every field of `fields` (a table, or its `FieldPlan`) from `row`; an unreadable
    value is an `UpstreamError`."""
    wire = ctx.wire
    if isinstance(fields, FieldPlan) and type(row) is dict and wire.plain_keys:
        return _read_plain(fields, row, ctx, _reading(wire))
    out: dict[str, Any] = {}
    name = ""
    try:
        if isinstance(fields, FieldPlan):
            for name, read, _, _, _ in fields:
                out[name] = read(row, ctx)
        else:
            for name, converter in fields.items():
                out[name] = converter.read(row, ctx)
    except _UNREADABLE as exc:
        raise errors.UpstreamError(
            f"{wire.name}'s value for {name} is unreadable ({exc})."
        ) from exc
    return out


def read_rows(
    plan: FieldPlan, rows: list[Mapping[str, Any]], ctx: MapContext
) -> list[dict[str, Any]]:
    """`read_fields(plan, row, ctx)` of each of `rows` (an order's lines)."""
    wire = ctx.wire
    if not wire.plain_keys:
        return [read_fields(plan, row, ctx) for row in rows]
    reading = _reading(wire)
    return [
        _read_plain(plan, row, ctx, reading) if type(row) is dict else read_fields(plan, row, ctx)
        for row in rows
    ]


def write_fields(
    fields: Mapping[str, Field], payload: Mapping[str, Any], wire: Wire
) -> dict[str, Any]:
    """The source body for the payload keys `fields` can write; other keys are left alone
    (`kit.to_source` refuses them). A member a code table has no code for (a vendor status
    the source lacks) is `errors.ValidationFailed` on its key."""
    out: dict[str, Any] = {}
    for name, converter in fields.items():
        key = converter.payload_key(name)
        if converter.writable and key in payload:
            try:
                converter.write(payload[key], out, wire)
            except KeyError:
                problem = f"{wire.name} has no {payload[key]}."
                raise errors.ValidationFailed({key: problem}) from None
    return out
