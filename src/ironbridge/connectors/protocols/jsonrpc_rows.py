"""Child rows of a JSON-RPC model system, read apart and put under their parents.

A model system keeps an order's lines, a product's stock per place, in models of their own that
point back at the parent (a one2many's inverse many2one: `order_id`, `product_id`). A session
reads them for a page of parents in one call and hangs them under each parent with `attach`;
`totals` folds child rows that stand for one thing in several parts (stock in several lots
and packages at one location) into one row with the amounts added up. Paths are read through
the family's wire, so a many2one sent as `[id, "name"]` counts as its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ironbridge.connectors.kit import Wire

__all__ = ["attach", "totals"]

_NONE = Decimal(0)


def attach(
    rows: Iterable[dict[str, Any]],
    into: str,
    children: Iterable[Mapping[str, Any]],
    parent: str,
    wire: Wire,
) -> None:
    """Put under `into` of each row (in place) the `children` whose `parent` is the row's
    `id`, in the order given; a row without children gets an empty list."""
    found: dict[Any, list[Mapping[str, Any]]] = {}
    for child in children:
        found.setdefault(wire.get(child, parent), []).append(child)
    for row in rows:
        row[into] = found.get(row["id"], [])


def totals(
    rows: Iterable[Mapping[str, Any]],
    per: str,
    columns: Sequence[str],
    wire: Wire,
    *,
    less: Mapping[str, tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """One row per distinct value at `per`, in the order first seen: `per` as its first row
    sends it, each of `columns` added up over the rows that share it, and each column of
    `less` the first of its two sums less the second (what is on hand less what is reserved).

    The parts are added as decimals and the sum is a JSON number again (a float, as the
    source sends quantities): 0.1 + 0.2 is 0.3, not 0.30000000000000004, and 0.3 - 0.1 is 0.2.
    """
    found: dict[Any, dict[str, Any]] = {}
    for row in rows:
        total = found.setdefault(wire.get(row, per), {per: row[per]})
        for column in columns:
            total[column] = total.get(column, _NONE) + wire.to_decimal(row[column])
    for total in found.values():
        total.update((column, float(total[column])) for column in columns)
        for column, (whole, part) in (less or {}).items():
            total[column] = float(wire.to_decimal(total[whole]) - wire.to_decimal(total[part]))
    return list(found.values())
