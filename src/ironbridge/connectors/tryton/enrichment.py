"""What one Tryton read cannot give, added to the rows before they become raw records.

- Inventory items: the stock of each product per warehouse, read under Tryton's stock context
  (`locations`, `with_childs`, and `stock_assign` for what assigned moves leave), and the
  company's currency, in which products are costed (see `maps.py` for how both are mapped).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ironbridge.connectors.protocols.jsonrpc import TRYTON
from ironbridge.connectors.protocols.jsonrpc_changes import ModelResource
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient
from ironbridge.connectors.protocols.jsonrpc_wire import TRYTON_WIRE
from ironbridge.connectors.tryton.maps import COMPANY_CURRENCY, WAREHOUSES
from ironbridge.connectors.tryton.resources import STOCK_FIELDS
from ironbridge.model import Entity

__all__ = ["Enrichment"]

Rows = list[dict[str, Any]]


class Enrichment:
    """Adds computed values to rows of one session; warehouses and currency are read once."""

    def __init__(self, client: ModelClient) -> None:
        self._client = client

    def __call__(self, resource: ModelResource, rows: Rows) -> None:
        """Add to `rows` (of `resource`, in place) what its entity needs beyond the read."""
        if rows and resource.entity is Entity.INVENTORY_ITEMS:
            self._add_stock(resource, rows)

    def _add_stock(self, resource: ModelResource, rows: Rows) -> None:
        ids = [int(row["id"]) for row in rows]
        levels: dict[int, Rows] = {record_id: [] for record_id in ids}
        for warehouse in self._warehouses:
            where = {**resource.context, "locations": [warehouse["id"]], "with_childs": True}
            on_hand = self._quantities(ids, where)
            # With `stock_assign`, moves assigned out of the warehouse count as gone: what is
            # left is what can still be used (trytond stock `Move.compute_quantities_query`).
            assignable = self._quantities(ids, {**where, "stock_assign": True})
            named = {key: warehouse.get(key) for key in ("id", "code", "name")}
            for record_id in ids:
                here = {name: on_hand.get(record_id, {}).get(name) for name in STOCK_FIELDS}
                free = assignable.get(record_id, {}).get("quantity")
                levels[record_id].append({**named, **here, "assignable_quantity": free})
        currency = self._company_currency
        for row in rows:
            row[WAREHOUSES] = levels[int(row["id"])]
            row[COMPANY_CURRENCY] = currency

    def _quantities(self, ids: list[int], context: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
        condition = TRYTON.condition("id", "in", ids)
        rows = self._client.search_read("product.product", condition, STOCK_FIELDS, extra=context)
        return {int(row["id"]): row for row in rows}

    @functools.cached_property
    def _warehouses(self) -> Rows:
        return self._client.search_read(
            "stock.location",
            TRYTON.condition("type", "=", "warehouse"),
            ["id", "code", "name"],
            order=(("id", "ASC"),),
        )

    @functools.cached_property
    def _company_currency(self) -> str | None:
        if (company := self._client.context().get("company")) is None:
            return None
        rows = self._client.read("company.company", [company], ["currency.code"])
        return TRYTON_WIRE.get(rows[0], "currency.code") if rows else None
