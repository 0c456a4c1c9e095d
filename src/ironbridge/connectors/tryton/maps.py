"""Tables from Tryton records (as the JSON-RPC `search_read` sends them) to unified fields and back.

The converters are the kit's (`connectors.kit`), read through the JSON-RPC family's Tryton wire
(`protocols.jsonrpc_wire`): a path such as `currency.code` reads `row["currency."]["code"]`, and
typed values (`{"__class__": "Decimal", ...}`) decode on the way.

Each entity has a table of unified field → converter (`FIELD_MAP`) and one of custom fields
(`CUSTOM_FIELDS`, Tryton fields outside the unified model, named as Tryton names them);
`mapping.py` binds them and adds what a table cannot say. Status tables list every code Tryton
uses; a code missing from a table is an `errors.UpstreamError`, never a silent default. The write
tables say which unified fields a write may give and which Tryton field each becomes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ironbridge.connectors.base import StatusTable
from ironbridge.connectors.kit import (
    Code,
    Day,
    DayStart,
    Field,
    First,
    Flag,
    MapContext,
    Number,
    Place,
    Ref,
    Text,
)
from ironbridge.connectors.protocols.jsonrpc_writes import Put
from ironbridge.model import (
    Entity,
    InventoryItemStatus,
    LocationStatus,
    LocationType,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrderStatus,
)

__all__ = ["CUSTOM_FIELDS", "FIELD_MAP", "LINE_FIELDS", "STATUS_TABLES", "address"]

#: Tryton purchase `state` → unified status. `processing` is refined by `PROCESSING_STATUS`.
STATUS_MAP: Final = {
    "draft": PurchaseOrderStatus.DRAFT,
    # A quotation (request for quotation) is issued and waits for confirmation.
    "quotation": PurchaseOrderStatus.PENDING_APPROVAL,
    # Confirmed, but the shipments and invoices are not created yet (queued processing).
    "confirmed": PurchaseOrderStatus.APPROVED,
    # Shipments and invoices exist; how far goods arrived is in `shipment_state`.
    "processing": PurchaseOrderStatus.SENT,
    # Tryton's `done` needs goods received and the invoice paid: nothing more happens.
    "done": PurchaseOrderStatus.CLOSED,
    "cancelled": PurchaseOrderStatus.CANCELLED,
}
#: Tryton purchase `shipment_state` → unified status, for orders in state `processing`.
PROCESSING_STATUS: Final = {
    "none": PurchaseOrderStatus.SENT,
    "waiting": PurchaseOrderStatus.SENT,
    "partially shipped": PurchaseOrderStatus.PARTIALLY_RECEIVED,
    "received": PurchaseOrderStatus.RECEIVED,
    # A shipment was cancelled: the order waits for a decision, goods are still awaited.
    "exception": PurchaseOrderStatus.SENT,
}
# Tryton has no vendor, item or location status beyond `active`; SQLite sends it as 0/1.
VENDOR_STATUS: Final = {True: VendorStatus.ACTIVE, False: VendorStatus.INACTIVE}
ITEM_STATUS: Final = {True: InventoryItemStatus.ACTIVE, False: InventoryItemStatus.INACTIVE}
LOCATION_STATUS: Final = {True: LocationStatus.ACTIVE, False: LocationStatus.INACTIVE}
#: Tryton `production.work.state` → unified status. Tryton derives a work's state from its
#: production and its cycles (`production_work` `Work._state`); the comments say when.
WORK_STATUS: Final = {
    # The production waits for its materials and nothing was booked on the work yet.
    "request": WorkOrderStatus.OPEN,
    # The production is ready or running; the work has no cycle yet: planned, not begun.
    "draft": WorkOrderStatus.SCHEDULED,
    # Cycles exist but none runs and not all are done: begun, then paused.
    "waiting": WorkOrderStatus.ON_HOLD,
    "running": WorkOrderStatus.IN_PROGRESS,
    # Every cycle is done; the production itself is not done yet.
    "finished": WorkOrderStatus.COMPLETED,
    # The production is done: nothing more is booked on its works.
    "done": WorkOrderStatus.CLOSED,
}
#: Tryton `production.state` that decides a work's status instead of the work's own state.
#: Cancelling a production deletes its works not begun and leaves the others in the state
#: they had ("finished", say), which would read as live work.
WORK_PRODUCTION_STATUS: Final = {"cancelled": WorkOrderStatus.CANCELLED}
#: The other production states, in which the work's own `state` decides.
_WORK_DECIDES: Final = ("request", "draft", "waiting", "assigned", "running", "done")
#: Tryton `stock.location.type` → unified type, for the physical types the connector reads.
#: Supplier, customer, lost-and-found and drop locations are bookkeeping counterparts of stock
#: moves, not places, and are not read (see `resources.py`).
LOCATION_TYPE: Final = {
    "warehouse": LocationType.WAREHOUSE,
    # A storage location is a zone of a warehouse (input, output, storage), nestable.
    "storage": LocationType.AREA,
    "production": LocationType.PLANT,
    # A view location only groups other locations, as a site groups its warehouses.
    "view": LocationType.SITE,
}


@dataclass(frozen=True, slots=True)
class _Street(Field):
    """Tryton's street is multi-line text: the first line is the street, the rest details."""

    details: bool = False

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        first, _, rest = (Text("street").read(row, ctx) or "").partition("\n")
        return (" ".join(rest.split()) if self.details else first.strip()) or None


