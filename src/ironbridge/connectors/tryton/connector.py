"""The Tryton connector: a session over Tryton's JSON-RPC, filled in from the modules beside it.

A session speaks Tryton's models through `protocols.jsonrpc_models.ModelClient`, which signs in
with `common.db.login` on first use, asks for the user's preferences once to learn its company,
and always sends `language: "en"` in the context, so Tryton's error messages match the rules
that classify them. It logs out when closed. What it reads is in `resources.py`, how in
`protocols.jsonrpc_changes` and `enrichment.py`; `checks.py` holds the connection check,
`writes.py` and `adjustments.py` the writes.

Passthrough: `POST /<method>` where `<method>` is a Tryton RPC method name
(`/model.purchase.purchase.search_read`, `/model.res.user.get_preferences`, `/wizard.…`,
`/report.…`) and the body is the JSON array of its parameters exactly as Tryton takes them
(typed values as `{"__class__": ...}` objects, the context as the last parameter). The answer is
Tryton's JSON-RPC object as it came: `{"id": ..., "result": ...}` or `{"id": ..., "error": ...}`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from ironbridge import errors
from ironbridge.connectors.base import (
    CheckResult,
    Connector,
    ConnectorSession,
    IdFactory,
    PassthroughRequest,
    PassthroughResponse,
    RawRecord,
    SessionOptions,
)
from ironbridge.connectors.kit import ensure_page_size, ensure_resolved
from ironbridge.connectors.protocols import jsonrpc_changes, jsonrpc_checks
from ironbridge.connectors.protocols.jsonrpc import TRYTON
from ironbridge.connectors.protocols.jsonrpc_changes import ModelResource
from ironbridge.connectors.protocols.jsonrpc_models import (
    TRYTON_MODELS,
    ModelClient,
    record_number,
)
from ironbridge.connectors.tryton import adjustments, checks, mapping
from ironbridge.connectors.tryton.enrichment import Enrichment
from ironbridge.connectors.tryton.maps import STATUS_TABLES
from ironbridge.connectors.tryton.resources import RESOURCES
from ironbridge.connectors.tryton.spec import SPEC
from ironbridge.connectors.tryton.writes import PurchaseWriter, VendorWriter
from ironbridge.model import (
    CREATE_MODELS,
    UPDATE_MODELS,
    Entity,
    InventoryAdjustment,
    parse_input,
)

__all__ = ["Tryton", "TrytonSession"]


class Tryton(Connector):
    """Tryton over JSON-RPC: purchase orders, production works as work orders, parties as
    vendors, products with stock (adjustable), locations."""

    spec = SPEC
    status_tables = STATUS_TABLES

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> TrytonSession:
        """A session for `url`, `database`, `username` and `password`; nothing is sent yet."""
        clean = self.validate_credentials(credentials)
        return TrytonSession(
            clean["url"], clean["database"], clean["username"], clean["password"], options
        )

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map a Tryton record through `maps.py` and `mapping.py`."""
        return mapping.to_unified(entity, raw, ids)


