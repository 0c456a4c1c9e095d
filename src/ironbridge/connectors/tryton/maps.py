"""Tables from Tryton records (as the JSON-RPC `search_read` sends them) to unified fields.

A Tryton row holds plain fields (`"state": "draft"`, `"party": 3`), typed values
(`{"__class__": "Decimal", "decimal": "42.80"}`) and, for each dotted field asked for, a nested
object under the name with a trailing dot (`"currency.": {"code": "USD", "id": 2}`,
`"lines.": [{...}, ...]`). A path such as `currency.code` below reads `row["currency."]["code"]`.

Each entity has a `RecordMap`: unified field → converter, plus `custom_fields` (Tryton fields
outside the unified model, named as Tryton names them). Status tables list every code Tryton
uses; a code missing from a table is an `errors.UpstreamError`, never a silent default.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.base import IdFactory, StatusTable, reference
from ironbridge.connectors.protocols.jsonrpc import TRYTON
from ironbridge.model import (
    Entity,
    InventoryItemStatus,
    LocationStatus,
    LocationType,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrderStatus,
)

__all__ = [
    "CUSTOM_FIELDS",
    "FIELD_MAP",
    "ITEM_STATUS",
    "LINE_FIELDS",
    "LOCATION_STATUS",
    "LOCATION_TYPE",
    "MAPS",
    "PROCESSING_STATUS",
    "STATUS_MAP",
    "STATUS_TABLES",
    "VENDOR_STATUS",
    "WORK_PRODUCTION_STATUS",
    "WORK_STATUS",
    "Code",
    "Day",
    "DayStart",
    "Field",
    "First",
    "Flag",
    "Number",
    "Place",
    "RecordMap",
    "Ref",
    "Stamp",
    "Text",
    "lookup",
    "nested_object",
    "read_fields",
]

#: Tryton purchase `state` → unified status. `processing` is refined by `PROCESSING_STATUS`.
STATUS_MAP: Final[Mapping[Any, PurchaseOrderStatus]] = MappingProxyType(
    {
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
)
#: Tryton purchase `shipment_state` → unified status, for orders in state `processing`.
PROCESSING_STATUS: Final[Mapping[Any, PurchaseOrderStatus]] = MappingProxyType(
    {
        "none": PurchaseOrderStatus.SENT,
        "waiting": PurchaseOrderStatus.SENT,
        "partially shipped": PurchaseOrderStatus.PARTIALLY_RECEIVED,
        "received": PurchaseOrderStatus.RECEIVED,
        # A shipment was cancelled: the order waits for a decision, goods are still awaited.
        "exception": PurchaseOrderStatus.SENT,
    }
)
# Tryton has no vendor, item or location status beyond `active`; SQLite sends it as 0/1.
VENDOR_STATUS: Final[Mapping[Any, VendorStatus]] = MappingProxyType(
    {True: VendorStatus.ACTIVE, False: VendorStatus.INACTIVE}
)
ITEM_STATUS: Final[Mapping[Any, InventoryItemStatus]] = MappingProxyType(
    {True: InventoryItemStatus.ACTIVE, False: InventoryItemStatus.INACTIVE}
)
LOCATION_STATUS: Final[Mapping[Any, LocationStatus]] = MappingProxyType(
    {True: LocationStatus.ACTIVE, False: LocationStatus.INACTIVE}
)
#: Tryton `production.work.state` → unified status. Tryton derives a work's state from its
#: production and its cycles (`production_work` `Work._state`); the comments say when.
WORK_STATUS: Final[Mapping[Any, WorkOrderStatus]] = MappingProxyType(
    {
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
)
#: Tryton `production.state` that decides a work's status instead of the work's own state.
#: Cancelling a production deletes its works not begun and leaves the others in the state
#: they had ("finished", say), which would read as live work.
WORK_PRODUCTION_STATUS: Final[Mapping[Any, WorkOrderStatus]] = MappingProxyType(
    {"cancelled": WorkOrderStatus.CANCELLED}
)
#: The other production states, in which the work's own `state` decides.
_WORK_DECIDES: Final = ("request", "draft", "waiting", "assigned", "running", "done")
#: Tryton `stock.location.type` → unified type, for the physical types the connector reads.
#: Supplier, customer, lost-and-found and drop locations are bookkeeping counterparts of stock
#: moves, not places, and are not read (see `resources.py`).
LOCATION_TYPE: Final[Mapping[Any, LocationType]] = MappingProxyType(
    {
        "warehouse": LocationType.WAREHOUSE,
        # A storage location is a zone of a warehouse (input, output, storage), nestable.
        "storage": LocationType.AREA,
        "production": LocationType.PLANT,
        # A view location only groups other locations, as a site groups its warehouses.
        "view": LocationType.SITE,
    }
)


def nested_object(row: Mapping[str, Any] | None, path: str) -> Mapping[str, Any] | None:
    """The nested object Tryton sent for the dotted fields under `path` (`a.b` → `row["a."]["b."]`).

    A list (a One2Many such as a party's addresses) gives its first element.
    """
    node: Any = row
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(f"{part}.")
        if isinstance(node, list):
            node = node[0] if node else None
    return node if isinstance(node, Mapping) else None


def lookup(row: Mapping[str, Any] | None, path: str) -> Any:
    """The value at dotted `path` in a Tryton row (`a.b.c` reads `row["a."]["b."]["c"]`)."""
    node: Any = row
    *parents, leaf = path.split(".")
    for part in parents:
        if not isinstance(node, Mapping):
            return None
        node = node.get(f"{part}.")
    if not isinstance(node, Mapping):
        return None
    return node.get(leaf)


class Field(ABC):
    """How one unified field is read from a Tryton row."""

    @abstractmethod
    def read(self, row: Mapping[str, Any], ids: IdFactory) -> Any:
        """The unified value in `row`."""


@dataclass(frozen=True, slots=True)
class Text(Field):
    """Text as it is; Tryton's empty string (e.g. a party without e-mail) is no value."""

    path: str

    def read(self, row: Mapping[str, Any], ids: IdFactory) -> Any:
        value = lookup(row, self.path)
        if value is None or value == "":
            return None
        return str(value)


@dataclass(frozen=True, slots=True)
class Number(Field):
    """A Decimal (`{"__class__": "Decimal"}`) or a float (quantities) as a `Decimal`."""

    path: str

    def read(self, row: Mapping[str, Any], ids: IdFactory) -> Any:
        value = TRYTON.decode(lookup(row, self.path))
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
            raise ValueError(f"{self.path} holds {value!r}, not a number")
        # Through str(): Tryton sends quantities as JSON floats; 0.1 means the decimal 0.1.
        return Decimal(str(value))


@dataclass(frozen=True, slots=True)
class Day(Field):
    """A `{"__class__": "date"}` value."""

    path: str

    def read(self, row: Mapping[str, Any], ids: IdFactory) -> Any:
        value = TRYTON.decode(lookup(row, self.path))
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError(f"{self.path} holds {value!r}, not a date")
        return value


@dataclass(frozen=True, slots=True)
class DayStart(Field):
    """A `{"__class__": "date"}` value where a time is expected: 00:00 UTC of that day.

    Tryton plans productions by day; the day's start is the earliest moment the date allows.
    """

    path: str

    def read(self, row: Mapping[str, Any], ids: IdFactory) -> Any:
        day = Day(self.path).read(row, ids)
        return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Stamp(Field):
    """A `{"__class__": "datetime"}` value (UTC in Tryton) as an aware datetime."""

    path: str

    def read(self, row: Mapping[str, Any], ids: IdFactory) -> Any:
        value = TRYTON.decode(lookup(row, self.path))
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise ValueError(f"{self.path} holds {value!r}, not a datetime")
        return value


@dataclass(frozen=True, slots=True)
class Code(Field):
    """A Tryton code translated through a table; `refine` looks further for some codes.

    `refine` maps a code to (path, table) of a second field that decides instead, e.g.
    purchase state `processing` → its `shipment_state`. `coerce` normalises the raw value first
    (`bool` for `active`, which SQLite sends as 0/1).
    """

    path: str
    table: Mapping[Any, StrEnum] = field(hash=False)
    refine: Mapping[Any, tuple[str, Mapping[Any, StrEnum]]] = field(
        default_factory=dict, hash=False
    )
    coerce: Callable[[Any], Any] | None = None

    def read(self, row: Mapping[str, Any], ids: IdFactory) -> Any:
        value = lookup(row, self.path)
        if value is None:
            return None
        if self.coerce is not None:
            value = self.coerce(value)
        if value in self.refine:
            path, table = self.refine[value]
            return Code(path, table).read(row, ids)
        try:
            return self.table[value]
        except KeyError:
            # Loud by design: a guessed default would publish a wrong status to integrators.
            raise errors.UpstreamError(
                f"Tryton sent {self.path} {value!r}, which the Tryton map does not know."
            ) from None


@dataclass(frozen=True, slots=True)
class Flag(Field):
    """A boolean; SQLite-backed Tryton sends booleans as 0/1."""

    path: str

    def read(self, row: Mapping[str, Any], ids: IdFactory) -> Any:
        value = lookup(row, self.path)
        return None if value is None else bool(value)


@dataclass(frozen=True, slots=True)
class Ref(Field):
    """A Many2One: the id at `path` or in its nested object (ids only; see `base.reference`)."""

    entity: Entity
    path: str

    def read(self, row: Mapping[str, Any], ids: IdFactory) -> Any:
        value = lookup(row, self.path)
        if value is None:
            nested = nested_object(row, self.path)
            value = None if nested is None else nested.get("id")
        if value is None or isinstance(value, bool):
            return None
        return reference(ids, self.entity, str(value))


@dataclass(frozen=True, slots=True)
class Place(Field):
    """A `party.address` read through `path` (`<path>.street`, `.city`, ...).

    When `path` holds a list (a party's `addresses`), the first address is the main one, as
    Tryton orders a party's addresses by their sequence.
    """

    path: str

    def read(self, row: Mapping[str, Any], ids: IdFactory) -> Any:
        node = nested_object(row, self.path)
        if node is None:
            return None
        street = Text("street").read(node, ids)
        # Tryton's street is multi-line text; the first line is the street, the rest details.
        line1, _, rest = (street or "").partition("\n")
        country = Text("country.code").read(node, ids)
        return {
            "line1": line1.strip() or None,
            "line2": " ".join(rest.split()) or None,
            "city": Text("city").read(node, ids),
            "region": Text("subdivision.name").read(node, ids),
            "postal_code": Text("postal_code").read(node, ids),
            "country": country.upper() if country and len(country) == 2 else None,
        }


@dataclass(frozen=True, slots=True)
class First(Field):
    """The first of several fields that has a value (e.g. a stored cache, then the computed)."""

    fields: tuple[Field, ...]

    def read(self, row: Mapping[str, Any], ids: IdFactory) -> Any:
        for candidate in self.fields:
            value = candidate.read(row, ids)
            if value is not None:
                return value
        return None


@dataclass(frozen=True)
class RecordMap:
    """One entity's table: unified fields and custom fields, each read from a Tryton row."""

    fields: Mapping[str, Field]
    custom_fields: Mapping[str, Field]


def read_fields(
    fields: Mapping[str, Field], row: Mapping[str, Any], ids: IdFactory
) -> dict[str, Any]:
    """Read every field of `fields` from `row`; an unreadable value is an `UpstreamError`."""
    out: dict[str, Any] = {}
    for name, field_map in fields.items():
        try:
            out[name] = field_map.read(row, ids)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise errors.UpstreamError(f"Tryton's value for {name} is unreadable ({exc}).") from exc
    return out


_ADDRESS: Final = "address"

#: Unified purchase order line field → Tryton `purchase.line` converter (rows of `lines.`).
LINE_FIELDS: Final[Mapping[str, Field]] = MappingProxyType(
    {
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
)

#: Unified field → Tryton converter, per entity. Purchase order lines are mapped in
#: `mapping.py` with `LINE_FIELDS`: they need their position and the order's warehouse.
FIELD_MAP: Final[Mapping[Entity, Mapping[str, Field]]] = MappingProxyType(
    {
        Entity.PURCHASE_ORDERS: {
            "number": Text("number"),
            "status": Code(
                "state", STATUS_MAP, refine={"processing": ("shipment_state", PROCESSING_STATUS)}
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
            "ship_to": Place("warehouse.address"),
            "bill_to": Place("invoice_address"),
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
                refine={state: ("state", WORK_STATUS) for state in _WORK_DECIDES},
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
            "address": Place("addresses"),
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
            "address": Place(_ADDRESS),
        },
    }
)

#: Custom fields (Tryton's own field names) per entity: fields integrators need that the
#: unified model has no place for. Those in `WRITABLE_CUSTOM_FIELDS` can be written too.
CUSTOM_FIELDS: Final[Mapping[Entity, Mapping[str, Field]]] = MappingProxyType(
    {
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
)

#: Every entity's table.
MAPS: Final[Mapping[Entity, RecordMap]] = MappingProxyType(
    {entity: RecordMap(FIELD_MAP[entity], CUSTOM_FIELDS[entity]) for entity in FIELD_MAP}
)

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
