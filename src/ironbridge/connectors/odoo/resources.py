"""Which Odoo model each entity reads, with which fields, filter and dependents.

Every read asks for `write_date` (with `id` and `create_date`, `protocols.odoo`), which Odoo
prints to the second: the keyset pager reads by whole-second buckets. A purchase line or a
stock quant changes without touching its order's or product's row, so they are dependents
(`protocols.jsonrpc_changes`). Archived records are read too (`active_test: False`): they map
to inactive, not deleted. Fields are named as 18.0 names them; `protocols.odoo` asks 19.0 for
its new names (`note`, `product_uom_id`). `module` names the optional Odoo app that brings a
model: a database without it holds none of the entity's records.
"""

from __future__ import annotations

from typing import Any, Final

from ironbridge.connectors.kit import names
from ironbridge.connectors.protocols.jsonrpc_changes import Dependent, ModelResource, by_entity
from ironbridge.model import Entity

__all__ = ["LINE_FIELDS", "QUANT_FIELDS", "RESOURCES", "STAGE_FIELDS"]

#: Archived records are read too: they map to inactive, not deleted (models without an
#: `active` field, such as orders and requests, are not filtered by it).
_ALL: Final[dict[str, Any]] = {"active_test": False}
QUANT_FIELDS: Final = ("product_id", "location_id", "quantity", "reserved_quantity")
STAGE_FIELDS: Final = ("name", "sequence", "done")
_ORDERS: Final = (
    "name partner_id partner_ref state locked date_order date_planned currency_id company_id "
    "user_id amount_untaxed amount_tax amount_total receipt_status notes"
)
_VENDORS: Final = "name ref email phone website vat street street2 city zip country_code active"
_ITEMS: Final = "name default_code description uom_id standard_price active"
_REQUESTS: Final = (
    "name description stage_id priority maintenance_type equipment_id user_id owner_user_id "
    "request_date schedule_date close_date duration archive"
)
_EQUIPMENT: Final = (
    "name serial_no model partner_id category_id location effective_date note active"
)
_PLACES: Final = "name complete_name usage location_id warehouse_id active"
#: Locations are the warehouses (view locations) and the internal locations in them.
_STORED: Final = (("usage", "in", ["internal", "view"]), ("warehouse_id", "!=", False))
#: Vendors are the partners with a supplier rank.
_SUPPLIERS: Final = (("supplier_rank", ">", 0),)
_LINES: Final = Dependent("purchase.order.line", "order_id")
_QUANTS: Final = Dependent("stock.quant", "product_id")


def _read(
    entity: Entity, model: str, fields: str, *dependents: Dependent, **more: Any
) -> ModelResource:
    return ModelResource(entity, model, names(fields), context=_ALL, dependents=dependents, **more)


LINE_FIELDS: Final = names(
    "order_id sequence product_id name product_qty qty_received product_uom price_unit "
    "price_subtotal date_planned"
)


RESOURCES: Final = by_entity(
    _read(Entity.PURCHASE_ORDERS, "purchase.order", _ORDERS, _LINES, module="Purchase"),
    _read(Entity.VENDORS, "res.partner", f"{_VENDORS} company_id", domain=_SUPPLIERS),
    _read(Entity.INVENTORY_ITEMS, "product.product", _ITEMS, _QUANTS),
    _read(Entity.LOCATIONS, "stock.location", _PLACES, domain=_STORED, module="Inventory"),
    _read(Entity.WORK_ORDERS, "maintenance.request", _REQUESTS, module="Maintenance"),
    _read(Entity.ASSETS, "maintenance.equipment", _EQUIPMENT, module="Maintenance"),
)
