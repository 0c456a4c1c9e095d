"""Builders of `RecordMap.derive` for what many maps compute from the whole row.

- `gathered`: fields of the row itself read as one nested object, such as an address kept as
  the record's own columns.
- `priced_lines`: order lines whose source gives a quantity and a unit price but no line
  total, with the order's subtotal and required date taken from them.
- `stock_levels`: an item's stock rows summed per place, split into what may be used freely
  and what may not.

(A number summed over nested rows is a field of its own, `Sum`.)
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from ironbridge.connectors.base import reference
from ironbridge.connectors.kit.fields import Field, MapContext, read_fields
from ironbridge.connectors.kit.maps import Derive
from ironbridge.model import Entity

__all__ = ["gathered", "priced_lines", "stock_levels"]

_CENT: Final = Decimal("0.01")


def gathered(name: str, fields: Mapping[str, Field]) -> Derive:
    """`name`: an object of `fields`, each read from the row itself."""

    def derive(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
        return {name: read_fields(fields, row, ctx)}

    return derive


def priced_lines(lines: Field) -> Derive:
    """`lines` (read by `lines`, each with `quantity`, `unit_price` and `required_date`), each
    with its `line_total`: quantity times unit price rounded half up to the cent, None without a
    price. The order's `subtotal` is the sum of the line totals when every line has one (and
    there is a line), else None; its `required_date` is the earliest line's."""

    def derive(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
        read: list[dict[str, Any]] = lines.read(row, ctx)
        for line in read:
            price = line["unit_price"]
            total = None if price is None else line["quantity"] * price
            line["line_total"] = None if total is None else total.quantize(_CENT, ROUND_HALF_UP)
        totals = [line["line_total"] for line in read if line["line_total"] is not None]
        dates = [line["required_date"] for line in read if line["required_date"] is not None]
        return {
            "lines": read,
            "subtotal": sum(totals, Decimal(0)) if len(totals) == len(read) and read else None,
            "required_date": min(dates) if dates else None,
        }

    return derive


def stock_levels(path: str, place: Field, quantity: Field, free: Field) -> Derive:
    """`stock_levels` and `total_on_hand` of an item whose stock rows are at `path`: each
    row's `quantity` (empty: none) counts towards the location whose remote id `place` reads,
    as available when `free` reads true, else as reserved (stock on hand that may not be used,
    such as stock in quality inspection or blocked). Levels come in the order of their places;
    no reorder point is known."""

    def derive(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
        levels: dict[str, dict[str, Decimal]] = {}
        for stock in ctx.wire.rows(row, path):
            where = str(place.read(stock, ctx) or "")
            amount = quantity.read(stock, ctx) or Decimal(0)
            level = levels.setdefault(where, {"on_hand": Decimal(0), "available": Decimal(0)})
            level["on_hand"] += amount
            if free.read(stock, ctx):
                level["available"] += amount
        stock_levels = [
            {
                "location": reference(ctx.ids, Entity.LOCATIONS, where),
                "on_hand": level["on_hand"],
                "available": level["available"],
                "reserved": level["on_hand"] - level["available"],
                "reorder_point": None,
            }
            for where, level in sorted(levels.items())
        ]
        on_hand = sum((level["on_hand"] for level in levels.values()), Decimal(0))
        return {"stock_levels": stock_levels, "total_on_hand": on_hand}

    return derive
