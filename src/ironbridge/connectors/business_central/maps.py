"""How Business Central's API v2.0 records read as unified records, and are written back.

Business Central sends `""` for an empty text and the empty GUID for a reference to nothing;
both read as no value. Addresses are flat properties with a prefix (`shipToCity`), and an
order's status needs its lines: a released order is partly received when some quantity has
arrived, received when `fullyReceived`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from ironbridge.connectors.base import StatusTable
from ironbridge.connectors.kit import (
    Code,
    Const,
    Day,
    Field,
    Flags,
    Integer,
    MapContext,
    Mapper,
    Number,
    RecordMap,
    Ref,
    Rows,
    Text,
    Wire,
    read_fields,
    write_fields,
)
from ironbridge.model import (
    AssetStatus,
    Entity,
    InventoryItemStatus,
    LocationStatus,
    LocationType,
    PurchaseOrderStatus,
    VendorStatus,
)

__all__ = ["MAPPER", "STATUS_TABLES", "WIRE"]

_EMPTY_GUID: Final = "00000000-0000-0000-0000-000000000000"


class _BusinessCentralWire(Wire):
    name = "Business Central"
    blank_write = ""

    def is_empty(self, value: Any) -> bool:
        return value is None or value == "" or value == _EMPTY_GUID


WIRE: Final = _BusinessCentralWire()


@dataclass(frozen=True, slots=True)
class _Flat(Field):
    """An address kept as flat properties of the record itself, named with a prefix."""

    prefix: str
    parts: Mapping[str, Field] = field(hash=False)
    writable: bool = field(default=True, kw_only=True)

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        values = read_fields(self.parts, row, ctx)
        return values if any(v is not None for v in values.values()) else None

    def write(self, value: Any, out: dict[str, Any], wire: Wire) -> None:
        blank = {name: None for name in self.parts}
        out.update(write_fields(self.parts, {**blank, **(value or {})}, wire))


def _address(prefix: str, post_code: str = "PostCode") -> _Flat:
    def name(part: str) -> str:
        return f"{prefix}{part}" if prefix else part[0].lower() + part[1:]

    return _Flat(
        prefix,
        {
            "line1": Text(name("AddressLine1")),
            "line2": Text(name("AddressLine2")),
            "city": Text(name("City")),
            "region": Text(name("State")),
            "postal_code": Text(name(post_code)),
            "country": Text(name("Country")),
        },
    )


#: The API status of an order (Purchase Order Entity Buffer): Draft is the document status
#: Open, In Review is Pending Approval, Open is Released (sent to the vendor).
ORDER_STATUS: Final = {
    "Draft": PurchaseOrderStatus.DRAFT,
    "In Review": PurchaseOrderStatus.PENDING_APPROVAL,
    "Open": PurchaseOrderStatus.SENT,
}
#: `blocked` of a vendor: " " (not blocked), "Payment", "All".
VENDOR_BLOCKED: Final = {
    " ": VendorStatus.ACTIVE,
    "All": VendorStatus.BLOCKED,
    "Payment": VendorStatus.BLOCKED,
}
ITEM_BLOCKED: Final = {False: InventoryItemStatus.ACTIVE, True: InventoryItemStatus.INACTIVE}

_LINE: Final[Mapping[str, Field]] = {
    "remote_id": Text("id", writable=False),
    "line_number": Integer("sequence", writable=False),
    "item": Ref(Entity.INVENTORY_ITEMS, "itemId"),
    "item_code": Text("lineObjectNumber", writable=False),
    "description": Text("description"),
    "quantity": Number("quantity"),
    "quantity_received": Number("receivedQuantity", writable=False),
    "unit_of_measure": Text("unitOfMeasureCode"),
    "unit_price": Number("directUnitCost"),
    "line_total": Number("amountExcludingTax", writable=False),
    "required_date": Day("expectedReceiptDate"),
    "location": Ref(Entity.LOCATIONS, "locationId"),
}


def _order_status(row: Mapping[str, Any], ctx: MapContext) -> Mapping[str, Any]:
    status = Code("status", table=ORDER_STATUS).read(row, ctx)
    if status is PurchaseOrderStatus.SENT:
        if row.get("fullyReceived") is True:
            status = PurchaseOrderStatus.RECEIVED
        elif any(
            ctx.wire.to_decimal(line.get("receivedQuantity") or 0) > Decimal(0)
            for line in ctx.wire.rows(row, "purchaseOrderLines")
        ):
            status = PurchaseOrderStatus.PARTIALLY_RECEIVED
    return {"status": status}


MAPPER: Final = Mapper(
    system="Business Central",
    wire=WIRE,
    maps={
        Entity.PURCHASE_ORDERS: RecordMap(
            fields={
                "number": Text("number", writable=False),
                "vendor": Ref(Entity.VENDORS, "vendorId"),
                "order_date": Day("orderDate"),
                "required_date": Day("requestedReceiptDate"),
                "currency": Text("currencyCode"),
                "subtotal": Number("totalAmountExcludingTax", writable=False),
                "tax_total": Number("totalTaxAmount", writable=False),
                "total": Number("totalAmountIncludingTax", writable=False),
                "ship_to": _address("shipTo"),
                "bill_to": _address("payTo"),
                "buyer": Text("purchaser"),
                "lines": Rows("purchaseOrderLines", _LINE),
            },
            custom_fields={
                "vendorNumber": Text("vendorNumber"),
                "vendorName": Text("vendorName"),
                "postingDate": Day("postingDate"),
            },
            derive=_order_status,
        ),
        Entity.VENDORS: RecordMap(
            fields={
                "code": Text("number"),
                "name": Text("displayName"),
                "status": Code("blocked", table=VENDOR_BLOCKED),
                "tax_id": Text("taxRegistrationNumber"),
                "email": Text("email"),
                "phone": Text("phoneNumber"),
                "website": Text("website"),
                "currency": Text("currencyCode"),
                "address": _address("", post_code="PostalCode"),
            },
            custom_fields={"balance": Number("balance")},
        ),
        Entity.INVENTORY_ITEMS: RecordMap(
            fields={
                "code": Text("number"),
                "name": Text("displayName"),
                "description": Text("displayName2"),
                "category": Text("itemCategoryCode"),
                "unit_of_measure": Text("baseUnitOfMeasureCode"),
                "unit_cost": Number("unitCost"),
                "status": Code("blocked", table=ITEM_BLOCKED),
                "stock_levels": Const([]),
                "total_on_hand": Number("inventory"),
            },
            custom_fields={"type": Text("type"), "unitPrice": Number("unitPrice")},
        ),
        Entity.LOCATIONS: RecordMap(
            fields={
                "code": Text("code"),
                "name": Text("displayName"),
                "type": Const(LocationType.WAREHOUSE),
                "status": Const(LocationStatus.ACTIVE),
                "address": _address("", post_code="PostalCode"),
            },
        ),
        Entity.ASSETS: RecordMap(
            fields={
                "tag": Text("number"),
                "name": Text("displayName"),
                "status": Flags(
                    (
                        ("underMaintenance", AssetStatus.UNDER_MAINTENANCE),
                        ("blocked", AssetStatus.NOT_OPERATING),
                    ),
                    AssetStatus.OPERATING,
                ),
                "category": Text("subclassCode"),
                "serial_number": Text("serialNumber"),
            },
            custom_fields={
                "classCode": Text("classCode"),
                "fixedAssetLocationCode": Text("fixedAssetLocationCode"),
            },
        ),
    },
)

STATUS_TABLES: Final = (
    StatusTable(Entity.PURCHASE_ORDERS, "status", ORDER_STATUS, PurchaseOrderStatus),
    StatusTable(Entity.VENDORS, "blocked", VENDOR_BLOCKED, VendorStatus),
    StatusTable(Entity.INVENTORY_ITEMS, "blocked", ITEM_BLOCKED, InventoryItemStatus),
)
