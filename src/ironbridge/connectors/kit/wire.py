"""How one protocol family spells paths and typed values: the `Wire` a map reads through.

The map vocabulary (`kit.fields`) is written once; what differs between families is only how a
path reaches into a record (`a/b` into an expanded OData navigation, `a.b` into Tryton's nested
`"a."` objects), which value means "nothing" (SAP sends `""`, never null) and how dates,
times and decimals are spelled on the wire (`/Date(ms)/`, `{"__class__": "date"}`, ISO 8601).
A family subclasses `Wire` once; every system of that family maps through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

__all__ = ["JSON_NUMBERS", "PLAIN", "NumberWire", "Wire"]


class Wire:
    """The plain JSON wire: `/`-separated paths, null is nothing, ISO 8601 dates and times.

    `name` is how error messages name the source ("Tryton", "SAP"); `blank` is the code a
    status table is asked for when the source sent nothing (None: the field has no value;
    SAP's `""`: the table decides, since SAP's empty code has a meaning of its own).
    """

    name: str = "The source"
    separator: str = "/"
    blank: Any = None
    #: What a write sends to clear a field (SAP clears with `""`).
    blank_write: Any = None
    #: Whether `get` of a one-step path (no `/` or `.`) in a dict is `row.get(path)` for any
    #: value but a list; maps then read such fields without calling `get` (see
    #: `kit.fields.read_fields`). A family that defines its own `get` or `separator` says so
    #: itself; otherwise it is taken not to.
    plain_keys: bool = True
    #: The texts besides None that mean "no value" (`""`, an empty GUID), which `is_empty`
    #: reads as such; maps then check emptiness without calling it. A family whose emptiness
    #: is no such set defines its own `is_empty`.
    empty_texts: frozenset[str] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__
        if "plain_keys" not in own and ("get" in own or "separator" in own):
            cls.plain_keys = False

    def get(self, row: Mapping[str, Any] | None, path: str) -> Any:
        """The value at `path` in `row`; None when a step is missing."""
        # Every field of every record comes through here: a one-step path into a decoded
        # JSON object (a dict, checked without the ABC machinery) is the common case.
        if type(row) is dict and self.separator not in path:
            return row.get(path)
        value: Any = row
        for step in path.split(self.separator):
            if type(value) is not dict and not isinstance(value, Mapping):
                return None
            value = value.get(step)
        return value

    def source_key(self, path: str) -> str:
        """`path` as the keys of a record's nested objects joined by `/` (how a `StatusTable`
        names its source field)."""
        return "/".join(path.split(self.separator))

    def node(self, row: Mapping[str, Any] | None, path: str) -> Mapping[str, Any] | None:
        """The nested object at `path` (an address, an expanded navigation); a list gives its
        first element."""
        value = self.get(row, path)
        if isinstance(value, list):
            value = value[0] if value else None
        return value if isinstance(value, Mapping) else None

    def rows(self, row: Mapping[str, Any] | None, path: str) -> list[Mapping[str, Any]]:
        """The nested rows at `path` (order lines, stock levels); none when absent."""
        value = self.get(row, path)
        if type(value) is list:
            # Decoded JSON: plain dicts pass without the ABC check (a few per line, per order).
            return [item for item in value if type(item) is dict or isinstance(item, Mapping)]
        if isinstance(value, Mapping) and isinstance(value.get("results"), list):
            value = value["results"]
        return [item for item in value or () if type(item) is dict or isinstance(item, Mapping)]

    def is_empty(self, value: Any) -> bool:
        """Whether `value` means "no value" on this wire: None, or one of its `empty_texts`."""
        texts = self.empty_texts
        return value is None or (texts is not None and isinstance(value, str) and value in texts)

    def decode(self, value: Any) -> Any:
        """A typed wire value as Python; plain JSON values are already Python."""
        return value

    def to_decimal(self, value: Any) -> Decimal:
        """A number as the source sends it (string, int, float) as a Decimal."""
        kind = type(value)
        if kind is int or kind is float:
            # A plain JSON number, as most families send amounts: nothing to decode.
            return Decimal(str(value))
        value = self.decode(value)
        if type(value) is str:
            return Decimal(value)
        if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
            raise ValueError(f"{value!r} is not a number")
        # Through str(): a JSON float 0.1 means the decimal 0.1, not its binary approximation.
        return Decimal(str(value))

    def to_date(self, value: Any) -> date:
        """A date as the source sends it."""
        value = self.decode(value)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            return date.fromisoformat(value[:10])
        raise ValueError(f"{value!r} is not a date")

    def to_datetime(self, value: Any) -> datetime:
        """An instant as the source sends it, aware and in UTC (a time without zone is UTC)."""
        value = self.decode(value)
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if not isinstance(value, datetime):
            raise ValueError(f"{value!r} is not a date and time")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def from_decimal(self, value: Decimal) -> Any:
        """A Decimal as the source takes it."""
        return format(Decimal(value), "f")

    def from_date(self, value: date) -> Any:
        """A date as the source takes it."""
        return value.isoformat()

    def from_datetime(self, value: datetime) -> Any:
        """An aware instant as the source takes it."""
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def put(self, out: dict[str, Any], path: str, value: Any) -> None:
        """Set `path` in a write body to `value`, creating nested objects on the way."""
        *parents, leaf = path.split(self.separator)
        node = out
        for step in parents:
            node = node.setdefault(step, {})
        node[leaf] = value


#: The plain JSON wire (REST-JSON systems, the sandbox).
PLAIN = Wire()


class NumberWire(Wire):
    """The plain JSON wire for systems that take numbers as JSON numbers, not text: whole
    values as integers, others as floats (NetSuite's Record API refuses `"3"` for a quantity)."""

    def __init__(self, name: str = "The source") -> None:
        self.name = name

    def from_decimal(self, value: Decimal) -> Any:
        """A Decimal as a JSON number."""
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)


#: The plain JSON wire writing numbers as JSON numbers.
JSON_NUMBERS = NumberWire()
