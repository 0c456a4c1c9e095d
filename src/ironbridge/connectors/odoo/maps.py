"""Tables between Odoo records and unified ones, both ways.

Rows are read through `protocols.odoo.ODOO_WIRE` (a many2one is its id at `field`, its name
at `field/name`). What the session adds to a row: `lines` (purchase lines), `stock` (quants
summed per internal location) and `stage` (the request's maintenance stage with its `done`
flag and whether it is the first stage), since each database defines its own stages.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from ironbridge.connectors.base import StatusTable
from ironbridge.connectors.kit import (
    Code,
    Const,
    Day,
    DayStart,
    First,
    Flags,
    Integer,
    MapContext,
    Mapper,
    Number,
    RecordMap,
    Ref,
    Rows,
    Stamp,
    Text,
)
from ironbridge.connectors.protocols.odoo import ODOO_WIRE
from ironbridge.model import (
    AssetStatus,
    Entity,
    InventoryItemStatus,
    LocationStatus,
    LocationType,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)

__all__ = ["PO_STATE", "PRIORITY", "STATUS_TABLES", "TRANSITIONS", "WRITES", "mapper"]

P = PurchaseOrderStatus
#: `purchase.order.state`; a confirmed order's status is decided by its receipts.
PO_STATE: Final[Mapping[str, P | None]] = {
    "draft": P.DRAFT,
    "sent": P.SENT,
    "to approve": P.PENDING_APPROVAL,
    "purchase": None,
    "done": P.CLOSED,
    "cancel": P.CANCELLED,
}
_RECEIPTS: Final = {"pending": P.APPROVED, "partial": P.PARTIALLY_RECEIVED, "full": P.RECEIVED}
#: Status → the buttons that take an order there (Odoo decides the rest itself).
TRANSITIONS: Final = {
    P.APPROVED: "button_confirm",
    P.CANCELLED: "button_cancel",
    P.DRAFT: "button_draft",
}
PRIORITY: Final = {
    "0": WorkOrderPriority.LOW,
    "1": WorkOrderPriority.MEDIUM,
    "2": WorkOrderPriority.HIGH,
    "3": WorkOrderPriority.URGENT,
}
_TYPE: Final = {"corrective": WorkOrderType.CORRECTIVE, "preventive": WorkOrderType.PREVENTIVE}
_USAGE: Final = {"view": LocationType.WAREHOUSE, "internal": LocationType.AREA}

STATUS_TABLES: Final = (
    StatusTable(Entity.PURCHASE_ORDERS, "state", PO_STATE, PurchaseOrderStatus),
    StatusTable(Entity.WORK_ORDERS, "priority", PRIORITY, WorkOrderPriority),
    StatusTable(Entity.LOCATIONS, "usage", _USAGE, LocationType),
)


def _order(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
    # 19.0 locks a confirmed order with a flag where 18.0 moves it to `done`.
    return {"status": P.CLOSED} if row.get("locked") is True else {}


def _stage(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
    stage = row.get("stage") or {}
    if row.get("archive"):
        status = WorkOrderStatus.CANCELLED
    elif stage.get("done"):
        status = WorkOrderStatus.COMPLETED
    else:
        status = WorkOrderStatus.OPEN if stage.get("first") else WorkOrderStatus.IN_PROGRESS
    return {"status": status}


def _address(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
    parts = {
        "line1": "street",
        "line2": "street2",
        "city": "city",
        "postal_code": "zip",
        "country": "country_code",
        "region": None,
    }
    address = {
        key: (None if not source or row.get(source) is False else row.get(source))
        for key, source in parts.items()
    }
    return {"address": address if any(address.values()) else None}


def _on_hand(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
    quantities = (Decimal(str(level["quantity"])) for level in row.get("stock", ()))
    return {"total_on_hand": sum(quantities, Decimal(0))}


_ACTIVE: Final = (("active", VendorStatus.ACTIVE),)
LINES: Final = {
    "remote_id": Text("id"),
    "line_number": Integer("sequence"),
    "item": Ref(Entity.INVENTORY_ITEMS, "product_id"),
    "description": Text("name"),
    "quantity": Number("product_qty"),
    "quantity_received": Number("qty_received"),
    "unit_of_measure": First((Text("product_uom/name"), Text("product_uom_id/name"))),
    "unit_price": Number("price_unit"),
    "line_total": Number("price_subtotal"),
    "required_date": Day("date_planned"),
}
STOCK: Final = {
    "location": Ref(Entity.LOCATIONS, "location_id"),
    "on_hand": Number("quantity"),
    "available": Number("available"),
    "reserved": Number("reserved_quantity"),
}
_CREATED: Final = Stamp("create_date")

READS: Final = {
    Entity.PURCHASE_ORDERS: RecordMap(
        fields={
            "number": Text("name"),
            "status": Code(
                "state",
                table=PO_STATE,
                refine={"purchase": Code("receipt_status", table=_RECEIPTS)},
            ),
            "vendor": Ref(Entity.VENDORS, "partner_id"),
            "order_date": Day("date_order"),
            "required_date": Day("date_planned"),
            "currency": Text("currency_id/name"),
            "subtotal": Number("amount_untaxed"),
            "tax_total": Number("amount_tax"),
            "total": Number("amount_total"),
            "buyer": Text("user_id/name"),
            "notes": First((Text("notes"), Text("note"))),
            "lines": Rows("lines", LINES),
        },
        created=_CREATED,
        derive=_order,
        custom_fields={"vendor_reference": Text("partner_ref"), "company": Text("company_id/name")},
    ),
    Entity.VENDORS: RecordMap(
        fields={
            "code": Text("ref"),
            "name": Text("name"),
            "tax_id": Text("vat"),
            "status": Flags(_ACTIVE, otherwise=VendorStatus.INACTIVE),
            "email": Text("email"),
            "phone": Text("phone"),
            "website": Text("website"),
        },
        created=_CREATED,
        derive=_address,
    ),
    Entity.INVENTORY_ITEMS: RecordMap(
        fields={
            "code": Text("default_code"),
            "name": Text("name"),
            "description": Text("description"),
            "unit_of_measure": Text("uom_id/name"),
            "unit_cost": Number("standard_price"),
            "status": Flags(
                (("active", InventoryItemStatus.ACTIVE),), otherwise=InventoryItemStatus.INACTIVE
            ),
            "stock_levels": Rows("stock", STOCK),
        },
        created=_CREATED,
        derive=_on_hand,
    ),
    Entity.LOCATIONS: RecordMap(
        fields={
            "code": Text("name"),
            "name": Text("complete_name"),
            "type": Code("usage", table=_USAGE),
            "status": Flags(
                (("active", LocationStatus.ACTIVE),), otherwise=LocationStatus.INACTIVE
            ),
            "parent": Ref(Entity.LOCATIONS, "location_id"),
        },
        created=_CREATED,
    ),
    Entity.WORK_ORDERS: RecordMap(
        fields={
            "title": Text("name"),
            "description": Text("description"),
            "priority": Code("priority", table=PRIORITY),
            "type": Code("maintenance_type", table=_TYPE, otherwise=WorkOrderType.OTHER),
            "asset": Ref(Entity.ASSETS, "equipment_id"),
            "assignee": Text("user_id/name"),
            "requester": Text("owner_user_id/name"),
            "scheduled_start": Stamp("schedule_date"),
            "actual_end": DayStart("close_date"),
            "estimated_hours": Number("duration"),
            "parts_used": Const(()),
        },
        created=_CREATED,
        derive=_stage,
        custom_fields={"stage": Text("stage_id/name")},
    ),
    Entity.ASSETS: RecordMap(
        fields={
            "name": Text("name"),
            "description": Text("note"),
            "model": Text("model"),
            "status": Flags(
                (("active", AssetStatus.OPERATING),), otherwise=AssetStatus.DECOMMISSIONED
            ),
            "category": Text("category_id/name"),
            "manufacturer": Text("partner_id/name"),
            "serial_number": Text("serial_no"),
            "install_date": Day("effective_date"),
        },
        created=_CREATED,
        custom_fields={"location": Text("location")},
    ),
}

#: Write bodies; lines, notes, status, addresses and stages are the session's.
WRITES: Final = Mapper(
    "Odoo",
    ODOO_WIRE,
    {
        Entity.PURCHASE_ORDERS: RecordMap(
            fields={
                "vendor": Ref(Entity.VENDORS, "partner_id"),
                "order_date": Day("date_order"),
                "required_date": Day("date_planned"),
            }
        ),
        Entity.VENDORS: RecordMap(
            fields={
                "code": Text("ref"),
                "name": Text("name"),
                "tax_id": Text("vat"),
                "email": Text("email"),
                "phone": Text("phone"),
                "website": Text("website"),
            }
        ),
        Entity.WORK_ORDERS: RecordMap(
            fields={
                "title": Text("name"),
                "description": Text("description"),
                "priority": Code("priority", table=PRIORITY),
                "type": Code("maintenance_type", table=_TYPE),
                "asset": Ref(Entity.ASSETS, "equipment_id"),
                "scheduled_start": Stamp("schedule_date"),
                "estimated_hours": Number("duration"),
            }
        ),
    },
)

#: Odoo records → unified records.
mapper: Final = Mapper("Odoo", ODOO_WIRE, READS)
