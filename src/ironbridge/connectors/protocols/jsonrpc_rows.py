"""Child rows of a JSON-RPC model system, read apart and put under their parents.

A model system keeps an order's lines, a product's stock per place, in models of their own that
point back at the parent (a one2many's inverse many2one: `order_id`, `product_id`). A session
reads them for a page of parents in one call and hangs them under each parent with `attach`;
`totals` folds child rows that stand for one thing in several parts (stock in several lots
and packages at one location) into one row with the amounts added up. Paths are read through
the family's wire, so a many2one sent as `[id, "name"]` counts as its id.

Some values are not stored at all but computed for a scope the context names (Tryton's product
`quantity` is the stock of the locations in the context's `locations`). `PerScope` declares
such a read: the records of a page read once per scope (each warehouse) and per `Reading` (on
hand; what is left once assigned moves count as gone), each record given one row per scope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ironbridge.connectors.kit import Wire
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient

__all__ = ["PerScope", "Reading", "attach", "totals"]

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


@dataclass(frozen=True, slots=True)
class Reading:
    """One read of a `PerScope`: `context` added to the scope's, and the values kept, by their
    name in the scope's row → the field read (`{"assignable_quantity": "quantity"}`)."""

    context: Mapping[str, Any] = field(hash=False)
    columns: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True, slots=True)
class PerScope:
    """Values of `model` computed for one scope at a time, read for a page of records.

    The scopes are the records of `scopes` matching the condition `where` (field, operator,
    value), in id order, with their `keep` fields (`scopes_of`; a session reads them once).
    `read` asks for the records' fields (those of every reading's `columns`) under the context
    `scope` makes of each scope, once per `readings` entry, scope after scope, and gives each
    record, per scope, a row of the scope's `keep` fields and each reading's `columns` (None
    where a read left the record out); `add` puts those rows under a key of each record's row.
    """

    model: str
    scopes: str
    where: tuple[str, str, Any]
    keep: tuple[str, ...]
    scope: Callable[[Mapping[str, Any]], Mapping[str, Any]]
    readings: tuple[Reading, ...]
    fields: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        asked = (source for each in self.readings for source in each.columns.values())
        object.__setattr__(self, "fields", tuple(dict.fromkeys(asked)))

    def scopes_of(self, client: ModelClient) -> list[dict[str, Any]]:
        """The scopes, each with its `keep` fields, in id order."""
        where = client.dialect.wire.condition(*self.where)
        return client.search_read(self.scopes, where, self.keep, order=(("id", "ASC"),))

    def read(
        self,
        client: ModelClient,
        ids: Sequence[int],
        scopes: Sequence[Mapping[str, Any]],
        context: Mapping[str, Any],
    ) -> dict[int, list[dict[str, Any]]]:
        """Per record id of `ids`, one row per scope of `scopes`, in their order; `context` is
        what every read is sent with besides the scope's."""
        found: dict[int, list[dict[str, Any]]] = {record: [] for record in ids}
        for scope in scopes:
            under = {**context, **self.scope(scope)}
            read = [self._values(client, ids, {**under, **each.context}) for each in self.readings]
            kept = {key: scope.get(key) for key in self.keep}
            for record in ids:
                row = dict(kept)
                for reading, values in zip(self.readings, read, strict=True):
                    got = values.get(record, {})
                    row.update({name: got.get(source) for name, source in reading.columns.items()})
                found[record].append(row)
        return found

    def add(
        self,
        client: ModelClient,
        rows: Sequence[dict[str, Any]],
        into: str,
        scopes: Sequence[Mapping[str, Any]],
        context: Mapping[str, Any],
    ) -> None:
        """Put under `into` of each of `rows` (records with their `id`) its rows per scope."""
        found = self.read(client, [int(row["id"]) for row in rows], scopes, context)
        for row in rows:
            row[into] = found[int(row["id"])]

    def _values(
        self, client: ModelClient, ids: Sequence[int], context: Mapping[str, Any]
    ) -> dict[int, dict[str, Any]]:
        where = client.dialect.wire.condition("id", "in", list(ids))
        rows = client.search_read(self.model, where, self.fields, extra=context)
        return {int(row["id"]): row for row in rows}
