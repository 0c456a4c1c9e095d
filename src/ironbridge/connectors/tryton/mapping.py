"""Tryton raw record → unified record: the tables of `maps.py`, plus what a table cannot say.

- Purchase order lines: only Tryton lines of type `line` are ordered goods (`comment`, `title`
  and `subtotal` lines have no product or quantity and stay in `remote_data`); a line's number
  is its position among all lines, as the Tryton client shows them; its delivery location is
  the order's warehouse, since Tryton delivers a whole purchase to one warehouse.
- Inventory items: stock levels come from the per-warehouse quantities the session reads under
  Tryton's stock context and keeps in the raw record under `warehouses`
  (`{"id", "code", "name", "quantity", "forecast_quantity", "assignable_quantity"}`);
  `assignable_quantity` is the quantity with assigned outgoing moves counted as done, i.e.
  what is left to use. The cost is in the company's currency, kept under `company_currency`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.base import IdFactory, RawRecord
from ironbridge.connectors.tryton.maps import (
    LINE_FIELDS,
    MAPS,
    Number,
    Ref,
    Stamp,
    read_fields,
)
from ironbridge.model import Entity

__all__ = ["COMPANY_CURRENCY", "WAREHOUSES", "purchase_lines", "stock_levels", "to_unified"]

#: Raw-record key of the per-warehouse quantities the session adds to a product row.
WAREHOUSES: Final = "warehouses"
#: Raw-record key of the company currency code the session adds to a product row.
COMPANY_CURRENCY: Final = "company_currency"

_ORDER_LOCATION: Final = Ref(Entity.LOCATIONS, "warehouse", "warehouse.name")


def purchase_lines(row: Mapping[str, Any], ids: IdFactory) -> list[dict[str, Any]]:
    """The unified lines of a `purchase.purchase` row read with its `lines.*` fields."""
    location = _ORDER_LOCATION.read(row, ids)
    lines: list[dict[str, Any]] = []
    for position, line in enumerate(row.get("lines.") or (), start=1):
        if line.get("type") != "line":
            continue
        unified = read_fields(LINE_FIELDS, line, ids)
        unified["line_number"] = position
        if unified["quantity"] is None:
            raise errors.UpstreamError(f"Tryton line {line.get('id')} has no quantity.")
        if unified["quantity_received"] is None:
            unified["quantity_received"] = Decimal(0)
        unified["location"] = location
        lines.append(unified)
    return lines


def stock_levels(row: Mapping[str, Any], ids: IdFactory) -> list[dict[str, Any]]:
    """One unified stock level per warehouse that holds or expects stock of the product."""
    levels: list[dict[str, Any]] = []
    for warehouse in row.get(WAREHOUSES) or ():
        quantities = read_fields(
            {
                "on_hand": Number("quantity"),
                "forecast": Number("forecast_quantity"),
                "available": Number("assignable_quantity"),
            },
            warehouse,
            ids,
        )
        on_hand = quantities["on_hand"] or Decimal(0)
        available = quantities["available"]
        available = on_hand if available is None else available
        if not on_hand and not quantities["forecast"] and not available:
            continue  # "locations without stock may be omitted"
        remote_id = str(warehouse["id"])
        levels.append(
            {
                "location": {
                    "id": ids(Entity.LOCATIONS, remote_id),
                    "remote_id": remote_id,
                    "name": warehouse.get("name"),
                },
                "on_hand": on_hand,
                "available": available,
                "reserved": on_hand - available,
                "reorder_point": None,
            }
        )
    return levels


def to_unified(entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
    """The unified record of a Tryton raw record (without `remote_data`).

    Raises `errors.UpstreamError` naming the record when a value cannot be read or a code is
    missing from its status table.
    """
    record_map = MAPS[entity]
    row = raw.data
    try:
        unified: dict[str, Any] = {
            "id": ids(entity, raw.remote_id),
            "remote_id": raw.remote_id,
            "created_at": read_fields({"created_at": Stamp("create_date")}, row, ids)["created_at"],
            "updated_at": raw.modified_at,
            "deleted": False,
        }
        unified.update(read_fields(record_map.fields, row, ids))
        custom = read_fields(record_map.custom_fields, row, ids)
        if entity is Entity.PURCHASE_ORDERS:
            unified["lines"] = purchase_lines(row, ids)
        elif entity is Entity.INVENTORY_ITEMS:
            levels = stock_levels(row, ids)
            unified["stock_levels"] = levels
            unified["total_on_hand"] = sum((level["on_hand"] for level in levels), Decimal(0))
            unified["currency"] = row.get(COMPANY_CURRENCY)
    except errors.UpstreamError as exc:
        raise errors.UpstreamError(f"Tryton {entity.label} {raw.remote_id}: {exc.message}") from exc
    unified["custom_fields"] = {name: value for name, value in custom.items() if value is not None}
    return unified
