"""What the tables in `maps.py` cannot say about SAP S/4HANA records.

- A purchase order's status comes from three places: its deletion code, its processing
  status, and whether its items are delivered and invoiced; its subtotal and date from its
  lines.
- Stock is summed per plant and storage location; locations are the places stock is kept,
  read by the map of their kind.
- Writes: a unified purchase order becomes a deep insert, and SAP's error targets become
  unified field paths.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

from ironbridge.connectors import kit
from ironbridge.connectors.sap_s4hana import maps
from ironbridge.connectors.sap_s4hana.maps import WIRE
from ironbridge.model import Entity, PurchaseOrderStatus, WorkOrderStatus

__all__ = ["MAPPER", "error_field", "purchase_order_create_body", "purchase_order_update_body"]

# An item in an error target: `to_PurchaseOrderItem('10')/…`,
# `to_PurchaseOrderItem(PurchaseOrderItem='10')/…` or
# `A_PurchaseOrderItem(PurchaseOrder='',PurchaseOrderItem='10')/…`.
_ITEM_TARGET: Final = re.compile(
    r"(?:to_|A_)PurchaseOrderItem\((?:[^)]*?PurchaseOrderItem=)?'?(\d+)'?\)/(\w+)"
)
#: Unified purchase order fields SAP's purchase order API cannot write, with the reason.
_NOT_WRITABLE: Final[Mapping[str, str]] = {
    "number": "SAP assigns purchase order numbers itself.",
    "status": "Approval and status follow SAP's release workflow; change it in SAP.",
}
# Converters of the rules below: the same vocabulary as the tables, read where a rule needs it.
_DELETION: Final = kit.Code("PurchasingDocumentDeletionCode", maps.DELETION_CODE)
_PROCESSING: Final = kit.Code("PurchasingProcessingStatus", maps.PROCESSING_STATUS)
_SYSTEM_STATUS: Final = maps.MAPS[Entity.WORK_ORDERS].fields["status"]
_PRICED_LINES: Final = kit.priced_lines(maps.LINES)
#: Stock per plant and storage location; stock types other than unrestricted use are reserved.
_STOCK_LEVELS: Final = kit.stock_levels(
    "to_MatlStkInAcctMod",
    kit.Joined(("Plant", "StorageLocation"), "/"),
    kit.Number("MatlWrhsStkQtyInMatlBaseUnit"),
    kit.Code(
        "InventoryStockType",
        {c: use is maps.StockUse.AVAILABLE for c, use in maps.STOCK_USE.items()},
    ),
)


def _no_ids(entity: Entity, remote_id: str) -> str:
    raise AssertionError("a status rule read a reference")


#: What the status rules read with: codes need no record ids.
_CODES: Final = kit.MapContext(WIRE, _no_ids)


# --- reading -------------------------------------------------------------------------------------


def purchase_order_status(data: Mapping[str, Any]) -> PurchaseOrderStatus:
    """The unified status of an A_PurchaseOrder read with its items."""
    # A deletion code that imposes no status leaves the processing status to decide.
    status: PurchaseOrderStatus = _DELETION.read(data, _CODES) or _PROCESSING.read(data, _CODES)
    if status is not PurchaseOrderStatus.SENT:
        return status
    items = kit.choose_row(WIRE.rows(data, maps.LINES.path), skip=maps.LINES.skip)
    delivered = [item.get("IsCompletelyDelivered") is True for item in items]
    if items and all(delivered):
        invoiced = all(item.get("IsFinallyInvoiced") is True for item in items)
        return PurchaseOrderStatus.CLOSED if invoiced else PurchaseOrderStatus.RECEIVED
    return PurchaseOrderStatus.PARTIALLY_RECEIVED if any(delivered) else status


def _purchase_order(data: Mapping[str, Any], ctx: kit.MapContext) -> dict[str, Any]:
    # SAP's purchase order API carries net prices only: no tax, so no gross total.
    return {"status": purchase_order_status(data), **_PRICED_LINES(data, ctx)}


def work_order_status(text: str) -> WorkOrderStatus:
    """The lifecycle status in a `SystemStatusText` such as `REL PCNF NMAT PRC`."""
    status: WorkOrderStatus = _SYSTEM_STATUS.read({"SystemStatusText": text}, _CODES)
    return status


#: SAP's tables and rules on the OData V2 wire: `to_unified` in one.
MAPPER: Final = kit.Mapper(
    "SAP",
    WIRE,
    {
        **maps.MAPS,
        Entity.PURCHASE_ORDERS: replace(
            maps.MAPS[Entity.PURCHASE_ORDERS],
            derive=_purchase_order,
            refusals=_NOT_WRITABLE,
            unclearable=maps.UNCLEARABLE,
            custom_codes=maps.ORGANISATION,
            creates={"lines": maps.NEW_LINES},
        ),
        Entity.INVENTORY_ITEMS: replace(maps.MAPS[Entity.INVENTORY_ITEMS], derive=_STOCK_LEVELS),
    },
    choose=kit.Variants(
        Entity.LOCATIONS,
        {maps.FUNCTIONAL_LOCATION: maps.FUNCTIONAL_LOCATION_MAP},
        {"StorageLocation": maps.STORAGE_LOCATION_MAP},
    ),
    refusal="{system}'s purchase order API cannot set this field.",
)


# --- writing -------------------------------------------------------------------------------------


def _line(
    index: int, line: Mapping[str, Any], day: Any, problems: dict[str, str]
) -> dict[str, Any]:
    """A line of a new order as `maps.NEW_LINES` writes it: its values, and a schedule line on
    its date (else the order's) when there is one. What SAP would refuse goes to `problems`."""
    given = {key: value for key, value in line.items() if value is not None}
    location = given.get("location_remote_id")
    if not location or location.startswith(maps.FUNCTIONAL_LOCATION):
        problems[f"lines.{index}.location_id"] = (
            "SAP needs the plant (or 'plant/storage location') each line is delivered to."
        )
    if not given.get("item_remote_id") and not given.get("unit_of_measure"):
        problems[f"lines.{index}.unit_of_measure"] = "A line without an item needs a unit."
    day = given.get("required_date", day)
    return given if day is None else {**given, "schedule": [{**given, "required_date": day}]}


def purchase_order_create_body(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The deep-insert body for a resolved `PurchaseOrderCreate` payload.

    Raises `errors.ValidationFailed` naming every field SAP could not take: fields its API
    cannot write, missing organisational units, lines without a delivery location.
    """
    problems: dict[str, str] = {}
    day = payload.get("required_date")
    lines = [_line(at, line, day, problems) for at, line in enumerate(payload.get("lines") or ())]
    return MAPPER.to_source(
        Entity.PURCHASE_ORDERS,
        {**payload, "lines": lines},
        handled=frozenset({"required_date"}),
        problems=problems,
        creating=True,
    )


def purchase_order_update_body(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The PATCH body for a resolved `PurchaseOrderUpdate` payload (header properties only)."""
    return MAPPER.to_source(Entity.PURCHASE_ORDERS, changes)


def error_field(target: str) -> str:
    """The unified field path an SAP error `target` points at.

    `Supplier` → `vendor_id`; `to_PurchaseOrderItem(PurchaseOrderItem='20')/OrderQuantity` →
    `lines.1.quantity` (ironbridge numbers the lines of a new order 10, 20, 30, ...).
    """
    match = _ITEM_TARGET.search(target)
    if match is not None:
        index = max(int(match.group(1)) // 10 - 1, 0)
        prop = match.group(2)
        return f"lines.{index}.{maps.LINE_ERROR_FIELDS.get(prop, prop)}"
    prop = target.rsplit("/", 1)[-1].split("(", 1)[0]
    return maps.HEADER_ERROR_FIELDS.get(prop, prop)
