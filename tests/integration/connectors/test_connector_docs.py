"""The connector pages in docs/connectors/ say what the connectors' tables and specs say.

The mapping tables of `docs/connectors/<system>.md` are rendered from `maps.py` by the
functions below (`python -m tests.integration.connectors.test_connector_docs tryton` prints
them); these tests fail when a map or a capability changes and its page does not.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from ironbridge.connectors.base import OPERATIONS, ConnectorSpec
from ironbridge.connectors.kit import STRICT
from ironbridge.connectors.maximo import maps as maximo_maps
from ironbridge.connectors.maximo.spec import SPEC as MAXIMO_SPEC
from ironbridge.connectors.netsuite import maps as netsuite_maps
from ironbridge.connectors.netsuite.spec import SPEC as NETSUITE_SPEC
from ironbridge.connectors.odoo import maps as odoo_maps
from ironbridge.connectors.odoo.spec import SPEC as ODOO_SPEC
from ironbridge.connectors.sap_s4hana import maps as sap_maps
from ironbridge.connectors.sap_s4hana.spec import SPEC as SAP_SPEC
from ironbridge.connectors.tryton import maps as tryton_maps
from ironbridge.connectors.tryton.spec import SPEC as TRYTON_SPEC
from ironbridge.model import Entity

DOCS = Path(__file__).resolve().parents[3] / "docs" / "connectors"

_KINDS = {
    "Text": "text",
    "Number": "decimal",
    "Integer": "whole number",
    "Day": "date",
    "DayStart": "date, as 00:00 UTC",
    "Stamp": "time (UTC)",
    "Flag": "yes/no",
    "Place": "address",
}


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if value == "":
        return "(empty)"
    if isinstance(value, Enum):
        return f"`{value.value}`"
    return f"`{value}`"


def describe(converter: Any) -> tuple[str, str]:
    """(source, how it is read) for one converter of a Tryton or SAP map."""
    kind = type(converter).__name__
    if kind == "First":
        parts = [describe(inner)[0] for inner in converter.fields]
        return ", else ".join(parts), "the first with a value"
    if kind == "Const":
        return _value(converter.value), "always"
    if kind == "Sum":
        return f"`{converter.column}` of `{converter.path}`", "sum"
    if kind == "Template":
        return f"`{converter.text}`", "text"
    if kind == "Joined":
        return ", ".join(f"`{path}`" for path in converter.paths), "joined text"
    if kind == "Matching":
        source, how = describe(converter.value)
        return source, f"{how} matching `{converter.pattern}`"
    if kind == "Pick":
        inner = converter.value
        source, how = describe(inner) if not isinstance(inner, Mapping) else ("", "address")
        row = "default" if converter.prefer else "first"
        return f"`{converter.path}`{' → ' + source if source else ''}", f"{how}, of the {row} row"
    if kind == "Tokens":
        return f"`{converter.path}`", "the first status among its words, see the status tables"
    if kind == "Flags":
        flags = ", ".join(f"`{path}`" for path, _ in converter.rules)
        return flags, f"the first flag set (see below), else {_value(converter.otherwise)}"
    path = getattr(converter, "path", None) or converter.source
    if kind == "Ref":
        return f"`{path}`", f"reference to {converter.entity.value}"
    if kind == "ScopedRef":
        return f"`{converter.scope}`/`{path}`", f"reference to {converter.entity.value}"
    if kind == "Code":
        return f"`{path}`", "code, see the status tables"
    if kind == "Level":
        return f"`{path}`", "`top` when empty, else `below`; see the status tables"
    return f"`{path}`", _KINDS[kind]


def field_rows(fields: Mapping[str, Any]) -> list[str]:
    """`| unified field | source | read as |` rows of a map."""
    return [
        f"| `{name}` | {' | '.join(describe(converter))} |" for name, converter in fields.items()
    ]


def code_rows(
    table: Mapping[Any, Any] | Iterable[tuple[Any, Any]], converter: Any = None
) -> list[str]:
    """`| source code | unified value |` rows of a status table (or of an ordered rule list);
    with the `Code` that reads a customizing table, also its row for any other code."""
    pairs = table.items() if isinstance(table, Mapping) else table
    rows = [f"| {_value(code)} | {_value(value)} |" for code, value in pairs]
    if converter is not None and converter.otherwise is not STRICT:
        rows.append(f"| any other | {_value(converter.otherwise)} |")
    return rows


def capability_rows(spec: ConnectorSpec) -> list[str]:
    """`| entity | read | create | update | delete | adjust |` rows of a spec."""
    rows = []
    for entity in Entity:
        capability = spec.capabilities.get(entity)
        marks = [
            "yes" if capability is not None and capability.allows(op) else "no" for op in OPERATIONS
        ]
        rows.append(f"| {entity.value} | {' | '.join(marks)} |")
    return rows


def tryton_rows() -> dict[str, list[str]]:
    return {
        "capabilities": capability_rows(TRYTON_SPEC),
        **{
            f"fields {entity.value}": field_rows(tryton_maps.FIELD_MAP[entity])
            for entity in tryton_maps.FIELD_MAP
        },
        "fields purchase-order lines": field_rows(tryton_maps.LINE_FIELDS),
        **{
            f"custom {entity.value}": field_rows(tryton_maps.CUSTOM_FIELDS[entity])
            for entity in tryton_maps.CUSTOM_FIELDS
        },
        "state": code_rows(tryton_maps.STATUS_MAP),
        "active": code_rows(tryton_maps.VENDOR_STATUS),
        "shipment_state": code_rows(tryton_maps.PROCESSING_STATUS),
        "location type": code_rows(tryton_maps.LOCATION_TYPE),
        "work state": code_rows(tryton_maps.WORK_STATUS),
        "production state": code_rows(tryton_maps.WORK_PRODUCTION_STATUS),
    }


def sap_rows() -> dict[str, list[str]]:
    work_order_fields = sap_maps.MAPS[Entity.WORK_ORDERS].fields
    return {
        "capabilities": capability_rows(SAP_SPEC),
        **{
            f"fields {entity.value}": field_rows(record_map.fields)
            for entity, record_map in sap_maps.MAPS.items()
        },
        "fields purchase-order lines": field_rows(sap_maps.LINE_FIELDS),
        "fields functional locations": field_rows(sap_maps.FUNCTIONAL_LOCATION_MAP.fields),
        "functional location level": code_rows(sap_maps.FUNCTIONAL_LOCATION_LEVEL),
        "functional location flags": code_rows(sap_maps.FUNCTIONAL_LOCATION_FLAGS),
        "PurchasingProcessingStatus": code_rows(sap_maps.PROCESSING_STATUS),
        "PurchasingDocumentDeletionCode": code_rows(sap_maps.DELETION_CODE),
        "SystemStatusText": code_rows(sap_maps.SYSTEM_STATUS),
        "MaintPriority": code_rows(sap_maps.ORDER_PRIORITY, work_order_fields["priority"]),
        "MaintenanceOrderType": code_rows(sap_maps.ORDER_TYPE, work_order_fields["type"]),
        "ABCIndicator": code_rows(
            sap_maps.ABC_INDICATOR, sap_maps.MAPS[Entity.ASSETS].fields["criticality"]
        ),
        "equipment flags": code_rows(sap_maps.EQUIPMENT_FLAGS),
        "supplier flags": code_rows(sap_maps.SUPPLIER_FLAGS),
        "InventoryStockType": code_rows(sap_maps.STOCK_USE),
    }


def netsuite_rows() -> dict[str, list[str]]:
    def plain(fields: Mapping[str, Any]) -> dict[str, Any]:
        return {n: c for n, c in fields.items() if type(c).__name__ not in ("Rows", "Const")}

    return {
        "capabilities": capability_rows(NETSUITE_SPEC),
        **{
            f"fields {entity.value}": field_rows(plain(record_map.fields))
            for entity, record_map in netsuite_maps.READS.items()
        },
        "fields purchase-order lines": field_rows(netsuite_maps.LINES),
        "fields stock levels": field_rows(netsuite_maps.STOCK),
        "status": code_rows(netsuite_maps.PO_STATUS),
        "isinactive": code_rows(netsuite_maps.STATUS_TABLES[1].table),
        "locationtype": code_rows(netsuite_maps.LOCATION_TYPES),
    }


def maximo_rows() -> dict[str, list[str]]:
    maps = maximo_maps.MAPPER.maps
    nested = {"Rows"}
    work_orders, locations = maps[Entity.WORK_ORDERS].fields, maps[Entity.LOCATIONS].fields
    return {
        "capabilities": capability_rows(MAXIMO_SPEC),
        **{
            f"fields {entity.value}": field_rows(
                {n: c for n, c in record_map.fields.items() if type(c).__name__ not in nested}
            )
            for entity, record_map in maps.items()
        },
        "fields purchase-order lines": field_rows(
            maps[Entity.PURCHASE_ORDERS].fields["lines"].fields
        ),
        "fields stock levels": field_rows(
            maps[Entity.INVENTORY_ITEMS].fields["stock_levels"].fields
        ),
        "fields parts used": field_rows(maps[Entity.WORK_ORDERS].fields["parts_used"].fields),
        "WOSTATUS": code_rows(maximo_maps.WO_STATUS),
        "POSTATUS": code_rows(maximo_maps.PO_STATUS),
        "LOCASSETSTATUS assets": code_rows(maximo_maps.ASSET_STATUS),
        "LOCASSETSTATUS locations": code_rows(maximo_maps.LOCATION_STATUS),
        "ITEMSTATUS": code_rows(maximo_maps.ITEM_STATUS),
        "written statuses": code_rows(maximo_maps.WO_STATUS_WRITES),
        "wopriority": code_rows(work_orders["priority"].table, work_orders["priority"]),
        "worktype": code_rows(work_orders["type"].table, work_orders["type"]),
        "location type": code_rows(locations["type"].table, locations["type"]),
        "receipts": code_rows(maps[Entity.PURCHASE_ORDERS].fields["status"].refine["APPR"].table),
    }


def odoo_rows() -> dict[str, list[str]]:
    def plain(fields: Mapping[str, Any]) -> dict[str, Any]:
        return {n: c for n, c in fields.items() if type(c).__name__ not in ("Rows", "Const")}

    request = odoo_maps.READS[Entity.WORK_ORDERS].fields
    return {
        "capabilities": capability_rows(ODOO_SPEC),
        **{
            f"fields {entity.value}": field_rows(plain(record_map.fields))
            for entity, record_map in odoo_maps.READS.items()
        },
        "fields purchase-order lines": field_rows(odoo_maps.LINES),
        "fields stock levels": field_rows(odoo_maps.STOCK),
        "state": code_rows(odoo_maps.PO_STATE),
        "receipt_status": code_rows(odoo_maps.RECEIPTS),
        "priority": code_rows(odoo_maps.PRIORITY),
        "maintenance_type": code_rows(odoo_maps.REQUEST_TYPE, request["type"]),
        "usage": code_rows(odoo_maps.USAGE),
    }


PAGES = {
    "tryton": tryton_rows,
    "sap_s4hana": sap_rows,
    "netsuite": netsuite_rows,
    "maximo": maximo_rows,
    "odoo": odoo_rows,
}


@pytest.mark.parametrize("system", sorted(PAGES))
def test_the_connector_page_shows_every_row_of_its_maps_and_capabilities(system: str) -> None:
    page = (DOCS / f"{system}.md").read_text()
    for table, rows in PAGES[system]().items():
        missing = [row for row in rows if row not in page]
        assert not missing, f"docs/connectors/{system}.md, {table}: missing {missing}"


@pytest.mark.parametrize(
    ("system", "spec"),
    [
        ("tryton", TRYTON_SPEC),
        ("sap_s4hana", SAP_SPEC),
        ("netsuite", NETSUITE_SPEC),
        ("maximo", MAXIMO_SPEC),
        ("odoo", ODOO_SPEC),
    ],
)
def test_the_connector_page_carries_the_setup_guide_the_connect_flow_shows(
    system: str, spec: ConnectorSpec
) -> None:
    page = " ".join((DOCS / f"{system}.md").read_text().split())
    for step in spec.setup_guide:
        assert " ".join(step.split()) in page, f"setup step missing: {step[:60]}..."


if __name__ == "__main__":
    for name, rows in PAGES[sys.argv[1]]().items():
        print(f"\n{name}")
        print("\n".join(rows))
