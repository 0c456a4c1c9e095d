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

from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

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
from ironbridge.connectors.odoo.maps import STATUS_TABLES, TRANSITIONS, WRITES, mapper
from ironbridge.connectors.odoo.resources import (
    QUANT_FIELDS,
    STAGE_FIELDS,
    line_fields,
    note_field,
    resources,
)
from ironbridge.connectors.odoo.spec import HINTS, MODULES, SPEC
from ironbridge.connectors.protocols import jsonrpc_changes, jsonrpc_checks
from ironbridge.connectors.protocols.jsonrpc import ODOO
from ironbridge.connectors.protocols.jsonrpc_changes import ModelResource
from ironbridge.connectors.protocols.jsonrpc_models import record_number
from ironbridge.connectors.protocols.odoo import ODOO_WIRE, OdooClient
from ironbridge.model import Entity, InventoryAdjustment, VendorStatus, WorkOrderStatus, parse_input

__all__ = ["Odoo", "OdooSession"]

_PO, _LINE, _PARTNER = "purchase.order", "purchase.order.line", "res.partner"
_STAGE_TARGETS = {WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.COMPLETED}


class Odoo(Connector):
    """Odoo 17.0+ (Community or Enterprise): purchase orders, vendors, stock, locations,
    maintenance requests and equipment."""

    spec = SPEC
    status_tables = STATUS_TABLES

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> OdooSession:
        """A session for the connect form's fields; nothing is sent yet."""
        return OdooSession(self.validate_credentials(credentials), options)

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map an Odoo row (with what the session added) through `maps.READS`."""
        return mapper.to_unified(entity, raw, ids)


class OdooSession(ConnectorSession):
    """One conversation with one Odoo database."""

    def __init__(
        self,
        credentials: Mapping[str, str],
        options: SessionOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(SPEC, options)
        text = credentials.get("companies", "").replace(" ", "")
        if text and not all(part.isdigit() for part in text.split(",")):
            raise errors.ValidationFailed({"companies": "Give company ids separated by commas."})
        self.client = OdooClient(
            credentials["url"],
            credentials["database"],
            credentials["username"],
            credentials["api_key"],
            self.options,
            companies=[int(part) for part in text.split(",") if part],
            transport=transport,
        )
        self._stages: dict[int, dict[str, Any]] | None = None
        self._internal: list[int] | None = None

    def close(self) -> None:
        """Close the HTTP client; safe to call twice."""
        self.client.close()

    def _resource(self, entity: Entity) -> ModelResource:
        self.spec.ensure_supported(entity, "read")
        return resources(self.client.connect())[entity]

    def _unavailable(self, resource: ModelResource) -> errors.EntityUnavailable | None:
        if self.client.present(resource.model, list(MODULES)):
            return None
        module = MODULES[resource.model]
        return errors.EntityUnavailable(
            "odoo",
            resource.entity.value,
            "read",
            reason=f"The Odoo app {module} is not installed in this database.",
            enable=f"Install the {module} app (Apps menu) in this database.",
        )

    # -- reads ---------------------------------------------------------------------------------

    def check(self) -> Iterator[CheckResult]:
        """Reach → authenticate → permissions (`protocols.jsonrpc_checks`)."""
        for stage in (jsonrpc_checks.reach, jsonrpc_checks.authenticate):
            result = stage(self.client, HINTS)
            yield result
            if not result.ok:
                return
        yield jsonrpc_checks.permissions(
            self.client,
            resources(self.client.connect()),
            self.spec.entities,
            HINTS,
            unavailable=self._unavailable,
            refused_writes=list,
        )

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Records changed at or after `since` in (write_date, id) order, each once, whatever
        the version's `write_date` precision; nothing when the entity's app is missing."""
        ensure_page_size(page_size)
        resource = self._resource(entity)
        if self._unavailable(resource) is None:
            yield from jsonrpc_changes.changes(self.client, resource, since, page_size, self._add)

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The record as it is now; `errors.NotFound` when there is none."""
        resource = self._resource(entity)
        if (unavailable := self._unavailable(resource)) is not None:
            raise unavailable
        number = record_number(remote_id, entity.label, "Odoo")
        raw = jsonrpc_changes.latest(self.client, resource, number, self._add)
        if raw is None:
            raise errors.NotFound(f"No Odoo {entity.label} has the id {remote_id}.")
        return raw

    def _add(self, resource: ModelResource, rows: list[dict[str, Any]]) -> None:
        """Lines, stock per internal location and stages, added to the rows read."""
        ids = [row["id"] for row in rows]
        if not ids:
            return
        if resource.entity is Entity.PURCHASE_ORDERS:
            lines = self._search(
                _LINE, ODOO.condition("order_id", "in", ids), line_fields(self.client.connect())
            )
            for row in rows:
                row["lines"] = [ln for ln in lines if ODOO_WIRE.get(ln, "order_id") == row["id"]]
        elif resource.entity is Entity.INVENTORY_ITEMS:
            where = ODOO.all_of(
                ODOO.condition("product_id", "in", ids),
                ODOO.condition("location_id", "in", self._locations()),
            )
            levels: dict[tuple[int, int], dict[str, Any]] = {}
            for quant in self._search("stock.quant", where, QUANT_FIELDS):
                key = (ODOO_WIRE.get(quant, "product_id"), ODOO_WIRE.get(quant, "location_id"))
                level = levels.setdefault(
                    key,
                    {
                        "location_id": quant["location_id"],
                        "quantity": 0.0,
                        "reserved_quantity": 0.0,
                    },
                )
                level["quantity"] += quant["quantity"]
                level["reserved_quantity"] += quant["reserved_quantity"]
                level["available"] = level["quantity"] - level["reserved_quantity"]
            for row in rows:
                row["stock"] = [level for (p, _), level in levels.items() if p == row["id"]]
        elif resource.entity is Entity.WORK_ORDERS:
            stages = self._stage_map()
            for row in rows:
                row["stage"] = stages.get(ODOO_WIRE.get(row, "stage_id"))

    def _search(self, model: str, domain: list[Any], fields: Any) -> list[dict[str, Any]]:
        return self.client.search_read(model, domain, ["id", *fields], order=(("id", "ASC"),))

    def _locations(self) -> list[int]:
        if self._internal is None:
            self._internal = self.client.search(
                "stock.location", ODOO.condition("usage", "=", "internal")
            )
        return self._internal

    def _stage_map(self) -> dict[int, dict[str, Any]]:
        """This database's maintenance stages by id: name, sequence, done, and which is first."""
        if self._stages is None:
            rows = self.client.search_read(
                "maintenance.stage",
                [],
                ["id", *STAGE_FIELDS],
                order=(("sequence", "ASC"), ("id", "ASC")),
            )
            self._stages = {
                row["id"]: {**{k: row[k] for k in STAGE_FIELDS}, "first": index == 0}
                for index, row in enumerate(rows)
            }
        return self._stages

    # -- writes --------------------------------------------------------------------------------

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """A draft purchase order with lines, a vendor or a maintenance request."""
        self.spec.ensure_supported(entity, "create")
        ensure_resolved(payload, "Odoo")
        values = self._values(entity, payload, creating=True)
        (created,) = self.client.create(self._resource(entity).model, [values])
        return self.get(entity, str(created))

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Write the changes; a purchase order's `status` presses Odoo's button for it, a
        request's moves it to the matching stage of this database."""
        self.spec.ensure_supported(entity, "update")
        ensure_resolved(changes, "Odoo")
        model, number = self._resource(entity).model, record_number(remote_id, entity.label, "Odoo")
        values = self._values(entity, changes, creating=False)
        if values:
            self.client.write(model, [number], values)
        if entity is Entity.PURCHASE_ORDERS and "status" in changes:
            self.client.press(model, TRANSITIONS[changes["status"]], [number])
        return self.get(entity, remote_id)

    def delete(self, entity: Entity, remote_id: str) -> None:
        """Delete a draft or cancelled purchase order; Odoo refuses others (RECORD_LOCKED)."""
        self.spec.ensure_supported(entity, "delete")
        self.client.delete(_PO, [record_number(remote_id, entity.label, "Odoo")])

    def _values(self, entity: Entity, payload: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        handled = {
            Entity.PURCHASE_ORDERS: {"lines", "notes", "status"},
            Entity.VENDORS: {"address", "status"},
            Entity.WORK_ORDERS: {"status"},
        }
        try:
            values = WRITES.to_source(entity, payload, handled=frozenset(handled[entity]))
        except KeyError as exc:  # a member Odoo has no code for (an emergency request)
            name = next((key for key, value in payload.items() if value == exc.args[0]), "body")
            raise errors.ValidationFailed({name: f"Odoo has no {exc.args[0]}."}) from None
        if entity is Entity.PURCHASE_ORDERS:
            if "status" in payload and payload["status"] not in TRANSITIONS:
                raise errors.ValidationFailed(
                    {
                        "status": "Set approved, cancelled or draft; Odoo "
                        "moves an order on to received and closed itself."
                    }
                )
            if "vendor_remote_id" in payload:
                self.client.existing(_PARTNER, payload["vendor_remote_id"], "vendor_id")
            if "notes" in payload:
                values[note_field(self.client.connect())] = payload["notes"] or False
            if "lines" in payload:
                values["order_line"] = [[5, 0, 0]] * (not creating) + [
                    [0, 0, self._line(index, line)] for index, line in enumerate(payload["lines"])
                ]
        elif entity is Entity.VENDORS:
            values.update(self._partner(payload, creating))
        elif "status" in payload:
            values.update(self._stage_values(payload["status"]))
        return values

    def _line(self, index: int, line: Mapping[str, Any]) -> dict[str, Any]:
        where = f"lines.{index}.item_id"
        item = self.client.existing("product.product", line.get("item_remote_id") or 0, where)
        out: dict[str, Any] = {"product_id": item, "product_qty": float(line["quantity"])}
        if line.get("unit_price") is not None:
            out["price_unit"] = float(line["unit_price"])
        if line.get("description"):
            out["name"] = line["description"]
        if line.get("required_date") is not None:
            out["date_planned"] = f"{line['required_date']} 12:00:00"
        return out

    def _partner(self, payload: Mapping[str, Any], creating: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"supplier_rank": 1, "is_company": True} if creating else {}
        if "status" in payload:
            if payload["status"] == VendorStatus.BLOCKED:
                raise errors.ValidationFailed(
                    {"status": "Odoo has no blocked partners; set inactive to archive one."}
                )
            out["active"] = payload["status"] == VendorStatus.ACTIVE
        if "address" in payload:
            address = payload["address"] or {}
            out.update(
                street=address.get("line1") or False,
                street2=address.get("line2") or False,
                city=address.get("city") or False,
                zip=address.get("postal_code") or False,
                country_id=False,
            )
            if address.get("country"):
                found = self.client.find(
                    "res.country", "code", address["country"], "address.country"
                )
                out["country_id"] = found
        return out

    def _stage_values(self, status: WorkOrderStatus) -> dict[str, Any]:
        if status is WorkOrderStatus.CANCELLED:
            return {"archive": True}
        stages = self._stage_map()
        found = [
            stage_id
            for stage_id, stage in stages.items()
            if status in _STAGE_TARGETS
            and (
                stage["done"]
                if status is WorkOrderStatus.COMPLETED
                else not stage["done"] and stage["first"] == (status is WorkOrderStatus.OPEN)
            )
        ]
        if not found:
            raise errors.ValidationFailed(
                {"status": f"This Odoo database has no maintenance stage for {status.value}."}
            )
        return {"stage_id": found[0], "archive": False}

    def adjust_inventory(self, remote_id: str, adjustment: dict[str, Any]) -> RawRecord:
        """Count the product at an internal location through `stock.quant`
        (`inventory_quantity`, then `action_apply_inventory`), with the reason as the stock
        move's reference."""
        self.spec.ensure_supported(Entity.INVENTORY_ITEMS, "adjust")
        ensure_resolved(adjustment, "Odoo")
        body = parse_input(InventoryAdjustment, adjustment)
        product = record_number(remote_id, "inventory item", "Odoo")
        location = self.client.existing("stock.location", body.location_remote_id, "location_id")
        if location not in self._locations():
            raise errors.ValidationFailed(
                {"location_id": "Odoo counts stock in internal locations only."}
            )
        where = ODOO.all_of(
            ODOO.condition("product_id", "=", product), ODOO.condition("location_id", "=", location)
        )
        quants = self._search("stock.quant", where, QUANT_FIELDS)
        held = sum((Decimal(str(q["quantity"])) for q in quants), Decimal(0))
        target = body.new_count if body.new_count is not None else held + (body.quantity_delta or 0)
        if target < 0:
            raise errors.ValidationFailed(
                {
                    "quantity_delta": f"The location holds {held}; "
                    "that would leave less than nothing."
                }
            )
        count = (
            {"inventory_quantity": float(target - held + Decimal(str(quants[0]["quantity"])))}
            if quants
            else {"inventory_quantity": float(target)}
        )
        if quants:
            self.client.write("stock.quant", [quants[0]["id"]], count)
            quant = quants[0]["id"]
        else:
            (quant,) = self.client.create(
                "stock.quant", [{"product_id": product, "location_id": location, **count}]
            )
        self.client.call_named(
            "stock.quant", "action_apply_inventory", [quant], {"inventory_name": body.reason}
        )
        return self.get(Entity.INVENTORY_ITEMS, remote_id)

    def passthrough(self, request: PassthroughRequest) -> PassthroughResponse:
        """One `/jsonrpc` service call (17.0, 18.0): `POST /object.execute_kw` and the like."""
        return self.client.passthrough(request)
