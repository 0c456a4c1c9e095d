"""Which Odoo model each entity reads, with which fields, filter and dependents, per version.

Every read asks for `write_date` (with `id` and `create_date`, `protocols.odoo`), which Odoo
prints to the second: the keyset pager reads by whole-second buckets. A purchase line or a
stock quant changes without touching its order's or product's row, so they are dependents
(`protocols.jsonrpc_changes`). Archived records are read too (`active_test: False`): they map
to inactive, not deleted. 19.0 renamed `notes` → `note` and `product_uom` → `product_uom_id`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ironbridge.connectors.protocols.jsonrpc_changes import Dependent, ModelResource
from ironbridge.model import Entity

__all__ = ["QUANT_FIELDS", "STAGE_FIELDS", "line_fields", "note_field", "resources", "uom_field"]

_ALL: Final[Mapping[str, Any]] = {"active_test": False}
QUANT_FIELDS: Final = ("product_id", "location_id", "quantity", "reserved_quantity")
STAGE_FIELDS: Final = ("name", "sequence", "done")


def note_field(version: int) -> str:
    """The purchase order's note: `notes` until 18.0, `note` from 19.0."""
    return "note" if version >= 19 else "notes"


def uom_field(version: int) -> str:
    """A purchase line's unit: `product_uom` until 18.0, `product_uom_id` from 19.0."""
    return "product_uom_id" if version >= 19 else "product_uom"


def line_fields(version: int) -> tuple[str, ...]:
    """The purchase line fields read with each order."""
    return (
        "order_id",
        "sequence",
        "product_id",
        "name",
        "product_qty",
        "qty_received",
        uom_field(version),
        "price_unit",
        "price_subtotal",
        "date_planned",
        "write_date",
    )


def resources(version: int) -> dict[Entity, ModelResource]:
    """The entity resources of an Odoo `version`."""
    return {
        Entity.PURCHASE_ORDERS: ModelResource(
            Entity.PURCHASE_ORDERS,
            "purchase.order",
            (
                "name",
                "partner_id",
                "partner_ref",
                "state",
                "date_order",
                "date_planned",
                "currency_id",
                "company_id",
                "user_id",
                "amount_untaxed",
                "amount_tax",
                "amount_total",
                "receipt_status",
                note_field(version),
                *(("locked",) if version >= 19 else ()),
            ),
            dependents=(Dependent("purchase.order.line", "order_id"),),
        ),
        Entity.VENDORS: ModelResource(
            Entity.VENDORS,
            "res.partner",
            (
                "name",
                "ref",
                "email",
                "phone",
                "website",
                "vat",
                "street",
                "street2",
                "city",
                "zip",
                "country_code",
                "active",
                "company_id",
            ),
            domain=(("supplier_rank", ">", 0),),
            context=_ALL,
        ),
        Entity.INVENTORY_ITEMS: ModelResource(
            Entity.INVENTORY_ITEMS,
            "product.product",
            ("name", "default_code", "description", "uom_id", "standard_price", "active"),
            context=_ALL,
            dependents=(Dependent("stock.quant", "product_id"),),
        ),
        Entity.LOCATIONS: ModelResource(
            Entity.LOCATIONS,
            "stock.location",
            ("name", "complete_name", "usage", "location_id", "warehouse_id", "active"),
            domain=(("usage", "in", ["internal", "view"]), ("warehouse_id", "!=", False)),
            context=_ALL,
        ),
        Entity.WORK_ORDERS: ModelResource(
            Entity.WORK_ORDERS,
            "maintenance.request",
            (
                "name",
                "description",
                "stage_id",
                "priority",
                "maintenance_type",
                "equipment_id",
                "user_id",
                "owner_user_id",
                "request_date",
                "schedule_date",
                "close_date",
                "duration",
                "archive",
            ),
        ),
        Entity.ASSETS: ModelResource(
            Entity.ASSETS,
            "maintenance.equipment",
            (
                "name",
                "serial_no",
                "model",
                "partner_id",
                "category_id",
                "location",
                "effective_date",
                "note",
                "active",
            ),
            context=_ALL,
        ),
    }
