"""Value types shared by unified records: decimals, currencies, UTC times, references, addresses.

Money and quantities are `Decimal` in Python and decimal *strings* in JSON (`"1234.50"`), never
floats: a binary float cannot hold 0.10 exactly, and totals that do not add up to the cent are
the first thing an accountant notices.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

__all__ = [
    "Address",
    "CountryCode",
    "CurrencyCode",
    "DecimalString",
    "LongText",
    "NonNegativeDecimal",
    "PositiveDecimal",
    "Reference",
    "ShortText",
    "UtcDatetime",
]


def _decimal_to_json(value: Decimal) -> str:
    # Fixed-point notation: str(Decimal("1E+2")) is "1E+2", which many JSON consumers
    # would parse as a float or reject; "100" is what an integrator expects.
    return format(value, "f")


DecimalString = Annotated[
    Decimal,
    Field(allow_inf_nan=False),
    PlainSerializer(_decimal_to_json, return_type=str, when_used="json"),
]
"""An exact decimal; accepts a JSON number or string, always serialises as a JSON string."""

NonNegativeDecimal = Annotated[DecimalString, Field(ge=0)]
"""A `DecimalString` that is zero or more (prices, counts)."""

PositiveDecimal = Annotated[DecimalString, Field(gt=0)]
"""A `DecimalString` greater than zero (ordered quantities)."""

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


ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
"""A name, code or label in a write body: 1 to 255 characters after trimming spaces."""

LongText = Annotated[str, StringConstraints(max_length=10_000)]
"""Free text in a write body (descriptions, notes), up to 10,000 characters."""


def _to_utc(value: datetime) -> datetime:
    # Source systems store four-digit years; year 277 or 10000 is a typo, not a date.
    if not 1000 <= value.year <= 9998:
        raise ValueError("the year must have four digits")
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
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
