"""The sample a fresh emulator holds: two companies, the first a busy one.

"CRONUS USA, Inc." has locations, vendors, items, fixed assets and 300 purchase orders in every
status (drafts, orders in review, released orders, partly and fully received ones); "My
Company" holds two vendors only, so a connection must say which company it means. Values are
drawn from a seeded generator: every emulator starts with the same data.

Property names and shapes follow the API v2.0 pages (`APIV2PurchaseOrders.Page.al` and its
siblings) and the published resource tables (docs-v2.0/dynamics_*.md).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

__all__ = ["EMPTY_GUID", "CompanySeed", "seed_companies"]

#: What Business Central sends for a GUID that points nowhere.
EMPTY_GUID: Final = "00000000-0000-0000-0000-000000000000"
#: How far back the sample's change times begin: they spread over about eight months up to a
#: few weeks ago, so a connection's default history window holds part of them.
_HISTORY: Final = timedelta(days=300)
_LOCATIONS: Final = (
    ("MAIN", "Main Warehouse", "Atlanta", "GA", "31772"),
    ("EAST", "East Warehouse", "Charlotte", "NC", "28201"),
    ("WEST", "West Warehouse", "Phoenix", "AZ", "85001"),
    ("BLUE", "Blue Warehouse", "Chicago", "IL", "60601"),
    ("RED", "Red Warehouse", "Denver", "CO", "80201"),
)
_VENDOR_WORDS: Final = (
    "Fabrikam", "Litware", "Contoso", "Proseware", "Northwind", "Adatum", "Tailspin", "Wingtip",
    "Lucerne", "Alpine", "Coho", "Fourth Coffee", "Graphic Design", "Humongous", "Margie's",
)  # fmt: skip
_VENDOR_KINDS: Final = ("Supplies", "Industrial", "Components", "Tools", "Logistics")
_ITEMS: Final = (
    ("Bearing 6204", "PARTS", "PCS"), ("V-belt A42", "PARTS", "PCS"),
    ("Hydraulic oil 20 l", "FLUIDS", "CAN"), ("Filter cartridge", "PARTS", "PCS"),
    ("Safety gloves", "SAFETY", "BOX"), ("Cable tie 300 mm", "SUPPLIES", "BOX"),
    ("Motor 4 kW", "MOTORS", "PCS"), ("Grease cartridge", "FLUIDS", "PCS"),
    ("Pressure gauge", "INSTR", "PCS"), ("Gasket set", "PARTS", "SET"),
)  # fmt: skip
_ASSET_KINDS: Final = (
    ("Forklift", "VEHICLES"), ("Compressor", "MACHINERY"), ("Conveyor", "MACHINERY"),
    ("Delivery van", "VEHICLES"), ("Pallet wrapper", "EQUIPMENT"), ("Generator", "EQUIPMENT"),
)  # fmt: skip
#: (status, share) of the purchase orders; released ones are partly received or fully.
_STATUSES: Final = (("Draft", 30), ("In Review", 15), ("Open", 55))


@dataclass
class CompanySeed:
    """One company: its entity and the rows of each entity set (Python values)."""

    company: dict[str, Any]
    sets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class _Draw:
    def __init__(self, seed: int, start: datetime) -> None:
        self.rng = random.Random(seed)  # noqa: S311, sample data, not security
        self.start = start
        self.moment = start

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def stamp(self) -> datetime:
        # Changes spread over a year, some in the same millisecond's neighbourhood.
        step = timedelta(minutes=self.rng.randint(0, 1500), microseconds=self.rng.randint(0, 999))
        self.moment += step
        return self.moment

    def money(self, low: int, high: int) -> Decimal:
        return Decimal(self.rng.randint(low * 100, high * 100)) / 100


def _address(prefix: str, street: str, city: str, state: str, post: str) -> dict[str, str]:
    first = f"{prefix}AddressLine1" if prefix else "addressLine1"
    return {
        first: street,
        f"{prefix}AddressLine2" if prefix else "addressLine2": "",
        f"{prefix}City" if prefix else "city": city,
        f"{prefix}State" if prefix else "state": state,
        f"{prefix}Country" if prefix else "country": "US",
        f"{prefix}PostCode" if prefix else "postalCode": post,
    }


def _locations(draw: _Draw) -> list[dict[str, Any]]:
    return [
        {
            "id": draw.guid(),
            "code": code,
            "displayName": name,
            "contact": "",
            **_address("", f"{10 + n} Industrial Way", city, state, post),
            "phoneNumber": f"+1 555 01{n:02d}",
            "email": f"{code.lower()}@cronus.example.com",
            "website": "",
            "lastModifiedDateTime": draw.stamp(),
        }
        for n, (code, name, city, state, post) in enumerate(_LOCATIONS)
    ]


def _vendors(draw: _Draw, count: int, first_number: int) -> list[dict[str, Any]]:
    rows = []
    for n in range(count):
        name = f"{_VENDOR_WORDS[n % len(_VENDOR_WORDS)]} {_VENDOR_KINDS[n % 5]}"
        blocked = " " if n % 10 else ("Payment" if n % 20 else "All")
        location = _LOCATIONS[n % len(_LOCATIONS)]
        rows.append(
            {
                "id": draw.guid(),
                "number": f"V{first_number + n * 10:05d}",
                "displayName": name,
                **_address("", f"{100 + n} Commerce St", *location[2:]),
                "phoneNumber": f"+1 555 2{n:03d}",
                "email": f"orders@{name.split()[0].lower()}.example.com",
                "website": f"www.{name.split()[0].lower()}.example.com",
                "taxRegistrationNumber": f"US{draw.rng.randint(10**8, 10**9 - 1)}",
                "currencyId": EMPTY_GUID,
                "currencyCode": "" if n % 7 else "CAD",
                "irs1099Code": "",
                "paymentTermsId": EMPTY_GUID,
                "paymentMethodId": EMPTY_GUID,
                "taxLiable": n % 3 == 0,
                "blocked": blocked,
                "balance": draw.money(0, 20000),
                "lastModifiedDateTime": draw.stamp(),
            }
        )
    return rows


def _items(draw: _Draw, locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for n in range(60):
        name, category, unit = _ITEMS[n % len(_ITEMS)]
        kind = "Service" if n % 15 == 14 else "Inventory"
        stock = {
            place["code"]: Decimal(draw.rng.randint(0, 400))
            for place in locations
            if kind == "Inventory" and draw.rng.random() < 0.6
        }
        rows.append(
            {
                "id": draw.guid(),
                "number": f"{1000 + n * 10}",
                "displayName": f"{name} #{n + 1}",
                "displayName2": "",
                "type": kind,
                "itemCategoryId": draw.guid(),
                "itemCategoryCode": category,
                "blocked": n % 12 == 11,
                "gtin": "",
                "inventory": sum(stock.values(), Decimal(0)),
                "unitPrice": draw.money(5, 900),
                "priceIncludesTax": False,
                "unitCost": draw.money(2, 600),
                "taxGroupId": EMPTY_GUID,
                "taxGroupCode": "",
                "baseUnitOfMeasureId": draw.guid(),
                "baseUnitOfMeasureCode": unit,
                "generalProductPostingGroupId": EMPTY_GUID,
                "generalProductPostingGroupCode": "RETAIL",
                "inventoryPostingGroupId": EMPTY_GUID,
                "inventoryPostingGroupCode": "RESALE",
                "lastModifiedDateTime": draw.stamp(),
            }
        )
    return rows


def _fixed_assets(draw: _Draw) -> list[dict[str, Any]]:
    places = {"ADMIN": draw.guid(), "PROD": draw.guid(), "YARD": draw.guid()}
    rows = []
    for n in range(50):
        name, subclass = _ASSET_KINDS[n % len(_ASSET_KINDS)]
        place = ("ADMIN", "PROD", "YARD")[n % 3]
        rows.append(
            {
                "id": draw.guid(),
                "number": f"FA{10 + n * 10:06d}",
                "displayName": f"{name} {n + 1:02d}",
                "fixedAssetLocationCode": place,
                "fixedAssetLocationId": places[place],
                "classCode": "TANGIBLE",
                "subclassCode": subclass,
                "blocked": n % 17 == 16,
                "serialNumber": f"SN-{draw.rng.randint(10**5, 10**6 - 1)}",
                "employeeNumber": "",
                "employeeId": EMPTY_GUID,
                "underMaintenance": n % 9 == 4,
                "lastModifiedDateTime": draw.stamp(),
            }
        )
    return rows


def order_line(
    order_id: str,
    sequence: int,
    item: dict[str, Any],
    location: dict[str, Any] | None,
    **values: Any,
) -> dict[str, Any]:
    """A purchase order line for `item`, amounts worked out as Business Central does."""
    quantity = Decimal(values.get("quantity", 1))
    cost = Decimal(values.get("directUnitCost", item["unitCost"]))
    amount = (quantity * cost).quantize(Decimal("0.01"))
    tax = (amount * Decimal("0.06")).quantize(Decimal("0.01"))
    return {
        "id": values.get("id") or str(uuid.uuid4()),
        "documentId": order_id,
        "sequence": sequence,
        "itemId": item["id"],
        "accountId": EMPTY_GUID,
        "lineType": "Item",
        "lineObjectNumber": item["number"],
        "description": values.get("description") or item["displayName"],
        "description2": "",
        "unitOfMeasureId": item["baseUnitOfMeasureId"],
        "unitOfMeasureCode": values.get("unitOfMeasureCode") or item["baseUnitOfMeasureCode"],
        "quantity": quantity,
        "directUnitCost": cost,
        "discountAmount": Decimal(0),
        "discountPercent": Decimal(0),
        "discountAppliedBeforeTax": False,
        "amountExcludingTax": amount,
        "taxCode": "TAXABLE",
        "taxPercent": Decimal(6),
        "totalTaxAmount": tax,
        "amountIncludingTax": amount + tax,
        "invoiceDiscountAllocation": Decimal(0),
        "netAmount": amount,
        "netTaxAmount": tax,
        "netAmountIncludingTax": amount + tax,
        "expectedReceiptDate": values.get("expectedReceiptDate"),
        "receivedQuantity": Decimal(values.get("receivedQuantity", 0)),
        "invoicedQuantity": Decimal(0),
        "invoiceQuantity": Decimal(0),
        "receiveQuantity": Decimal(0),
        "itemVariantId": EMPTY_GUID,
        "locationId": EMPTY_GUID if location is None else location["id"],
    }


def order_header(
    order_id: str, number: str, vendor: dict[str, Any], lines: list[dict[str, Any]], **values: Any
) -> dict[str, Any]:
    """A purchase order header for `vendor` over `lines` (kept inline, as the navigation)."""
    header: dict[str, Any] = {
        "id": order_id,
        "number": number,
        "orderDate": values.get("orderDate"),
        "postingDate": values.get("orderDate"),
        "vendorId": vendor["id"],
        "vendorNumber": vendor["number"],
        "vendorName": vendor["displayName"],
        "payToName": vendor["displayName"],
        "payToVendorId": vendor["id"],
        "payToVendorNumber": vendor["number"],
        "shipToName": "CRONUS USA, Inc.",
        "shipToContact": "",
        **_address(
            "buyFrom", vendor["addressLine1"], vendor["city"], vendor["state"], vendor["postalCode"]
        ),
        **_address(
            "payTo", vendor["addressLine1"], vendor["city"], vendor["state"], vendor["postalCode"]
        ),
        **_address("shipTo", "7122 South Ashford Street", "Atlanta", "GA", "31772"),
        "shortcutDimension1Code": "",
        "shortcutDimension2Code": "",
        "currencyId": EMPTY_GUID,
        "currencyCode": vendor["currencyCode"],
        "pricesIncludeTax": False,
        "paymentTermsId": EMPTY_GUID,
        "shipmentMethodId": EMPTY_GUID,
        "purchaser": values.get("purchaser", ""),
        "requestedReceiptDate": values.get("requestedReceiptDate"),
        "discountAmount": Decimal(0),
        "discountAppliedBeforeTax": True,
        "status": values.get("status", "Draft"),
        "lastModifiedDateTime": values.get("lastModifiedDateTime"),
        "purchaseOrderLines": lines,
    }
    totals(header)
    return header


def totals(header: dict[str, Any]) -> None:
    """Work out a header's totals and `fullyReceived` from its lines."""
    lines = header["purchaseOrderLines"]
    header["totalAmountExcludingTax"] = sum((l["amountExcludingTax"] for l in lines), Decimal(0))  # noqa: E741
    header["totalTaxAmount"] = sum((l["totalTaxAmount"] for l in lines), Decimal(0))  # noqa: E741
    header["totalAmountIncludingTax"] = header["totalAmountExcludingTax"] + header["totalTaxAmount"]
    header["fullyReceived"] = bool(lines) and all(
        l["receivedQuantity"] >= l["quantity"]
        for l in lines  # noqa: E741
    )


