"""Write rules of nested rows (`Rows(inherit=, needs=, repeat=)`), and the names of what a
write map writes (`WrittenNames`, `odata_v2.TargetNames`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors.kit import (
    PLAIN,
    CustomCodes,
    Day,
    Integer,
    Joined,
    Link,
    Mapper,
    Needs,
    Number,
    Ratio,
    RecordMap,
    Ref,
    Rows,
    Text,
    WrittenNames,
    source_names,
    written_paths,
)
from ironbridge.connectors.protocols.odata_v2 import TargetNames
from ironbridge.model import Entity

PLACE = Link(Entity.LOCATIONS, Joined(("Plant", "Store"), "/", writable=True), writable=True)
LINES = Rows(
    "items",
    {
        "item": Ref(Entity.INVENTORY_ITEMS, "Material"),
        "quantity": Number("Qty"),
        "unit_of_measure": Text("Unit"),
        "unit_price": Ratio(Number("Price"), Number("Per")),
        "location": PLACE,
        "line_number": Integer("Item", writable=False),
        "schedule": Rows(
            "schedules", {"required_date": Day("Date"), "quantity": Number("Qty")}, number="No"
        ),
    },
    number="Item",
    step=10,
    inherit=("required_date",),
    repeat={"schedule": "required_date"},
    needs=(
        Needs("location", "Where to?", not_prefixed=("FL:",)),
        Needs("unit_of_measure", "Which unit?", unless="item"),
    ),
)
ORDERS = RecordMap(
    {
        "number": Text("Number", writable=False),
        "vendor": Ref(Entity.VENDORS, "Supplier"),
        "order_date": Day("Date"),
    },
    custom_fields={"Company": Text("Company")},
    custom_codes=CustomCodes(),
    creates={"lines": LINES},
)
MAPPER = Mapper("Acme", PLAIN, {Entity.PURCHASE_ORDERS: ORDERS})


def create(payload: dict[str, Any]) -> dict[str, Any]:
    return MAPPER.to_source(Entity.PURCHASE_ORDERS, payload, creating=True)


def test_rows_inherit_the_records_value_and_repeat_it_as_their_one_nested_row() -> None:
    body = create(
        {
            "required_date": date(2024, 3, 20),
            "lines": [
                {"item_remote_id": "M1", "quantity": 5, "location_remote_id": "P1/S1"},
                {
                    "unit_of_measure": "H",
                    "quantity": 2,
                    "location_remote_id": "P2",
                    "required_date": date(2024, 3, 5),
                    "unit_price": None,
                },
            ],
        }
    )
    first, second = body["items"]
    assert first == {
        "Item": "10",
        "Material": "M1",
        "Qty": "5",
        "Plant": "P1",
        "Store": "S1",
        "schedules": [{"No": "1", "Date": "2024-03-20", "Qty": "5"}],
    }
    # Nulls are left out rather than written as clearing the property.
    assert "Price" not in second
    assert second["schedules"] == [{"No": "1", "Date": "2024-03-05", "Qty": "2"}]


def test_rows_without_a_value_to_repeat_write_no_nested_row() -> None:
    body = create({"lines": [{"item_remote_id": "M1", "location_remote_id": "P1"}]})
    assert "schedules" not in body["items"][0]


def test_what_rows_need_is_refused_at_each_rows_path_with_the_rest() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        create(
            {
                "number": "X",
                "lines": [
                    {"quantity": 1},
                    {"item_remote_id": "M1", "location_remote_id": "FL:A-1"},
                    {"unit_of_measure": "H", "location_remote_id": "P1"},
                ],
            }
        )
    assert caught.value.fields == {
        "lines.0.location_id": "Where to?",
        "lines.0.unit_of_measure": "Which unit?",
        "lines.1.location_id": "Where to?",
        "number": "Acme cannot write this field.",
    }


def test_inherited_keys_are_handled_on_create_only() -> None:
    assert "items" not in create({"required_date": date(2024, 3, 20)})
    with pytest.raises(errors.ValidationFailed) as caught:
        MAPPER.to_source(Entity.PURCHASE_ORDERS, {"required_date": date(2024, 3, 20)})
    assert set(caught.value.fields) == {"required_date"}


def test_rows_without_rules_keep_their_nulls() -> None:
    plain = Rows("items", {"note": Text("Note")})
    mapper = Mapper("Acme", PLAIN, {Entity.PURCHASE_ORDERS: RecordMap({"lines": plain})})
    body = mapper.to_source(Entity.PURCHASE_ORDERS, {"lines": [{"note": None}]})
    assert body == {"items": [{"Note": None}]}


def test_written_paths_name_each_part_of_a_key_and_a_prices_amount() -> None:
    assert written_paths(PLACE) == ("Plant", "Store")
    assert written_paths(Ratio(Number("Price"), Number("Per"))) == ("Price",)
    assert written_paths(Ref(Entity.VENDORS, "Supplier")) == ("Supplier",)
    assert written_paths(LINES) == ("items",)


def test_source_names_name_each_written_path_of_a_table_by_its_payload_key() -> None:
    table = {
        "vendor": Ref(Entity.VENDORS, "Supplier"),
        "location": PLACE,
        "unit_price": Ratio(Number("Price"), Number("Per")),
        "number": Text("Number", writable=False),
    }
    assert source_names(table) == {
        "Supplier": "vendor_id",
        "Plant": "location_id",
        "Store": "location_id",
        "Price": "unit_price",
    }


def test_written_names_read_off_the_write_map() -> None:
    names = WrittenNames.of_map(ORDERS)
    assert names.fields == {
        "Supplier": "vendor_id",
        "Date": "order_date",
        "items": "lines",
        "Company": "custom_fields.Company",
    }
    name, rows, within = names.rows["items"]
    assert (name, rows) == ("lines", LINES)
    assert within.fields == {
        "Material": "item_id",
        "Qty": "quantity",
        "Unit": "unit_of_measure",
        "Price": "unit_price",
        "Plant": "location_id",
        "Store": "location_id",
        "schedules": "schedule",
    }


def test_custom_fields_are_named_only_where_writes_set_them() -> None:
    plain = RecordMap({"name": Text("Name")}, custom_fields={"Company": Text("Company")})
    assert WrittenNames.of_map(plain).fields == {"Name": "name"}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("Supplier", "vendor_id"),
        ("/Orders('1')/Supplier", "vendor_id"),
        ("Company", "custom_fields.Company"),
        ("items(Item='20')/Plant", "lines.1.location_id"),
        ("/A_OrderItem(Order='',Item='10')/Qty", "lines.0.quantity"),
        ("items('30')/Price", "lines.2.unit_price"),
        ("items('10')/Other", "lines.0.Other"),
        ("Notes(Item='10')/Qty", "Qty"),
        ("items(Item='x')/Qty", "Qty"),
        ("Number", "Number"),
    ],
)
def test_odata_targets_become_the_unified_paths_a_caller_sent(target: str, expected: str) -> None:
    assert TargetNames.of(ORDERS)(target) == expected


def test_rows_that_are_not_numbered_name_no_row() -> None:
    unnumbered = RecordMap({"lines": Rows("items", {"quantity": Number("Qty")})})
    assert TargetNames.of(unnumbered)("items('1')/Qty") == "Qty"
