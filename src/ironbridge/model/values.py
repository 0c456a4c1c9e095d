"""Value types shared by unified records: decimals, currencies, UTC times, references, addresses.

Money and quantities are `Decimal` in Python and decimal *strings* in JSON (`"1234.50"`), never
floats: a binary float cannot hold 0.10 exactly, and totals that do not add up to the cent are
the first thing an accountant notices.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

__all__ = [
    "VISIBLE_CHARACTER",
    "Address",
    "CountryCode",
    "CurrencyCode",
    "DecimalString",
    "LongText",
    "NonNegativeDecimal",
    "NonZeroDecimal",
    "PositiveDecimal",
    "Reference",
    "ShortText",
    "UtcDatetime",
]


def _decimal_to_json(value: Decimal) -> str:
    # Fixed-point notation: str(Decimal("1E+2")) is "1E+2", which many JSON consumers
    # would parse as a float or reject; "100" is what an integrator expects. Where `str`
    # writes no exponent it writes what format "f" does, in half the time (a synced order
    # has some twenty decimals).
    text = str(value)
    return text if "E" not in text else format(value, "f")


DecimalString = Annotated[
    Decimal,
    Field(allow_inf_nan=False),
    PlainSerializer(_decimal_to_json, return_type=str, when_used="json"),
]
"""An exact decimal; accepts a JSON number or string, always serialises as a JSON string."""

# Write bodies take a decimal as a JSON number or as a plain decimal string, nothing Python's
# `Decimal` would also read ("1e3", " 1", "1_000", other scripts' digits): the API document gives
# the string's pattern, and a client must not depend on more than it says. At most 12 digits
# before the point: a line total (quantity x price) then still fits the 28 digits of decimal
# arithmetic, where a larger one cannot be rounded to the cent.
_LIMIT: Final = Decimal(10**12)
_SIGNED: Final = r"^-?[0-9]{1,12}(\.[0-9]+)?$"
_UNSIGNED: Final = r"^[0-9]{1,12}(\.[0-9]+)?$"
_ZERO: Final = r"^-?0+(\.0+)?$"


def _plain_decimal(pattern: str) -> Callable[[Any], Any]:
    regex = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, str) and not regex.fullmatch(value):
            raise ValueError(f"must be a number or a decimal string matching {pattern}")
        return value

    return check


def _non_zero(value: Decimal) -> Decimal:
    if value == 0:
        raise ValueError("must not be zero")
    return value


def _decimal_schema(number: dict[str, Any], string: dict[str, Any]) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMaximum": int(_LIMIT), **number},
                {"type": "string", **string},
            ]
        },
        mode="validation",
    )


NonNegativeDecimal = Annotated[
    DecimalString,
    Field(ge=0, lt=_LIMIT),
    BeforeValidator(_plain_decimal(_UNSIGNED)),
    _decimal_schema({"minimum": 0}, {"pattern": _UNSIGNED}),
]
"""A `DecimalString` from 0 to under 10^12 (prices, counts), as a write body gives it."""

PositiveDecimal = Annotated[
    DecimalString,
    Field(gt=0, lt=_LIMIT),
    BeforeValidator(_plain_decimal(_UNSIGNED)),
    _decimal_schema({"exclusiveMinimum": 0}, {"pattern": _UNSIGNED, "not": {"pattern": _ZERO}}),
]
"""A `DecimalString` above 0 and under 10^12 (ordered quantities), as a write body gives it."""

NonZeroDecimal = Annotated[
    DecimalString,
    Field(gt=-_LIMIT, lt=_LIMIT),
    BeforeValidator(_plain_decimal(_SIGNED)),
    AfterValidator(_non_zero),
    _decimal_schema(
        {"exclusiveMinimum": -int(_LIMIT), "not": {"const": 0}},
        {"pattern": _SIGNED, "not": {"pattern": _ZERO}},
    ),
]
"""A `DecimalString` other than zero, under 10^12 either way (a stock change), as a write body
gives it."""


CurrencyCode = Annotated[
    str,
    # The pattern is checked before upper-casing, so it must admit lower case; the stored
    # value is always upper case as ISO 4217 writes it.
    StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True),
]
"""An ISO 4217 alphabetic currency code such as `USD` or `EUR`."""

CountryCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{2}$", to_upper=True),
]
"""An ISO 3166-1 alpha-2 country code such as `US` or `DE`."""


#: One character that is not a space in Python (what trimming removes) nor in the API
#: document's ECMAScript regular expressions. Listed, not `\S`: the two disagree on U+001C to
#: U+001F, U+0085 and U+FEFF, so a value one accepts the other would refuse.
VISIBLE_CHARACTER = (
    r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
)

# A blank name is empty once trimmed, and the API document must say so.
ShortText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=255, pattern=VISIBLE_CHARACTER
    ),
]
"""A name, code or label in a write body: 1 to 255 characters after trimming spaces."""

LongText = Annotated[str, StringConstraints(max_length=10_000)]
"""Free text in a write body (descriptions, notes), up to 10,000 characters."""


def _to_utc(value: datetime) -> datetime:
    # Source systems store four-digit years; year 277 or 10000 is a typo, not a date.
    if not 1000 <= value.year <= 9998:
        raise ValueError("the year must have four digits")
    return value.astimezone(UTC)


def _not_a_number(value: Any) -> Any:
    # Pydantic would read a JSON number as a Unix time; the API speaks ISO 8601 only.
    if isinstance(value, int | float):
        raise ValueError("must be an ISO 8601 date-time with a zone, e.g. 2026-01-31T08:00:00Z")
    return value


UtcDatetime = Annotated[
    AwareDatetime,
    BeforeValidator(_not_a_number),
    AfterValidator(_to_utc),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": "^([1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-",
        },
        mode="validation",
    ),
]
"""A time with a zone, converted to UTC; naive times are rejected because their zone is unknown."""


def _open_schema(schema: dict[str, Any]) -> None:
    # Validation forbids extra keys (a connector may not copy a name in), but a read with
    # `expand` answers with the whole referenced record in this place.
    schema.pop("additionalProperties", None)


class Reference(BaseModel):
    """A pointer from one record to another (a vendor, an item, a location...).

    `remote_id` is always present because the source always names what it points at; `id` is the
    ironbridge id of the target record, computed from the remote id, so it is present even before
    the target has been synced. A reference holds no copy of the target's name or other fields:
    those belong to the target record, which changes on its own (and announces its own change).
    Reads embed the target record in place of the reference when asked (`expand`).
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra=_open_schema,
    )

    id: str | None = Field(
        default=None,
        description="The ironbridge id of the referenced record; use it with the unified API.",
    )
    remote_id: str = Field(description="The id of the referenced record in the source system.")


class Address(BaseModel):
    """A postal address."""

    model_config = ConfigDict(extra="forbid")

    line1: str | None = Field(default=None, description="Street and number, or a PO box.")
    line2: str | None = Field(
        default=None, description="Further address details: building, floor, suite."
    )
    city: str | None = Field(default=None, description="City or town.")
    region: str | None = Field(
        default=None, description="State, province or region, as the source writes it."
    )
    postal_code: str | None = Field(default=None, description="Postal or ZIP code.")
    country: CountryCode | None = Field(
        default=None, description="ISO 3166-1 alpha-2 country code, e.g. `US`."
    )
