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
- Work orders (`production.work`): Tryton keeps no start or end time on a work, only its cycles
  (`production.work.cycle`): running one is a write, doing it another that also sets its
  `duration` (the time since it ran, unless typed in). So a done cycle ran from its change
  time minus its duration to its change time, and a running one from its change time.
  `actual_start` is the earliest of those starts, `actual_end` the latest end once every cycle
  is done (work state `finished` or `done`), and `actual_hours` the durations of the cycles
  not cancelled. A work is a step of manufacturing: `type` is always `other`, and
  `description` says what the production makes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.base import IdFactory, RawRecord, reference
from ironbridge.connectors.kit import (
    Derive,
    MapContext,
    Mapper,
    Number,
    RecordMap,
    Ref,
    Stamp,
    Text,
    read_fields,
)
from ironbridge.connectors.protocols.jsonrpc_wire import TRYTON_WIRE
from ironbridge.connectors.tryton.maps import CUSTOM_FIELDS, FIELD_MAP, LINE_FIELDS
from ironbridge.model import Entity, WorkOrderType

__all__ = [
    "COMPANY_CURRENCY",
    "MAPPER",
    "WAREHOUSES",
    "purchase_lines",
    "stock_levels",
    "to_unified",
    "work_times",
]

#: Raw-record key of the per-warehouse quantities the session adds to a product row.
WAREHOUSES: Final = "warehouses"
#: Raw-record key of the company currency code the session adds to a product row.
COMPANY_CURRENCY: Final = "company_currency"

_ORDER_LOCATION: Final = Ref(Entity.LOCATIONS, "warehouse")
_LEVEL_FIELDS: Final = {
    "on_hand": Number("quantity"),
    "forecast": Number("forecast_quantity"),
    "available": Number("assignable_quantity"),
}
#: Work states in which every cycle of the work is done (see `maps.WORK_STATUS`).
_WORK_ENDED: Final = frozenset({"finished", "done"})
_HOUR: Final = Decimal(3600)


def purchase_lines(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
    """The unified lines of a `purchase.purchase` row read with its `lines.*` fields."""
    location = _ORDER_LOCATION.read(row, ctx)
    lines: list[dict[str, Any]] = []
    for position, line in enumerate(ctx.wire.rows(row, "lines"), start=1):
        if line.get("type") != "line":
            continue
        unified = read_fields(LINE_FIELDS, line, ctx)
        unified["line_number"] = position
        if unified["quantity"] is None:
            raise errors.UpstreamError(f"Tryton line {line.get('id')} has no quantity.")
        if unified["quantity_received"] is None:
            unified["quantity_received"] = Decimal(0)
        unified["location"] = location
        lines.append(unified)
    return {"lines": lines}


def stock_levels(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
    """One unified stock level per warehouse that holds or expects stock of the product, their
    total, and the company currency the product is costed in."""
    levels: list[dict[str, Any]] = []
    for warehouse in row.get(WAREHOUSES) or ():
        quantities = read_fields(_LEVEL_FIELDS, warehouse, ctx)
        on_hand = quantities["on_hand"] or Decimal(0)
        available = quantities["available"]
        available = on_hand if available is None else available
        if not on_hand and not quantities["forecast"] and not available:
            continue  # "locations without stock may be omitted"
        levels.append(
            {
                "location": reference(ctx.ids, Entity.LOCATIONS, str(warehouse["id"])),
                "on_hand": on_hand,
                "available": available,
                "reserved": on_hand - available,
                "reorder_point": None,
            }
        )
    return {
        "stock_levels": levels,
        "total_on_hand": sum((level["on_hand"] for level in levels), Decimal(0)),
        "currency": row.get(COMPANY_CURRENCY),
    }


def work_times(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
    """`actual_start`, `actual_end` and `actual_hours` of a `production.work` row from its
    cycles (see the module docstring)."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    booked = timedelta()
    for cycle in ctx.wire.rows(row, "cycles"):
        state = cycle.get("state")
        changed = ctx.wire.decode(cycle.get("last_modified_at"))
        duration = ctx.wire.decode(cycle.get("duration"))
        if state == "cancelled" or not isinstance(changed, datetime):
            continue
        if isinstance(duration, timedelta):
            booked += duration
        if state == "running":
            starts.append(changed)
        elif state == "done":
            starts.append(changed - (duration if isinstance(duration, timedelta) else timedelta()))
            ends.append(changed)
    seconds = Decimal(str(booked.total_seconds()))
    return {
        "actual_start": min(starts, default=None),
        "actual_end": max(ends, default=None) if row.get("state") in _WORK_ENDED else None,
        "actual_hours": (seconds / _HOUR).quantize(Decimal("0.01")) if seconds else None,
    }


def work_description(row: Mapping[str, Any], ctx: MapContext) -> str | None:
    """What the work's production makes, e.g. `Production 4: 1 u [PMP-ASM-100] Pump`."""
    number = Text("production.number").read(row, ctx)
    product = Text("production.product.rec_name").read(row, ctx)
    if product is None:
        return None
    quantity = Number("production.quantity").read(row, ctx)
    unit = Text("production.unit.symbol").read(row, ctx)
    amount = " ".join(
        part
        for part in (None if quantity is None else format(quantity.normalize(), "f"), unit)
        if part is not None
    )
    made = f"{amount} {product}" if amount else product
    return f"Production {number}: {made}" if number else made


def _work(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
    described = {"type": WorkOrderType.OTHER, "description": work_description(row, ctx)}
    return {**described, **work_times(row, ctx)}


#: What each entity's table cannot say.
_DERIVE: Final[Mapping[Entity, Derive]] = {
    Entity.PURCHASE_ORDERS: purchase_lines,
    Entity.INVENTORY_ITEMS: stock_levels,
    Entity.WORK_ORDERS: _work,
}

#: The Tryton maps, bound to the Tryton wire.
MAPPER: Final = Mapper(
    "Tryton",
    TRYTON_WIRE,
    {
        entity: RecordMap(
            FIELD_MAP[entity],
            created=Stamp("create_date"),
            custom_fields=CUSTOM_FIELDS[entity],
            derive=_DERIVE.get(entity),
        )
        for entity in FIELD_MAP
    },
)


def to_unified(entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
    """The unified record of a Tryton raw record (without `remote_data`).

    Raises `errors.UpstreamError` naming the record when a value cannot be read or a code is
    missing from its status table.
    """
    return MAPPER.to_unified(entity, raw, ids)
