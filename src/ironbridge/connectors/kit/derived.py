"""Builders of `RecordMap.derive` for what many maps compute from the whole row.

- `total`: a number summed over nested rows, such as the stock on hand over every location.
- `gathered`: fields of the row itself read as one nested object, such as an address kept as
  the record's own columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ironbridge.connectors.kit.fields import Field, MapContext, read_fields
from ironbridge.connectors.kit.maps import Derive

__all__ = ["gathered", "total"]


def total(name: str, rows: str, number: str) -> Derive:
    """`name`: the sum of `number` over the nested rows at `rows` (0 without any; a row
    without the number adds nothing)."""

    def derive(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
        values = (ctx.wire.get(item, number) for item in ctx.wire.rows(row, rows))
        numbers = (ctx.wire.to_decimal(value) for value in values if not ctx.wire.is_empty(value))
        return {name: sum(numbers, Decimal(0))}

    return derive


def gathered(name: str, fields: Mapping[str, Field]) -> Derive:
    """`name`: an object of `fields`, each read from the row itself."""

    def derive(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
        return {name: read_fields(fields, row, ctx)}

    return derive
