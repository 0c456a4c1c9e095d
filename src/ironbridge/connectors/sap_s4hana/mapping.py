"""What the tables in `maps.py` cannot say about SAP S/4HANA records.

- A purchase order's status comes from three places: its deletion code, its processing
  status, and whether its items are delivered and invoiced; its subtotal and date from its
  lines.
- Stock is summed per plant and storage location; locations are the places stock is kept,
  read by the map of their kind.
- Writes: a purchase order's fields SAP assigns itself are refused with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

from ironbridge.connectors import kit
from ironbridge.connectors.sap_s4hana import maps
from ironbridge.model import Entity, PurchaseOrderStatus, WorkOrderStatus

__all__ = ["MAPPER", "purchase_order_status", "work_order_status"]

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

#: What the status rules read with: codes need no record ids.
_CODES: Final = kit.MapContext.codes_only(maps.WIRE)


# --- reading -------------------------------------------------------------------------------------


def purchase_order_status(data: Mapping[str, Any]) -> PurchaseOrderStatus:
    """The unified status of an A_PurchaseOrder read with its items."""
    # A deletion code that imposes no status leaves the processing status to decide.
    status: PurchaseOrderStatus = _DELETION.read(data, _CODES) or _PROCESSING.read(data, _CODES)
    if status is not PurchaseOrderStatus.SENT:
        return status
    items = kit.choose_row(maps.WIRE.rows(data, maps.LINES.path), skip=maps.LINES.skip)
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
    maps.WIRE,
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
