"""The Odoo connector: a session over `protocols.odoo.OdooClient`, which speaks `/jsonrpc` to
17.0 and 18.0 and JSON-2 to 19.0+, in the companies the connection names.

What it reads is in `resources.py`, how it maps in `maps.py`; reads go through
`protocols.jsonrpc_changes` (keyset pages by `write_date`, whole-second buckets, dependents),
and this module adds each order's lines, each product's quants per internal location and
each request's maintenance stage (the stage map is read once per session, since every
database defines its own stages). Writes follow Odoo's own rules: Odoo refuses what a locked
order or a done receipt forbids, and its message is kept (`RECORD_LOCKED` or
`VALIDATION_FAILED`, per `jsonrpc.OdooDialect`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import httpx

from ironbridge import errors
from ironbridge.connectors import base
from ironbridge.connectors.base import IdFactory, RawRecord
from ironbridge.connectors.kit import ensure_page_size, ensure_resolved
from ironbridge.connectors.odoo.maps import STATUS_TABLES, TRANSITIONS, WRITES, mapper
from ironbridge.connectors.odoo.resources import LINE_FIELDS, QUANT_FIELDS, RESOURCES, STAGE_FIELDS
from ironbridge.connectors.odoo.spec import HINTS, MODULES, SPEC
from ironbridge.connectors.protocols import jsonrpc_changes, jsonrpc_checks
from ironbridge.connectors.protocols.jsonrpc_changes import ModelResource
from ironbridge.connectors.protocols.jsonrpc_models import record_number
from ironbridge.connectors.protocols.odoo import ODOO_WIRE, OdooClient
from ironbridge.model import Entity, InventoryAdjustment, VendorStatus, WorkOrderStatus, parse_input

__all__ = ["Odoo", "OdooSession"]

_HANDLED: Final = {Entity.PURCHASE_ORDERS: frozenset({"lines", "notes", "status"}),
                   Entity.VENDORS: frozenset({"address", "status"}),
                   Entity.WORK_ORDERS: frozenset({"status"})}  # fmt: skip
#: A status → the stage it moves a request to: (the stage's done flag, whether it is first).
_STAGE_OF: Final = {WorkOrderStatus.OPEN: (False, True), WorkOrderStatus.COMPLETED: (True, None),
                    WorkOrderStatus.IN_PROGRESS: (False, False)}  # fmt: skip
_CLEARED: Final = {"street": "line1", "street2": "line2", "city": "city", "zip": "postal_code"}


class Odoo(base.Connector):
    """Odoo 17.0+ (Community or Enterprise): purchase orders, vendors, stock, locations,
    maintenance requests and equipment."""

    spec = SPEC
    status_tables = STATUS_TABLES

    def session(
        self, credentials: Mapping[str, str], *, options: base.SessionOptions | None = None
    ) -> OdooSession:
        """A session for the connect form's fields; nothing is sent yet."""
        return OdooSession(self.validate_credentials(credentials), options)

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map an Odoo row (with what the session added) through `maps.READS`."""
        return mapper.to_unified(entity, raw, ids)


class OdooSession(base.ConnectorSession):
    """One conversation with one Odoo database."""

    def __init__(
        self,
        credentials: Mapping[str, str],
        options: base.SessionOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(SPEC, options)
        self.client = OdooClient.of(credentials, self.options, transport=transport)

    def close(self) -> None:
        """Close the HTTP client; safe to call twice."""
        self.client.close()

    def _resource(self, entity: Entity, operation: base.Operation = "read") -> ModelResource:
        self.spec.ensure_supported(entity, operation)
        if (unavailable := self._unavailable(RESOURCES[entity])) is not None:
            raise unavailable
        return RESOURCES[entity]

    def _unavailable(self, resource: ModelResource) -> errors.EntityUnavailable | None:
        app = MODULES.get(resource.model)
        if app is None or self.client.present(resource.model, list(MODULES)):
            return None
        return errors.EntityUnavailable("odoo", resource.entity.value, "read",
            reason=f"The Odoo app {app} is not installed in this database.",
            enable=f"Install the {app} app (Apps menu) in this database.")  # fmt: skip

    # -- reads ---------------------------------------------------------------------------------

    def check(self) -> Iterator[base.CheckResult]:
        """Reach → authenticate → permissions (`protocols.jsonrpc_checks`)."""
        return jsonrpc_checks.check(self.client, RESOURCES, self.spec.entities, HINTS,
                                    unavailable=self._unavailable, refused_writes=list)  # fmt: skip

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Records changed at or after `since` in (write_date, id) order, each once, whatever
        the version's `write_date` precision; nothing when the entity's app is missing."""
        ensure_page_size(page_size)
        self.spec.ensure_supported(entity, "read")
        if self._unavailable(resource := RESOURCES[entity]) is None:
            yield from jsonrpc_changes.changes(self.client, resource, since, page_size, self._add)

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The record as it is now; `errors.NotFound` when there is none."""
        resource, number = self._resource(entity), record_number(remote_id, entity.label, "Odoo")
        raw = jsonrpc_changes.latest(self.client, resource, number, self._add)
        if raw is None:
            raise errors.NotFound(f"No Odoo {entity.label} has the id {remote_id}.")
        return raw

    def _add(self, resource: ModelResource, rows: list[dict[str, Any]]) -> None:
        """Lines, stock per internal location and stages, added to the rows read."""
        ids = [row["id"] for row in rows]
        if ids and resource.entity is Entity.PURCHASE_ORDERS:
            lines = self.client.rows("purchase.order.line", LINE_FIELDS, order_id=ids)
            for row in rows:
                row["lines"] = [ln for ln in lines if ODOO_WIRE.get(ln, "order_id") == row["id"]]
        elif ids and resource.entity is Entity.INVENTORY_ITEMS:
            quants = self.client.rows("stock.quant", QUANT_FIELDS, product_id=ids,
                                      location_id=self._locations)  # fmt: skip
            levels: dict[tuple[int, int], dict[str, Any]] = {}
            for quant in quants:  # lots and packages are quants of their own: summed per place
                level = levels.setdefault((quant["product_id"][0], quant["location_id"][0]),
                                          {"location_id": quant["location_id"]})  # fmt: skip
                for name in ("quantity", "reserved_quantity"):
                    level[name] = level.get(name, 0) + quant[name]
                level["available"] = level["quantity"] - level["reserved_quantity"]
            for row in rows:
                row["stock"] = [level for (p, _), level in levels.items() if p == row["id"]]
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
        model = self._resource(entity, "create").model
        (created,) = self.client.create(model, [self._values(entity, payload, creating=True)])
        return self.get(entity, str(created))

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Write the changes; a purchase order's `status` presses Odoo's button for it, a
        request's moves it to the matching stage of this database."""
        model, number = (
            self._resource(entity, "update").model,
            record_number(remote_id, entity.label, "Odoo"),
        )
        values = self._values(entity, changes, creating=False)
        if values:
            self.client.write(model, [number], values)
        if entity is Entity.PURCHASE_ORDERS and "status" in changes:
            self.client.press(model, TRANSITIONS[changes["status"]], [number])
        return self.get(entity, remote_id)

    def delete(self, entity: Entity, remote_id: str) -> None:
        """Delete a draft or cancelled purchase order; Odoo refuses others (RECORD_LOCKED)."""
        model = self._resource(entity, "delete").model
        self.client.delete(model, [record_number(remote_id, entity.label, "Odoo")])

    def _values(self, entity: Entity, payload: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        ensure_resolved(payload, "Odoo")
        try:
            values = WRITES.to_source(entity, payload, handled=_HANDLED[entity])
        except KeyError as exc:  # a member Odoo has no code for (an emergency request)
            name = next((key for key, value in payload.items() if value == exc.args[0]), "body")
            raise errors.ValidationFailed({name: f"Odoo has no {exc.args[0]}."}) from None
        if entity is Entity.VENDORS:
            return {**values, **self._partner(payload, creating)}
        if entity is Entity.WORK_ORDERS:
            return {
                **values,
                **(self._stage_values(payload["status"]) if "status" in payload else {}),
            }
        if "status" in payload and payload["status"] not in TRANSITIONS:
            message = "Set approved, cancelled or draft; Odoo moves orders on to received itself."
            raise errors.ValidationFailed({"status": message})
        if "vendor_remote_id" in payload:
            self.client.existing("res.partner", payload["vendor_remote_id"], "vendor_id")
        if "notes" in payload:
            values["notes"] = payload["notes"] or False
        if "lines" in payload:
            lines = [[0, 0, self._line(index, line)] for index, line in enumerate(payload["lines"])]
            values["order_line"] = [[5, 0, 0]] * (not creating) + lines
        return values

    def _line(self, index: int, line: Mapping[str, Any]) -> dict[str, Any]:
        at = f"lines.{index}.item_id"
        out: dict[str, Any] = {
            "product_id": self.client.existing("product.product", line.get("item_remote_id"), at),
            "product_qty": float(line["quantity"]), "name": line.get("description"),
            "price_unit": None if line.get("unit_price") is None else float(line["unit_price"]),
            "date_planned": line.get("required_date") and f"{line['required_date']} 12:00:00",
        }  # fmt: skip
        return {key: value for key, value in out.items() if value is not None}

    def _partner(self, payload: Mapping[str, Any], creating: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"supplier_rank": 1, "is_company": True} if creating else {}
        if payload.get("status") == VendorStatus.BLOCKED:
            raise errors.ValidationFailed({"status": "Odoo has no blocked partners; set inactive."})
        if "status" in payload:
            out["active"] = payload["status"] == VendorStatus.ACTIVE
        if "address" in payload:
            address = payload["address"] or {}
            out.update({name: address.get(key) or False for name, key in _CLEARED.items()})
            country = address.get("country")
            out["country_id"] = country and self.client.find(
                "res.country", "code", country, "address.country"
            )
        return out

    def _stage_values(self, status: WorkOrderStatus) -> dict[str, Any]:
        if status is WorkOrderStatus.CANCELLED:
            return {"archive": True}
        done, first = _STAGE_OF.get(status, (None, None))
        found = [key for key, stage in self._stage_map.items()
                 if stage["done"] == done and first in (None, stage["first"])]  # fmt: skip
        if not found:
            message = f"This Odoo database has no maintenance stage for {status.value}."
            raise errors.ValidationFailed({"status": message})
        return {"stage_id": found[0], "archive": False}

    def adjust_inventory(self, remote_id: str, adjustment: dict[str, Any]) -> RawRecord:
        """Count the product at an internal location through `stock.quant`
        (`inventory_quantity`, then `action_apply_inventory`), with the reason as the stock
        move's reference."""
        self._resource(Entity.INVENTORY_ITEMS, "adjust")
        ensure_resolved(adjustment, "Odoo")
        body = parse_input(InventoryAdjustment, adjustment)
        product = record_number(remote_id, "inventory item", "Odoo")
        location = self.client.existing("stock.location", body.location_remote_id, "location_id")
        if location not in self._locations:
            raise errors.ValidationFailed(
                {"location_id": "Odoo counts stock in internal locations."}
            )
        quants = self.client.rows(
            "stock.quant", QUANT_FIELDS, product_id=product, location_id=location
        )
        held = sum((Decimal(str(quant["quantity"])) for quant in quants), Decimal(0))
        target = body.new_count if body.new_count is not None else held + (body.quantity_delta or 0)
        if target < 0:
            raise errors.ValidationFailed({"quantity_delta": f"The location holds {held}; that "
                                           "would leave less than nothing."})  # fmt: skip
        if quants:  # the first quant takes the difference; others (lots, packages) stay
            quant = quants[0]["id"]
            count = float(target - held + Decimal(str(quants[0]["quantity"])))
            self.client.write("stock.quant", [quant], {"inventory_quantity": count})
        else:
            values = {
                "product_id": product,
                "location_id": location,
                "inventory_quantity": float(target),
            }
            (quant,) = self.client.create("stock.quant", [values])
        self.client.call_named(
            "stock.quant", "action_apply_inventory", [quant], {"inventory_name": body.reason}
        )
        return self.get(Entity.INVENTORY_ITEMS, remote_id)

    def passthrough(self, request: base.PassthroughRequest) -> base.PassthroughResponse:
        """One `/jsonrpc` service call (17.0, 18.0): `POST /object.execute_kw` and the like."""
        return self.client.passthrough(request)
