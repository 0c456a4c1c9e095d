"""OData v4 values: `$filter` literals, key predicates, and the JSON wire form of each type.

OData v4 JSON ("OData JSON Format Version 4.01", section 7) writes Edm.DateTimeOffset as an ISO
8601 string with an offset (`2025-01-31T10:00:00.123Z`), Edm.Date as `2025-01-31`, Edm.Decimal
as a JSON number (a string only under `IEEE754Compatible=true`), Edm.Guid as its text. In URLs
("OData URL Conventions", section 5.1.1.1) dates, times and GUIDs are written bare, strings in
single quotes with quotes doubled.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Final

__all__ = [
    "WIRE",
    "ODataV4Wire",
    "datetime_literal",
    "key_predicate",
    "literal",
    "parse_datetime",
    "string_literal",
    "typed_literal",
]

_DATETIME_RE: Final = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,12})?)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)
_DATE_RE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_datetime(text: str) -> datetime:
    """An Edm.DateTimeOffset string as an aware UTC datetime (digits past microseconds dropped).

    Raises:
        ValueError: not an ISO 8601 date and time with an offset.
    """
    if not _DATETIME_RE.match(text):
        raise ValueError(f"not an OData v4 date and time with an offset: {text!r}")
    head, dot, rest = text.partition(".")
    if dot:
        # Python reads at most six fraction digits; OData allows twelve (Precision up to 12).
        digits = re.match(r"\d+", rest)
        assert digits is not None
        text = f"{head}.{digits.group()[:6].ljust(6, '0')}{rest[digits.end() :]}"
    return datetime.fromisoformat(text.replace("z", "Z")).astimezone(UTC)


def datetime_literal(value: datetime) -> str:
    """An Edm.DateTimeOffset literal in UTC: `2025-01-01T00:00:00Z`, with the fraction if any.

    Raises:
        ValueError: `value` is naive.
    """
    if value.utcoffset() is None:
        raise ValueError("a date and time sent to OData must carry a time zone")
    moment = value.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def string_literal(value: str) -> str:
    """A quoted string literal; quotes are doubled (`'O''Neil'`)."""
    return "'" + value.replace("'", "''") + "'"


def literal(value: Any) -> str:
    """The URL literal of a Python value, its type read from the value itself.

    `str` is an Edm.String (quoted); use `uuid.UUID` for an Edm.Guid, or `typed_literal` when
    only the text is at hand.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return datetime_literal(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, int | Decimal):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("OData has no literal for an infinite or undefined number")
        return repr(value)
    if isinstance(value, str):
        return string_literal(value)
    raise TypeError(f"{type(value).__name__} has no OData literal")


#: Edm types written bare in URLs whose JSON form is a string.
_BARE_TYPES: Final = frozenset({"Edm.Guid", "Edm.Date", "Edm.DateTimeOffset", "Edm.TimeOfDay"})


def typed_literal(value: Any, edm_type: str) -> str:
    """The URL literal of a wire value of a declared Edm type (`"Edm.Guid"` → bare text)."""
    if isinstance(value, str) and edm_type in _BARE_TYPES:
        if edm_type == "Edm.Guid":
            return str(uuid.UUID(value))
        if edm_type == "Edm.DateTimeOffset":
            return datetime_literal(parse_datetime(value))
        return value
    return literal(value)


def key_predicate(key: Any | Mapping[str, Any]) -> str:
    """The key segment of an entity URL: `(8d6e…)` for a `uuid.UUID`, `('10000')`, `(a=1,b='x')`."""
    if isinstance(key, Mapping):
        return "(" + ",".join(f"{name}={literal(value)}" for name, value in key.items()) + ")"
    return f"({literal(key)})"


