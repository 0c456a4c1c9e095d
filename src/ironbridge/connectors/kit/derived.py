"""Builders of `RecordMap.derive` for what many maps compute from the whole row.

- `gathered`: fields of the row itself read as one nested object, such as an address kept as
  the record's own columns.
- `priced_lines`: order lines whose source gives a quantity and a unit price but no line
  total, with the order's subtotal and required date taken from them.
- `stock_levels`: an item's stock rows summed per place, split into what may be used freely
  and what may not.
- `booked_time`: a work's actual start, end and hours from the time entries booked on it.
- `place_levels`: an item's stock read once per place (quantities a source computes for the
  place asked for), each with what is on hand and what of it may be used.

(A number summed over nested rows is a field of its own, `Sum`.)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from ironbridge.connectors.base import reference
from ironbridge.connectors.kit.fields import Field, FieldPlan, MapContext, read_fields
from ironbridge.connectors.kit.maps import Derive
from ironbridge.model import Entity

__all__ = ["booked_time", "gathered", "place_levels", "priced_lines", "stock_levels"]

_CENT: Final = Decimal("0.01")
_HOUR: Final = Decimal(3600)


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
            _level(ctx, where, level["on_hand"], level["available"])
            for where, level in sorted(levels.items())
        ]
        on_hand = sum((level["on_hand"] for level in levels.values()), Decimal(0))
        return {"stock_levels": stock_levels, "total_on_hand": on_hand}

    return derive


def _level(ctx: MapContext, place: str, on_hand: Decimal, available: Decimal) -> dict[str, Any]:
    """A unified stock level at the location `place`, the rest of what is on hand reserved."""
    return {
        "location": reference(ctx.ids, Entity.LOCATIONS, place),
        "on_hand": on_hand,
        "available": available,
        "reserved": on_hand - available,
        "reorder_point": None,
    }


def place_levels(
    path: str, place: Field, on_hand: Field, available: Field, *, expected: Field | None = None
) -> Derive:
    """`stock_levels` and `total_on_hand` of an item whose stock is one row per place under the
    key `path` (rows a session adds to the record, read as they are, whatever the wire): each
    row's `on_hand` (empty: none) at the location whose remote id `place` reads, of which
    `available` may be used (empty: all of it) and the rest is reserved. A place that holds,
    offers and expects (`expected`, such as a forecast) nothing is left out ("locations without
    stock may be omitted"). Levels come in the order of the rows; no reorder point is known."""
    fields = {"place": place, "on_hand": on_hand, "available": available}
    # Made ready once: every item mapped reads every one of its places.
    plan = FieldPlan.of(fields | ({} if expected is None else {"expected": expected}))

    def derive(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
        levels: list[dict[str, Any]] = []
        for stock in row.get(path) or ():
            read = read_fields(plan, stock, ctx)
            held = read["on_hand"] or Decimal(0)
            free = held if read["available"] is None else read["available"]
            if not held and not read.get("expected") and not free:
                continue
            levels.append(_level(ctx, str(read["place"]), held, free))
        on_hand = sum((level["on_hand"] for level in levels), Decimal(0))
        return {"stock_levels": levels, "total_on_hand": on_hand}

    return derive


def booked_time(
    path: str,
    *,
    stamp: str,
    duration: str,
    state: str = "state",
    running: str = "running",
    done: str = "done",
    skipped: str = "cancelled",
    ended: Mapping[str, frozenset[str]] | None = None,
) -> Derive:
    """`actual_start`, `actual_end` and `actual_hours` of a work from the time entries at `path`
    (cycles, labour lines) that keep no start, only when they last changed (`stamp`) and how
    long they took (`duration`, a time span): a `done` entry ran from its stamp less its
    duration to its stamp, a `running` one from its stamp on; entries in state `skipped`, or
    without a stamp, do not count. The start is the earliest, the end the latest done entry's
    once the work itself is in one of the states `ended` gives for one of its fields (always,
    without `ended`), and the hours the durations booked, to the hundredth (None without)."""

    def derive(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
        starts: list[datetime] = []
        ends: list[datetime] = []
        booked = timedelta()
        for entry in ctx.wire.rows(row, path):
            kind, changed = entry.get(state), ctx.wire.decode(entry.get(stamp))
            spent = ctx.wire.decode(entry.get(duration))
            if kind == skipped or not isinstance(changed, datetime):
                continue
            took = spent if isinstance(spent, timedelta) else timedelta()
            booked += took
            if kind in (running, done):
                starts.append(changed if kind == running else changed - took)
            if kind == done:
                ends.append(changed)
        finished = all(row.get(name) in states for name, states in (ended or {}).items())
        seconds = Decimal(str(booked.total_seconds()))
        return {
            "actual_start": min(starts, default=None),
            "actual_end": max(ends, default=None) if finished else None,
            "actual_hours": (seconds / _HOUR).quantize(_CENT) if seconds else None,
        }

    return derive
