"""Nested rows numbered by their place among all rows, of which only some are read.

Some sources keep order lines of several kinds in one list (goods, comments, titles, subtotals)
and show each line's number as its place in that list. `Numbered` reads the lines of one kind
with that number, so a comment between two goods lines still takes its number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ironbridge.connectors.kit.fields import Field, MapContext, read_fields

__all__ = ["Numbered"]


@dataclass(frozen=True, slots=True)
class Numbered(Field):
    """The nested rows at `path` whose values equal `only`'s, each read by `fields` with its
    place (from 1) among all the rows at `path` under `number`."""

    path: str
    fields: Mapping[str, Field] = field(hash=False)
    only: Mapping[str, Any] = field(default_factory=dict, hash=False)
    number: str = "line_number"

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        return [
            {**read_fields(self.fields, item, ctx), self.number: place}
            for place, item in enumerate(ctx.wire.rows(row, self.path), start=1)
            if all(item.get(name) == value for name, value in self.only.items())
        ]
