"""The emulator's own OData V2 engine: EDM values in JSON, `$filter`, `$orderby` and keys.

Written from the OData V2 specification (URI conventions §4 "Query String Options", JSON
format "Representing Primitive Types"), independently of the connectors' client code.
Stored values are Python objects: `str`, `Decimal`, `bool`, `int`, `datetime` (aware, UTC) for
Edm.DateTime and Edm.DateTimeOffset, `time` for Edm.Time, or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final

__all__ = [
    "FilterError",
    "compile_filter",
    "decode_value",
    "encode_value",
    "order_key",
    "parse_key_predicate",
    "parse_orderby",
    "sort_rows",
]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class FilterError(ValueError):
    """A query option the emulator cannot read; answered as HTTP 400."""


# --- JSON values ------------------------------------------------------------------------------


def _ms(value: datetime) -> int:
    return (value.astimezone(UTC) - _EPOCH) // timedelta(milliseconds=1)


def encode_value(edm_type: str, value: Any) -> Any:
    """A stored value in OData V2 JSON form.

    Strings are never null in SAP Gateway answers (an empty field is `""`), decimals and 64-bit
    integers are JSON strings, and times are `/Date(ms)/` (DateTime) or `/Date(ms+0000)/`
    (DateTimeOffset), truncated to the millisecond whatever precision the server keeps.
    """
    if edm_type == "Edm.String":
        return "" if value is None else str(value)
    if value is None:
        return None
    if edm_type == "Edm.DateTime":
        return f"/Date({_ms(value)})/"
    if edm_type == "Edm.DateTimeOffset":
        return f"/Date({_ms(value)}+0000)/"
    if edm_type == "Edm.Time":
        return f"PT{value.hour:02d}H{value.minute:02d}M{value.second:02d}S"
    if edm_type == "Edm.Decimal":
        return format(value, "f")
    if edm_type == "Edm.Int64":
        return str(value)
    return value


_JSON_DATE: Final = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")
_JSON_TIME: Final = re.compile(r"^PT(\d{1,2})H(\d{1,2})M(\d{1,2})S$")


def decode_value(edm_type: str, value: Any) -> Any:
    """A JSON value from a request body as a stored value; ValueError when it does not fit."""
    if value is None:
        return None
    if edm_type == "Edm.String":
        if not isinstance(value, str):
            raise ValueError("expected a string")
        return value
    if edm_type in ("Edm.DateTime", "Edm.DateTimeOffset"):
        match = _JSON_DATE.match(str(value))
        if match is None:
            # SAP Gateway also accepts ISO 8601 in request bodies.
            try:
                parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError:
                raise ValueError("expected /Date(ms)/") from None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return _EPOCH + timedelta(milliseconds=int(match.group(1)))
    if edm_type == "Edm.Time":
        match = _JSON_TIME.match(str(value))
        if match is None:
            raise ValueError("expected PThhHmmMssS")
        hours, minutes, seconds = (int(part) for part in match.groups())
        return time(hours, minutes, seconds)
    if edm_type == "Edm.Decimal":
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError("expected a decimal") from None
        if not number.is_finite():
            raise ValueError("expected a finite decimal")
        return number
    if edm_type == "Edm.Boolean":
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    if edm_type in ("Edm.Int32", "Edm.Int64"):
        return int(value)
    return value


# --- literals and tokens ----------------------------------------------------------------------

_TOKEN: Final = re.compile(
    r"""
    \s*(?:
        (?P<typed>(?:datetimeoffset|datetime|time|guid)'[^']*')
      | (?P<string>'(?:[^']|'')*')
      | (?P<number>-?\d+(?:\.\d+)?[mMdDlLfF]?)
      | (?P<open>\()
      | (?P<close>\))
      | (?P<comma>,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_/]*)
    )
    """,
    re.VERBOSE,
)

_TIME_LITERAL: Final = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.\d+)?S)?$")


def _typed_literal(text: str) -> Any:
    kind, _, rest = text.partition("'")
    body = rest[:-1]
    if kind == "datetime":
        try:
            return datetime.fromisoformat(body).replace(tzinfo=UTC)
        except ValueError:
            raise FilterError(f"Invalid datetime literal {text}") from None
    if kind == "datetimeoffset":
        try:
            parsed = datetime.fromisoformat(body.replace("Z", "+00:00"))
        except ValueError:
            raise FilterError(f"Invalid datetimeoffset literal {text}") from None
        if parsed.tzinfo is None:
            raise FilterError(f"datetimeoffset literal without offset: {text}")
        return parsed.astimezone(UTC)
    if kind == "time":
        match = _TIME_LITERAL.match(body)
        if match is None or body == "PT":
            raise FilterError(f"Invalid time literal {text}")
        hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return time(hours, minutes, seconds)
    return body


def _tokens(text: str) -> list[tuple[str, str]]:
    position = 0
    found: list[tuple[str, str]] = []
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FilterError(f"Invalid query option near {text[position : position + 20]!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


def _literal(kind: str, text: str) -> Any:
    if kind == "typed":
        return _typed_literal(text)
    if kind == "string":
        return text[1:-1].replace("''", "'")
    if kind == "number":
        digits = text.rstrip("mMdDlLfF")
        return Decimal(digits) if "." in digits or text[-1:] in "mMdD" else int(digits)
    raise FilterError(f"Expected a literal, found {text!r}")


# --- $filter ----------------------------------------------------------------------------------

Predicate = Callable[[Mapping[str, Any]], bool]
Operand = Callable[[Mapping[str, Any]], Any]

_COMPARISONS: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
    "eq": lambda left, right: left == right,
    "ne": lambda left, right: left != right,
    "gt": lambda left, right: left > right,
    "ge": lambda left, right: left >= right,
    "lt": lambda left, right: left < right,
    "le": lambda left, right: left <= right,
}


def _compare(operator: str, left: Any, right: Any) -> bool:
    if operator in ("eq", "ne"):
        return _COMPARISONS[operator](left, right)
    if left is None or right is None:
        return False
    if isinstance(left, (int, Decimal)) and isinstance(right, (int, Decimal)):
        return _COMPARISONS[operator](Decimal(left), Decimal(right))
    if type(left) is not type(right):
        raise FilterError(f"Cannot compare {type(left).__name__} with {type(right).__name__}")
    return _COMPARISONS[operator](left, right)


@dataclass
class _Parser:
    tokens: list[tuple[str, str]]
    properties: Mapping[str, str]
    position: int = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FilterError("Unexpected end of $filter")
        self.position += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "name" and token[1] == word:
            self.position += 1
            return True
        return False

    def expression(self) -> Predicate:
        left = self.conjunction()
        while self.keyword("or"):
            right = self.conjunction()
            left = _either(left, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.negation()
        while self.keyword("and"):
            right = self.negation()
            left = _both(left, right)
        return left

    def negation(self) -> Predicate:
        if self.keyword("not"):
            inner = self.negation()
            return lambda row: not inner(row)
        return self.comparison()

    def comparison(self) -> Predicate:
        token = self.peek()
        if token is not None and token[0] == "open":
            self.take()
            inner = self.expression()
            if self.take()[0] != "close":
                raise FilterError("Missing ) in $filter")
            return inner
        left = self.operand()
        operator = self.peek()
        if operator is None or operator[0] != "name" or operator[1] not in _COMPARISONS:
            function = left
            return lambda row: bool(function(row))
        self.take()
        right = self.operand()
        name = operator[1]
        return lambda row: _compare(name, left(row), right(row))

    def operand(self) -> Operand:
        kind, text = self.take()
        if kind == "name":
            if text in ("true", "false"):
                flag = text == "true"
                return lambda row: flag
            if text == "null":
                return lambda row: None
            token = self.peek()
            if token is not None and token[0] == "open":
                return self.function(text)
            if text not in self.properties:
                raise FilterError(f"Property {text} not found in type")
            return lambda row: row.get(text)
        value = _literal(kind, text)
        return lambda row: value

    def function(self, name: str) -> Operand:
        self.take()
        arguments: list[Operand] = [self.operand()]
        while self.peek() is not None and self.peek() == ("comma", ","):
            self.take()
            arguments.append(self.operand())
        if self.take()[0] != "close":
            raise FilterError(f"Missing ) after {name}(")
        functions: Mapping[str, Callable[[list[Any]], Any]] = {
            "substringof": lambda args: str(args[0]) in str(args[1]),
            "startswith": lambda args: str(args[0]).startswith(str(args[1])),
            "endswith": lambda args: str(args[0]).endswith(str(args[1])),
            "tolower": lambda args: str(args[0]).lower(),
            "toupper": lambda args: str(args[0]).upper(),
        }
        if name not in functions:
            raise FilterError(f"Function {name} is not supported")
        apply = functions[name]
        return lambda row: apply([argument(row) for argument in arguments])


def _either(left: Predicate, right: Predicate) -> Predicate:
    return lambda row: left(row) or right(row)


def _both(left: Predicate, right: Predicate) -> Predicate:
    return lambda row: left(row) and right(row)


def compile_filter(text: str, properties: Mapping[str, str]) -> Predicate:
    """A predicate for the `$filter` expression `text` over an entity type's `properties`.

    Supports `eq ne gt ge lt le`, `and or not`, parentheses, `substringof`, `startswith`,
    `endswith`, `tolower`, `toupper`, and the literals of OData V2 (strings, numbers,
    `datetime'…'`, `datetimeoffset'…'`, `time'…'`, `true`, `false`, `null`).

    Raises:
        FilterError: the expression cannot be read or names an unknown property.
    """
    parser = _Parser(_tokens(text), properties)
    predicate = parser.expression()
    if parser.peek() is not None:
        raise FilterError(f"Unexpected {parser.peek()[1]!r} in $filter")  # type: ignore[index]
    return predicate


# --- $orderby and keys ------------------------------------------------------------------------


def parse_orderby(text: str, properties: Mapping[str, str]) -> list[tuple[str, bool]]:
    """`[(property, descending), ...]` from `A,B desc`; FilterError for unknown properties."""
    order: list[tuple[str, bool]] = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise FilterError(f"Invalid $orderby {text!r}")
        if words[0] not in properties:
            raise FilterError(f"Property {words[0]} not found in type")
        order.append((words[0], len(words) == 2 and words[1] == "desc"))
    return order


class _Sortable:
    """Wraps a value so None sorts first and mixed numbers compare, descending inverted."""

    __slots__ = ("descending", "value")

    def __init__(self, value: Any, descending: bool) -> None:
        self.value = value
        self.descending = descending

    def __lt__(self, other: _Sortable) -> bool:
        left, right = (other.value, self.value) if self.descending else (self.value, other.value)
        if left is None or right is None:
            return left is None and right is not None
        return bool(left < right)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Sortable) and self.value == other.value

    __hash__ = None  # type: ignore[assignment]


def order_key(
    order: Sequence[tuple[str, bool]],
) -> Callable[[Mapping[str, Any]], tuple[_Sortable, ...]]:
    """A sort key for `sorted` from a parsed `$orderby`."""
    return lambda row: tuple(_Sortable(row.get(name), desc) for name, desc in order)


def sort_rows(
    rows: Iterable[Mapping[str, Any]], order: Sequence[tuple[str, bool]]
) -> list[Mapping[str, Any]]:
    """`rows` sorted by a parsed `$orderby`, in the order `order_key` gives, but faster.

    One stable sort per property, last property first, on plain `(has value, value)` tuples
    that Python compares natively: a listing of tens of thousands of rows is sorted on every
    request, and comparing `_Sortable` wrappers made that the emulator's bottleneck.
    """
    ordered = list(rows)
    for name, descending in reversed(order):
        # None sorts first ascending and, reversed, last descending, as with `_Sortable`.
        ordered.sort(key=_present_first(name), reverse=descending)
    return ordered


def _present_first(name: str) -> Callable[[Mapping[str, Any]], tuple[bool, Any]]:
    return lambda row: (row.get(name) is not None, row.get(name))


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == "'":
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _single_literal(text: str) -> Any:
    tokens = _tokens(text)
    if len(tokens) != 1:
        raise FilterError(f"Invalid key value {text!r}")
    return _literal(*tokens[0])


def parse_key_predicate(text: str, keys: Sequence[str]) -> dict[str, Any]:
    """Key values from `('4500000001')` or `(A='1',B=datetime'…')` for the given key names.

    Raises:
        FilterError: the predicate does not name exactly the entity type's keys.
    """
    if not (text.startswith("(") and text.endswith(")")):
        raise FilterError(f"Invalid key predicate {text!r}")
    inner = text[1:-1]
    parts = _split_outside_quotes(inner, ",")
    if len(parts) == 1 and len(_split_outside_quotes(inner, "=")) == 1:
        if len(keys) != 1:
            raise FilterError("This entity set has a compound key; name every key property")
        return {keys[0]: _single_literal(inner)}
    values: dict[str, Any] = {}
    for part in parts:
        name, equals, literal = part.partition("=")
        if not equals or not name.strip():
            raise FilterError(f"Invalid key predicate {text!r}")
        values[name.strip()] = _single_literal(literal)
    if set(values) != set(keys):
        raise FilterError(f"Key predicate must name {', '.join(keys)}")
    return values
