"""Converters that compute one unified value from several source values or nested rows.

Where a source keeps a value in parts (a street and a house number, a price per 10 units, a
date on each schedule line, a status among the tokens of a status text), these say so in the
map instead of in a `derive` function. They read through the family's wire like the rest of
the vocabulary (`kit.fields`) and are read-only, but for a price per one unit (`Ratio`) and a
key in parts (`Joined`, `Link`) where declared writable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from string import Formatter
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.base import reference
from ironbridge.connectors.kit.fields import Field, MapContext, Text, read_fields
from ironbridge.connectors.kit.wire import Wire
from ironbridge.model import Entity

__all__ = [
    "Joined",
    "Least",
    "Level",
    "Line",
    "Link",
    "Matching",
    "Pick",
    "Ratio",
    "Sorted",
    "Template",
    "Tokens",
    "When",
    "choose_row",
]


_ONE: Final = Decimal(1)


def _natural(order: str) -> Callable[[Mapping[str, Any]], tuple[int, str]]:
    # Item numbers travel as text ("10", "100"): shorter first sorts them as numbers.
    def key(row: Mapping[str, Any]) -> tuple[int, str]:
        text = str(row.get(order) or "")
        return len(text), text

    return key


def choose_row(
    rows: list[Mapping[str, Any]],
    *,
    order: str | None = None,
    skip: Mapping[str, Any] | None = None,
    prefer: str | None = None,
) -> list[Mapping[str, Any]]:
    """`rows` sorted by `order` (numbers in text as numbers), without those whose values equal
    `skip`'s, those flagged `prefer` first when any is."""
    if order is not None:
        rows = sorted(rows, key=_natural(order))
    for name, value in (skip or {}).items():
        rows = [row for row in rows if row.get(name) != value]
    if prefer is not None:
        preferred = [row for row in rows if row.get(prefer) is True]
        rows = preferred or rows
    return rows


@dataclass(frozen=True, slots=True)
class Pick(Field):
    """A value read in one row chosen among the nested rows at `path` (an address among a
    partner's addresses, the default e-mail among several): the first in `order`, rows
    matching `skip` left out, a row flagged `prefer` before the others. `value` is one
    converter, or a table read as an object; no row reads as None."""

    path: str
    value: Field | Mapping[str, Field] = field(hash=False)
    order: str | None = None
    skip: Mapping[str, Any] = field(default_factory=dict, hash=False)
    prefer: str | None = None

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        rows = ctx.wire.rows(row, self.path)
        chosen = choose_row(rows, order=self.order, skip=self.skip, prefer=self.prefer)
        if not chosen:
            return None
        if isinstance(self.value, Field):
            return self.value.read(chosen[0], ctx)
        return read_fields(self.value, chosen[0], ctx)


@dataclass(frozen=True, slots=True)
class Sorted(Field):
    """The nested rows at `path` (order lines) each read by `fields`, in `order`, rows
    matching `skip` (lines flagged deleted) left out."""

    path: str
    fields: Mapping[str, Field] = field(hash=False)
    order: str | None = None
    skip: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        rows = choose_row(ctx.wire.rows(row, self.path), order=self.order, skip=self.skip)
        return [read_fields(self.fields, item, ctx) for item in rows]


@dataclass(frozen=True, slots=True)
class Template(Field):
    """Text made of source values (`"Plant {Plant}"`); each `{path}` is read through the
    wire, an empty one as ""."""

    text: str

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        values = {
            name: "" if ctx.wire.is_empty(value := ctx.wire.get(row, name)) else value
            for _, name, _, _ in Formatter().parse(self.text)
            if name
        }
        return self.text.format_map(values)


@dataclass(frozen=True, slots=True)
class Joined(Field):
    """The non-empty values at `paths` joined by `separator` (a street and a house number, a
    key in parts); None when all are empty.

    `writable` writes a value back split at `separator` into its parts, the first always and
    the others when not empty (`1710/171A` as plant and storage location, `1710` as a plant).
    """

    paths: tuple[str, ...]
    separator: str = " "
    writable: bool = field(default=False, kw_only=True)

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        parts = [ctx.wire.get(row, path) for path in self.paths]
        text = self.separator.join(str(part) for part in parts if not ctx.wire.is_empty(part))
        return text or None

    def write(self, value: Any, out: dict[str, Any], wire: Wire) -> None:
        if value is None:
            for path in self.paths:
                wire.put(out, path, wire.blank_write)
            return
        parts = str(value).split(self.separator, len(self.paths) - 1)
        for index, (path, part) in enumerate(zip(self.paths, parts, strict=False)):
            if part or not index:
                wire.put(out, path, part)


