"""Builders of `RecordMap.derive` for what many maps compute from the whole row.

- `gathered`: fields of the row itself read as one nested object, such as an address kept as
  the record's own columns.

(A number summed over nested rows is a field of its own, `Sum`.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ironbridge.connectors.kit.fields import Field, MapContext, read_fields
from ironbridge.connectors.kit.maps import Derive

__all__ = ["gathered"]


def gathered(name: str, fields: Mapping[str, Field]) -> Derive:
    """`name`: an object of `fields`, each read from the row itself."""

    def derive(row: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
        return {name: read_fields(fields, row, ctx)}

    return derive
