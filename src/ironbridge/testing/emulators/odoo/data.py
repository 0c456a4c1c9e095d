"""Sample data of an emulated database: two companies, vendors, products with stock per
location, purchase orders in every state, and maintenance stages, equipment and requests.

Purchase orders are written in bursts, several within one second (as an import or a scheduled
action writes them), so that paging by `write_date` meets the second boundaries Odoo's
precision makes hard. Seeding is deterministic: the same version gives the same records.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

from ironbridge.testing.emulators.odoo.database import Database
from ironbridge.testing.emulators.odoo.schema import MODELS

__all__ = ["DEFAULT_STAGES", "ORDER_COUNT", "SEED_TIME", "seed"]

#: When the seeded records were last written; orders follow one another from here.
SEED_TIME: Final = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
ORDER_COUNT: Final = 320
#: Maintenance stages of a fresh database: (name, sequence, done).
DEFAULT_STAGES: Final = (
    ("New Request", 1, False),
    ("In Progress", 2, False),
    ("Repaired", 3, True),
    ("Scrap", 4, True),
)
_STATES_18: Final = ("draft", "sent", "to approve", "purchase", "done", "cancel")
_STATES_19: Final = ("draft", "sent", "to approve", "purchase", "locked", "cancel")
_VENDORS: Final = (
    "Gear Works",
    "Hydraulic Supply",
    "Steel Partners",
    "Bolt & Nut",
    "Fluid Power",
    "Northern Bearings",
    "Delta Electric",
    "Precision Tools",
    "Atlas Pumps",
    "Rhein Metall",
)
_PRODUCTS: Final = (
    "Ball bearing 6204",
    "Hydraulic hose 1/2in",
    "V-belt A42",
    "Steel plate 4mm",
    "Gasket set",
    "Motor 5.5kW",
    "Filter cartridge",
    "Coupling L100",
    "Seal kit",
    "Grease 400g",
)


def seed(
    db: Database,
    stages: Sequence[tuple[str, int, bool]] = DEFAULT_STAGES,
    *,
    orders: int = ORDER_COUNT,
) -> None:
    """Fill `db` with the sample records (`orders` purchase orders)."""
    rng = random.Random(db.version)  # noqa: S311, sample data, not security
    at = SEED_TIME - timedelta(days=30)
    ins = db.insert
    for model in MODELS:
        if model not in db.missing:
            ins("ir.model", {"model": model, "name": model}, at)
    usd = ins("res.currency", {"name": "USD", "active": True}, at)
    eur = ins("res.currency", {"name": "EUR", "active": True}, at)
    countries = {
        code: ins("res.country", {"name": name, "code": code}, at)
        for code, name in (
            ("US", "United States"),
            ("DE", "Germany"),
            ("BE", "Belgium"),
            ("FR", "France"),
        )
    }
    ltd = ins("res.company", {"name": "Ironworks Ltd", "currency_id": usd}, at)
    gmbh = ins("res.company", {"name": "Ironworks GmbH", "currency_id": eur}, at)
    ins("res.users", {"name": "OdooBot", "login": "__system__", "company_id": ltd}, at)
    ins("res.users", {"name": "Mitchell Admin", "login": "admin", "company_id": ltd}, at)
    units = ins("uom.uom", {"name": "Units"}, at)
    ins("uom.uom", {"name": "kg"}, at)
    vendors: list[int] = []
    for index in range(40):
        name = f"{_VENDORS[index % len(_VENDORS)]} {index // len(_VENDORS) + 1}"
        company = gmbh if index % 8 == 7 else None
        vendors.append(
            ins(
                "res.partner",
                {
                    "name": name,
                    "ref": f"V{index + 1:04d}",
                    "is_company": True,
                    "supplier_rank": 1,
                    "email": f"orders@vendor{index + 1}.example",
                    "phone": f"+1 555 01{index:02d}",
                    "street": f"{index + 1} Harbour Road",
                    "city": "Dayton",
                    "zip": "45402",
                    "country_id": countries["DE" if company else "US"],
                    "company_id": company,
                    "active": index % 13 != 12,
                    "vat": f"US{100000 + index}",
                },
                at + timedelta(minutes=index),
            )
        )
    for index in range(5):
        ins(
            "res.partner",
            {
                "name": f"Customer {index + 1}",
                "is_company": True,
                "supplier_rank": 0,
                "active": True,
            },
            at,
        )
    products = [
        ins(
            "product.product",
            {
                "name": f"{_PRODUCTS[i % len(_PRODUCTS)]}" + ("" if i < 10 else f" ({i // 10})"),
                "default_code": f"P{i + 1:04d}",
                "uom_id": units,
                "is_storable": True,
                "standard_price": float(5 + (i * 7) % 90),
                "active": i != 29,
                "description": f"Spare part {i + 1}",
            },
            at + timedelta(minutes=i),
        )
        for i in range(30)
    ]
    stock = _locations(db, at, ltd, gmbh)
    for index, product in enumerate(products):
        for offset, location in enumerate(stock):
            if (index + offset) % 3 == 0:
                company = gmbh if location == stock[-1] else ltd
                ins(
                    "stock.quant",
                    {
                        "product_id": product,
                        "location_id": location,
                        "company_id": company,
                        "quantity": float(10 + index * 3),
                        "reserved_quantity": float(index % 4),
                        "inventory_quantity": 0.0,
                        "inventory_quantity_set": False,
                    },
                    at,
                )
    _orders(db, rng, orders, vendors, products, (usd, eur), (ltd, gmbh))
    if "maintenance.request" not in db.missing:
        _maintenance(db, at, stages, vendors, (ltd, gmbh))


def _locations(db: Database, at: datetime, ltd: int, gmbh: int) -> list[int]:
    """The location tree; returns the internal locations that hold stock."""
    ins = db.insert
    physical = ins("stock.location", {"name": "Physical Locations", "usage": "view"}, at)
    partners = ins("stock.location", {"name": "Partners", "usage": "view"}, at)
    ins("stock.location", {"name": "Vendors", "usage": "supplier", "location_id": partners}, at)
    ins("stock.location", {"name": "Customers", "usage": "customer", "location_id": partners}, at)
    virtual = ins("stock.location", {"name": "Virtual Locations", "usage": "view"}, at)
    ins(
        "stock.location",
        {"name": "Inventory adjustment", "usage": "inventory", "location_id": virtual},
        at,
    )
    internal: list[int] = []
    for code, company, bins in (("WH", ltd, ("Shelf 1", "Shelf 2")), ("WH2", gmbh, ())):
        view = ins(
            "stock.location",
            {"name": code, "usage": "view", "location_id": physical, "company_id": company},
            at,
        )
        main = ins(
            "stock.location",
            {"name": "Stock", "usage": "internal", "location_id": view, "company_id": company},
            at,
        )
        warehouse = ins(
            "stock.warehouse",
            {
                "name": f"{code} Warehouse",
                "code": code,
                "lot_stock_id": main,
                "view_location_id": view,
                "company_id": company,
            },
            at,
        )
        for location in (view, main):
            db.tables["stock.location"][location]["warehouse_id"] = warehouse
        internal.append(main)
        for name in bins:
            internal.append(
                ins(
                    "stock.location",
                    {
                        "name": name,
                        "usage": "internal",
                        "location_id": main,
                        "company_id": company,
                        "warehouse_id": warehouse,
                    },
                    at,
                )
            )
    old = ins(
        "stock.location",
        {"name": "Old Shed", "usage": "internal", "location_id": physical, "company_id": ltd},
        at,
    )
    db.tables["stock.location"][old].update(active=False, warehouse_id=1)
    return internal


def _orders(
    db: Database,
    rng: random.Random,
    count: int,
    vendors: list[int],
    products: list[int],
    currencies: tuple[int, int],
    companies: tuple[int, int],
) -> None:
    states = _STATES_19 if db.version >= 19 else _STATES_18
    note = "note" if db.version >= 19 else "notes"
    uom = "product_uom_id" if db.version >= 19 else "product_uom"
    units = 1
    for index in range(count):
        # Bursts of orders written within one second, microseconds apart in random order.
        at = (
            SEED_TIME
            - timedelta(seconds=(count - index) // 4 * 60)
            + timedelta(microseconds=rng.randrange(1_000_000))
        )
        state = states[index % len(states)]
        second = index % 5 == 4
        values = {
            "name": f"P{index + 1:05d}",
            "partner_id": vendors[index % 35],
            "partner_ref": f"SO-{7000 + index}",
            "company_id": companies[1 if second else 0],
            "currency_id": currencies[1 if second else 0],
            "user_id": 2,
            "date_order": at - timedelta(days=index % 20),
            "date_planned": at + timedelta(days=7 + index % 10),
            note: f"Order {index + 1}" if index % 3 else None,
            "state": "purchase" if state == "locked" else state,
        }
        if db.version >= 19:
            values["locked"] = state == "locked"
        order = db.insert("purchase.order", values, at)
        for number in range(1 + index % 3):
            quantity = float(1 + (index + number) % 12)
            received = 0.0
            if state in ("purchase", "done", "locked"):
                received = (quantity, quantity / 2, 0.0)[(index // 6 + number) % 3]
            db.insert(
                "purchase.order.line",
                {
                    "order_id": order,
                    "sequence": number + 1,
                    "product_id": products[(index + number * 7) % len(products)],
                    "name": f"Line {number + 1}",
                    "product_qty": quantity,
                    "qty_received": received,
                    uom: units,
                    "price_unit": float(10 + (index * 3 + number) % 40),
                    "date_planned": values["date_planned"],
                    "company_id": values["company_id"],
                },
                at,
            )


def _maintenance(
    db: Database,
    at: datetime,
    stages: Sequence[tuple[str, int, bool]],
    vendors: list[int],
    companies: tuple[int, int],
) -> None:
    ins = db.insert
    stage_ids = [
        ins(
            "maintenance.stage",
            {"name": name, "sequence": sequence, "done": done, "fold": done},
            at,
        )
        for name, sequence, done in stages
    ]
    categories = [
        ins("maintenance.equipment.category", {"name": name}, at)
        for name in ("Machines", "Vehicles", "Tools")
    ]
    equipment = [
        ins(
            "maintenance.equipment",
            {
                "name": f"{('Press', 'Forklift', 'Drill')[i % 3]} {i + 1:02d}",
                "serial_no": f"SN-{9000 + i}",
                "model": f"M{i % 4 + 1}",
                "partner_id": vendors[i % len(vendors)],
                "category_id": categories[i % 3],
                "location": f"Hall {i % 3 + 1}",
                "effective_date": (at - timedelta(days=400 + i)).date(),
                "active": i not in (23, 24),
                "company_id": companies[1 if i % 6 == 5 else 0],
            },
            at + timedelta(seconds=i),
        )
        for i in range(25)
    ]
    for index in range(60):
        stage = stage_ids[index % len(stage_ids)]
        done = stages[index % len(stages)][2]
        ins(
            "maintenance.request",
            {
                "name": f"Check {('hydraulics', 'brakes', 'spindle')[index % 3]} #{index + 1}",
                "description": f"Request {index + 1}",
                "stage_id": stage,
                "priority": str(index % 4),
                "equipment_id": equipment[index % len(equipment)],
                "maintenance_type": "preventive" if index % 4 == 0 else "corrective",
                "user_id": 2,
                "owner_user_id": 2,
                "request_date": (at - timedelta(days=index)).date(),
                "schedule_date": at + timedelta(days=index % 9, hours=8),
                "close_date": at.date() if done else None,
                "duration": float(index % 5),
                "archive": index % 17 == 16,
                "company_id": companies[1 if index % 6 == 5 else 0],
            },
            at + timedelta(seconds=index, microseconds=index * 997),
        )
