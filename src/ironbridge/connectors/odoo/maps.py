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

from ironbridge.connectors import kit
from ironbridge.connectors.base import StatusTable
from ironbridge.connectors.protocols.odoo import ODOO_WIRE
from ironbridge.model import Entity
from ironbridge.model import enums as u

__all__ = ["LINES", "PO_STATE", "PRIORITY", "READS", "RECEIPTS", "REQUEST_TYPE", "STATUS_TABLES",
           "STOCK", "TRANSITIONS", "USAGE", "WRITES", "mapper"]  # fmt: skip

P, W = u.PurchaseOrderStatus, u.WorkOrderStatus
#: `purchase.order.state`; a confirmed order's status is decided by its receipts.
PO_STATE: Final[Mapping[str, Any]] = {"draft": P.DRAFT, "sent": P.SENT, "purchase": None,
    "to approve": P.PENDING_APPROVAL, "done": P.CLOSED, "cancel": P.CANCELLED}  # fmt: skip
RECEIPTS: Final = {"pending": P.APPROVED, "partial": P.PARTIALLY_RECEIVED, "full": P.RECEIVED}
#: Status → the button that takes an order there (Odoo decides the rest itself).
TRANSITIONS: Final = {P.APPROVED: "button_confirm", P.CANCELLED: "button_cancel",
                      P.DRAFT: "button_draft"}  # fmt: skip
PRIORITY: Final = dict(zip("0123", u.WorkOrderPriority, strict=True))
REQUEST_TYPE: Final = {
    "corrective": u.WorkOrderType.CORRECTIVE,
    "preventive": u.WorkOrderType.PREVENTIVE,
}
USAGE: Final = {"view": u.LocationType.WAREHOUSE, "internal": u.LocationType.AREA}
STATUS_TABLES: Final = (
    StatusTable(Entity.PURCHASE_ORDERS, "state", PO_STATE, P),
    StatusTable(Entity.WORK_ORDERS, "priority", PRIORITY, u.WorkOrderPriority),
    StatusTable(Entity.LOCATIONS, "usage", USAGE, u.LocationType),
)


def _order(row: Mapping[str, Any], ctx: kit.MapContext) -> dict[str, Any]:
    # 19.0 locks a confirmed order with a flag where 18.0 moves it to `done`.
    return {"status": P.CLOSED} if row.get("locked") is True else {}


def _stage(row: Mapping[str, Any], ctx: kit.MapContext) -> dict[str, Any]:
    stage = row.get("stage") or {}
    if row.get("archive") or stage.get("done"):
        return {"status": W.CANCELLED if row.get("archive") else W.COMPLETED}
    return {"status": W.OPEN if stage.get("first") else W.IN_PROGRESS}


_ADDRESS: Final = {"line1": "street", "line2": "street2", "city": "city", "postal_code": "zip",
                   "country": "country_code"}  # fmt: skip


def _address(row: Mapping[str, Any], ctx: kit.MapContext) -> dict[str, Any]:
    address = {key: row.get(name) or None for key, name in _ADDRESS.items()}
    return {"address": {**address, "region": None} if any(address.values()) else None}


def _on_hand(row: Mapping[str, Any], ctx: kit.MapContext) -> dict[str, Any]:
    quantities = (Decimal(str(level["quantity"])) for level in row.get("stock", ()))
    return {"total_on_hand": sum(quantities, Decimal(0))}


def _active(member: Any, otherwise: Any) -> kit.Flags:
    return kit.Flags((("active", member),), otherwise=otherwise)


T, N, D, R = kit.Text, kit.Number, kit.Day, kit.Ref
LINES: Final = {"remote_id": T("id"), "line_number": kit.Integer("sequence"),
    "item": R(Entity.INVENTORY_ITEMS, "product_id"), "description": T("name"),
    "quantity": N("product_qty"), "quantity_received": N("qty_received"),
    "unit_of_measure": kit.First((T("product_uom/name"), T("product_uom_id/name"))),
    "unit_price": N("price_unit"), "line_total": N("price_subtotal"),
    "required_date": D("date_planned")}  # fmt: skip
STOCK: Final = {"location": R(Entity.LOCATIONS, "location_id"), "on_hand": N("quantity"),
                "available": N("available"), "reserved": N("reserved_quantity")}  # fmt: skip
