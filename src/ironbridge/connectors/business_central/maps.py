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

from ironbridge.connectors import kit
from ironbridge.connectors.base import StatusTable
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


class _BusinessCentralWire(kit.Wire):
    name = "Business Central"
    blank_write = ""
    empty_texts = frozenset(("", _EMPTY_GUID))


WIRE: Final = _BusinessCentralWire()


@dataclass(frozen=True, slots=True)
class _Flat(kit.Field):
    """An address kept as flat properties of the record itself, named with a prefix."""

    prefix: str
    parts: Mapping[str, kit.Field] = field(hash=False)
    writable: bool = field(default=True, kw_only=True)
    plan: kit.FieldPlan = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plan", kit.FieldPlan.of(self.parts))

    def read(self, row: Mapping[str, Any], ctx: kit.MapContext) -> Any:
        values = kit.read_fields(self.plan, row, ctx)
        for value in values.values():
            if value is not None:
                return values
        return None

    def write(self, value: Any, out: dict[str, Any], wire: kit.Wire) -> None:
        blank = {name: None for name in self.parts}
        out.update(kit.write_fields(self.parts, {**blank, **(value or {})}, wire))


def _address(prefix: str, post_code: str = "PostCode") -> _Flat:
    def name(part: str) -> str:
        return f"{prefix}{part}" if prefix else part[0].lower() + part[1:]

    return _Flat(
        prefix,
        {
            "line1": kit.Text(name("AddressLine1")),
            "line2": kit.Text(name("AddressLine2")),
            "city": kit.Text(name("City")),
            "region": kit.Text(name("State")),
            "postal_code": kit.Text(name(post_code)),
            "country": kit.Text(name("Country")),
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

_LINE: Final[Mapping[str, kit.Field]] = {
    "remote_id": kit.Text("id", writable=False),
    "line_number": kit.Integer("sequence", writable=False),
    "item": kit.Ref(Entity.INVENTORY_ITEMS, "itemId"),
    "item_code": kit.Text("lineObjectNumber", writable=False),
    "description": kit.Text("description"),
    "quantity": kit.Number("quantity"),
    "quantity_received": kit.Number("receivedQuantity", writable=False),
    "unit_of_measure": kit.Text("unitOfMeasureCode"),
    "unit_price": kit.Number("directUnitCost"),
    "line_total": kit.Number("amountExcludingTax", writable=False),
    "required_date": kit.Day("expectedReceiptDate"),
    "location": kit.Ref(Entity.LOCATIONS, "locationId"),
}


_STATUS: Final = kit.Code("status", table=ORDER_STATUS)


def _order_status(row: Mapping[str, Any], ctx: kit.MapContext) -> Mapping[str, Any]:
    status = _STATUS.read(row, ctx)
    if status is PurchaseOrderStatus.SENT:
        if row.get("fullyReceived") is True:
            status = PurchaseOrderStatus.RECEIVED
        elif any(
            ctx.wire.to_decimal(line.get("receivedQuantity") or 0) > Decimal(0)
            for line in ctx.wire.rows(row, "purchaseOrderLines")
        ):
            status = PurchaseOrderStatus.PARTIALLY_RECEIVED
    return {"status": status}


MAPPER: Final = kit.Mapper(
    system="Business Central",
    wire=WIRE,
    maps={
        Entity.PURCHASE_ORDERS: kit.RecordMap(
            fields={
                "number": kit.Text("number", writable=False),
                "vendor": kit.Ref(Entity.VENDORS, "vendorId"),
                "order_date": kit.Day("orderDate"),
                "required_date": kit.Day("requestedReceiptDate"),
                "currency": kit.Text("currencyCode"),
                "subtotal": kit.Number("totalAmountExcludingTax", writable=False),
                "tax_total": kit.Number("totalTaxAmount", writable=False),
                "total": kit.Number("totalAmountIncludingTax", writable=False),
                "ship_to": _address("shipTo"),
                "bill_to": _address("payTo"),
                "buyer": kit.Text("purchaser"),
                "lines": kit.Rows("purchaseOrderLines", _LINE),
            },
            custom_fields={
                "vendorNumber": kit.Text("vendorNumber"),
                "vendorName": kit.Text("vendorName"),
                "postingDate": kit.Day("postingDate"),
            },
            derive=_order_status,
        ),
        Entity.VENDORS: kit.RecordMap(
            fields={
                "code": kit.Text("number"),
                "name": kit.Text("displayName"),
                "status": kit.Code("blocked", table=VENDOR_BLOCKED),
                "tax_id": kit.Text("taxRegistrationNumber"),
                "email": kit.Text("email"),
                "phone": kit.Text("phoneNumber"),
                "website": kit.Text("website"),
                "currency": kit.Text("currencyCode"),
                "address": _address("", post_code="PostalCode"),
            },
            custom_fields={"balance": kit.Number("balance")},
        ),
        Entity.INVENTORY_ITEMS: kit.RecordMap(
            fields={
                "code": kit.Text("number"),
                "name": kit.Text("displayName"),
                "description": kit.Text("displayName2"),
                "category": kit.Text("itemCategoryCode"),
                "unit_of_measure": kit.Text("baseUnitOfMeasureCode"),
                "unit_cost": kit.Number("unitCost"),
                "status": kit.Code("blocked", table=ITEM_BLOCKED),
                "stock_levels": kit.Const([]),
                "total_on_hand": kit.Number("inventory"),
            },
            custom_fields={"type": kit.Text("type"), "unitPrice": kit.Number("unitPrice")},
        ),
        Entity.LOCATIONS: kit.RecordMap(
            fields={
                "code": kit.Text("code"),
                "name": kit.Text("displayName"),
                "type": kit.Const(LocationType.WAREHOUSE),
                "status": kit.Const(LocationStatus.ACTIVE),
                "address": _address("", post_code="PostalCode"),
            },
        ),
        Entity.ASSETS: kit.RecordMap(
            fields={
                "tag": kit.Text("number"),
                "name": kit.Text("displayName"),
                "status": kit.Flags(
                    (
                        ("underMaintenance", AssetStatus.UNDER_MAINTENANCE),
                        ("blocked", AssetStatus.NOT_OPERATING),
                    ),
                    AssetStatus.OPERATING,
                ),
                "category": kit.Text("subclassCode"),
                "serial_number": kit.Text("serialNumber"),
            },
            custom_fields={
                "classCode": kit.Text("classCode"),
                "fixedAssetLocationCode": kit.Text("fixedAssetLocationCode"),
            },
        ),
    },
)

STATUS_TABLES: Final = (
    StatusTable(Entity.PURCHASE_ORDERS, "status", ORDER_STATUS, PurchaseOrderStatus),
    StatusTable(Entity.VENDORS, "blocked", VENDOR_BLOCKED, VendorStatus),
    StatusTable(Entity.INVENTORY_ITEMS, "blocked", ITEM_BLOCKED, InventoryItemStatus),
)
