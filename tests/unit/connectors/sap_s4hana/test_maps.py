"""SAP S/4HANA's status tables are complete, and its writes use the read declarations."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

import pytest

from ironbridge.connectors.base import StatusTable
from ironbridge.connectors.kit import STRICT, Code, Ref, WrittenNames
from ironbridge.connectors.sap_s4hana import maps
from ironbridge.connectors.sap_s4hana.mapping import MAPPER
from ironbridge.connectors.sap_s4hana.resources import RESOURCES
from ironbridge.model import Entity
from ironbridge.testing.emulators.sap import SapS4HanaEmulator

SAMPLE = SapS4HanaEmulator().store


def _code_tables() -> list[Mapping[str, Any]]:
    """Every module-level table of `maps` from SAP codes to enum members (or None)."""
    return [
        value
        for name, value in vars(maps).items()
        if name.isupper()
        and isinstance(value, Mapping)
        and value
        and all(isinstance(code, str) for code in value)
        and all(member is None or isinstance(member, Enum) for member in value.values())
    ]


def test_every_status_table_is_declared_for_the_completeness_checks() -> None:
    # The level table is keyed by where a record sits, which has exactly two answers; stock
    # types are read inside each material's stock rows, checked below.
    assert set(maps.FUNCTIONAL_LOCATION_LEVEL) == {"top", "below"}
    declared = [status.table for status in maps.STATUS_TABLES]
    declared += [maps.FUNCTIONAL_LOCATION_LEVEL, maps.STOCK_USE]
    assert all(any(table is known for known in declared) for table in _code_tables())


@pytest.mark.parametrize(
    "status", [status for status in maps.STATUS_TABLES if status.source != "SystemStatusText"]
)
def test_every_code_the_emulated_system_sends_is_in_its_table(status: StatusTable) -> None:
    rows = SAMPLE.rows(RESOURCES[status.entity].entity_set)
    sent = {str(row.get(status.source) or "") for row in rows}
    assert sent and sent <= set(status.table)


def test_every_stock_type_the_emulated_system_sends_is_in_its_table() -> None:
    sent = {row["InventoryStockType"] for row in SAMPLE.rows("A_MatlStkInAcctMod")}
    assert sent and sent <= set(maps.STOCK_USE)


def test_every_system_status_text_the_emulated_system_sends_has_a_lifecycle_status() -> None:
    tokens = {token for token, _ in maps.SYSTEM_STATUS}
    for row in SAMPLE.rows("MaintenanceOrder"):
        assert tokens & set(row["SystemStatusText"].split()), row["SystemStatusText"]


def test_tables_of_the_systems_own_customizing_read_unknown_codes_instead_of_failing() -> None:
    codes = [
        converter
        for record_map in maps.MAPS.values()
        for converter in record_map.fields.values()
        if isinstance(converter, Code)
    ]
    assert {converter.path for converter in codes if converter.otherwise is not STRICT} == {
        "MaintPriority",
        "MaintenanceOrderType",
        "ABCIndicator",
    }


def test_writes_and_error_targets_come_from_the_read_declarations() -> None:
    header = maps.MAPS[Entity.PURCHASE_ORDERS].fields
    assert isinstance(header["vendor"], Ref)
    names = WrittenNames.of_map(MAPPER.maps[Entity.PURCHASE_ORDERS])
    header_error_fields = names.fields
    line_error_fields = names.rows["to_PurchaseOrderItem"][2].fields
    assert header_error_fields["Supplier"] == "vendor_id"
    assert header_error_fields["PurchaseOrderDate"] == "order_date"
    assert "PurchaseOrder" not in header_error_fields  # SAP numbers orders itself
    assert line_error_fields["Material"] == "item_id"
    assert line_error_fields["NetPriceAmount"] == "unit_price"
    assert "PurchaseOrderItem" not in line_error_fields