_CREATED: Final = kit.Stamp("create_date")

READS: Final = {
    Entity.PURCHASE_ORDERS: kit.RecordMap({"number": T("name"),
        "status": kit.Code("state", PO_STATE, {"purchase": kit.Code("receipt_status", RECEIPTS)}),
        "vendor": R(Entity.VENDORS, "partner_id"), "order_date": D("date_order"),
        "required_date": D("date_planned"), "currency": T("currency_id/name"),
        "subtotal": N("amount_untaxed"), "tax_total": N("amount_tax"), "total": N("amount_total"),
        "buyer": T("user_id/name"), "notes": kit.First((T("notes"), T("note"))),
        "lines": kit.Rows("lines", LINES)}, _CREATED, derive=_order,
        custom_fields={"vendor_reference": T("partner_ref"), "company": T("company_id/name")}),
    Entity.VENDORS: kit.RecordMap({"code": T("ref"), "name": T("name"), "tax_id": T("vat"),
        "status": _active(u.VendorStatus.ACTIVE, u.VendorStatus.INACTIVE), "email": T("email"),
        "phone": T("phone"), "website": T("website")}, _CREATED, derive=_address),
    Entity.INVENTORY_ITEMS: kit.RecordMap({"code": T("default_code"), "name": T("name"),
        "description": T("description"), "unit_of_measure": T("uom_id/name"),
        "unit_cost": N("standard_price"), "stock_levels": kit.Rows("stock", STOCK),
        "status": _active(u.InventoryItemStatus.ACTIVE, u.InventoryItemStatus.INACTIVE)},
        _CREATED, derive=_on_hand),
    Entity.LOCATIONS: kit.RecordMap({"code": T("name"), "name": T("complete_name"),
        "type": kit.Code("usage", USAGE), "parent": R(Entity.LOCATIONS, "location_id"),
        "status": _active(u.LocationStatus.ACTIVE, u.LocationStatus.INACTIVE)}, _CREATED),
    Entity.WORK_ORDERS: kit.RecordMap({"title": T("name"), "description": T("description"),
        "priority": kit.Code("priority", PRIORITY),
        "type": kit.Code("maintenance_type", REQUEST_TYPE, otherwise=u.WorkOrderType.OTHER),
        "asset": R(Entity.ASSETS, "equipment_id"), "assignee": T("user_id/name"),
        "requester": T("owner_user_id/name"), "scheduled_start": kit.Stamp("schedule_date"),
        "actual_end": kit.DayStart("close_date"), "estimated_hours": N("duration"),
        "parts_used": kit.Const(())}, _CREATED, {"stage": T("stage_id/name")}, derive=_stage),
    Entity.ASSETS: kit.RecordMap({"name": T("name"), "description": T("note"),
        "status": _active(u.AssetStatus.OPERATING, u.AssetStatus.DECOMMISSIONED),
        "category": T("category_id/name"), "manufacturer": T("partner_id/name"),
        "model": T("model"), "serial_number": T("serial_no"), "install_date": D("effective_date"),
    }, _CREATED, {"location": T("location")}),
}  # fmt: skip

#: Write bodies; lines, notes, status, addresses and stages are the session's.
WRITES: Final = kit.Mapper("Odoo", ODOO_WIRE, {
    Entity.PURCHASE_ORDERS: kit.RecordMap({"vendor": R(Entity.VENDORS, "partner_id"),
        "order_date": D("date_order"), "required_date": D("date_planned")}),
    Entity.VENDORS: kit.RecordMap({"code": T("ref"), "name": T("name"), "tax_id": T("vat"),
        "email": T("email"), "phone": T("phone"), "website": T("website")}),
    Entity.WORK_ORDERS: kit.RecordMap({"title": T("name"), "description": T("description"),
        "priority": kit.Code("priority", PRIORITY), "asset": R(Entity.ASSETS, "equipment_id"),
        "type": kit.Code("maintenance_type", REQUEST_TYPE), "estimated_hours": N("duration"),
        "scheduled_start": kit.Stamp("schedule_date")}),
})  # fmt: skip

#: Odoo records → unified records.
mapper: Final = kit.Mapper("Odoo", ODOO_WIRE, READS)
