from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors import RawRecord
from ironbridge.connectors.kit import Code, MapContext, Number
from ironbridge.connectors.protocols.jsonrpc_wire import TRYTON_WIRE
from ironbridge.connectors.tryton import connector
from ironbridge.connectors.tryton.maps import (
    FIELD_MAP,
    PROCESSING_STATUS,
    STATUS_MAP,
    STATUS_TABLES,
    address,
)
from ironbridge.model import MODELS, Entity, PurchaseOrderStatus, record_id

MODIFIED = datetime(2026, 11, 22, 19, 12, 31, 44283, tzinfo=UTC)


def ids(entity: Entity, remote_id: str) -> str:
    return record_id("conn_unit", entity, remote_id)


CTX = MapContext(TRYTON_WIRE, ids)


def stamp(value: datetime) -> dict[str, Any]:
    return {
        "__class__": "datetime",
        "year": value.year,
        "month": value.month,
        "day": value.day,
        "hour": value.hour,
        "minute": value.minute,
        "second": value.second,
        "microsecond": value.microsecond,
    }


def purchase_row(**overrides: Any) -> dict[str, Any]:
    """A purchase as Tryton 8.2's search_read sends it (shape taken from a real server)."""
    row: dict[str, Any] = {
        "id": 1,
        "number": None,
        "reference": "RFQ-01000",
        "state": "draft",
        "shipment_state": "none",
        "invoice_state": "none",
        "invoice_method": "order",
        "party": 3,
        "party.": {"name": "Bearing World LLC", "id": 3},
        "purchase_date": {"__class__": "date", "year": 2026, "month": 9, "day": 23},
        "delivery_date": {"__class__": "date", "year": 2026, "month": 10, "day": 7},
        "currency.": {"code": "USD", "id": 1},
        "untaxed_amount_cache": None,
        "untaxed_amount": {"__class__": "Decimal", "decimal": "42.80"},
        "tax_amount": {"__class__": "Decimal", "decimal": "0"},
        "total_amount": {"__class__": "Decimal", "decimal": "42.80"},
        "warehouse": 5,
        "warehouse.": {"code": "WH", "name": "Warehouse", "id": 5, "address.": None},
        "invoice_address.": {
            "id": 3,
            "street": "28 Commerce Street\nBuilding B",
            "city": "Detroit",
            "postal_code": "48201",
            "country.": {"code": "US", "id": 1},
            "subdivision.": None,
        },
        "description": "Shutdown 2024 kit",
        "comment": None,
        "create_date": stamp(MODIFIED),
        "write_date": None,
        "last_modified_at": stamp(MODIFIED),
        "lines.": [
            {
                "id": 1,
                "type": "line",
                "product": 1,
                "product.": {"code": "BRG-6204-2RS", "rec_name": "[BRG-6204-2RS] Bearing", "id": 1},
                "description": None,
                "quantity": 0.1,
                "actual_quantity": None,
                "unit.": {"symbol": "u", "id": 1},
                "unit_price": {"__class__": "Decimal", "decimal": "428.0000"},
                "amount": {"__class__": "Decimal", "decimal": "42.80"},
                "delivery_date": None,
            },
            {"id": 2, "type": "comment", "description": "Deliver to dock 3", "quantity": None},
        ],
    }
    row.update(overrides)
    return row


# -- status tables ------------------------------------------------------------------------------------


def test_every_tryton_purchase_state_has_a_unified_status() -> None:
    assert set(STATUS_MAP) == {"draft", "quotation", "confirmed", "processing", "done", "cancelled"}
    assert set(PROCESSING_STATUS) == {
        "none",
        "waiting",
        "partially shipped",
        "received",
        "exception",
    }


@pytest.mark.parametrize(
    ("state", "shipment_state", "expected"),
    [
        ("draft", "none", PurchaseOrderStatus.DRAFT),
        ("quotation", "none", PurchaseOrderStatus.PENDING_APPROVAL),
        ("confirmed", "none", PurchaseOrderStatus.APPROVED),
        ("processing", "waiting", PurchaseOrderStatus.SENT),
        ("processing", "partially shipped", PurchaseOrderStatus.PARTIALLY_RECEIVED),
        ("processing", "received", PurchaseOrderStatus.RECEIVED),
        ("done", "received", PurchaseOrderStatus.CLOSED),
        ("cancelled", "none", PurchaseOrderStatus.CANCELLED),
    ],
)
def test_purchase_states_map_and_processing_follows_the_shipment(
    state: str, shipment_state: str, expected: PurchaseOrderStatus
) -> None:
    raw = RawRecord("1", MODIFIED, purchase_row(state=state, shipment_state=shipment_state))
    assert connector.to_unified(Entity.PURCHASE_ORDERS, raw, ids)["status"] is expected


@pytest.mark.parametrize(
    "row", [purchase_row(state="on_hold"), purchase_row(state="processing", shipment_state="lost")]
)
def test_a_state_missing_from_the_table_is_an_upstream_error(row: dict[str, Any]) -> None:
    with pytest.raises(errors.UpstreamError, match=r"Tryton purchase order 1: .*does not know"):
        connector.to_unified(Entity.PURCHASE_ORDERS, RawRecord("1", MODIFIED, row), ids)