@dataclass(frozen=True, slots=True)
class _Country(Field):
    """A country's ISO code, upper case; Tryton's other codes (three letters) are none."""

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        code = Text("country.code").read(row, ctx)
        return code.upper() if code and len(code) == 2 else None


#: A `party.address` as a unified address.
_ADDRESS_PARTS: Final = {
    "line1": _Street(),
    "line2": _Street(details=True),
    "city": Text("city"),
    "region": Text("subdivision.name"),
    "postal_code": Text("postal_code"),
    "country": _Country(),
}


def address(path: str) -> Place:
    """The `party.address` read through `path`; of a list (a party's `addresses`), the first,
    the main one, as Tryton orders a party's addresses by their sequence."""
    return Place(path, _ADDRESS_PARTS, writable=False)


#: Unified purchase order line field → Tryton `purchase.line` converter (rows of `lines.`).
LINE_FIELDS: Final = {
    "remote_id": Text("id"),
    "item": Ref(Entity.INVENTORY_ITEMS, "product"),
    "item_code": Text("product.code"),
    "description": First((Text("description"), Text("product.rec_name"))),
    "quantity": Number("quantity"),
    # Received quantity, from done moves; Tryton leaves it empty before processing.
    "quantity_received": Number("actual_quantity"),
    "unit_of_measure": Text("unit.symbol"),
    "unit_price": Number("unit_price"),
    "line_total": Number("amount"),
    "required_date": Day("delivery_date"),
}

#: Unified field → Tryton converter, per entity. Purchase order lines are mapped in
#: `mapping.py` with `LINE_FIELDS`: they need their position and the order's warehouse.
FIELD_MAP: Final[Mapping[Entity, Mapping[str, Field]]] = {
    Entity.PURCHASE_ORDERS: {
        "number": Text("number"),
        "status": Code(
            "state",
            STATUS_MAP,
            refine={"processing": Code("shipment_state", PROCESSING_STATUS)},
        ),
        "vendor": Ref(Entity.VENDORS, "party"),
        "order_date": Day("purchase_date"),
        "expected_delivery_date": Day("delivery_date"),
        "currency": Text("currency.code"),
        # From confirmation on, Tryton stores the amounts; before, they are computed on
        # request and added to the row under their own names (see `resources.py`).
        "subtotal": First((Number("untaxed_amount_cache"), Number("untaxed_amount"))),
        "tax_total": First((Number("tax_amount_cache"), Number("tax_amount"))),
        "total": First((Number("total_amount_cache"), Number("total_amount"))),
        "payment_terms": Text("payment_term.name"),
        "ship_to": address("warehouse.address"),
        "bill_to": address("invoice_address"),
        "buyer": First((Text("confirmed_by.rec_name"), Text("quoted_by.rec_name"))),
        "notes": Text("description"),
    },
    # `type` (always other), `description`, `actual_*` and `actual_hours` are read in
    # `mapping.py`: they come from several fields and from the work's cycles.
    Entity.WORK_ORDERS: {
        "number": Text("rec_name"),
        "title": Text("operation.name"),
        "status": Code(
            "production.state",
            WORK_PRODUCTION_STATUS,
            refine={state: Code("state", WORK_STATUS) for state in _WORK_DECIDES},
        ),
        "location": Ref(Entity.LOCATIONS, "production.warehouse"),
        "scheduled_start": DayStart("production.planned_start_date"),
        "scheduled_end": DayStart("production.planned_date"),
        "due_date": Day("production.planned_date"),
    },
    Entity.VENDORS: {
        "code": Text("code"),
        "name": Text("name"),
        "status": Code("active", VENDOR_STATUS, coerce=bool),
        "tax_id": Text("tax_identifier.code"),
        "email": Text("email"),
        "phone": Text("phone"),
        "website": Text("website"),
        "currency": Text("supplier_currency.code"),
        "payment_terms": Text("supplier_payment_term.name"),
        "address": address("addresses"),
    },
    Entity.INVENTORY_ITEMS: {
        "code": Text("code"),
        "name": Text("name"),
        "description": Text("description"),
        "category": Text("account_category.name"),
        "unit_of_measure": Text("default_uom.symbol"),
        "unit_cost": Number("cost_price"),
        "status": Code("active", ITEM_STATUS, coerce=bool),
    },
    Entity.LOCATIONS: {
        "code": Text("code"),
        "name": Text("name"),
        "type": Code("type", LOCATION_TYPE),
        "status": Code("active", LOCATION_STATUS, coerce=bool),
        "parent": Ref(Entity.LOCATIONS, "parent"),
        "address": address("address"),
    },
}

