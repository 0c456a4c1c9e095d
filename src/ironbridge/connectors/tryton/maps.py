"""Tables from Tryton records (as the JSON-RPC `search_read` sends them) to unified fields and back.

The converters are the kit's (`connectors.kit`), read through the JSON-RPC family's Tryton wire
(`protocols.jsonrpc_wire`): a path such as `currency.code` reads `row["currency."]["code"]`, and
typed values (`{"__class__": "Decimal", ...}`) decode on the way.

Each entity has a table of unified field → converter (`FIELD_MAP`) and one of custom fields
(`CUSTOM_FIELDS`, Tryton fields outside the unified model, named as Tryton names them);
`MAPPER` binds them, with what a table cannot say (below). Status tables list every code Tryton
uses; a code missing from a table is an `errors.UpstreamError`, never a silent default. The write
tables say which unified fields a write may give and which Tryton field each becomes.

What a table cannot say:

- Purchase order lines: only Tryton lines of type `line` are ordered goods (`comment`, `title`
  and `subtotal` lines have no product or quantity and stay in `remote_data`); a line's number
  is its position among all lines, as the Tryton client shows them; its delivery location is
  the order's warehouse, since Tryton delivers a whole purchase to one warehouse.
- Inventory items: stock levels come from the per-warehouse quantities the session reads under
  Tryton's stock context and keeps in the raw record under `warehouses`
  (`{"id", "code", "name", "quantity", "forecast_quantity", "assignable_quantity"}`);
  `assignable_quantity` is the quantity with assigned outgoing moves counted as done, i.e.
  what is left to use. The cost is in the company's currency, kept under `company_currency`.
- Work orders (`production.work`): Tryton keeps no start or end time on a work, only its cycles
  (`production.work.cycle`): running one is a write, doing it another that also sets its
  `duration` (the time since it ran, unless typed in). So a done cycle ran from its change
  time minus its duration to its change time, and a running one from its change time.
  `actual_start` is the earliest of those starts, `actual_end` the latest end once every cycle
  is done (work state `finished` or `done`), and `actual_hours` the durations of the cycles
  not cancelled. A work is a step of manufacturing: `type` is always `other`, and
  `description` says what the production makes.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors import kit
from ironbridge.connectors.protocols.jsonrpc_wire import TRYTON_WIRE
from ironbridge.connectors.protocols.jsonrpc_writes import Put, Workflow
from ironbridge.model import Entity
from ironbridge.model import enums as u

__all__ = ["CUSTOM_FIELDS", "FIELD_MAP", "LINE_FIELDS", "MAPPER", "STATUS_TABLES", "address"]

L, P, W = u.LocationType, u.PurchaseOrderStatus, u.WorkOrderStatus
T, N = kit.Text, kit.Number

#: Tryton purchase `state` → unified status. `processing` is refined by `PROCESSING_STATUS`.
STATUS_MAP: Final = {
    "draft": P.DRAFT,
    # A quotation (request for quotation) is issued and waits for confirmation.
    "quotation": P.PENDING_APPROVAL,
    # Confirmed, but the shipments and invoices are not created yet (queued processing).
    "confirmed": P.APPROVED,
    # Shipments and invoices exist; how far goods arrived is in `shipment_state`.
    "processing": P.SENT,
    # Tryton's `done` needs goods received and the invoice paid: nothing more happens.
    "done": P.CLOSED,
    "cancelled": P.CANCELLED,
}
#: Tryton purchase `shipment_state` → unified status, for orders in state `processing`.
PROCESSING_STATUS: Final = {
    "none": P.SENT,
    "waiting": P.SENT,
    "partially shipped": P.PARTIALLY_RECEIVED,
    "received": P.RECEIVED,
    # A shipment was cancelled: the order waits for a decision, goods are still awaited.
    "exception": P.SENT,
}
# Tryton has no vendor, item or location status beyond `active`; SQLite sends it as 0/1.
VENDOR_STATUS: Final = {True: u.VendorStatus.ACTIVE, False: u.VendorStatus.INACTIVE}
ITEM_STATUS: Final = {True: u.InventoryItemStatus.ACTIVE, False: u.InventoryItemStatus.INACTIVE}
LOCATION_STATUS: Final = {True: u.LocationStatus.ACTIVE, False: u.LocationStatus.INACTIVE}
#: Tryton `production.work.state` → unified status. Tryton derives a work's state from its
#: production and its cycles (`production_work` `Work._state`); the comments say when.
WORK_STATUS: Final = {
    # The production waits for its materials and nothing was booked on the work yet.
    "request": W.OPEN,
    # The production is ready or running; the work has no cycle yet: planned, not begun.
    "draft": W.SCHEDULED,
    # Cycles exist but none runs and not all are done: begun, then paused.
    "waiting": W.ON_HOLD,
    "running": W.IN_PROGRESS,
    # Every cycle is done; the production itself is not done yet.
    "finished": W.COMPLETED,
    # The production is done: nothing more is booked on its works.
    "done": W.CLOSED,
}
#: Tryton `production.state` that decides a work's status instead of the work's own state.
#: Cancelling a production deletes its works not begun and leaves the others in the state
#: they had ("finished", say), which would read as live work.
WORK_PRODUCTION_STATUS: Final = {"cancelled": W.CANCELLED}
#: The other production states, in which the work's own `state` decides (by `WORK_STATUS`).
_WORK_DECIDES: Final = {
    state: kit.Code("state", WORK_STATUS)
    for state in kit.names("request draft waiting assigned running done")
}
#: Tryton `stock.location.type` → unified type, for the physical types the connector reads.
#: Supplier, customer, lost-and-found and drop locations are bookkeeping counterparts of stock
#: moves, not places, and are not read (see `resources.py`). A storage location is a zone of a
#: warehouse (input, output, storage), nestable; a view location only groups other locations,
#: as a site groups its warehouses.
LOCATION_TYPE: Final = {
    "warehouse": L.WAREHOUSE,
    "storage": L.AREA,
    "production": L.PLANT,
    "view": L.SITE,
}


#: A `party.address` as a unified address.
_ADDRESS_PARTS: Final = {
    # Tryton's street is multi-line text: the first line is the street, the rest details.
    "line1": kit.Line("street"),
    "line2": kit.Line("street", rest=True),
    "city": T("city"),
    "region": T("subdivision.name"),
    "postal_code": T("postal_code"),
    # A country's ISO code, upper case; Tryton's other codes (three letters) are none.
    "country": kit.Matching(T("country.code"), "..", str.upper),
}


def address(path: str) -> kit.Place:
    """The `party.address` read through `path`; of a list (a party's `addresses`), the first,
    the main one, as Tryton orders a party's addresses by their sequence."""
    return kit.Place(path, _ADDRESS_PARTS, writable=False)


#: Unified purchase order line field → Tryton `purchase.line` converter (rows of `lines.`).
LINE_FIELDS: Final = {
    "remote_id": T("id"),
    "item": kit.Ref(Entity.INVENTORY_ITEMS, "product"),
    "item_code": T("product.code"),
    "description": kit.First((T("description"), T("product.rec_name"))),
    "quantity": N("quantity"),
    # Received quantity, from done moves; Tryton leaves it empty before processing.
    "quantity_received": kit.First((N("actual_quantity"), kit.Const(Decimal(0)))),
    "unit_of_measure": T("unit.symbol"),
    **kit.each(N, unit_price="unit_price", line_total="amount"),
    "required_date": kit.Day("delivery_date"),
}

#: Unified field → Tryton converter, per entity. Purchase order lines are mapped in
#: `purchase_lines` below with `LINE_FIELDS`: they need their position and the order's warehouse.
FIELD_MAP: Final[Mapping[Entity, Mapping[str, kit.Field]]] = {
    Entity.PURCHASE_ORDERS: {
        "number": T("number"),
        "status": kit.Code(
            "state", STATUS_MAP, {"processing": kit.Code("shipment_state", PROCESSING_STATUS)}
        ),
        "vendor": kit.Ref(Entity.VENDORS, "party"),
        **kit.each(kit.Day, order_date="purchase_date", expected_delivery_date="delivery_date"),
        "currency": T("currency.code"),
        # From confirmation on, Tryton stores the amounts; before, they are computed on
        # request and added to the row under their own names (see `resources.py`).
        "subtotal": kit.First((N("untaxed_amount_cache"), N("untaxed_amount"))),
        "tax_total": kit.First((N("tax_amount_cache"), N("tax_amount"))),
        "total": kit.First((N("total_amount_cache"), N("total_amount"))),
        "payment_terms": T("payment_term.name"),
        "ship_to": address("warehouse.address"),
        "bill_to": address("invoice_address"),
        "buyer": kit.First((T("confirmed_by.rec_name"), T("quoted_by.rec_name"))),
        "notes": T("description"),
    },
    # `type` (always other), `description`, `actual_*` and `actual_hours` are read in
    # `work_times` below: they come from several fields and from the work's cycles.
    Entity.WORK_ORDERS: {
        **kit.each(T, number="rec_name", title="operation.name"),
        "status": kit.Code("production.state", WORK_PRODUCTION_STATUS, _WORK_DECIDES),
        "location": kit.Ref(Entity.LOCATIONS, "production.warehouse"),
        "scheduled_start": kit.DayStart("production.planned_start_date"),
        "scheduled_end": kit.DayStart("production.planned_date"),
        "due_date": kit.Day("production.planned_date"),
    },
    Entity.VENDORS: {
        **kit.same_names(T, "code name"),
        "status": kit.Code("active", VENDOR_STATUS, coerce=bool),
        "tax_id": T("tax_identifier.code"),
        **kit.same_names(T, "email phone website"),
        "currency": T("supplier_currency.code"),
        "payment_terms": T("supplier_payment_term.name"),
        "address": address("addresses"),
    },
    Entity.INVENTORY_ITEMS: {
        **kit.same_names(T, "code name description"),
        **kit.each(T, category="account_category.name", unit_of_measure="default_uom.symbol"),
        "unit_cost": N("cost_price"),
        "status": kit.Code("active", ITEM_STATUS, coerce=bool),
    },
    Entity.LOCATIONS: {
        **kit.same_names(T, "code name"),
        "type": kit.Code("type", LOCATION_TYPE),
        "status": kit.Code("active", LOCATION_STATUS, coerce=bool),
        "parent": kit.Ref(Entity.LOCATIONS, "parent"),
        "address": address("address"),
    },
}

#: Custom fields (Tryton's own field names) per entity: fields integrators need that the
#: unified model has no place for. Those in `PURCHASE_CUSTOM_FIELDS` can be written too.
CUSTOM_FIELDS: Final[Mapping[Entity, Mapping[str, kit.Field]]] = {
    Entity.PURCHASE_ORDERS: {
        **kit.same_names(T, "reference comment invoice_method state shipment_state invoice_state"),
        "warehouse_code": T("warehouse.code"),
    },
    Entity.WORK_ORDERS: {
        **kit.each(T, production="production.number", production_state="production.state"),
        **kit.each(T, state="state", work_center="work_center.name"),
        "product": T("production.product.code"),
        "quantity": N("production.quantity"),
        "unit": T("production.unit.symbol"),
        "cost": N("cost"),
    },
    Entity.VENDORS: {"lang": T("lang.code")},
    Entity.INVENTORY_ITEMS: {
        "type": T("type"),
        "list_price": N("list_price"),
        "purchasable": kit.Flag("purchasable"),
    },
    Entity.LOCATIONS: {"type": T("type")},
}

# --- what a table cannot say ----------------------------------------------------------------------

#: Raw-record key of the per-warehouse quantities the session adds to a product row.
WAREHOUSES: Final = "warehouses"
#: Raw-record key of the company currency code the session adds to a product row.
COMPANY_CURRENCY: Final = "company_currency"

_ORDER_LOCATION: Final = kit.Ref(Entity.LOCATIONS, "warehouse")
#: Purchase lines that order goods (type `line`), numbered among lines of every type.
_LINES: Final = kit.Numbered("lines", LINE_FIELDS, {"type": "line"})
#: The fields the `derive` functions below read beside the tables (see `resources.py`).
DERIVE_READS: Final = {Entity.PURCHASE_ORDERS: (_ORDER_LOCATION, _LINES)}
#: Work states in which every cycle of the work is done (see `maps.WORK_STATUS`).
_WORK_ENDED: Final = frozenset({"finished", "done"})


def purchase_lines(row: Mapping[str, Any], ctx: kit.MapContext) -> dict[str, Any]:
    """The unified lines of a `purchase.purchase` row read with its `lines.*` fields."""
    location = _ORDER_LOCATION.read(row, ctx)
    lines = _LINES.read(row, ctx)
    for line in lines:
        if line["quantity"] is None:
            raise errors.UpstreamError(f"Tryton line {line['remote_id']} has no quantity.")
    return {"lines": [{**line, "location": location} for line in lines]}


#: Stock per warehouse, as the session reads it: what is left to use is the assignable quantity.
_LEVELS: Final = kit.place_levels(
    WAREHOUSES, T("id"), N("quantity"), N("assignable_quantity"), expected=N("forecast_quantity")
)


def stock_levels(row: Mapping[str, Any], ctx: kit.MapContext) -> dict[str, Any]:
    """One unified stock level per warehouse that holds or expects stock of the product, their
    total, and the company currency the product is costed in."""
    return {**_LEVELS(row, ctx), "currency": row.get(COMPANY_CURRENCY)}


#: When a work ran, from its cycles (see the module docstring); it ends once every cycle is done.
_BOOKED: Final = kit.booked_time(
    "cycles", stamp="last_modified_at", duration="duration", ended={"state": _WORK_ENDED}
)


def work_times(row: Mapping[str, Any], ctx: kit.MapContext) -> dict[str, Any]:
    """`actual_start`, `actual_end` and `actual_hours` of a `production.work` row from its
    cycles (see the module docstring), with its `type` and `description`."""
    return {
        "type": u.WorkOrderType.OTHER,
        "description": work_description(row, ctx),
        **_BOOKED(row, ctx),
    }


def work_description(row: Mapping[str, Any], ctx: kit.MapContext) -> str | None:
    """What the work's production makes, e.g. `Production 4: 1 u [PMP-ASM-100] Pump`."""
    number = T("production.number").read(row, ctx)
    product = T("production.product.rec_name").read(row, ctx)
    if product is None:
        return None
    quantity = N("production.quantity").read(row, ctx)
    shown = None if quantity is None else format(quantity.normalize(), "f")
    amount = " ".join(part for part in (shown, T("production.unit.symbol").read(row, ctx)) if part)
    made = f"{amount} {product}" if amount else product
    return f"Production {number}: {made}" if number else made


#: What each entity's table cannot say.
_DERIVE: Final[Mapping[Entity, kit.Derive]] = {
    Entity.PURCHASE_ORDERS: purchase_lines,
    Entity.INVENTORY_ITEMS: stock_levels,
    Entity.WORK_ORDERS: work_times,
}

#: The Tryton maps, bound to the Tryton wire.
_MAPS: Final = {
    entity: kit.RecordMap(table, custom_fields=CUSTOM_FIELDS[entity], derive=_DERIVE.get(entity))
    for entity, table in FIELD_MAP.items()
}
MAPPER: Final = kit.Mapper("Tryton", TRYTON_WIRE, _MAPS, created=kit.Stamp("create_date"))
#: Every code table with the Tryton field it reads and its unified enum, for checks over real
#: data. Tryton's selections are fixed by its modules, so the lists are closed; of the
#: production states, only those that decide a work's status are listed, the others defer.
STATUS_TABLES: Final = kit.code_tables(_MAPS, refined=True, wire=TRYTON_WIRE)


# --- writes ------------------------------------------------------------------------------------


#: Unified purchase order field → how a write sets it on `purchase.purchase`. Its keys are the
#: fields a write may give, as the spec declares them; a bare `Put()` is set by `writes.py`.
PURCHASE_WRITES: Final = {
    **dict.fromkeys(("vendor_remote_id", "status"), Put()),
    "order_date": Put("purchase_date"),
    "expected_delivery_date": Put("delivery_date"),
    "currency": Put("currency", "currency.currency", "code"),
    "payment_terms": Put("payment_term", "account.invoice.payment_term", "name"),
    "notes": Put("description"),
    **dict.fromkeys(("lines", "custom_fields"), Put()),
}

#: Unified purchase order line field → how a write sets it on `purchase.line`.
LINE_WRITES: Final = {
    "item_remote_id": Put("product", "product.product"),
    "description": Put("description"),
    "unit_of_measure": Put("unit", "product.uom", "symbol"),
    "unit_price": Put("unit_price", convert=Decimal),
    "required_date": Put("delivery_date"),
}

#: Purchase custom fields a write may set (Tryton's own field names).
PURCHASE_CUSTOM_FIELDS: Final = ("reference", "comment", "invoice_method")

#: Unified vendor field → how a write sets it on `party.party`.
VENDOR_WRITES: Final = {
    # Tryton's party sequence gives the code unless one is given; it stays afterwards.
    "code": Put("code", update=False),
    "name": Put("name"),
    **dict.fromkeys(("email", "phone", "website"), Put()),
    "currency": Put("supplier_currency", "currency.currency", "code", clears=True),
    "payment_terms": Put(
        "supplier_payment_term", "account.invoice.payment_term", "name", clears=True
    ),
    "address": Put(refuse={None: "Tryton parties keep their address; give a new one instead."}),
    # Tryton deactivates parties (`active`); set on update only.
    "status": Put(
        "active",
        create=False,
        convert=lambda status: status == u.VendorStatus.ACTIVE,
        refuse={
            u.VendorStatus.BLOCKED: "Tryton has no blocked parties; set inactive to deactivate one."
        },
    ),
}

#: Buttons that move a purchase towards each status a caller may set, from each Tryton state.
TRANSITIONS: Final[Mapping[u.PurchaseOrderStatus, Mapping[str, tuple[str, ...]]]] = {
    P.DRAFT: {"quotation": ("draft",), "cancelled": ("draft",)},
    P.PENDING_APPROVAL: {"draft": ("quote",)},
    P.APPROVED: {"draft": ("quote", "confirm"), "quotation": ("confirm",)},
    P.CANCELLED: {"draft": ("cancel",), "quotation": ("cancel",)},
}
#: The Tryton states already at (or past) each settable status: no button is pressed.
REACHED: Final = {
    P.DRAFT: frozenset({"draft"}),
    P.PENDING_APPROVAL: frozenset({"quotation"}),
    P.APPROVED: frozenset({"confirmed", "processing"}),
    P.CANCELLED: frozenset({"cancelled"}),
}
#: The answer to a status no button reaches.
_REFUSAL: Final = (
    "Set draft, pending_approval, approved or cancelled; Tryton moves an order on to sent, "
    "received and closed itself."
)
#: Purchase status changes as Tryton's buttons; an order returns to draft before it is changed.
WORKFLOW: Final = Workflow("Tryton", "purchase order", TRANSITIONS, REACHED, _REFUSAL, ("draft",))
