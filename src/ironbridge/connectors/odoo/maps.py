"""Tables between Odoo records and unified ones, both ways.

Rows are read through `protocols.odoo.ODOO_WIRE` (a many2one is its id at `field`, its name
at `field/name`). What the session adds to a row: `lines` (purchase lines), `stock` (quants
summed per internal location) and `stage` (the request's maintenance stage with its `done`
flag and whether it is the first stage), since each database defines its own stages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ironbridge.connectors import kit
from ironbridge.connectors.protocols.jsonrpc_writes import Put
from ironbridge.connectors.protocols.odoo import ODOO_WIRE
from ironbridge.model import Entity
from ironbridge.model import enums as u

__all__ = ["ADDRESS", "LINE_WRITES", "STATUS_TABLES", "TRANSITIONS", "WRITES", "mapper", "meaning"]

P, W = u.PurchaseOrderStatus, u.WorkOrderStatus
#: `purchase.order.state`; a confirmed order's status is decided by its receipts.
PO_STATE: Final[Mapping[str, Any]] = {
    "draft": P.DRAFT,
    "sent": P.SENT,
    "purchase": None,
    "to approve": P.PENDING_APPROVAL,
    "done": P.CLOSED,
    "cancel": P.CANCELLED,
}
RECEIPTS: Final = {"pending": P.APPROVED, "partial": P.PARTIALLY_RECEIVED, "full": P.RECEIVED}
#: Status → the button that takes an order there (Odoo decides the rest itself).
TRANSITIONS: Final = {
    P.APPROVED: "button_confirm",
    P.CANCELLED: "button_cancel",
    P.DRAFT: "button_draft",
}
PRIORITY: Final = dict(zip("0123", u.WorkOrderPriority, strict=True))
REQUEST_TYPE: Final = {code: u.WorkOrderType(code) for code in ("corrective", "preventive")}
USAGE: Final = {"view": u.LocationType.WAREHOUSE, "internal": u.LocationType.AREA}


def _order(row: Mapping[str, Any], ctx: kit.MapContext) -> dict[str, Any]:
    # 19.0 locks a confirmed order with a flag where 18.0 moves it to `done`.
    return {"status": P.CLOSED} if row.get("locked") is True else {}


def meaning(stage: Mapping[str, Any]) -> u.WorkOrderStatus:
    """The status a maintenance `stage` (with its `first` flag) means: a stage marked done is
    completed, the first stage open, any other in progress. Each database defines its own."""
    if stage.get("done"):
        return W.COMPLETED
    return W.OPEN if stage.get("first") else W.IN_PROGRESS


def _stage(row: Mapping[str, Any], ctx: kit.MapContext) -> dict[str, Any]:
    # An archived request is cancelled, whatever its stage.
    return {"status": W.CANCELLED if row.get("archive") else meaning(row.get("stage") or {})}


#: A vendor's address: unified part → `res.partner` field.
ADDRESS: Final = dict(
    line1="street", line2="street2", city="city", postal_code="zip", country="country_code"
)


def _address(row: Mapping[str, Any], ctx: kit.MapContext) -> dict[str, Any]:
    address = {key: row.get(name) or None for key, name in ADDRESS.items()}
    return {"address": {**address, "region": None} if any(address.values()) else None}


def _active(member: Any, otherwise: Any) -> kit.Flags:
    return kit.Flags((("active", member),), otherwise=otherwise)


T, N, D, R = kit.Text, kit.Number, kit.Day, kit.Ref
LINES: Final = {
    **kit.each(T, remote_id="id", description="name"),
    "line_number": kit.Integer("sequence"),
    "item": R(Entity.INVENTORY_ITEMS, "product_id"),
    **kit.each(N, quantity="product_qty", quantity_received="qty_received"),
    "unit_of_measure": kit.First((T("product_uom/name"), T("product_uom_id/name"))),
    **kit.each(N, unit_price="price_unit", line_total="price_subtotal"),
    "required_date": D("date_planned"),
}
STOCK: Final = {
    "location": R(Entity.LOCATIONS, "location_id"),
    **kit.each(N, on_hand="quantity", available="available", reserved="reserved_quantity"),
}
_PO_STATUS: Final = kit.Code("state", PO_STATE, {"purchase": kit.Code("receipt_status", RECEIPTS)})

#: Fields read and written alike.
_ORDER: Final = {
    "vendor": R(Entity.VENDORS, "partner_id"),
    **kit.each(D, order_date="date_order", required_date="date_planned"),
}
_VENDOR: Final = kit.each(
    T, code="ref", name="name", tax_id="vat", email="email", phone="phone", website="website"
)
_REQUEST: Final = {
    **kit.each(T, title="name", description="description"),
    "priority": kit.Code("priority", PRIORITY),
    "type": kit.Code("maintenance_type", REQUEST_TYPE, otherwise=u.WorkOrderType.OTHER),
    "asset": R(Entity.ASSETS, "equipment_id"),
    "scheduled_start": kit.Stamp("schedule_date"),
    "estimated_hours": N("duration"),
}

READS: Final = {
    Entity.PURCHASE_ORDERS: kit.RecordMap(
        {
            **kit.each(T, number="name", currency="currency_id/name", buyer="user_id/name"),
            "status": _PO_STATUS,
            **_ORDER,
            **kit.each(N, subtotal="amount_untaxed", tax_total="amount_tax", total="amount_total"),
            "notes": kit.First((T("notes"), T("note"))),
            "lines": kit.Rows("lines", LINES),
        },
        derive=_order,
        custom_fields=kit.each(T, vendor_reference="partner_ref", company="company_id/name"),
    ),
    Entity.VENDORS: kit.RecordMap(
        {**_VENDOR, "status": _active(u.VendorStatus.ACTIVE, u.VendorStatus.INACTIVE)},
        derive=_address,
    ),
    Entity.INVENTORY_ITEMS: kit.RecordMap(
        {
            **kit.each(T, code="default_code", name="name", description="description"),
            "unit_of_measure": T("uom_id/name"),
            "unit_cost": N("standard_price"),
            "stock_levels": kit.Rows("stock", STOCK),
            "total_on_hand": kit.Sum("stock", "quantity"),
            "status": _active(u.InventoryItemStatus.ACTIVE, u.InventoryItemStatus.INACTIVE),
        },
    ),
    Entity.LOCATIONS: kit.RecordMap(
        {
            **kit.each(T, code="name", name="complete_name"),
            "type": kit.Code("usage", USAGE),
            "parent": R(Entity.LOCATIONS, "location_id"),
            "status": _active(u.LocationStatus.ACTIVE, u.LocationStatus.INACTIVE),
        },
    ),
    Entity.WORK_ORDERS: kit.RecordMap(
        {
            **_REQUEST,
            **kit.each(T, assignee="user_id/name", requester="owner_user_id/name"),
            "actual_end": kit.DayStart("close_date"),
            "parts_used": kit.Const(()),
        },
        custom_fields={"stage": T("stage_id/name")},
        derive=_stage,
    ),
    Entity.ASSETS: kit.RecordMap(
        {
            **kit.each(T, name="name", description="note", category="category_id/name"),
            "status": _active(u.AssetStatus.OPERATING, u.AssetStatus.DECOMMISSIONED),
            **kit.each(T, manufacturer="partner_id/name", model="model", serial_number="serial_no"),
            "install_date": D("effective_date"),
        },
        custom_fields={"location": T("location")},
    ),
}
#: The code tables the maps read with (states, priorities, request types, location usages).
STATUS_TABLES: Final = kit.code_tables(READS)

#: Write bodies; lines, status, addresses and stages are the session's.
WRITES: Final = kit.Mapper(
    "Odoo",
    ODOO_WIRE,
    {
        Entity.PURCHASE_ORDERS: kit.RecordMap({**_ORDER, "notes": T("notes")}),
        Entity.VENDORS: kit.RecordMap(_VENDOR),
        Entity.WORK_ORDERS: kit.RecordMap(_REQUEST),
    },
)

#: A purchase line written (`purchase.order.line`); a line without a product is refused.
LINE_WRITES: Final = {
    "item_remote_id": Put("product_id", "product.product", required=True),
    "quantity": Put("product_qty", convert=float),
    "description": Put("name"),
    "unit_price": Put("price_unit", convert=float),
    "required_date": Put("date_planned", convert=lambda day: f"{day} 12:00:00"),
}

#: Odoo records → unified records.
mapper: Final = kit.Mapper("Odoo", ODOO_WIRE, READS, created=kit.Stamp("create_date"))
