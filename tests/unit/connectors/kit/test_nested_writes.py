"""Writes of nested rows, prices per unit and keys in parts, without a network."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ironbridge import errors
from ironbridge.connectors.kit import (
    PLAIN,
    Joined,
    Link,
    Mapper,
    Number,
    Ratio,
    RecordMap,
    Rows,
    Text,
    write_fields,
)
from ironbridge.connectors.protocols.odata_v2 import ODataV2Wire
from ironbridge.model import Entity

PLACE = Joined(("Plant", "Store"), "/", writable=True)


def test_numbered_rows_are_written_with_their_place_times_the_step_as_text() -> None:
    rows = Rows("items", {"quantity": Number("Qty")}, number="Item", step=10)
    body = write_fields({"lines": rows}, {"lines": [{"quantity": 1}, {"quantity": 2}]}, PLAIN)
    assert body == {"items": [{"Item": "10", "Qty": "1"}, {"Item": "20", "Qty": "2"}]}


def test_plain_rows_carry_no_number() -> None:
    body = write_fields(
        {"lines": Rows("items", {"quantity": Number("Qty")})}, {"lines": [{}]}, PLAIN
    )
    assert body == {"items": [{}]}


def test_odata_v2_writes_rows_as_a_collection() -> None:
    rows = Rows("to_Item", {"quantity": Number("Qty")}, number="Item")
    body = write_fields({"lines": rows}, {"lines": [{"quantity": 1}]}, ODataV2Wire())
    assert body == {"to_Item": {"results": [{"Item": "1", "Qty": "1"}]}}


def test_a_ratio_is_written_per_one_unit() -> None:
    price = {"unit_price": Ratio(Number("Price"), Number("Per"))}
    assert write_fields(price, {"unit_price": Decimal("2.5")}, PLAIN) == {
        "Price": "2.5",
        "Per": "1",
    }
    assert write_fields(price, {"unit_price": None}, PLAIN) == {"Price": None}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1710/171A", {"Plant": "1710", "Store": "171A"}),
        ("1710", {"Plant": "1710"}),
        ("1710/", {"Plant": "1710"}),
        ("/171A", {"Plant": "", "Store": "171A"}),
        ("1710/171A/B", {"Plant": "1710", "Store": "171A/B"}),
        (None, {"Plant": None, "Store": None}),
    ],
)
def test_a_key_in_parts_is_written_part_by_part(value: str | None, expected: dict) -> None:
    assert write_fields({"place": PLACE}, {"place": value}, PLAIN) == expected


def test_joined_text_and_links_are_read_only_unless_declared_writable() -> None:
    assert not Joined(("A", "B")).writable
    assert not Link(Entity.LOCATIONS, PLACE).writable
    link = Link(Entity.LOCATIONS, PLACE, writable=True)
    assert link.payload_key("location") == "location_remote_id"
    assert write_fields({"location": link}, {"location_remote_id": "1/2"}, PLAIN) == {
        "Plant": "1",
        "Store": "2",
    }


def test_fields_a_create_writes_come_last_and_an_update_refuses_them() -> None:
    lines = Rows("items", {"quantity": Number("Qty")}, number="Item")
    mapper = Mapper(
        "Shop",
        PLAIN,
        {Entity.PURCHASE_ORDERS: RecordMap({"currency": Text("Cur")}, creates={"lines": lines})},
    )
    payload = {"lines": [{"quantity": 3}], "currency": "EUR"}
    body = mapper.to_source(Entity.PURCHASE_ORDERS, payload, creating=True)
    assert list(body.items()) == [("Cur", "EUR"), ("items", [{"Item": "1", "Qty": "3"}])]
    with pytest.raises(errors.ValidationFailed) as caught:
        mapper.to_source(Entity.PURCHASE_ORDERS, payload)
    assert set(caught.value.fields) == {"lines"}
