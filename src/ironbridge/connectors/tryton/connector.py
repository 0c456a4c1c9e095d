"""The Tryton connector: a session over Tryton's JSON-RPC, filled in from the modules beside it.

A session speaks Tryton's models through `protocols.jsonrpc_models.ModelClient`, which signs in
with `common.db.login` on first use, asks for the user's preferences once to learn its company,
and always sends `language: "en"` in the context, so Tryton's error messages match the rules
that classify them. It logs out when closed. What it reads is in `resources.py`, how in
`protocols.jsonrpc_changes` and `enrichment.py`; `spec.py` holds what the connection check
tells, `writes.py` and `adjustments.py` the writes. What every model system's session does the
same way is `protocols.jsonrpc_model_session.ModelSession`.

Passthrough: `POST /<method>` where `<method>` is a Tryton RPC method name
(`/model.purchase.purchase.search_read`, `/model.res.user.get_preferences`, `/wizard.…`,
`/report.…`) and the body is the JSON array of its parameters exactly as Tryton takes them
(typed values as `{"__class__": ...}` objects, the context as the last parameter). The answer is
Tryton's JSON-RPC object as it came: `{"id": ..., "result": ...}` or `{"id": ..., "error": ...}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.auth import Login, SignIn, SignInContext
from ironbridge.connectors.base import Connector, IdFactory, RawRecord, SessionOptions
from ironbridge.connectors.protocols.jsonrpc_model_session import ModelSession, ModelWriter
from ironbridge.connectors.protocols.jsonrpc_models import TRYTON_MODELS, ModelClient
from ironbridge.connectors.tryton import adjustments
from ironbridge.connectors.tryton.enrichment import Enrichment
from ironbridge.connectors.tryton.maps import MAPPER, STATUS_TABLES
from ironbridge.connectors.tryton.resources import RESOURCES
from ironbridge.connectors.tryton.spec import HINTS, SIGN_IN, SPEC, WRITE_ACCESS
from ironbridge.connectors.tryton.writes import PurchaseWriter, VendorWriter
from ironbridge.model import Entity, InventoryAdjustment, parse_input

__all__ = ["Tryton", "TrytonSession"]

_CONNECTION: Final = ("url", "database", "username", "password")


class Tryton(Connector):
    """Tryton over JSON-RPC: purchase orders, production works as work orders, parties as
    vendors, products with stock (adjustable), locations."""

    spec = SPEC
    status_tables = STATUS_TABLES

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> TrytonSession:
        """A session for `url`, `database`, `username` and `password`; nothing is sent yet."""
        return TrytonSession(self.validate_credentials(credentials), options)

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map a Tryton record through `maps.py`."""
        return MAPPER.to_unified(entity, raw, ids)


class TrytonSession(ModelSession):
    """One signed-in conversation with one Tryton database."""

    def __init__(self, credentials: Mapping[str, str], options: SessionOptions | None = None):
        """Signs in with validated `credentials` through `spec.SIGN_IN`: `session_login` over
        Tryton's `common.db.login`."""
        opts = options or SessionOptions()

        def sign_in(login: Login) -> SignIn:
            return SIGN_IN.sign_in(credentials, SignInContext(opts, "Tryton", login=login))

        url, database, user, password = (credentials[name] for name in _CONNECTION)
        client = ModelClient(url, database, user, password, TRYTON_MODELS, opts, sign_in=sign_in)
        writers: dict[Entity, ModelWriter] = {
            Entity.PURCHASE_ORDERS: PurchaseWriter(client),
            Entity.VENDORS: VendorWriter(client),
        }
        super().__init__(
            SPEC,
            client,
            opts,
            resources=RESOURCES,
            hints=HINTS,
            enrich=Enrichment(client),
            writers=writers,
            write_access=WRITE_ACCESS,
        )

    def adjust_inventory(self, remote_id: str, adjustment: dict[str, Any]) -> RawRecord:
        """Correct a product's stock with a confirmed Tryton inventory (see `adjustments.py`).

        The location may be a warehouse (its storage zone is counted) or a storage location;
        quantities are in the product's unit. Returns the item with its stock as it now is.
        """
        entity = Entity.INVENTORY_ITEMS
        self.checked(entity, "adjust", adjustment)
        body = parse_input(InventoryAdjustment, adjustment)
        product = self.row(entity, remote_id, ["type"])
        if product["type"] != "goods":
            # Tryton's inventories drop lines of other products without a word.
            raise errors.ValidationFailed(
                {"item_id": "Tryton counts stock of goods only; this product is not goods."}
            )
        location = adjustments.counted_location(self.client, body.location_remote_id)
        adjustments.adjust_stock(
            self.client,
            int(product["id"]),
            location,
            delta=body.quantity_delta,
            count=body.new_count,
            reason=body.reason,
        )
        return self.get(entity, remote_id)
