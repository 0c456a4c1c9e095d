"""The Odoo connector: a session over `protocols.odoo.OdooClient`, which speaks `/jsonrpc` to
17.0 and 18.0 and JSON-2 to 19.0+, in the companies the connection names.

What it reads is in `resources.py`, how it maps in `maps.py`. Reads, the connection check,
deletes and passthrough are every JSON-RPC model system's
(`protocols.jsonrpc_model_session.ModelSession`; reads page by `write_date` in whole-second
buckets with dependents, `protocols.jsonrpc_changes`), and this module adds each order's
lines, each product's quants per internal location and each request's maintenance stage (the
stage map is read once per session, since every database defines its own stages). Writes
follow Odoo's own rules: Odoo refuses what a locked order or a done receipt forbids, and its
message is kept (`RECORD_LOCKED` or `VALIDATION_FAILED`, per `jsonrpc.OdooDialect`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.base import RawRecord, SessionOptions
from ironbridge.connectors.kit import count_after
from ironbridge.connectors.odoo import maps
from ironbridge.connectors.odoo.resources import LINE_FIELDS, QUANT_FIELDS, RESOURCES, STAGE_FIELDS
from ironbridge.connectors.odoo.spec import HINTS, SPEC
from ironbridge.connectors.protocols.jsonrpc_changes import ModelResource
from ironbridge.connectors.protocols.jsonrpc_commands import ODOO_ROWS
from ironbridge.connectors.protocols.jsonrpc_model_session import ModelConnector, ModelSession
from ironbridge.connectors.protocols.jsonrpc_rows import attach, totals
from ironbridge.connectors.protocols.jsonrpc_writes import put_rows
from ironbridge.connectors.protocols.odoo import ODOO_WIRE, OdooClient
from ironbridge.model import Entity, InventoryAdjustment, VendorStatus, WorkOrderStatus

__all__ = ["Odoo", "OdooSession"]

#: What a product's quants at one place add up to.
_COUNTED: Final = ("quantity", "reserved_quantity")
#: What is free to use at a place: what it holds less what is reserved.
_FREE: Final = {"available": _COUNTED}


class OdooSession(ModelSession):
    """One conversation with one Odoo database: reads, checks, deletes and passthrough as
    every JSON-RPC model system's (`ModelSession`), with Odoo's own writes."""

    client: OdooClient

    def __init__(self, form: Mapping[str, str], options: SessionOptions | None = None) -> None:
        """A session for the connect form's fields (`OdooClient.of`); nothing is sent yet."""
        opts = options or SessionOptions()
        client = OdooClient.of(form, opts)
        super().__init__(SPEC, client, opts, resources=RESOURCES, hints=HINTS, enrich=self._add)

    def _add(self, resource: ModelResource, rows: list[dict[str, Any]]) -> None:
        """Lines, stock per internal location and stages, added to the rows read."""
        ids = [row["id"] for row in rows]
        if ids and resource.entity is Entity.PURCHASE_ORDERS:
            lines = self.client.rows("purchase.order.line", LINE_FIELDS, order_id=ids)
            attach(rows, "lines", lines, "order_id", ODOO_WIRE)
        elif ids and resource.entity is Entity.INVENTORY_ITEMS:
            quants = self.client.rows(
                "stock.quant", QUANT_FIELDS, product_id=ids, location_id=self._locations
            )
            attach(rows, "stock", quants, "product_id", ODOO_WIRE)
            for row in rows:  # lots and packages are quants of their own: summed per place
                row["stock"] = totals(row["stock"], "location_id", _COUNTED, ODOO_WIRE, less=_FREE)
        elif resource.entity is Entity.WORK_ORDERS:
            for row in rows:
                row["stage"] = self._stage_map.get(ODOO_WIRE.get(row, "stage_id"))

    @functools.cached_property
    def _locations(self) -> list[int]:
        return [row["id"] for row in self.client.rows("stock.location", (), usage="internal")]

    @functools.cached_property
    def _stage_map(self) -> dict[int, dict[str, Any]]:
        """This database's maintenance stages by id: name, sequence, done, and which is first."""
        rows = self.client.rows("maintenance.stage", STAGE_FIELDS, order="sequence")
        return {row["id"]: {**row, "first": index == 0} for index, row in enumerate(rows)}

    # -- writes --------------------------------------------------------------------------------

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """A draft purchase order with lines, a vendor or a maintenance request."""
        model = self.checked(entity, "create", payload).model
        (created,) = self.client.create(model, [self._values(entity, payload, creating=True)])
        return self.get(entity, str(created))

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Write the changes; a purchase order's `status` presses Odoo's button for it, a
        request's moves it to the matching stage of this database."""
        model = self.checked(entity, "update", changes).model
        number = self.record_id(entity, remote_id)
        if values := self._values(entity, changes, creating=False):
            self.client.write(model, [number], values)
        if entity is Entity.PURCHASE_ORDERS and "status" in changes:
            self.client.press(model, maps.TRANSITIONS[changes["status"]], [number])
        return self.get(entity, remote_id)

    def _values(self, entity: Entity, payload: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        # A member Odoo has no code for (an emergency request) is refused by the kit's map;
        # writable fields it leaves out are this session's (not `<ref>_id`: ids come resolved).
        writable = SPEC.capabilities[entity].writable_fields
        handled = frozenset(name for name in writable if not name.endswith("_id"))
        values = maps.WRITES.to_source(entity, payload, handled=handled)
        if entity is Entity.VENDORS:
            return {**values, **self._partner(payload, creating)}
        if entity is Entity.WORK_ORDERS:
            stage = self._stage_values(payload["status"]) if "status" in payload else {}
            return {**values, **stage}
        if "status" in payload and payload["status"] not in maps.TRANSITIONS:
            message = "Set approved, cancelled or draft; Odoo moves orders on to received itself."
            raise errors.ValidationFailed({"status": message})
        if "vendor_remote_id" in payload:
            self.client.existing("res.partner", payload["vendor_remote_id"], "vendor_id")
        if "lines" in payload:
            lines = put_rows(self.client, payload["lines"], maps.LINE_WRITES, "lines")
            values["order_line"] = [[5, 0, 0]] * (not creating) + ODOO_ROWS.create(lines)
        return values

    def _partner(self, payload: Mapping[str, Any], creating: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"supplier_rank": 1, "is_company": True} if creating else {}
        if payload.get("status") == VendorStatus.BLOCKED:
            raise errors.ValidationFailed({"status": "Odoo has no blocked partners; set inactive."})
        if "status" in payload:
            out["active"] = payload["status"] == VendorStatus.ACTIVE
        if "address" in payload:
            address = payload["address"] or {}
            parts = {key: name for key, name in maps.ADDRESS.items() if key != "country"}
            out.update({name: address.get(key) or False for key, name in parts.items()})
            country = address.get("country")
            out["country_id"] = country and self.client.find(
                "res.country", "code", country, "address.country"
            )
        return out

    def _stage_values(self, status: WorkOrderStatus) -> dict[str, Any]:
        if status is WorkOrderStatus.CANCELLED:
            return {"archive": True}
        found = [key for key, stage in self._stage_map.items() if maps.meaning(stage) == status]
        if not found:
            message = f"This Odoo database has no maintenance stage for {status.value}."
            raise errors.ValidationFailed({"status": message})
        return {"stage_id": found[0], "archive": False}

    def adjust_stock(self, remote_id: str, body: InventoryAdjustment) -> None:
        """Count the product at an internal location through `stock.quant`
        (`inventory_quantity`, then `action_apply_inventory`), with the reason as the stock
        move's reference."""
        product = self.record_id(Entity.INVENTORY_ITEMS, remote_id)
        location = self.client.existing("stock.location", body.location_remote_id, "location_id")
        if location not in self._locations:
            message = "Odoo counts stock in internal locations."
            raise errors.ValidationFailed({"location_id": message})
        quants = self.client.rows(
            "stock.quant", QUANT_FIELDS, product_id=product, location_id=location
        )
        held = [ODOO_WIRE.to_decimal(quant["quantity"]) for quant in quants] or [Decimal(0)]
        # The first quant takes the difference; others (lots, packages) stay.
        count = count_after(body, total := sum(held, Decimal(0))) - total + held[0]
        values = {"inventory_quantity": float(count)}
        if quants:
            self.client.write("stock.quant", [quant := quants[0]["id"]], values)
        else:
            values.update(product_id=product, location_id=location)
            (quant,) = self.client.create("stock.quant", [values])
        extra = {"inventory_name": body.reason}
        self.client.call_named("stock.quant", "action_apply_inventory", [quant], extra)


class Odoo(ModelConnector[OdooSession]):
    """Odoo 17.0+ (Community or Enterprise): purchase orders, vendors, stock, locations,
    maintenance requests and equipment."""

    spec = SPEC
    status_tables = maps.STATUS_TABLES
    mapper = maps.mapper
    session_type = OdooSession