#: Custom fields (Tryton's own field names) per entity: fields integrators need that the
#: unified model has no place for. Those in `PURCHASE_CUSTOM_FIELDS` can be written too.
CUSTOM_FIELDS: Final[Mapping[Entity, Mapping[str, Field]]] = {
    Entity.PURCHASE_ORDERS: {
        "reference": Text("reference"),
        "comment": Text("comment"),
        "invoice_method": Text("invoice_method"),
        "state": Text("state"),
        "shipment_state": Text("shipment_state"),
        "invoice_state": Text("invoice_state"),
        "warehouse_code": Text("warehouse.code"),
    },
    Entity.WORK_ORDERS: {
        "production": Text("production.number"),
        "production_state": Text("production.state"),
        "state": Text("state"),
        "work_center": Text("work_center.name"),
        "product": Text("production.product.code"),
        "quantity": Number("production.quantity"),
        "unit": Text("production.unit.symbol"),
        "cost": Number("cost"),
    },
    Entity.VENDORS: {
        "lang": Text("lang.code"),
    },
    Entity.INVENTORY_ITEMS: {
        "type": Text("type"),
        "list_price": Number("list_price"),
        "purchasable": Flag("purchasable"),
    },
    Entity.LOCATIONS: {
        "type": Text("type"),
    },
}

#: Every status-like table with the Tryton field it reads and its unified enum, for checks
#: over real data. Tryton's selections are fixed by its modules, so the lists are closed.
STATUS_TABLES: Final[tuple[StatusTable, ...]] = (
    StatusTable(Entity.PURCHASE_ORDERS, "state", STATUS_MAP, PurchaseOrderStatus),
    StatusTable(Entity.PURCHASE_ORDERS, "shipment_state", PROCESSING_STATUS, PurchaseOrderStatus),
    StatusTable(Entity.WORK_ORDERS, "state", WORK_STATUS, WorkOrderStatus),
    # Only the production states that decide a work's status are listed; the others defer.
    StatusTable(
        Entity.WORK_ORDERS, "production./state", WORK_PRODUCTION_STATUS, WorkOrderStatus, False
    ),
    StatusTable(Entity.VENDORS, "active", VENDOR_STATUS, VendorStatus),
    StatusTable(Entity.INVENTORY_ITEMS, "active", ITEM_STATUS, InventoryItemStatus),
    StatusTable(Entity.LOCATIONS, "type", LOCATION_TYPE, LocationType),
    StatusTable(Entity.LOCATIONS, "active", LOCATION_STATUS, LocationStatus),
)


# --- writes ------------------------------------------------------------------------------------


#: Unified purchase order field → how a write sets it on `purchase.purchase`. Its keys are the
#: fields a write may give, as the spec declares them.
PURCHASE_WRITES: Final = {
    "vendor_remote_id": Put(),
    "status": Put(),
    "order_date": Put("purchase_date"),
    "expected_delivery_date": Put("delivery_date"),
    "currency": Put("currency", "currency.currency", "code"),
    "payment_terms": Put("payment_term", "account.invoice.payment_term", "name"),
    "notes": Put("description"),
    "lines": Put(),
    "custom_fields": Put(),
}

#: Purchase custom fields a write may set (Tryton's own field names).
PURCHASE_CUSTOM_FIELDS: Final = ("reference", "comment", "invoice_method")

#: Unified vendor field → how a write sets it on `party.party`.
VENDOR_WRITES: Final = {
    # Tryton's party sequence gives the code unless one is given; it stays afterwards.
    "code": Put("code", update=False),
    "name": Put("name"),
    "email": Put(),
    "phone": Put(),
    "website": Put(),
    "currency": Put("supplier_currency", "currency.currency", "code", clears=True),
    "payment_terms": Put(
        "supplier_payment_term", "account.invoice.payment_term", "name", clears=True
    ),
    "address": Put(),
    # Tryton deactivates parties (`active`); set on update only.
    "status": Put(create=False),
}

#: Buttons that move a purchase towards each status a caller may set, from each Tryton state.
TRANSITIONS: Final[Mapping[PurchaseOrderStatus, Mapping[str, tuple[str, ...]]]] = {
    PurchaseOrderStatus.DRAFT: {"quotation": ("draft",), "cancelled": ("draft",)},
    PurchaseOrderStatus.PENDING_APPROVAL: {"draft": ("quote",)},
    PurchaseOrderStatus.APPROVED: {
        "draft": ("quote", "confirm"),
        "quotation": ("confirm",),
    },
    PurchaseOrderStatus.CANCELLED: {"draft": ("cancel",), "quotation": ("cancel",)},
}
#: The Tryton states already at (or past) each settable status: no button is pressed.
REACHED: Final = {
    PurchaseOrderStatus.DRAFT: frozenset({"draft"}),
    PurchaseOrderStatus.PENDING_APPROVAL: frozenset({"quotation"}),
    PurchaseOrderStatus.APPROVED: frozenset({"confirmed", "processing"}),
    PurchaseOrderStatus.CANCELLED: frozenset({"cancelled"}),
}