def _orders(
    draw: _Draw,
    vendors: list[dict[str, Any]],
    items: list[dict[str, Any]],
    locations: list[dict[str, Any]],
    count: int,
) -> list[dict[str, Any]]:
    usable = [vendor for vendor in vendors if vendor["blocked"] != "All"]
    stocked = [item for item in items if item["type"] == "Inventory"]
    statuses = [status for status, share in _STATUSES for _ in range(share)]
    rows = []
    for n in range(count):
        order_id, status = draw.guid(), statuses[n % len(statuses)]
        ordered = draw.start.date() + timedelta(days=n * 4 // 5)
        received = status == "Open" and n % 5 in (0, 1)
        fully = received and n % 5 == 0
        lines = []
        for k in range(1 + n % 4):
            quantity = Decimal(draw.rng.randint(1, 50))
            got = quantity if fully else (quantity // 2 if received and k == 0 else Decimal(0))
            lines.append(
                order_line(
                    order_id,
                    10000 * (k + 1),
                    draw.rng.choice(stocked),
                    draw.rng.choice(locations),
                    id=draw.guid(),
                    quantity=quantity,
                    receivedQuantity=got,
                    expectedReceiptDate=ordered + timedelta(days=14),
                )
            )
        rows.append(
            order_header(
                order_id,
                f"{106001 + n}",
                usable[n % len(usable)],
                lines,
                orderDate=ordered,
                requestedReceiptDate=ordered + timedelta(days=21),
                purchaser=("AH", "MH", "RB", "")[n % 4],
                status=status,
                lastModifiedDateTime=draw.stamp(),
            )
        )
    return rows


def seed_companies(now: datetime | None = None, orders: int = 300) -> list[CompanySeed]:
    """The two companies of a fresh emulator, the busy one first with `orders` purchase
    orders; change times end before `now` (the current time by default)."""
    today = (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    draw = _Draw(21, today - _HISTORY)
    locations = _locations(draw)
    vendors = _vendors(draw, 40, 10000)
    items = _items(draw, locations)
    cronus = CompanySeed(
        {
            "id": draw.guid(),
            "systemVersion": "26.0.30643.32481",
            "timestamp": 0,
            "name": "CRONUS USA, Inc.",
            "displayName": "CRONUS USA, Inc.",
            "businessProfileId": "",
            "systemCreatedAt": draw.start,
            "systemCreatedBy": EMPTY_GUID,
            "systemModifiedAt": draw.start,
            "systemModifiedBy": EMPTY_GUID,
        },
        {
            "locations": locations,
            "vendors": vendors,
            "items": items,
            "fixedAssets": _fixed_assets(draw),
            "purchaseOrders": _orders(draw, vendors, items, locations, orders),
        },
    )
    mine = CompanySeed(
        {**cronus.company, "id": draw.guid(), "name": "My Company", "displayName": "My Company"},
        {
            "locations": [],
            "vendors": _vendors(draw, 2, 20000),
            "items": [],
            "fixedAssets": [],
            "purchaseOrders": [],
        },
    )
    return [cronus, mine]
