"""The Tryton connector: a session over Tryton's JSON-RPC, filled in from the modules beside it.

A session speaks Tryton's models through `protocols.jsonrpc_models.ModelClient`, which signs in
with `common.db.login` on first use, asks for the user's preferences once to learn its company,
and always sends `language: "en"` in the context, so Tryton's error messages match the rules
that classify them. It logs out when closed. What it reads is in `resources.py`, how in
`protocols.jsonrpc_changes`; this module adds what one Tryton read cannot give: the stock of
each product per warehouse, read under Tryton's stock context (`locations`, `with_childs`, and
`stock_assign` for what assigned moves leave; `resources.STOCK`), and the company's currency,
in which products are costed (see `maps.py` for how both are mapped). `spec.py` holds what the
connection check tells, `writes.py` and `adjustments.py` the writes; the check asks for the
access rights the writes of the spec need on the writers' models and on `stock.inventory`.
What every model system's session does the same way is
`protocols.jsonrpc_model_session.ModelSession`.

Passthrough: `POST /<method>` where `<method>` is a Tryton RPC method name
(`/model.purchase.purchase.search_read`, `/model.res.user.get_preferences`, `/wizard.…`,
`/report.…`) and the body is the JSON array of its parameters exactly as Tryton takes them
(typed values as `{"__class__": ...}` objects, the context as the last parameter). The answer is
Tryton's JSON-RPC object as it came: `{"id": ..., "result": ...}` or `{"id": ..., "error": ...}`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ironbridge import errors
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.protocols.jsonrpc_changes import ModelResource
from ironbridge.connectors.protocols.jsonrpc_model_session import ModelConnector, ModelSession
from ironbridge.connectors.protocols.jsonrpc_models import TRYTON_MODELS, ModelClient
from ironbridge.connectors.protocols.jsonrpc_wire import TRYTON_WIRE
from ironbridge.connectors.tryton import adjustments
from ironbridge.connectors.tryton.maps import COMPANY_CURRENCY, MAPPER, STATUS_TABLES, WAREHOUSES
from ironbridge.connectors.tryton.resources import RESOURCES, STOCK
from ironbridge.connectors.tryton.spec import HINTS, SIGN_IN, SPEC
from ironbridge.connectors.tryton.writes import PurchaseWriter, VendorWriter
from ironbridge.model import Entity, InventoryAdjustment

__all__ = ["Tryton", "TrytonSession"]


class TrytonSession(ModelSession):
    """One signed-in conversation with one Tryton database."""

    writer_types = {Entity.PURCHASE_ORDERS: PurchaseWriter, Entity.VENDORS: VendorWriter}
    # An adjustment is a stock inventory created and confirmed (see `adjustments.py`).
    adjusts = "stock.inventory"

    def __init__(self, credentials: Mapping[str, str], options: SessionOptions | None = None):
        """Signs in with validated `credentials` through `spec.SIGN_IN`: `session_login` over
        Tryton's `common.db.login`."""
        opts = options or SessionOptions()
        sign_in = SIGN_IN.signing_in(credentials, opts, "Tryton")
        client = ModelClient.from_form(credentials, TRYTON_MODELS, opts, sign_in=sign_in)
        super().__init__(SPEC, client, opts, resources=RESOURCES, hints=HINTS, enrich=self._add)

    def _add(self, resource: ModelResource, rows: list[dict[str, Any]]) -> None:
        """A product's stock per warehouse and the company currency, added to its row."""
        if rows and resource.entity is Entity.INVENTORY_ITEMS:
            STOCK.add(self.client, rows, WAREHOUSES, self._warehouses, resource.context)
            for row in rows:
                row[COMPANY_CURRENCY] = self._company_currency

    @functools.cached_property
    def _warehouses(self) -> list[dict[str, Any]]:
        return STOCK.scopes_of(self.client)

    @functools.cached_property
    def _company_currency(self) -> Any:
        company = self.client.company("company.company", ["currency.code"])
        return TRYTON_WIRE.get(company, "currency.code")

    def adjust_stock(self, remote_id: str, adjustment: InventoryAdjustment) -> None:
        """Correct a product's stock with a confirmed Tryton inventory (see `adjustments.py`).

        The location may be a warehouse (its storage zone is counted) or a storage location;
        quantities are in the product's unit.
        """
        product = self.row(Entity.INVENTORY_ITEMS, remote_id, ["type"])
        if product["type"] != "goods":
            # Tryton's inventories drop lines of other products without a word.
            message = "Tryton counts stock of goods only; this product is not goods."
            raise errors.ValidationFailed({"item_id": message})
        location = adjustments.counted_location(self.client, adjustment.location_remote_id)
        adjustments.adjust_stock(self.client, int(product["id"]), location, adjustment)


class Tryton(ModelConnector[TrytonSession]):
    """Tryton over JSON-RPC: purchase orders, production works as work orders, parties as
    vendors, products with stock (adjustable), locations."""

    spec = SPEC
    status_tables = STATUS_TABLES
    mapper = MAPPER
    session_type = TrytonSession
