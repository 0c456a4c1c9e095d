"""OData v4 literals and the wire form the kit's maps read and write."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from ironbridge.connectors.protocols.odata_v4 import (
    WIRE,
    datetime_literal,
    key_predicate,
    literal,
    parse_datetime,
    typed_literal,
)

GUID = "11bb11bb-cc22-dd33-ee44-55ff55ff55ff"


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2025, 1, 1, tzinfo=UTC), "2025-01-01T00:00:00Z"),
        (datetime(2025, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))), "2025-01-01T00:00:00Z"),
        (datetime(2025, 1, 1, 0, 0, 1, 83000, tzinfo=UTC), "2025-01-01T00:00:01.083Z"),
        (datetime(2025, 1, 1, 0, 0, 1, 123456, tzinfo=UTC), "2025-01-01T00:00:01.123456Z"),
    ],
)
def test_datetime_literals_are_bare_utc(moment: datetime, text: str) -> None:
    assert datetime_literal(moment) == text
    assert parse_datetime(text) == moment


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        datetime_literal(datetime(2025, 1, 1))


def test_literals_and_keys_by_type() -> None:
    assert literal("O'Neil") == "'O''Neil'"
    assert literal(uuid.UUID(GUID)) == GUID
    assert literal(date(2025, 3, 1)) == "2025-03-01"
    assert literal(Decimal("10.50")) == "10.50"
    assert literal(None) == "null" and literal(True) == "true"
    assert typed_literal(GUID.upper(), "Edm.Guid") == GUID
    assert typed_literal("10000", "Edm.String") == "'10000'"
    assert key_predicate(uuid.UUID(GUID)) == f"({GUID})"
    assert key_predicate({"documentId": uuid.UUID(GUID), "sequence": 10000}) == (
        f"(documentId={GUID},sequence=10000)"
    )


def test_decode_by_type() -> None:
    assert WIRE.decode("2019-10-02T17:11:34.0833333+02:00", "Edm.DateTimeOffset") == datetime(
        2019, 10, 2, 15, 11, 34, 83333, tzinfo=UTC
    )
    assert WIRE.decode("2021-01-01", "Edm.Date") == date(2021, 1, 1)
    assert WIRE.decode("14:30:00", "Edm.TimeOfDay") == time(14, 30)
    assert WIRE.decode(3122.8, "Edm.Decimal") == Decimal("3122.8")
    assert WIRE.decode(0.1, "Edm.Decimal") == Decimal("0.1")
    assert WIRE.decode("0.1", "Edm.Decimal") == Decimal("0.1")  # IEEE754Compatible=true
    assert WIRE.decode(GUID, "Edm.Guid") == uuid.UUID(GUID)
    assert WIRE.decode(None, "Edm.Date") is None
    with pytest.raises(ValueError, match=r"Edm\.Date"):
        WIRE.decode("108001", "Edm.Date")


def test_decode_without_a_type_converts_only_what_cannot_be_mistaken() -> None:
    assert WIRE.decode("2025-01-01T00:00:00Z") == datetime(2025, 1, 1, tzinfo=UTC)
    assert WIRE.decode("2025-01-01") == "2025-01-01"  # a code may look like a date
    assert WIRE.decode(187.37) == Decimal("187.37")
    assert WIRE.decode(20000) == 20000
    assert WIRE.decode({"lines": [{"quantity": 2.5}]}) == {"lines": [{"quantity": Decimal("2.5")}]}


def test_encode_gives_odata_json() -> None:
    body = {
        "orderDate": date(2025, 3, 1),
        "requested": datetime(2025, 3, 1, 9, tzinfo=timezone(timedelta(hours=1))),
        "directUnitCost": Decimal("12.345"),
        "quantity": Decimal("3.000"),
        "vendorId": uuid.UUID(GUID),
        "lines": [{"quantity": Decimal("1.5")}],
    }
    assert WIRE.encode(body) == {
        "orderDate": "2025-03-01",
        "requested": "2025-03-01T08:00:00Z",
        "directUnitCost": 12.345,
        "quantity": 3,
        "vendorId": GUID,
        "lines": [{"quantity": 1.5}],
    }
    assert WIRE.decode(WIRE.encode(Decimal("12.345")), "Edm.Decimal") == Decimal("12.345")


def test_a_decimal_a_json_number_cannot_carry_is_refused() -> None:
    with pytest.raises(ValueError, match="digits"):
        WIRE.encode(Decimal("0.12345678901234567890"))
    with pytest.raises(ValueError, match="time zone"):
        WIRE.encode(datetime(2025, 1, 1))


def test_lookup_follows_expanded_navigations() -> None:
    record = {
        "number": "108001",
        "vendor": {"displayName": "First Up Consultants"},
        "purchaseOrderLines": [{"quantity": 2}, {"quantity": 5}],
    }
    assert WIRE.lookup(record, "vendor/displayName") == "First Up Consultants"
    assert WIRE.lookup(record, "purchaseOrderLines/1/quantity") == 5
    assert WIRE.lookup(record, "purchaseOrderLines") == [{"quantity": 2}, {"quantity": 5}]
    assert WIRE.lookup(record, "currency/code") is None
    assert WIRE.lookup(record, "purchaseOrderLines/9/quantity") is None