class TrytonSession(ConnectorSession):
    """One signed-in conversation with one Tryton database."""

    def __init__(
        self,
        url: str,
        database: str,
        username: str,
        password: str,
        options: SessionOptions | None = None,
    ) -> None:
        super().__init__(SPEC, options)
        self.database = database
        self.client = ModelClient(url, database, username, password, TRYTON_MODELS, self.options)
        self._http, self._rpc = self.client.http, self.client.rpc
        self._enrich = Enrichment(self.client)
        self._purchases = PurchaseWriter(self.client)
        self._vendors = VendorWriter(self.client)
        self._closed = False

    def close(self) -> None:
        """Log out (best effort) and close the HTTP client; safe to call twice."""
        if not self._closed:
            self._closed = True
            self.client.close()

    def context(self) -> dict[str, Any]:
        """The context sent with every model call: the user's company and English messages."""
        return self.client.context()

    def _resource(self, entity: Entity) -> ModelResource:
        """The resource of an entity the connector reads."""
        self.spec.ensure_supported(entity, "read")
        return RESOURCES[entity]

    def _available(self, resource: ModelResource) -> bool:
        """Whether the database has the resource's model (its optional module is activated)."""
        optional = [r.model for r in RESOURCES.values() if r.module is not None]
        return self.client.present(resource.model, optional)

    def _unavailable(self, resource: ModelResource) -> errors.EntityUnavailable | None:
        """Why the database cannot hold the resource's entity, if it cannot."""
        if self._available(resource):
            return None
        return checks.unavailable(resource, self.database)

    # -- reads ---------------------------------------------------------------------------------

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Records changed at or after `since`, in (modified_at, Tryton id) order.

        With a `since`, rows of the resource's dependents changed since then (lines, addresses,
        templates, stock moves) re-emit their records at the later of the two times, merged
        into the same order (see `reads.py`). An entity whose optional Tryton module is not
        activated (work orders without `production_work`) has no records: nothing is yielded,
        so its syncs succeed empty.
        """
        ensure_page_size(page_size)
        if since is not None and since.utcoffset() is None:
            raise ValueError("since must carry a time zone")
        resource = self._resource(entity)
        if self._available(resource):
            yield from jsonrpc_changes.changes(
                self.client, resource, since, page_size, self._enrich
            )

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The current Tryton record; `errors.NotFound` when there is none (or it is filtered).

        Raises `errors.OperationNotSupported` (with `details.reason`) for an entity whose
        optional Tryton module is not activated.
        """
        resource = self._resource(entity)
        if (unavailable := self._unavailable(resource)) is not None:
            raise unavailable
        record_id = record_number(remote_id, entity.label, "Tryton")
        raw = jsonrpc_changes.latest(self.client, resource, record_id, self._enrich)
        if raw is None:
            raise errors.NotFound(f"No Tryton {entity.label} has the id {remote_id}.")
        return raw

    # -- check ---------------------------------------------------------------------------------

    def check(self) -> Iterator[CheckResult]:
        """Reach → authenticate → permissions (`protocols.jsonrpc_checks`, in the words of
        `checks.HINTS`); stops at the first failure."""
        return jsonrpc_checks.check(
            self.client,
            RESOURCES,
            self.spec.entities,
            checks.HINTS,
            unavailable=self._unavailable,
            refused_writes=self._refused_writes,
        )

    def _refused_writes(self) -> list[str]:
        """The offered writes the user's access rights refuse, in words."""
        return checks.refused_writes(self.client)

    # -- writes --------------------------------------------------------------------------------

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """Create a draft purchase order (with lines) or a party; returns it as Tryton has it."""
        self.spec.ensure_supported(entity, "create")
        ensure_resolved(payload, "Tryton")
        values = parse_input(CREATE_MODELS[entity], payload).model_dump(exclude_unset=True)
        writer = self._purchases if entity is Entity.PURCHASE_ORDERS else self._vendors
        return self.get(entity, str(writer.create(values)))

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Change a purchase order (`status` presses Tryton's workflow buttons) or a party.

        Raises `errors.RecordLocked` when Tryton refuses the change in the order's state.
        """
        self.spec.ensure_supported(entity, "update")
        ensure_resolved(changes, "Tryton")
        record_id = record_number(remote_id, entity.label, "Tryton")
        values = parse_input(UPDATE_MODELS[entity], changes).model_dump(exclude_unset=True)
        writer = self._purchases if entity is Entity.PURCHASE_ORDERS else self._vendors
        writer.update(record_id, values)
        return self.get(entity, remote_id)

    def delete(self, entity: Entity, remote_id: str) -> None:
        """Delete a draft (or cancelled) purchase order; Tryton refuses others (RecordLocked)."""
        self.spec.ensure_supported(entity, "delete")
        self._purchases.delete(record_number(remote_id, entity.label, "Tryton"))

    def adjust_inventory(self, remote_id: str, adjustment: dict[str, Any]) -> RawRecord:
        """Correct a product's stock with a confirmed Tryton inventory (see `adjustments.py`).

        The location may be a warehouse (its storage zone is counted) or a storage location;
        quantities are in the product's unit. Returns the item with its stock as it now is.
        """
        entity = Entity.INVENTORY_ITEMS
        self.spec.ensure_supported(entity, "adjust")
        ensure_resolved(adjustment, "Tryton")
        body = parse_input(InventoryAdjustment, adjustment)
        product = record_number(remote_id, entity.label, "Tryton")
        rows = self.client.search_read(
            "product.product",
            TRYTON.all_of(
                jsonrpc_changes.resource_domain(self.client, RESOURCES[entity]),
                TRYTON.condition("id", "=", product),
            ),
            ["type"],
            extra={"active_test": False},
        )
        if not rows:
            raise errors.NotFound(f"No Tryton inventory item has the id {remote_id}.")
        if rows[0]["type"] != "goods":
            # Tryton's inventories drop lines of other products without a word.
            raise errors.ValidationFailed(
                {"item_id": "Tryton counts stock of goods only; this product is not goods."}
            )
        location = adjustments.counted_location(self.client, body.location_remote_id)
        adjustments.adjust_stock(
            self.client,
            product,
            location,
            delta=body.quantity_delta,
            count=body.new_count,
            reason=body.reason,
        )
        return self.get(entity, remote_id)

    def passthrough(self, request: PassthroughRequest) -> PassthroughResponse:
        """Call one Tryton RPC method; see the module docstring for the format."""
        return self.client.passthrough(request)