def test_sqlite_booleans_are_read_as_booleans() -> None:
    table = {True: "yes", False: "no"}
    assert Code("active", table, coerce=bool).read({"active": 1}, CTX) == "yes"
    assert Code("active", table, coerce=bool).read({"active": 0}, CTX) == "no"


# -- converters ---------------------------------------------------------------------------------------


def test_dotted_paths_read_tryton_trailing_dot_objects() -> None:
    row = purchase_row()
    assert TRYTON_WIRE.get(row, "party.name") == "Bearing World LLC"
    assert TRYTON_WIRE.get(row, "invoice_address.country.code") == "US"
    assert TRYTON_WIRE.get(row, "warehouse.address.street") is None
    assert TRYTON_WIRE.node({"addresses.": [{"city": "A"}, {"city": "B"}]}, "addresses") == {
        "city": "A"
    }


def test_float_quantities_become_the_decimal_they_mean() -> None:
    assert Number("quantity").read({"quantity": 0.1}, CTX) == Decimal("0.1")
    assert Number("n").read({"n": {"__class__": "Decimal", "decimal": "4.7500"}}, CTX) == Decimal(
        "4.7500"
    )


def test_a_multi_line_street_is_split_into_two_address_lines() -> None:
    assert address("invoice_address").read(purchase_row(), CTX) == {
        "line1": "28 Commerce Street",
        "line2": "Building B",
        "city": "Detroit",
        "region": None,
        "postal_code": "48201",
        "country": "US",
    }


# -- whole records ------------------------------------------------------------------------------------


def test_a_draft_purchase_maps_to_a_valid_unified_order() -> None:
    unified = connector.to_unified(
        Entity.PURCHASE_ORDERS, RawRecord("1", MODIFIED, purchase_row()), ids
    )
    MODELS[Entity.PURCHASE_ORDERS].model_validate(unified)
    assert unified["subtotal"] == Decimal("42.80")  # computed amount, cache still empty
    assert unified["created_at"] == MODIFIED and unified["updated_at"] == MODIFIED
    (line,) = unified["lines"]  # the comment line is not an ordered item
    assert line["line_number"] == 1 and line["quantity_received"] == Decimal(0)
    assert line["description"] == "[BRG-6204-2RS] Bearing"
    assert line["location"]["remote_id"] == "5"
    assert unified["custom_fields"] == {
        "reference": "RFQ-01000",
        "invoice_method": "order",
        "state": "draft",
        "shipment_state": "none",
        "invoice_state": "none",
        "warehouse_code": "WH",
    }


def test_stored_totals_win_over_computed_ones() -> None:
    row = purchase_row(
        state="done",
        shipment_state="received",
        untaxed_amount_cache={"__class__": "Decimal", "decimal": "40.00"},
    )
    unified = connector.to_unified(Entity.PURCHASE_ORDERS, RawRecord("1", MODIFIED, row), ids)
    assert unified["subtotal"] == Decimal("40.00")


def test_an_inventory_item_gets_per_warehouse_stock_levels() -> None:
    row = {
        "id": 8,
        "code": "BOLT-M8X30",
        "name": "Hex bolt",
        "active": 1,
        "type": "goods",
        "default_uom.": {"symbol": "u", "id": 1},
        "cost_price": {"__class__": "Decimal", "decimal": "0.12"},
        "create_date": stamp(MODIFIED),
        "last_modified_at": stamp(MODIFIED),
        "company_currency": "USD",
        "warehouses": [
            {
                "id": 5,
                "code": "WH",
                "name": "Warehouse",
                "quantity": 5092.0,
                "forecast_quantity": 5081.0,
                "assignable_quantity": 5084.0,
            },
            {
                "id": 9,
                "code": "WH2",
                "name": "Empty",
                "quantity": 0.0,
                "forecast_quantity": 0.0,
                "assignable_quantity": 0.0,
            },
        ],
    }
    unified = connector.to_unified(Entity.INVENTORY_ITEMS, RawRecord("8", MODIFIED, row), ids)
    MODELS[Entity.INVENTORY_ITEMS].model_validate(unified)
    (level,) = unified["stock_levels"]
    assert (level["on_hand"], level["available"], level["reserved"]) == (
        Decimal("5092.0"),
        Decimal("5084.0"),
        Decimal("8.0"),
    )
    assert unified["status"] == "active" and unified["currency"] == "USD"


# -- status tables declared for the conformance suite ----------------------------------------------


def _codes(entity: Entity) -> list[tuple[str, Code]]:
    """(unified field, Code) of every code the entity's map reads, refinements included."""
    found: list[tuple[str, Code]] = []
    for name, converter in FIELD_MAP[entity].items():
        if isinstance(converter, Code):
            found += [(name, converter), *((name, inner) for inner in converter.refine.values())]
    return found


def test_every_code_table_of_the_maps_is_listed_for_the_checks_over_real_data() -> None:
    listed = {id(declared.table) for declared in STATUS_TABLES}
    read = {id(code.table) for entity in FIELD_MAP for _, code in _codes(entity)}
    assert read == listed
