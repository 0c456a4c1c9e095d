"""The query parameters of Maximo's JSON API, parsed with a grammar (lark) and run on rows.

- `oslc.where`: comparisons joined by `and` (the language has no `or`): `attr op literal`
  with `=`, `!=`, `>`, `>=`, `<`, `<=`, and `attr in [literal, ...]`. Literals are quoted
  text (`"BEDFORD"`, `\\"` inside), numbers, `null`, or a date and time written as quoted text
  (`changedate>="2026-01-31T10:00:00-00:00"`, compared as an instant). Text with `%` compares
  as a pattern (`description="%pump%"`), as Maximo's wildcard search does.
- `oslc.select`: `*`, or attributes and child objects with their own selection
  (`wonum,status,woactivity{taskid,status}`, `poline{*}`).
- `oslc.orderBy`: `+attr` or `-attr`, comma separated.

A query naming an attribute the object structure does not have is refused (`QueryError`), as
Maximo refuses it with BMXAA... messages, rather than matching nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cmp_to_key
from typing import Any, Final

from lark import Lark, Token, Transformer, UnexpectedInput

__all__ = [
    "Comparison",
    "QueryError",
    "Selection",
    "order_rows",
    "parse_order",
    "parse_select",
    "parse_where",
]

_WHERE: Final = Lark(
    r"""
    start: comparison ("and"i comparison)*
    comparison: PATH OP literal      -> compare
              | PATH "in"i "[" literal ("," literal)* "]"  -> among
    literal: ESCAPED_STRING -> text
           | SIGNED_NUMBER -> number
           | "null"i -> null
    OP: ">=" | "<=" | "!=" | "=" | ">" | "<"
    PATH: /[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/
    %import common.ESCAPED_STRING
    %import common.SIGNED_NUMBER
    %import common.WS
    %ignore WS
    """,
    parser="lalr",
)

_SELECT: Final = Lark(
    r"""
    start: item ("," item)*
    ?item: STAR | NAME | child
    child: NAME "{" item ("," item)* "}"
    STAR: "*"
    NAME: /[A-Za-z_][A-Za-z0-9_.]*/
    %import common.WS
    %ignore WS
    """,
    parser="lalr",
)

_INSTANT: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)")


class QueryError(ValueError):
    """A query parameter Maximo would refuse."""


@dataclass(frozen=True)
class Comparison:
    """One condition of `oslc.where`."""

    path: str
    op: str
    values: tuple[Any, ...]

    def holds(self, row: Mapping[str, Any]) -> bool:
        """Whether `row` meets the condition."""
        value = row.get(self.path)
        if self.op == "in":
            return any(_equal(value, wanted) for wanted in self.values)
        wanted = self.values[0]
        if self.op == "=":
            return _equal(value, wanted)
        if self.op == "!=":
            return not _equal(value, wanted)
        if value is None or wanted is None:
            return False
        order = _compare(value, wanted)
        return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[self.op]


def _typed(value: Any) -> Any:
    if isinstance(value, str) and _INSTANT.match(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    return value


def _compare(left: Any, right: Any) -> int:
    a, b = _typed(left), _typed(right)
    if isinstance(a, Decimal) and isinstance(b, str):
        try:
            b = Decimal(b)
        except InvalidOperation:
            raise QueryError(f"{right!r} is not a number") from None
    if type(a) is not type(b) and not (isinstance(a, Decimal) and isinstance(b, Decimal)):
        a, b = str(a), str(b)
    return int(a > b) - int(a < b)


def _equal(value: Any, wanted: Any) -> bool:
    if wanted is None or value is None:
        return value is wanted
    if isinstance(wanted, str) and "%" in wanted and isinstance(value, str):
        pattern = ".*".join(re.escape(part) for part in wanted.split("%"))
        return re.fullmatch(pattern, value, re.IGNORECASE | re.DOTALL) is not None
    if isinstance(value, bool):
        return str(int(value)) == str(wanted) or str(value).lower() == str(wanted).lower()
    return _compare(value, wanted) == 0


class _Where(Transformer[Token, list[Comparison]]):
    def start(self, items: list[Comparison]) -> list[Comparison]:
        return items

    def compare(self, items: list[Any]) -> Comparison:
        path, op, value = items
        return Comparison(str(path).lower(), str(op), (value,))

    def among(self, items: list[Any]) -> Comparison:
        return Comparison(str(items[0]).lower(), "in", tuple(items[1:]))

    def text(self, items: list[Token]) -> str:
        return str(items[0])[1:-1].replace('\\"', '"').replace("\\\\", "\\")

    def number(self, items: list[Token]) -> Decimal:
        return Decimal(str(items[0]))

    def null(self, _items: list[Token]) -> None:
        return None


def parse_where(text: str, attributes: frozenset[str]) -> list[Comparison]:
    """The conditions of an `oslc.where`; `QueryError` when it cannot be read."""
    try:
        conditions = _Where().transform(_WHERE.parse(text))
    except UnexpectedInput as exc:
        raise QueryError(f"oslc.where is not valid at column {exc.column}: {text!r}") from None
    for condition in conditions:
        if condition.path not in attributes:
            raise QueryError(f"The attribute {condition.path.upper()} is not in the resource.")
    return conditions


@dataclass(frozen=True)
class Selection:
    """What `oslc.select` asks for: attributes, `*`, and child objects with their own."""

    everything: bool = False
    names: frozenset[str] = frozenset()
    children: Mapping[str, Selection] = field(default_factory=dict)

    def wants(self, name: str) -> bool:
        """Whether attribute `name` is selected."""
        return self.everything or name in self.names

    def child(self, name: str) -> Selection | None:
        """The selection of child object `name`; None when it is not selected."""
        if name in self.children:
            return self.children[name]
        return Selection(everything=True) if self.everything else None


def _selection(items: Sequence[Any]) -> Selection:
    names: set[str] = set()
    children: dict[str, Selection] = {}
    everything = False
    for item in items:
        if isinstance(item, Token) and item.type == "STAR":
            everything = True
        elif isinstance(item, Token):
            names.add(str(item).lower())
        else:
            children[str(item.children[0]).lower()] = _selection(item.children[1:])
    return Selection(everything, frozenset(names), children)


def parse_select(text: str | None) -> Selection:
    """The selection of an `oslc.select`; without one, every attribute (no child objects)."""
    if not text:
        return Selection(everything=True, children={})
    try:
        tree = _SELECT.parse(text)
    except UnexpectedInput as exc:
        raise QueryError(f"oslc.select is not valid at column {exc.column}: {text!r}") from None
    return _selection(tree.children)


def parse_order(text: str | None, attributes: frozenset[str]) -> list[tuple[str, bool]]:
    """`oslc.orderBy` as (attribute, descending) pairs."""
    order: list[tuple[str, bool]] = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("+-").strip().lower()
        if name not in attributes:
            raise QueryError(f"The attribute {name.upper()} cannot be ordered by.")
        order.append((name, descending))
    return order


def order_rows(
    rows: list[dict[str, Any]], order: Sequence[tuple[str, bool]]
) -> list[dict[str, Any]]:
    """`rows` sorted by `order` (nulls first, as Maximo's databases sort ascending)."""

    def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
        for name, descending in order:
            x, y = a.get(name), b.get(name)
            result = (x is not None) - (y is not None) if x is None or y is None else _compare(x, y)
            if result:
                return -result if descending else result
        return 0

    key: Callable[[dict[str, Any]], Any] = cmp_to_key(compare)
    return sorted(rows, key=key)
