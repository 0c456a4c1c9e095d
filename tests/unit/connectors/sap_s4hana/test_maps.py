"""SAP S/4HANA's status tables are complete, and its writes use the read declarations."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

import pytest

from ironbridge.connectors.kit import STRICT, Code, Ref
from ironbridge.connectors.sap_s4hana import maps
from ironbridge.model import Entity
from ironbridge.testing.emulators.sap import SapS4HanaEmulator

SAMPLE = SapS4HanaEmulator().store

#: The entity set each status property is sent in.
SENT_IN: Mapping[str, str] = {
    "PurchasingProcessingStatus": "A_PurchaseOrder",
    "PurchasingDocumentDeletionCode": "A_PurchaseOrder",
    "MaintPriority": "MaintenanceOrder",
    "MaintenanceOrderType": "MaintenanceOrder",
    "ABCIndicator": "Equipment",
    "InventoryStockType": "A_MatlStkInAcctMod",
}


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


def test_every_status_table_is_listed_for_the_completeness_checks() -> None:
    # The level table is keyed by where a record sits, which has exactly two answers.
    assert set(maps.FUNCTIONAL_LOCATION_LEVEL) == {"top", "below"}
    listed = [table for _, table in maps.STATUS_TABLES] + [maps.FUNCTIONAL_LOCATION_LEVEL]
    assert all(any(table is known for known in listed) for table in _code_tables())
    assert set(SENT_IN) == {prop for prop, _ in maps.STATUS_TABLES}


@pytest.mark.parametrize(("prop", "table"), maps.STATUS_TABLES)
def test_every_code_the_emulated_system_sends_is_in_its_table(
    prop: str, table: Mapping[str, Any]
) -> None:
    sent = {str(row.get(prop) or "") for row in SAMPLE.rows(SENT_IN[prop])}
    assert sent and sent <= set(table)


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
    assert maps.HEADER_ERROR_FIELDS["Supplier"] == "vendor_id"
    assert maps.HEADER_ERROR_FIELDS["PurchaseOrderDate"] == "order_date"
    assert "PurchaseOrder" not in maps.HEADER_ERROR_FIELDS  # SAP numbers orders itself
    assert maps.LINE_ERROR_FIELDS["Material"] == "item_id"
    assert maps.LINE_ERROR_FIELDS["NetPriceAmount"] == "unit_price"
    assert "PurchaseOrderItem" not in maps.LINE_ERROR_FIELDS
