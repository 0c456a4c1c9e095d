"""Which Odoo model each entity reads, with which fields, filter and dependents.

Every read asks for `write_date` (with `id` and `create_date`, `protocols.odoo`), which Odoo
prints to the second: the keyset pager reads by whole-second buckets. A purchase line or a
stock quant changes without touching its order's or product's row, so they are dependents
(`protocols.jsonrpc_changes`). Archived records are read too (`active_test: False`): they map
to inactive, not deleted. Fields are named as 18.0 names them; `protocols.odoo` asks 19.0 for
its new names (`note`, `product_uom_id`).
"""

from __future__ import annotations

from typing import Any, Final

from ironbridge.connectors.protocols.jsonrpc_changes import Dependent, ModelResource
from ironbridge.model import Entity

__all__ = ["LINE_FIELDS", "QUANT_FIELDS", "RESOURCES", "STAGE_FIELDS"]

_ALL: Final[dict[str, Any]] = {"active_test": False}
QUANT_FIELDS: Final = ("product_id", "location_id", "quantity", "reserved_quantity")
STAGE_FIELDS: Final = ("name", "sequence", "done")
LINE_FIELDS: Final = ("order_id", "sequence", "product_id", "name", "product_qty", "qty_received",
                      "product_uom", "price_unit", "price_subtotal", "date_planned")  # fmt: skip

RESOURCES: Final = {
    Entity.PURCHASE_ORDERS: ModelResource(Entity.PURCHASE_ORDERS, "purchase.order", (
        "name", "partner_id", "partner_ref", "state", "locked", "date_order", "date_planned",
        "currency_id", "company_id", "user_id", "amount_untaxed", "amount_tax", "amount_total",
        "receipt_status", "notes"), dependents=(Dependent("purchase.order.line", "order_id"),)),
    Entity.VENDORS: ModelResource(Entity.VENDORS, "res.partner", (
        "name", "ref", "email", "phone", "website", "vat", "street", "street2", "city", "zip",
        "country_code", "active", "company_id"), (("supplier_rank", ">", 0),), _ALL),
    Entity.INVENTORY_ITEMS: ModelResource(Entity.INVENTORY_ITEMS, "product.product", (
        "name", "default_code", "description", "uom_id", "standard_price", "active"),
        context=_ALL, dependents=(Dependent("stock.quant", "product_id"),)),
    Entity.LOCATIONS: ModelResource(Entity.LOCATIONS, "stock.location", (
        "name", "complete_name", "usage", "location_id", "warehouse_id", "active"),
        (("usage", "in", ["internal", "view"]), ("warehouse_id", "!=", False)), _ALL),
    Entity.WORK_ORDERS: ModelResource(Entity.WORK_ORDERS, "maintenance.request", (
        "name", "description", "stage_id", "priority", "maintenance_type", "equipment_id",
        "user_id", "owner_user_id", "request_date", "schedule_date", "close_date", "duration",
        "archive")),
    Entity.ASSETS: ModelResource(Entity.ASSETS, "maintenance.equipment", (
        "name", "serial_no", "model", "partner_id", "category_id", "location", "effective_date",
        "note", "active"), context=_ALL),
}  # fmt: skip
