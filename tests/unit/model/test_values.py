import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from ironbridge.model import (
    CurrencyCode,
    DecimalString,
    NonNegativeDecimal,
    NonZeroDecimal,
    PositiveDecimal,
    Reference,
    UtcDatetime,
)


class Priced(BaseModel):
    amount: DecimalString
    currency: CurrencyCode | None = None


class Stamped(BaseModel):
    at: UtcDatetime


def test_money_serialises_as_a_json_string_not_a_number() -> None:
    body = json.loads(Priced(amount=Decimal("1234.50")).model_dump_json())
    assert body["amount"] == "1234.50"


def test_money_keeps_its_scale() -> None:
    assert json.loads(Priced(amount="10.00").model_dump_json())["amount"] == "10.00"


def test_money_is_written_without_an_exponent() -> None:
    assert json.loads(Priced(amount=Decimal("1E+3")).model_dump_json())["amount"] == "1000"
    assert json.loads(Priced(amount=Decimal("1E-7")).model_dump_json())["amount"] == "0.0000001"


def test_a_json_number_input_keeps_its_decimal_meaning() -> None:
    assert Priced.model_validate_json('{"amount": 0.1}').amount == Decimal("0.1")


def test_money_stays_decimal_in_python_mode() -> None:
    assert Priced(amount="2.5").model_dump()["amount"] == Decimal("2.5")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "ten"])
def test_money_rejects_values_that_are_not_finite_numbers(value: str) -> None:
    with pytest.raises(ValidationError):
        Priced(amount=value)


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_money_survives_a_json_round_trip_exactly(value: Decimal) -> None:
    text = Priced(amount=value).model_dump_json()
    assert isinstance(json.loads(text)["amount"], str)
    assert Priced.model_validate_json(text).amount == value


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_money_is_always_written_in_fixed_point(value: Decimal) -> None:
    written = json.loads(Priced(amount=value).model_dump_json())["amount"]
    assert "E" not in written and "e" not in written
    assert written == format(value, "f")


def test_currency_codes_are_upper_cased() -> None:
    assert Priced(amount=1, currency="eur").currency == "EUR"


@pytest.mark.parametrize("value", ["EURO", "E1R", "", "US"])
def test_currency_must_be_three_letters(value: str) -> None:
    with pytest.raises(ValidationError):
        Priced(amount=1, currency=value)


def test_times_are_converted_to_utc() -> None:
    local = datetime(2025, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    stamped = Stamped(at=local)
    assert stamped.at == local
    assert stamped.at.utcoffset() == timedelta(0)
    assert stamped.model_dump_json() == '{"at":"2025-03-01T10:00:00Z"}'


def test_naive_times_are_rejected_because_their_zone_is_unknown() -> None:
    with pytest.raises(ValidationError):
        Stamped(at=datetime(2025, 3, 1, 12, 0))


def test_utc_times_are_kept_as_they_are() -> None:
    moment = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert Stamped(at=moment).at == moment


def test_a_reference_holds_no_copy_of_the_target_name() -> None:
    # The name belongs to the referenced record; a copy would go stale when it is renamed.
    assert set(Reference.model_fields) == {"id", "remote_id"}
    with pytest.raises(ValidationError):
        Reference.model_validate({"id": "ven_1", "remote_id": "V1", "name": "Acme"})


def test_the_reference_schema_admits_the_expanded_record() -> None:
    schema = Reference.model_json_schema()
    assert schema["required"] == ["remote_id"]
    assert "additionalProperties" not in schema


class _Written(BaseModel):
    price: NonNegativeDecimal
    quantity: PositiveDecimal
    change: NonZeroDecimal


_WRITTEN = {"price": "0", "quantity": "1", "change": "-1"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "1e3"),
        ("price", " 1"),
        ("price", "1_000"),
        ("price", "-0"),
        ("price", "1000000000000"),
        ("price", 1e12),
        ("quantity", "0.00"),
        ("quantity", 0),
        ("change", "0"),
        ("change", -0.0),
        ("change", "-1000000000000"),
    ],
)
def test_written_decimals_are_plain_bounded_strings_or_numbers(field: str, value: object) -> None:
    # What the API document's pattern and bounds refuse, the model refuses too.
    with pytest.raises(ValidationError):
        _Written.model_validate({**_WRITTEN, field: value})


def test_written_decimals_accept_what_the_document_allows() -> None:
    written = _Written.model_validate({"price": "999999999999.99", "quantity": 0.5, "change": "-2"})
    assert written.price == Decimal("999999999999.99")
    schema = _Written.model_json_schema()["properties"]["quantity"]["anyOf"]
    assert {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10**12} in schema


def test_times_are_refused_as_numbers() -> None:
    # Pydantic would read 0 as 1970-01-01; the document says an ISO 8601 string.
    with pytest.raises(ValidationError):
        TypeAdapter(UtcDatetime).validate_json("0")
