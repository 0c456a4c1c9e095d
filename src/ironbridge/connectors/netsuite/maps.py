"""Tables between NetSuite and the unified model.

Reads map SuiteQL rows (lower-case column names; dates the statements in `resources.py`
format as ISO text, in the account's time zone); writes build Record API bodies (camelCase
properties, references as `{"id": …}`). Custom fields (`custbody_*`, `custentity_*`,
`custitem_*`) stay in `remote_data` and come out as `custom_fields` under their own names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ironbridge.connectors.base import StatusTable
from ironbridge.connectors.kit import (
    Code,
    Const,
    Day,
    Integer,
    Mapper,
    Number,
    RecordMap,
    Ref,
    Rows,
    Stamp,
    Text,
    Wire,
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
    "LOCKED",
    "PO_STATUS",
    "READS",
    "STATUS_TABLES",
    "STOCK",
    "AccountWire",
    "RecordWire",
    "error_field",
    "read_mapper",
    "write_mapper",
    "zone_of",
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

STATUS_TABLES: Final = (
    StatusTable(Entity.PURCHASE_ORDERS, "status", PO_STATUS, PurchaseOrderStatus),
    StatusTable(Entity.VENDORS, "isinactive", _INACTIVE, VendorStatus),
    StatusTable(Entity.INVENTORY_ITEMS, "isinactive", _ITEM_INACTIVE, InventoryItemStatus),
    StatusTable(Entity.LOCATIONS, "isinactive", _LOCATION_INACTIVE, LocationStatus),
)
_OFFSET: Final = re.compile(r"([+-])(\d{1,2}):?(\d{2})")


def zone_of(name: str) -> tzinfo:
    """A time zone as NetSuite names it: an IANA name or an offset such as `-08:00`."""
    found = _OFFSET.fullmatch(name.strip())
    if found is not None:
        sign = -1 if found.group(1) == "-" else 1
        hours, minutes = int(found.group(2)), int(found.group(3))
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is no time zone") from None


class AccountWire(Wire):
    """SuiteQL rows: times without a zone are the account's (NetSuite shows and compares
    dates in the account's time zone)."""

    name = "NetSuite"

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def to_datetime(self, value: Any) -> datetime:
        moment = datetime.fromisoformat(str(value)) if not isinstance(value, datetime) else value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(UTC)


class RecordWire(Wire):
    """Record API bodies: numbers as JSON numbers."""

    name = "NetSuite"

    def from_decimal(self, value: Decimal) -> Any:
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)


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


def _order_totals(row: Any, _ctx: Any) -> dict[str, Any]:
    amounts = [Decimal(line["netamount"]) for line in row.get("lines", ()) if "netamount" in line]
    return {"total": sum(amounts, Decimal(0)), "subtotal": sum(amounts, Decimal(0))}


STOCK: Final = {
    "location": Ref(Entity.LOCATIONS, "location"),
    "on_hand": Number("quantityonhand"),
    "available": Number("quantityavailable"),
    "reserved": Number("quantitycommitted"),
    "reorder_point": Number("reorderpoint"),
}


def read_mapper(zone: tzinfo) -> Mapper:
    """The read maps, through the account's time zone."""
    return Mapper("NetSuite", AccountWire(zone), READS)


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
        },
        created=Stamp("created"),
        extension_prefixes=("custbody_",),
        derive=_order_totals,
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
        },
        created=Stamp("created"),
        extension_prefixes=("custitem_",),
        derive=lambda row, ctx: {
            "total_on_hand": sum(
                (Decimal(s.get("quantityonhand", "0")) for s in row.get("stock", ())), Decimal(0)
            )
        },
    ),
    Entity.LOCATIONS: RecordMap(
        fields={
            "code": Text("name"),
            "name": Text("fullname"),
            "type": Const(LocationType.WAREHOUSE),
            "status": Code("isinactive", table=_LOCATION_INACTIVE),
            "parent": Ref(Entity.LOCATIONS, "parent"),
        },
    ),
}

_WRITE_LINES: Final = {
    "item": Ref(Entity.INVENTORY_ITEMS, "item/id"),
    "description": Text("description"),
    "quantity": Number("quantity"),
    "unit_price": Number("rate"),
    "required_date": Day("expectedReceiptDate"),
    "location": Ref(Entity.LOCATIONS, "location/id"),
}

#: Record API bodies: `purchaseOrder` and `vendor`.
write_mapper: Final = Mapper(
    "NetSuite",
    RecordWire(),
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
                "status": Code(
                    "isInactive", table={False: VendorStatus.ACTIVE, True: VendorStatus.INACTIVE}
                ),
                "email": Text("email"),
                "phone": Text("phone"),
                "website": Text("url"),
            },
            extension_prefixes=("custentity_",),
        ),
    },
)


def _names(fields: Mapping[str, Any]) -> dict[str, str]:
    """Record API property → unified field, read off the write maps (references as `*_id`)."""
    return {
        conv.path.split("/")[0]: f"{name}_id" if isinstance(conv, Ref) else name
        for name, conv in fields.items()
        if isinstance(getattr(conv, "path", None), str)
    }


_HEADER_NAMES: Final = {
    name: field
    for record_map in write_mapper.maps.values()
    for name, field in _names(record_map.fields).items()
}
_LINE_NAMES: Final = _names(_WRITE_LINES)
_LINE_PATH: Final = re.compile(r"item\.items\[(\d+)\]\.(\w+)")


def error_field(path: str) -> str:
    """The unified field an `o:errorPath` names: `item.items[0].quantity` → `lines.0.quantity`."""
    found = _LINE_PATH.fullmatch(path)
    if found is not None:
        name = found.group(2)
        return f"lines.{found.group(1)}.{_LINE_NAMES.get(name, name)}"
    return _HEADER_NAMES.get(path, path)
