"""Tables between NetSuite and the unified model.

Reads map SuiteQL rows (lower-case column names; dates the statements in `resources.py`
format as ISO text, in the account's time zone); writes build Record API bodies (camelCase
properties, references as `{"id": …}`). Custom fields (`custbody_*`, `custentity_*`,
`custitem_*`) stay in `remote_data` and come out as `custom_fields` under their own names.
A refused write's `o:errorPath` names the unified field through the write maps
(`Mapper.error_names`).
"""

from __future__ import annotations

from typing import Any, Final

from ironbridge.connectors.base import StatusTable
from ironbridge.connectors.kit import (
    Code,
    Const,
    Day,
    First,
    Integer,
    Mapper,
    Number,
    NumberWire,
    RecordMap,
    Ref,
    Rows,
    Stamp,
    Sum,
    Text,
    ZonedWire,
)
from ironbridge.model import (
    Entity,
    InventoryItemStatus,
    LocationStatus,
    LocationType,
    PurchaseOrderStatus,
    VendorStatus,
)

__all__ = [
    "LINES",
    "LOCATION_TYPES",
    "LOCKED",
    "PO_STATUS",
    "READS",
    "STATUS_TABLES",
    "STOCK",
    "read_mapper",
    "write_mapper",
]

P = PurchaseOrderStatus
#: SuiteQL `transaction.status` of purchase orders (type PurchOrd).
PO_STATUS: Final = {
    "P": P.DRAFT,  # Planned
    "A": P.PENDING_APPROVAL,  # Pending Supervisor Approval
    "B": P.SENT,  # Pending Receipt
    "C": P.CANCELLED,  # Rejected by Supervisor
    "D": P.PARTIALLY_RECEIVED,  # Partially Received
    "E": P.PARTIALLY_RECEIVED,  # Pending Billing/Partially Received
    "F": P.RECEIVED,  # Pending Bill
    "G": P.CLOSED,  # Fully Billed
    "H": P.CLOSED,  # Closed
}
#: Statuses in which NetSuite refuses changes to an order.
LOCKED: Final = frozenset({"G", "H"})
_INACTIVE: Final = {"F": VendorStatus.ACTIVE, "T": VendorStatus.INACTIVE}
_ITEM_INACTIVE: Final = {"F": InventoryItemStatus.ACTIVE, "T": InventoryItemStatus.INACTIVE}
_LOCATION_INACTIVE: Final = {"F": LocationStatus.ACTIVE, "T": LocationStatus.INACTIVE}
#: SuiteQL `location.locationtype` (the Location Type list): a store is a site of its own
#: with an address; a location without a type holds inventory like a warehouse.
LOCATION_TYPES: Final = {"1": LocationType.SITE, "2": LocationType.WAREHOUSE}
_UNTYPED: Final = Const(LocationType.WAREHOUSE)

STATUS_TABLES: Final = (
    StatusTable(Entity.PURCHASE_ORDERS, "status", PO_STATUS, PurchaseOrderStatus),
    StatusTable(Entity.VENDORS, "isinactive", _INACTIVE, VendorStatus),
    StatusTable(Entity.INVENTORY_ITEMS, "isinactive", _ITEM_INACTIVE, InventoryItemStatus),
    StatusTable(Entity.LOCATIONS, "isinactive", _LOCATION_INACTIVE, LocationStatus),
    StatusTable(Entity.LOCATIONS, "locationtype", LOCATION_TYPES, LocationType),
)

LINES: Final = {
    "remote_id": Text("id"),
    "line_number": Integer("linesequencenumber"),
    "item": Ref(Entity.INVENTORY_ITEMS, "item"),
    "description": Text("memo"),
    "quantity": Number("quantity"),
    "quantity_received": Number("quantityshiprecv"),
    "unit_price": Number("rate"),
    "line_total": Number("netamount"),
    "required_date": Day("requireddate"),
    "location": Ref(Entity.LOCATIONS, "location"),
}
STOCK: Final = {
    "location": Ref(Entity.LOCATIONS, "location"),
    "on_hand": Number("quantityonhand"),
    "available": Number("quantityavailable"),
    "reserved": Number("quantitycommitted"),
    "reorder_point": Number("reorderpoint"),
}


READS: Final = {
    Entity.PURCHASE_ORDERS: RecordMap(
        fields={
            "number": Text("transactionnumber"),
            "status": Code("status", table=PO_STATUS),
            "vendor": Ref(Entity.VENDORS, "entity"),
            "order_date": Day("orderdate"),
            "required_date": Day("duedate_iso"),
            "currency": Text("currencycode"),
            "notes": Text("memo"),
            "lines": Rows("lines", LINES),
            "total": Sum("lines", "netamount"),
            "subtotal": Sum("lines", "netamount"),
        },
        created=Stamp("created"),
        extension_prefixes=("custbody_",),
    ),
    Entity.VENDORS: RecordMap(
        fields={
            "code": Text("entityid"),
            "name": Text("companyname"),
            "status": Code("isinactive", table=_INACTIVE),
            "email": Text("email"),
            "phone": Text("phone"),
            "website": Text("url"),
            "currency": Text("currencycode"),
        },
        created=Stamp("created"),
        extension_prefixes=("custentity_",),
    ),
    Entity.INVENTORY_ITEMS: RecordMap(
        fields={
            "code": Text("fullname"),
            "name": Text("fullname"),
            "description": Text("description"),
            "unit_cost": Number("cost"),
            "status": Code("isinactive", table=_ITEM_INACTIVE),
            "stock_levels": Rows("stock", STOCK),
            "total_on_hand": Sum("stock", "quantityonhand"),
        },
        created=Stamp("created"),
        extension_prefixes=("custitem_",),
    ),
    Entity.LOCATIONS: RecordMap(
        fields={
            "code": Text("name"),
            "name": Text("fullname"),
            "type": First((Code("locationtype", table=LOCATION_TYPES), _UNTYPED)),
            "status": Code("isinactive", table=_LOCATION_INACTIVE),
            "parent": Ref(Entity.LOCATIONS, "parent"),
        },
    ),
}


def read_mapper(zone: Any) -> Mapper:
    """The read maps, through the account's time zone."""
    return Mapper("NetSuite", ZonedWire("NetSuite", zone), READS)


_WRITE_LINES: Final = {
    "item": Ref(Entity.INVENTORY_ITEMS, "item/id"),
    "description": Text("description"),
    "quantity": Number("quantity"),
    "unit_price": Number("rate"),
    "required_date": Day("expectedReceiptDate"),
    "location": Ref(Entity.LOCATIONS, "location/id"),
}
_WRITE_INACTIVE: Final = {False: VendorStatus.ACTIVE, True: VendorStatus.INACTIVE}

#: Record API bodies: `purchaseOrder` and `vendor`, numbers as JSON numbers.
write_mapper: Final = Mapper(
    "NetSuite",
    NumberWire("NetSuite"),
    {
        Entity.PURCHASE_ORDERS: RecordMap(
            fields={
                "vendor": Ref(Entity.VENDORS, "entity/id"),
                "order_date": Day("tranDate"),
                "required_date": Day("dueDate"),
                "notes": Text("memo"),
                "lines": Rows("item/items", _WRITE_LINES),
            },
            extension_prefixes=("custbody_",),
        ),
        Entity.VENDORS: RecordMap(
            fields={
                "code": Text("entityId"),
                "name": Text("companyName"),
                "status": Code("isInactive", table=_WRITE_INACTIVE),
                "email": Text("email"),
                "phone": Text("phone"),
                "website": Text("url"),
            },
            extension_prefixes=("custentity_",),
        ),
    },
)
