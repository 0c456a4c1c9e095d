"""The models the emulator serves and their fields, as Odoo 18.0 and 19.0 define them.

Each field is `kind` (`char`, `text`, `integer`, `float`, `boolean`, `date`, `datetime`,
`selection`, `many2one`, `one2many`), its comodel for relations, the inverse field of a
one2many, and the versions that have it: 19.0 renamed `notes` → `note` on purchase orders and
`product_uom` → `product_uom_id` on their lines, and locks orders with a boolean `locked`
where 18.0 has the state `done`. Computed fields (`compute`) are filled on read and cannot be
searched or written, as in Odoo where they are not stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

__all__ = ["MODELS", "OdooField", "fields_of"]


@dataclass(frozen=True, slots=True)
class OdooField:
    """One field of a model."""

    kind: str
    relation: str | None = None
    inverse: str | None = None
    versions: frozenset[int] = frozenset({17, 18, 19})
    compute: bool = False
    readonly: bool = False
    string: str = ""


def _f(kind: str, relation: str | None = None, **options: object) -> OdooField:
    return OdooField(kind, relation, **options)  # type: ignore[arg-type]


_COMMON: Final = {
    "id": _f("integer", readonly=True),
    "display_name": _f("char", compute=True),
    "create_date": _f("datetime", readonly=True),
    "write_date": _f("datetime", readonly=True),
}
_OLD: Final = frozenset({17, 18})
_NEW: Final = frozenset({19})

#: Model → field → definition (the magic fields `id`, `create_date`, `write_date` included).
MODELS: Final[Mapping[str, Mapping[str, OdooField]]] = {
    "ir.model": {"model": _f("char"), "name": _f("char")},
    "res.company": {"name": _f("char"), "currency_id": _f("many2one", "res.currency")},
    "res.currency": {"name": _f("char"), "active": _f("boolean")},
    "res.country": {"name": _f("char"), "code": _f("char")},
    "res.users": {
        "name": _f("char"),
        "login": _f("char"),
        "company_id": _f("many2one", "res.company"),
        "active": _f("boolean"),
    },
    "res.partner": {
        "name": _f("char"),
        "ref": _f("char"),
        "email": _f("char"),
        "phone": _f("char"),
        "website": _f("char"),
        "vat": _f("char"),
        "street": _f("char"),
        "street2": _f("char"),
        "city": _f("char"),
        "zip": _f("char"),
        "country_id": _f("many2one", "res.country"),
        "country_code": _f("char", compute=True),
        "is_company": _f("boolean"),
        "supplier_rank": _f("integer"),
        "active": _f("boolean"),
        "company_id": _f("many2one", "res.company"),
        "property_purchase_currency_id": _f("many2one", "res.currency"),
    },
    "uom.uom": {"name": _f("char")},
    "product.product": {
        "name": _f("char"),
        "default_code": _f("char"),
        "description": _f("text"),
        "uom_id": _f("many2one", "uom.uom"),
        "standard_price": _f("float"),
        "active": _f("boolean"),
        "is_storable": _f("boolean"),
        "company_id": _f("many2one", "res.company"),
        "qty_available": _f("float", compute=True),
    },
    "stock.warehouse": {
        "name": _f("char"),
        "code": _f("char"),
        "lot_stock_id": _f("many2one", "stock.location"),
        "view_location_id": _f("many2one", "stock.location"),
        "company_id": _f("many2one", "res.company"),
        "active": _f("boolean"),
    },
    "stock.location": {
        "name": _f("char"),
        "complete_name": _f("char", compute=True),
        "usage": _f("selection"),
        "location_id": _f("many2one", "stock.location"),
        "warehouse_id": _f("many2one", "stock.warehouse"),
        "company_id": _f("many2one", "res.company"),
        "active": _f("boolean"),
    },
    "stock.quant": {
        "product_id": _f("many2one", "product.product"),
        "location_id": _f("many2one", "stock.location"),
        "company_id": _f("many2one", "res.company"),
        "quantity": _f("float", readonly=True),
        "reserved_quantity": _f("float", readonly=True),
        "inventory_quantity": _f("float"),
        "inventory_quantity_set": _f("boolean"),
        "inventory_diff_quantity": _f("float", compute=True),
    },
    "purchase.order": {
        "name": _f("char"),
        "partner_id": _f("many2one", "res.partner"),
        "partner_ref": _f("char"),
        "state": _f("selection", readonly=True),
        "locked": _f("boolean", readonly=True, versions=_NEW),
        "date_order": _f("datetime"),
        "date_planned": _f("datetime"),
        "currency_id": _f("many2one", "res.currency"),
        "company_id": _f("many2one", "res.company"),
        "user_id": _f("many2one", "res.users"),
        "notes": _f("text", versions=_OLD),
        "note": _f("text", versions=_NEW),
        "order_line": _f("one2many", "purchase.order.line", inverse="order_id"),
        "receipt_status": _f("selection", compute=True),
        "amount_untaxed": _f("float", compute=True),
        "amount_tax": _f("float", compute=True),
        "amount_total": _f("float", compute=True),
    },
    "purchase.order.line": {
        "order_id": _f("many2one", "purchase.order"),
        "sequence": _f("integer"),
        "name": _f("text"),
        "product_id": _f("many2one", "product.product"),
        "product_qty": _f("float"),
        "qty_received": _f("float"),
        "product_uom": _f("many2one", "uom.uom", versions=_OLD),
        "product_uom_id": _f("many2one", "uom.uom", versions=_NEW),
        "price_unit": _f("float"),
        "price_subtotal": _f("float", compute=True),
        "date_planned": _f("datetime"),
        "company_id": _f("many2one", "res.company"),
    },
    "maintenance.stage": {
        "name": _f("char"),
        "sequence": _f("integer"),
        "done": _f("boolean"),
        "fold": _f("boolean"),
    },
    "maintenance.equipment.category": {"name": _f("char")},
    "maintenance.equipment": {
        "name": _f("char"),
        "serial_no": _f("char"),
        "model": _f("char"),
        "partner_id": _f("many2one", "res.partner"),
        "category_id": _f("many2one", "maintenance.equipment.category"),
        "location": _f("char"),
        "effective_date": _f("date"),
        "note": _f("text"),
        "active": _f("boolean"),
        "company_id": _f("many2one", "res.company"),
    },
    "maintenance.request": {
        "name": _f("char"),
        "description": _f("text"),
        "stage_id": _f("many2one", "maintenance.stage"),
        "priority": _f("selection"),
        "maintenance_type": _f("selection"),
        "equipment_id": _f("many2one", "maintenance.equipment"),
        "user_id": _f("many2one", "res.users"),
        "owner_user_id": _f("many2one", "res.users"),
        "request_date": _f("date"),
        "schedule_date": _f("datetime"),
        "close_date": _f("date"),
        "duration": _f("float"),
        "archive": _f("boolean"),
        "company_id": _f("many2one", "res.company"),
    },
}


def fields_of(model: str, version: int) -> dict[str, OdooField]:
    """The fields `model` has in `version`, magic fields first."""
    own = {name: spec for name, spec in MODELS[model].items() if version in spec.versions}
    return {**_COMMON, **own}
