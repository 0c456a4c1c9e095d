"""Seeded sample data: locations, vendors, inventory items with stock per location, and
hundreds of purchase orders in every status, dated back from the emulator's clock."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

__all__ = ["PO_STATUSES", "STAMP", "seed", "stamp"]

#: How times are stored: account-local, to the second, as SuiteQL's TO_CHAR prints them.
STAMP: Final = "%Y-%m-%d %H:%M:%S"

#: Purchase order statuses (SuiteQL `transaction.status` of type PurchOrd) and their names.
PO_STATUSES: Final = {
    "P": "Planned",
    "A": "Pending Supervisor Approval",
    "B": "Pending Receipt",
    "C": "Rejected by Supervisor",
    "D": "Partially Received",
    "E": "Pending Billing/Partially Received",
    "F": "Pending Bill",
    "G": "Fully Billed",
    "H": "Closed",
}

_CURRENCIES: Final = ((1, "USD", "US Dollar"), (2, "EUR", "Euro"), (3, "GBP", "British Pound"))
#: Locations: id, name, parent, location type (1 Store, 2 Warehouse, None unset), inactive.
_LOCATIONS: Final = (
    (1, "Main Warehouse", None, 2, "F"),
    (2, "East Coast DC", None, 2, "F"),
    (3, "West Coast DC", None, None, "F"),
    (4, "Bin A", 1, None, "F"),
    (5, "Old Yard", None, 2, "T"),
    (6, "Downtown Store", None, 1, "F"),
)
_WORDS: Final = ("Bearing", "Valve", "Filter", "Pump", "Gasket", "Belt", "Motor", "Sensor")


def stamp(moment: datetime) -> str:
    """An account-local time as the tables store it."""
    return moment.strftime(STAMP)


def seed(db: sqlite3.Connection, now: datetime, *, orders: int = 300, rng_seed: int = 16) -> None:
    """Fill the tables; `now` is the account-local time every date is set before."""
    rng = random.Random(rng_seed)  # noqa: S311, sample data, not secrets
    start = now - timedelta(days=200)
    # Nothing seeded shares a second with a change made while the emulator runs.
    latest = now - timedelta(hours=1)

    def moment() -> datetime:
        return start + timedelta(seconds=rng.randrange(int((now - start).total_seconds()) - 3600))

    db.executemany("INSERT INTO currency VALUES (?, ?, ?)", _CURRENCIES)
    for location_id, name, parent, kind, inactive in _LOCATIONS:
        full = name if parent is None else f"{_LOCATIONS[parent - 1][1]} : {name}"
        db.execute(
            "INSERT INTO location VALUES (?, ?, ?, ?, ?, ?, ?)",
            (location_id, name, full, parent, kind, inactive, stamp(moment())),
        )
    for number in range(1, 41):
        created = moment()
        db.execute(
            "INSERT INTO vendor VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                100 + number,
                f"V{number:04d}",
                f"{rng.choice(_WORDS)} Supply {number}",
                f"orders{number}@vendor.example",
                f"+1 555 01{number:02d}",
                f"https://vendor{number}.example" if number % 3 else None,
                1 + number % 3,
                "T" if number % 9 == 0 else "F",
                stamp(created),
                stamp(min(created + timedelta(hours=rng.randrange(0, 500)), latest)),
                str(rng.randrange(2, 30)),
                "T" if number % 4 == 0 else "F",
            ),
        )
    for number in range(1, 61):
        created = moment()
        cost = Decimal(rng.randrange(100, 50_000)) / 100
        db.execute(
            "INSERT INTO item VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                500 + number,
                f"ITEM-{number:04d}",
                "InvtPart",
                f"{rng.choice(_WORDS)} size {number}",
                "T" if number % 15 == 0 else "F",
                str(cost),
                stamp(created),
                stamp(min(created + timedelta(hours=rng.randrange(0, 900)), latest)),
                rng.choice("ABC"),
            ),
        )
        for location_id in rng.sample([1, 2, 3, 4], rng.randrange(1, 4)):
            on_hand = rng.randrange(0, 400)
            committed = rng.randrange(0, on_hand + 1)
            db.execute(
                "INSERT INTO inventoryitemlocations VALUES (?, ?, ?, ?, ?, ?)",
                (
                    500 + number,
                    location_id,
                    str(on_hand),
                    str(on_hand - committed),
                    str(committed),
                    str(rng.randrange(5, 50)),
                ),
            )
    statuses = list(PO_STATUSES)
    for number in range(1, orders + 1):
        order_id = 1000 + number
        created = moment()
        changed = min(created + timedelta(minutes=rng.randrange(0, 20_000)), latest)
        status = statuses[number % len(statuses)]
        trandate = created.date()
        db.execute(
            "INSERT INTO \"transaction\" VALUES (?, ?, 'PurchOrd', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                order_id,
                f"PO{number:05d}",
                trandate.isoformat(),
                (trandate + timedelta(days=14)).isoformat(),
                status,
                101 + number % 40,
                1 + number % 3,
                f"Order {number}" if number % 2 else None,
                stamp(created),
                stamp(changed),
                f"APR-{number}" if number % 5 == 0 else None,
            ),
        )
        db.execute(
            'INSERT INTO transactionline (id, "transaction", linesequencenumber, mainline, '
            "linelastmodifieddate) VALUES (0, ?, 0, 'T', ?)",
            (order_id, stamp(changed)),
        )
        for line in range(1, rng.randrange(2, 6)):
            quantity = Decimal(rng.randrange(1, 50))
            rate = Decimal(rng.randrange(100, 20_000)) / 100
            received = {
                "D": quantity // 2,
                "E": quantity // 2,
                "F": quantity,
                "G": quantity,
                "H": quantity,
            }.get(status, Decimal(0))
            db.execute(
                "INSERT INTO transactionline VALUES (?, ?, ?, 'F', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    line,
                    order_id,
                    line,
                    501 + rng.randrange(60),
                    f"Line {line}",
                    str(quantity),
                    str(rate),
                    str(quantity * rate),
                    rng.choice([1, 2, 3]),
                    str(received),
                    (trandate + timedelta(days=10)).isoformat(),
                    stamp(changed - timedelta(minutes=rng.randrange(0, 60))),
                    rng.choice(["CC-100", "CC-200", None]),
                ),
            )