class ODataV4Wire:
    """OData v4 JSON values for the kit's maps: decode, encode, and `/` paths into expansions.

    Records are kept as the source sent them; `decode` turns one wire value into Python when a
    map needs it, so stored raw records re-project exactly.
    """

    #: The separator of `lookup` paths: OData's own (`purchaseOrderLines/0/quantity`).
    separator: Final = "/"

    def decode(self, value: Any, edm_type: str | None = None) -> Any:
        """One wire value as Python.

        With `edm_type`, the value is read as that type: `Edm.DateTimeOffset` → aware UTC
        datetime, `Edm.Date` → date, `Edm.TimeOfDay` → time, `Edm.Decimal` (a JSON number, or a
        string under IEEE754Compatible) → `Decimal` through its text, so 0.1 stays 0.1,
        `Edm.Guid` → `uuid.UUID`. Without it, only what cannot be mistaken is converted:
        strings that are a full date and time with an offset, and non-integral numbers (as
        `Decimal`); a plain `YYYY-MM-DD` string stays text, since codes may look like dates.

        Raises:
            ValueError: the value does not have the declared type.
        """
        if value is None:
            return None
        if edm_type is not None:
            return self._typed(value, edm_type)
        if isinstance(value, list):
            return [self.decode(item) for item in value]
        if isinstance(value, dict):
            return {key: self.decode(item) for key, item in value.items()}
        if isinstance(value, float):
            return Decimal(str(value))
        if isinstance(value, str) and _DATETIME_RE.match(value):
            return parse_datetime(value)
        return value

    def _typed(self, value: Any, edm_type: str) -> Any:
        try:
            if edm_type == "Edm.DateTimeOffset":
                return parse_datetime(str(value))
            if edm_type == "Edm.Date" and isinstance(value, str) and _DATE_RE.match(value):
                return date.fromisoformat(value)
            if edm_type == "Edm.TimeOfDay" and isinstance(value, str):
                return time.fromisoformat(value)
            if edm_type in ("Edm.Decimal", "Edm.Double", "Edm.Single"):
                if isinstance(value, bool) or not isinstance(value, int | float | str):
                    raise ValueError(f"not a number: {value!r}")
                return Decimal(str(value))
            if edm_type == "Edm.Guid" and isinstance(value, str):
                return uuid.UUID(value)
        except (ValueError, InvalidOperation) as exc:
            raise ValueError(f"not an {edm_type}: {value!r}") from exc
        if edm_type in ("Edm.Date", "Edm.TimeOfDay", "Edm.Guid"):
            raise ValueError(f"not an {edm_type}: {value!r}")
        return value

    def encode(self, value: Any) -> Any:
        """Python → OData v4 JSON: datetimes in UTC with `Z`, dates, times, GUIDs as text.

        A `Decimal` becomes a JSON number; one that a JSON number parsed as a double would not
        carry exactly (more than 15 significant digits) raises ValueError rather than being
        rounded on its way to the source.

        Raises:
            ValueError: a naive datetime, or a decimal too precise for a JSON number.
            TypeError: a value OData has no JSON form for.
        """
        if value is None or isinstance(value, bool | int | str):
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError("OData has no JSON number for an infinite or undefined value")
            return value
        if isinstance(value, Decimal):
            if value == value.to_integral_value():
                return int(value)
            number = float(value)
            if Decimal(repr(number)) != value:
                raise ValueError(f"{value} has more digits than a JSON number carries exactly")
            return number
        if isinstance(value, datetime):
            return datetime_literal(value)
        if isinstance(value, date | time):
            return value.isoformat()
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, Mapping):
            return {str(key): self.encode(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.encode(item) for item in value]
        raise TypeError(f"{type(value).__name__} cannot be sent to OData")

    def lookup(self, record: Mapping[str, Any], path: str) -> Any:
        """The wire value at `path` (`vendor/displayName`, `purchaseOrderLines/0/quantity`).

        Segments name properties of expanded navigations; a number indexes a collection.
        Returns None where any segment is missing, so an absent expansion reads as no value.
        """
        current: Any = record
        for segment in path.split(self.separator):
            if isinstance(current, Mapping):
                current = current.get(segment)
            elif isinstance(current, list) and segment.isdigit() and int(segment) < len(current):
                current = current[int(segment)]
            else:
                return None
            if current is None:
                return None
        return current


#: The OData v4 wire.
WIRE: Final = ODataV4Wire()