@dataclass(frozen=True, slots=True)
class Matching(Field):
    """What `value` reads if it matches `pattern` in full (a currency's three letters), else
    None: a source's free text in a field the unified model constrains; `convert` makes a
    match what the unified model spells (`str.upper`)."""

    value: Field
    pattern: str
    convert: Callable[[Any], Any] | None = None

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        value = self.value.read(row, ctx)
        if value is None or not re.fullmatch(self.pattern, value):
            return None
        return value if self.convert is None else self.convert(value)


@dataclass(frozen=True, slots=True)
class Line(Field):
    """One part of multi-line text at `path` (a street with details on the lines below): its
    first line, stripped, or with `rest` the lines after it as one, their whitespace collapsed;
    None when that is empty."""

    path: str
    rest: bool = False

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        first, _, rest = (Text(self.path).read(row, ctx) or "").partition("\n")
        return (" ".join(rest.split()) if self.rest else first.strip()) or None


@dataclass(frozen=True, slots=True)
class When(Field):
    """What `value` reads when the flag at `flag` is set, else `otherwise` (a quantity
    received in full once the source marks delivery complete)."""

    flag: str
    value: Field
    otherwise: Any = None

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        return self.value.read(row, ctx) if ctx.wire.get(row, self.flag) is True else self.otherwise


@dataclass(frozen=True, slots=True)
class Ratio(Field):
    """`amount` per one unit where the source prices per `per` units (a price unit); an empty
    or zero `per` is one unit, a negative one gives None. A value is written as the amount per
    one unit (`per` 1)."""

    amount: Field
    per: Field
    writable: bool = field(default=True, kw_only=True)

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        amount = self.amount.read(row, ctx)
        if amount is None:
            return None
        per = self.per.read(row, ctx) or _ONE
        return amount / per if per > 0 else None

    def write(self, value: Any, out: dict[str, Any], wire: Wire) -> None:
        self.amount.write(value, out, wire)
        if value is not None:
            self.per.write(_ONE, out, wire)


@dataclass(frozen=True, slots=True)
class Least(Field):
    """The least value `value` reads in the nested rows at `path` (the earliest schedule
    line's date); None when no row has one."""

    path: str
    value: Field

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        values = [self.value.read(item, ctx) for item in ctx.wire.rows(row, self.path)]
        known = [value for value in values if value is not None]
        return min(known) if known else None


@dataclass(frozen=True, slots=True)
class Level(Field):
    """Where a record sits in a hierarchy: `table["below"]` for a record that names its
    superior at `path`, else `table["top"]` (a functional location below another is an area,
    the top one a site)."""

    path: str
    table: Mapping[str, Any] = field(hash=False)

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        return self.table["below" if ctx.wire.get(row, self.path) else "top"]


@dataclass(frozen=True, slots=True)
class Link(Field):
    """A pointer to another record whose key `key` reads (a key in parts, see `Joined`);
    `writable` writes it through `key` from the payload's `<name>_remote_id`, as `Ref`."""

    entity: Entity
    key: Field
    writable: bool = field(default=False, kw_only=True)

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        value = self.key.read(row, ctx)
        return None if value is None else reference(ctx.ids, self.entity, str(value))

    def payload_key(self, name: str) -> str:
        return f"{name}_remote_id"

    def write(self, value: Any, out: dict[str, Any], wire: Wire) -> None:
        self.key.write(value, out, wire)


@dataclass(frozen=True, slots=True)
class Tokens(Field):
    """The member of the first rule whose token is among the words of the text at `path`
    (a list of active statuses such as `REL PCNF NMAT`, most decisive rule first).

    Words no rule names describe the record, not its status; a text with none of the tokens
    fails the record, as a code missing from a table does.
    """

    path: str
    rules: tuple[tuple[str, Any], ...]

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        text = ctx.wire.get(row, self.path)
        words = set(str(text or "").split())
        for token, member in self.rules:
            if token in words:
                return member
        known = ", ".join(token for token, _ in self.rules)
        raise errors.UpstreamError(
            f"{ctx.wire.name} sent {self.path} {text or ''!r} without a status the map "
            f"knows ({known})."
        )
