"""The sandbox's sample data: a small manufacturer's ERP and CMMS, generated deterministically.

Three sites with plants, warehouses, areas and bins; vendors; spare parts and consumables with
stock per warehouse (some out of stock); assets installed in plant areas (some part of others);
purchase orders in every status (some with user-defined fields, lines that add up to the cent);
and work orders on those assets that use those parts.

Everything comes from one seeded `random.Random` and one seeded `Faker`, and every time is
relative to the fixed `ANCHOR`, never to the clock: every process, on every machine, sees the
same records with the same change times. A few records share a change time (as after a batch
job), so that change cursors are exercised on ties. The data is built on first use and kept for
the life of the process; callers must copy records before handing them out (see `SandboxData`).

The records are written in the sandbox source's own vocabulary. The code lists below are the
source's, kept apart from `maps.py` on purpose: tests check the status tables against what the
source really sends, which would prove nothing if both came from the same table.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any, Final

from faker import Faker

from ironbridge.connectors.base import RawRecord
from ironbridge.model import Entity

__all__ = [
    "ANCHOR",
    "ASSET_CRITICALITIES",
    "ASSET_STATUSES",
    "ITEM_STATUSES",
    "LOCATION_STATUSES",
    "LOCATION_TYPES",
    "PO_STATUSES",
    "SEED",
    "SITE_TAX_RATES",
    "VENDOR_STATUSES",
    "WO_PRIORITIES",
    "WO_STATUSES",
    "WO_TYPES",
    "SandboxData",
    "build_sandbox_data",
    "sandbox_data",
]

#: Every change time lies in the 180 days before this instant.
ANCHOR: Final = datetime(2025, 6, 30, 18, 0, 0, tzinfo=UTC)
#: The seed of the generator; a different seed is a different sandbox.
SEED: Final = 20250630
HISTORY: Final = timedelta(days=180)

# Nightly import jobs of the pretend source: records they touched share one change time.
_BATCH_TIMES: Final = (
    datetime(2025, 6, 27, 2, 0, 0, tzinfo=UTC),
    datetime(2025, 5, 21, 2, 0, 0, tzinfo=UTC),
    datetime(2025, 3, 4, 2, 0, 0, tzinfo=UTC),
)
_TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
_CENT: Final = Decimal("0.01")

# The source's code lists, with how common each code is in the sample.
PO_STATUSES: Final = (
    "Draft",
    "Awaiting Approval",
    "Approved",
    "Sent to Vendor",
    "Partially Received",
    "Received",
    "Closed",
    "Cancelled",
)
_PO_STATUS_WEIGHTS: Final = (10, 10, 14, 20, 12, 15, 14, 5)
WO_STATUSES: Final = ("New", "Scheduled", "In Progress", "On Hold", "Done", "Cancelled", "Closed")
_WO_STATUS_WEIGHTS: Final = (14, 16, 14, 6, 22, 5, 23)
WO_PRIORITIES: Final = (1, 2, 3, 4)
_WO_PRIORITY_WEIGHTS: Final = (8, 25, 45, 22)
WO_TYPES: Final = ("CM", "PM", "INSP", "EMER", "PROJ")
_WO_TYPE_WEIGHTS: Final = (30, 35, 15, 8, 12)
ITEM_STATUSES: Final = ("Active", "Inactive", "Obsolete")
_ITEM_STATUS_WEIGHTS: Final = (86, 8, 6)
VENDOR_STATUSES: Final = ("Active", "Inactive", "On Hold")
_VENDOR_STATUS_WEIGHTS: Final = (50, 6, 4)
ASSET_STATUSES: Final = ("Running", "Stopped", "In Repair", "Retired")
_ASSET_STATUS_WEIGHTS: Final = (70, 12, 12, 6)
ASSET_CRITICALITIES: Final = ("A", "B", "C", "D")
_ASSET_CRITICALITY_WEIGHTS: Final = (12, 28, 40, 20)
LOCATION_TYPES: Final = ("Site", "Plant", "Warehouse", "Area", "Bin")
LOCATION_STATUSES: Final = ("Active", "Inactive")

_AREA_NAMES: Final = (
    "Assembly",
    "Machining",
    "Packaging",
    "Utilities",
    "Boiler House",
    "Paint Shop",
    "Press Line",
    "Compressor Room",
    "Water Treatment",
    "Quality Lab",
    "Maintenance Shop",
    "Loading Dock",
)
_WAREHOUSE_NAMES: Final = ("Central Stores", "Spare Parts Store")
# (currency, country, weight): vendors invoice in the currency of their country.
_VENDOR_COUNTRIES: Final = (("USD", "US", 80), ("CAD", "CA", 8), ("EUR", "DE", 7), ("GBP", "GB", 5))
_PAYMENT_TERMS: Final = ("Net 30", "Net 45", "Net 60", "2/10 Net 30", "Due on Receipt")
_PAYMENT_TERM_WEIGHTS: Final = (45, 20, 15, 12, 8)
_COMPANY_SUFFIXES: Final = frozenset({"LLC", "Inc", "Ltd", "PLC", "Group", "and", "Sons", "Co"})

# item group → unit → kinds, each with its cost range in dollars and its specifications
_ITEM_CATALOG: Final = (
    (
        "Bearings",
        "EA",
        (
            ("Deep groove ball bearing", 6, 45, ("6204-2RS", "6305-ZZ", "6208-C3")),
            ("Tapered roller bearing", 18, 120, ("32210", "30206", "LM67048/10")),
            ("Pillow block bearing", 25, 180, ("UCP208", "UCP210", "SNL 516")),
        ),
    ),
    (
        "Belts",
        "EA",
        (
            ("V-belt", 9, 40, ("A42", "B55", "SPZ1250")),
            ("Timing belt", 30, 240, ("HTD-8M-1200", "T10-1010")),
        ),
    ),
    (
        "Filters",
        "EA",
        (
            ("Hydraulic filter element", 40, 310, ("10 micron", "25 micron")),
            ("Air filter cartridge", 22, 150, ("P181052", "C 25 710/3")),
            ("Oil filter", 12, 60, ("HF6553", "W 962")),
        ),
    ),
    (
        "Seals & Gaskets",
        "EA",
        (
            ("Mechanical seal", 120, 420, ("35 mm", "45 mm")),
            ("O-ring kit", 15, 90, ("NBR metric", "Viton inch")),
            ("Spiral wound gasket", 8, 60, ("2in 300#", "DN80 PN40")),
        ),
    ),
    (
        "Electrical",
        "EA",
        (
            ("Contactor", 45, 260, ("3P 32A 24VDC", "3P 65A 230VAC")),
            ("Proximity sensor", 30, 140, ("M18 PNP", "M12 NPN")),
            ("Fuse", 4, 25, ("10A gG", "32A aM")),
            ("Circuit breaker", 20, 180, ("C16 1P", "D32 3P")),
        ),
    ),
    (
        "Fasteners",
        "BOX",
        (
            ("Hex bolt", 12, 65, ("M12x50 8.8", "M16x80 zinc")),
            ("Hex nut", 7, 30, ("M12 A2", "M16 zinc")),
            ("Socket cap screw", 10, 48, ("M8x25 12.9", "M10x40 12.9")),
        ),
    ),
    (
        "Lubricants",
        "L",
        (
            ("Hydraulic oil", 4, 12, ("ISO VG 46", "ISO VG 68")),
            ("Gear oil", 6, 18, ("ISO VG 220", "ISO VG 320")),
            ("Multipurpose grease", 9, 28, ("NLGI 2", "NLGI 1 EP")),
        ),
    ),
    (
        "Valves",
        "EA",
        (
            ("Ball valve", 18, 240, ("1in NPT", "2in 150#")),
            ("Gate valve", 90, 900, ("DN50 PN16", "DN100 PN16")),
            ("Solenoid valve", 60, 380, ("1/2in 24VDC", "3/4in 230VAC")),
        ),
    ),
    (
        "Safety",
        "EA",
        (
            ("Cut-resistant gloves", 2, 14, ("size 9", "size 10")),
            ("Lockout kit", 60, 140, ("electrical", "valve")),
            ("Ear defenders", 12, 40, ("SNR 30", "SNR 35")),
        ),
    ),
    (
        "Pipe & Fittings",
        "M",
        (
            ("Carbon steel pipe", 8, 45, ("2in Sch40", "4in Sch40")),
            ("Stainless tube", 12, 95, ("1in 316L", "2in 304")),
        ),
    ),
    (
        "Motors & Drives",
        "EA",
        (
            ("Electric motor", 480, 2400, ("5.5 kW 4-pole", "11 kW 400V")),
            ("Variable frequency drive", 650, 4800, ("7.5 kW", "15 kW")),
            ("Gear reducer", 900, 3800, ("ratio 20:1", "ratio 40:1")),
        ),
    ),
)

# (asset class, kind, tag prefix, (manufacturer, model) pairs)
_ASSET_CATALOG: Final = (
    ("Pumps", "Centrifugal Pump", "P", (("Grundfos", "NB 65-200"), ("Goulds", "3196 MTi"))),
    ("Compressors", "Air Compressor", "C", (("Atlas Copco", "GA 37"), ("Kaeser", "SK 25"))),
    ("Conveyors", "Belt Conveyor", "CV", (("Dorner", "2200 Series"), ("Hytrol", "E24EZ"))),
    ("HVAC", "Air Handling Unit", "AHU", (("Trane", "IntelliPak"), ("Daikin", "Vision"))),
    ("Motors", "Induction Motor", "M", (("Siemens", "1LE1 11kW"), ("ABB", "M3BP 160"))),
    ("Boilers", "Steam Boiler", "B", (("Cleaver-Brooks", "CBEX 200"), ("Bosch", "UL-S 8000"))),
    ("Forklifts", "Forklift", "FL", (("Toyota", "8FGCU25"), ("Hyster", "H50FT"))),
    ("CNC Machines", "CNC Machining Center", "CNC", (("Haas", "VF-2"), ("Mazak", "VCN-530C"))),
    ("Generators", "Standby Generator", "G", (("Caterpillar", "C15"), ("Cummins", "C250D5"))),
    ("Tanks", "Storage Tank", "T", (("ZCL", "DW 20K"), ("Containment Solutions", "Hoover 10K"))),
)

_FAULTS: Final = (
    "Excessive vibration",
    "Oil leak",
    "Overheating",
    "Abnormal noise",
    "Low discharge pressure",
    "Belt slipping",
    "Tripped on overload",
    "Seal leaking",
)
_PM_INTERVALS: Final = ("Weekly", "Monthly", "Quarterly", "Semi-annual", "Annual")
_INSPECTIONS: Final = (
    "Safety inspection",
    "Thermographic survey",
    "Vibration analysis",
    "Lubrication route",
    "Statutory inspection",
)
_PROJECTS: Final = ("Install guard on", "Relocate", "Upgrade controls on", "Replace")
_COMPLETION_NOTES: Final = (
    "Replaced worn parts and tested under load; running normally.",
    "Adjusted and re-tensioned; vibration back within limits.",
    "Cleaned, lubricated and inspected; no defects found.",
    "Root cause was a failed seal; replaced and leak-tested.",
    "Work done as planned; checklist attached in the source system.",
)
_PO_NOTES: Final = (
    "Deliver to receiving dock 2 between 7:00 and 15:00.",
    "Partial deliveries accepted.",
    "Quote reference attached; prices valid for 60 days.",
    "Urgent: line down until parts arrive.",
    "Include certificates of conformity with the shipment.",
)
_ESTIMATES: Final = ("1.0", "1.5", "2.0", "3.0", "4.0", "6.0", "8.0", "12.0")
_COST_CENTERS: Final = ("CC-4100 Maintenance", "CC-4200 Production", "CC-4300 Facilities")
#: Sales tax on orders delivered to each site; the third site's state levies none on supplies.
SITE_TAX_RATES: Final[Mapping[str, Decimal]] = MappingProxyType(
    {"S01": Decimal("0.0825"), "S02": Decimal("0.0625"), "S03": Decimal("0")}
)


@dataclass(frozen=True)
class SandboxData:
    """All sample records, per entity, sorted by (modified_at, remote_id).

    The records are shared by every session of the process: treat them as read-only and copy a
    record's `data` before giving it to anyone who might change it.
    """

    records: Mapping[Entity, tuple[RawRecord, ...]]
    _index: Mapping[Entity, Mapping[str, RawRecord]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {
            entity: MappingProxyType({raw.remote_id: raw for raw in records})
            for entity, records in self.records.items()
        }
        object.__setattr__(self, "_index", MappingProxyType(index))

    def find(self, entity: Entity, remote_id: str) -> RawRecord | None:
        """The record `remote_id` of `entity`, or None."""
        return self._index[entity].get(remote_id)


_lock = threading.Lock()
_cached: SandboxData | None = None


def sandbox_data() -> SandboxData:
    """The sample data of this process, built on first use."""
    global _cached
    # Double-checked: the common path takes no lock, and two first callers build it once.
    if _cached is None:
        with _lock:
            if _cached is None:
                _cached = build_sandbox_data(SEED)
    return _cached


def build_sandbox_data(seed: int = SEED) -> SandboxData:
    """Generate the sample data from `seed`; the same seed always gives the same records."""
    return _Builder(seed).build()


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime(_TIME_FORMAT)


def _decimal(value: Decimal) -> str:
    return format(value, "f")


class _Builder:
    """Generates the records entity by entity; later entities reference earlier ones."""

    def __init__(self, seed: int) -> None:
        # Sample data, not secrets: a seeded, reproducible generator is the point.
        self.rng = random.Random(seed)  # noqa: S311
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.buyers = [self.fake.name() for _ in range(6)]
        self.technicians = [self.fake.name() for _ in range(8)]
        self.requesters = [self.fake.name() for _ in range(10)]

    def build(self) -> SandboxData:
        locations = self.locations()
        vendors = self.vendors()
        items = self.items(locations)
        assets = self.assets(locations)
        purchase_orders = self.purchase_orders(vendors, items, locations)
        work_orders = self.work_orders(assets, items, locations)
        tables = {
            Entity.LOCATIONS: locations,
            Entity.VENDORS: vendors,
            Entity.INVENTORY_ITEMS: items,
            Entity.ASSETS: assets,
            Entity.PURCHASE_ORDERS: purchase_orders,
            Entity.WORK_ORDERS: work_orders,
        }
        keys = {
            Entity.LOCATIONS: "LocationCode",
            Entity.VENDORS: "VendorCode",
            Entity.INVENTORY_ITEMS: "ItemCode",
            Entity.ASSETS: "AssetTag",
            Entity.PURCHASE_ORDERS: "PONumber",
            Entity.WORK_ORDERS: "WONumber",
        }
        records: dict[Entity, tuple[RawRecord, ...]] = {}
        for entity in Entity:
            raws = [
                RawRecord(
                    remote_id=row[keys[entity]],
                    modified_at=datetime.strptime(row["LastModified"], _TIME_FORMAT).replace(
                        tzinfo=UTC
                    ),
                    data=row,
                )
                for row in tables[entity]
            ]
            records[entity] = tuple(sorted(raws, key=lambda raw: raw.change_key))
        return SandboxData(MappingProxyType(records))

    # -- shared helpers ---------------------------------------------------------------------

    def stamps(self, index: int, max_age_days: int = 1000) -> tuple[datetime, datetime]:
        """(created, modified) for the `index`-th record of an entity.

        A record was created at most `max_age_days` before its last change: master data lives
        for years, documents such as orders for weeks.
        """
        if index % 7 == 3:
            # Every seventh record was last touched by a nightly job; with three job times and
            # at least 30 records per entity, some records always share a change time.
            modified = _BATCH_TIMES[(index // 7) % len(_BATCH_TIMES)]
        else:
            modified = ANCHOR - timedelta(seconds=self.rng.randrange(int(HISTORY.total_seconds())))
        created = modified - timedelta(seconds=self.rng.randrange(max_age_days * 86_400))
        return created, modified

    def pick(self, index: int, codes: Sequence[Any], weights: Sequence[int]) -> Any:
        """A weighted choice, except that the first records take each code once in turn.

        That guarantees every code of the source's list occurs in the sample, whatever the seed.
        """
        if index < len(codes):
            return codes[index]
        return self.rng.choices(codes, weights=weights)[0]

    def address(self, country: str = "US", street2: str | None = None) -> dict[str, Any]:
        fake = self.fake
        return {
            "Street": fake.street_address(),
            "Street2": street2,
            "City": fake.city(),
            "State": fake.state_abbr() if country == "US" else None,
            "Zip": fake.postcode(),
            "Country": country,
        }

    # -- entities ---------------------------------------------------------------------------

    def locations(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        areas = iter(_AREA_NAMES)

        def add(code: str, name: str, kind: str, parent: str | None, address: Any) -> None:
            created, modified = self.stamps(len(rows))
            rows.append(
                {
                    "LocationCode": code,
                    "Name": name,
                    "LocationType": kind,
                    "ParentCode": parent,
                    "Status": "Active",
                    "Address": address,
                    "CreatedOn": _time(created),
                    "LastModified": _time(modified),
                }
            )

        for site_number in range(1, 4):
            site = f"S{site_number:02d}"
            site_address = self.address()
            city = site_address["City"]
            add(site, f"{city} Site", "Site", None, site_address)
            for plant_number in (1, 2):
                plant = f"{site}-P{plant_number}"
                add(plant, f"{city} Plant {plant_number}", "Plant", site, dict(site_address))
                for area_number in (1, 2):
                    area_name = next(areas)
                    add(f"{plant}-A{area_number}", f"{area_name}, {city}", "Area", plant, None)
            for store_number, store_name in enumerate(_WAREHOUSE_NAMES, start=1):
                store = f"{site}-W{store_number}"
                add(store, f"{city} {store_name}", "Warehouse", site, dict(site_address))
                for bin_number in (1, 2, 3):
                    aisle = "ABC"[bin_number - 1]
                    add(
                        f"{store}-B{bin_number:02d}",
                        f"Aisle {aisle} Rack {store_number}{bin_number}",
                        "Bin",
                        store,
                        None,
                    )
        # A closed area and a retired bin: locations are not all in use.
        rows[-1]["Status"] = "Inactive"
        next(row for row in rows if row["LocationType"] == "Area")["Status"] = "Inactive"
        return rows

    def vendors(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for index in range(60):
            created, modified = self.stamps(index)
            name = self.fake.company()
            words = [
                word for word in re.findall(r"[A-Za-z]+", name) if word not in _COMPANY_SUFFIXES
            ]
            domain = "".join(words).lower()[:24] + ".com"
            currency, country, _ = self.rng.choices(
                _VENDOR_COUNTRIES, weights=[entry[2] for entry in _VENDOR_COUNTRIES]
            )[0]
            digits = "".join(str(self.rng.randrange(10)) for _ in range(9))
            tax_id = {
                "US": f"{digits[:2]}-{digits[2:]}",
                "CA": f"{digits}RT0001",
                "DE": f"DE{digits}",
                "GB": f"GB{digits}",
            }[country]
            row: dict[str, Any] = {
                "VendorCode": f"V{10001 + index}",
                "VendorName": name,
                "Status": self.pick(index, VENDOR_STATUSES, _VENDOR_STATUS_WEIGHTS),
                "TaxId": tax_id,
                "Email": f"orders@{domain}",
                "Phone": self.fake.phone_number(),
                "Website": f"https://www.{domain}",
                "Currency": currency,
                "PaymentTerms": self.rng.choices(_PAYMENT_TERMS, weights=_PAYMENT_TERM_WEIGHTS)[0],
                "Address": self.address(country),
                "CreatedOn": _time(created),
                "LastModified": _time(modified),
            }
            if index % 3 == 0:
                row["U_SupplierRating"] = self.rng.choice("ABC")
                row["U_ISO9001Certified"] = self.rng.random() < 0.7
            rows.append(row)
        return rows

    def items(self, locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        warehouses = [
            row["LocationCode"] for row in locations if row["LocationType"] == "Warehouse"
        ]
        rows: list[dict[str, Any]] = []
        for index in range(150):
            created, modified = self.stamps(index)
            group, unit, kinds = _ITEM_CATALOG[index % len(_ITEM_CATALOG)]
            kind, low, high, specs = self.rng.choice(kinds)
            spec = self.rng.choice(specs)
            cost = (Decimal(self.rng.randint(low * 100, high * 100)) / 100).quantize(_CENT)
            # Every twelfth item is out of stock everywhere: the sandbox's out-of-stock case.
            out_of_stock = index % 12 == 5
            # Few expensive drives sit on a shelf; gloves and bolts come by the hundred.
            most = 8 if cost > 400 else 40 if cost > 100 else 250
            stock = []
            for warehouse in sorted(self.rng.sample(warehouses, self.rng.randint(1, 4))):
                on_hand = Decimal(0) if out_of_stock else self.quantity(unit, 0, most)
                committed = (
                    Decimal(0) if out_of_stock else Decimal(self.rng.randint(0, int(on_hand) // 4))
                )
                stock.append(
                    {
                        "Warehouse": warehouse,
                        "OnHand": _decimal(on_hand),
                        "Committed": _decimal(committed),
                        "Available": _decimal(on_hand - committed),
                        "ReorderLevel": _decimal(Decimal(self.rng.randint(2, 40))),
                    }
                )
            total = sum((Decimal(level["OnHand"]) for level in stock), Decimal(0))
            rows.append(
                {
                    "ItemCode": f"ITM-{10001 + index}",
                    "Description": f"{kind} {spec}",
                    "ExtendedText": f"{kind}, {spec}. Stocked for {group.lower()} maintenance."
                    if index % 2
                    else None,
                    "ItemGroup": group,
                    "UoM": unit,
                    "StdCost": _decimal(cost),
                    "Currency": "USD",
                    "Status": self.pick(index, ITEM_STATUSES, _ITEM_STATUS_WEIGHTS),
                    "QtyOnHand": _decimal(total),
                    "Stock": stock,
                    "CreatedOn": _time(created),
                    "LastModified": _time(modified),
                }
            )
        return rows

    def quantity(self, unit: str, low: int, high: int) -> Decimal:
        """A stock quantity: whole units, or tenths for units that are measured out."""
        if unit in ("L", "M"):
            return Decimal(self.rng.randint(low * 10, high * 10)) / 10
        return Decimal(self.rng.randint(low, high))

    def assets(self, locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        areas = [row for row in locations if row["LocationType"] == "Area"]
        rows: list[dict[str, Any]] = []
        for index in range(80):
            created, modified = self.stamps(index)
            category, kind, prefix, makes = _ASSET_CATALOG[index % len(_ASSET_CATALOG)]
            manufacturer, model = self.rng.choice(makes)
            area = self.rng.choice(areas)
            name = f"{kind} {prefix}-{101 + index}"
            parent = None
            if self.rng.random() < 0.3:
                # Sub-assemblies hang under a top-level asset of the same area (a motor under
                # its pump); one level deep, as most CMMS hierarchies in practice.
                candidates = [
                    row["AssetTag"]
                    for row in rows
                    if row["LocationCode"] == area["LocationCode"] and row["ParentTag"] is None
                ]
                parent = self.rng.choice(candidates) if candidates else None
            rows.append(
                {
                    "AssetTag": f"AST-{1001 + index}",
                    "AssetName": name,
                    "Description": f"{kind} serving {area['Name'].split(',')[0]}",
                    "Status": self.pick(index, ASSET_STATUSES, _ASSET_STATUS_WEIGHTS),
                    "AssetClass": category,
                    "LocationCode": area["LocationCode"],
                    "ParentTag": parent,
                    "Manufacturer": manufacturer,
                    "ModelNo": model,
                    "SerialNo": self.fake.bothify("??######").upper(),
                    "InstallDate": (
                        ANCHOR.date() - timedelta(days=self.rng.randint(300, 7000))
                    ).isoformat(),
                    "Criticality": self.pick(
                        index, ASSET_CRITICALITIES, _ASSET_CRITICALITY_WEIGHTS
                    ),
                    "CreatedOn": _time(created),
                    "LastModified": _time(modified),
                }
            )
        return rows

    def purchase_orders(
        self,
        vendors: list[dict[str, Any]],
        items: list[dict[str, Any]],
        locations: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        active_vendors = [row for row in vendors if row["Status"] == "Active"]
        other_vendors = [row for row in vendors if row["Status"] != "Active"]
        active_items = [row for row in items if row["Status"] == "Active"]
        by_code = {row["LocationCode"]: row for row in locations}
        warehouses = [row for row in locations if row["LocationType"] == "Warehouse"]
        sites = [row for row in locations if row["LocationType"] == "Site"]
        head_office = dict(sites[0]["Address"], Street2="Accounts Payable")
        rows: list[dict[str, Any]] = []
        for index in range(250):
            created, modified = self.stamps(index, max_age_days=60)
            status = self.pick(index, PO_STATUSES, _PO_STATUS_WEIGHTS)
            # A few orders predate their vendor's block or deactivation.
            vendor = self.rng.choice(other_vendors if index % 40 == 17 else active_vendors)
            warehouse = self.rng.choice(warehouses)
            site = by_code[warehouse["ParentCode"]]
            tax_rate = SITE_TAX_RATES[site["LocationCode"]]
            order_date = created.date()
            lines = self.order_lines(status, active_items, warehouse["LocationCode"], order_date)
            subtotal = sum((Decimal(line["LineTotal"]) for line in lines), Decimal(0))
            tax = (subtotal * tax_rate).quantize(_CENT, rounding=ROUND_HALF_UP)
            row: dict[str, Any] = {
                "PONumber": f"PO-{100001 + index}",
                "Status": status,
                "VendorCode": vendor["VendorCode"],
                "VendorName": vendor["VendorName"],
                "OrderDate": order_date.isoformat(),
                "RequiredDate": (order_date + timedelta(days=self.rng.randint(7, 45))).isoformat(),
                "PromisedDate": None
                if status in ("Draft", "Awaiting Approval")
                else (order_date + timedelta(days=self.rng.randint(5, 40))).isoformat(),
                "Currency": vendor["Currency"],
                "SubTotal": _decimal(subtotal),
                "TaxAmount": _decimal(tax),
                "DocTotal": _decimal(subtotal + tax),
                "PaymentTerms": vendor["PaymentTerms"],
                "ShipTo": dict(site["Address"], Street2=warehouse["Name"]),
                "BillTo": dict(head_office),
                "Buyer": self.rng.choice(self.buyers),
                "Comments": self.rng.choice(_PO_NOTES) if self.rng.random() < 0.3 else None,
                "Lines": lines,
                "CreatedOn": _time(created),
                "LastModified": _time(modified),
            }
            if index % 4 == 1:
                # The sandbox's "orders with custom fields": user-defined fields of the source.
                row["U_ProjectCode"] = f"PRJ-{self.rng.randint(2100, 2199)}"
                row["U_CostCenter"] = self.rng.choice(_COST_CENTERS)
                if index % 8 == 1:
                    row["U_CapexApproved"] = self.rng.random() < 0.5
            rows.append(row)
        return rows

    def order_lines(
        self, status: str, items: list[dict[str, Any]], warehouse: str, order_date: date
    ) -> list[dict[str, Any]]:
        count = self.rng.choices((1, 2, 3, 4, 5), weights=(25, 30, 22, 13, 10))[0]
        lines = []
        for number, item in enumerate(self.rng.sample(items, count), start=1):
            # Whole quantities keep quantity times price exact to the cent.
            cost = Decimal(item["StdCost"])
            most = 4 if cost > 400 else 10 if item["UoM"] == "BOX" or cost > 100 else 60
            quantity = Decimal(self.rng.randint(2, most))
            price = (cost * self.rng.randint(90, 115) / 100).quantize(_CENT)
            if status in ("Received", "Closed"):
                received = quantity
            elif status == "Partially Received":
                # The first line is always part-received, so the order really is partial.
                received = quantity // 2 if number == 1 else self.rng.choice((Decimal(0), quantity))
            else:
                received = Decimal(0)
            lines.append(
                {
                    "LineNum": number,
                    "ItemCode": item["ItemCode"],
                    "ItemDescription": item["Description"],
                    "Quantity": _decimal(quantity),
                    "QtyReceived": _decimal(received),
                    "UoM": item["UoM"],
                    "UnitPrice": _decimal(price),
                    "LineTotal": _decimal(quantity * price),
                    "RequiredDate": (
                        order_date + timedelta(days=self.rng.randint(7, 60))
                    ).isoformat()
                    if self.rng.random() < 0.2
                    else None,
                    "Warehouse": warehouse,
                }
            )
        return lines

    def work_orders(
        self,
        assets: list[dict[str, Any]],
        items: list[dict[str, Any]],
        locations: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        areas = [row for row in locations if row["LocationType"] == "Area"]
        stocked = [
            row for row in items if row["Status"] == "Active" and Decimal(row["QtyOnHand"]) > 0
        ]
        rows: list[dict[str, Any]] = []
        for index in range(200):
            created, modified = self.stamps(index, max_age_days=45)
            status = self.pick(index, WO_STATUSES, _WO_STATUS_WEIGHTS)
            work_type = self.pick(index, WO_TYPES, _WO_TYPE_WEIGHTS)
            priority = (
                1
                if work_type == "EMER"
                else self.rng.choices(WO_PRIORITIES, weights=_WO_PRIORITY_WEIGHTS)[0]
            )
            # Most jobs are on an asset; some are on the building itself (lighting, doors).
            asset = None if index % 20 == 7 else self.rng.choice(assets)
            location = asset["LocationCode"] if asset else self.rng.choice(areas)["LocationCode"]
            target = (
                asset["AssetName"]
                if asset
                else next(row["Name"] for row in areas if row["LocationCode"] == location)
            )
            title, details = self.job_text(work_type, target)
            estimate = Decimal(self.rng.choice(_ESTIMATES))
            times = self.job_times(status, modified, estimate)
            first_time = next((time for time in times[:2] if time is not None), modified)
            created = min(created, first_time - timedelta(hours=self.rng.randint(2, 72)))
            parts: list[dict[str, Any]] = []
            if status in ("In Progress", "Done", "Closed") and work_type in ("CM", "PM", "EMER"):
                for item in self.rng.sample(stocked, self.rng.randint(0, 3)):
                    parts.append(
                        {
                            "ItemCode": item["ItemCode"],
                            "Description": item["Description"],
                            "Qty": _decimal(self.quantity(item["UoM"], 1, 6)),
                            "UoM": item["UoM"],
                        }
                    )
            sched_start, actual_start, sched_end, actual_end, actual_hours = times
            due_from = sched_start or created
            row: dict[str, Any] = {
                "WONumber": f"WO-{200001 + index}",
                "Summary": title,
                "Details": details,
                "Status": status,
                "Priority": priority,
                "WorkType": work_type,
                "AssetTag": asset["AssetTag"] if asset else None,
                "AssetName": asset["AssetName"] if asset else None,
                "LocationCode": location,
                "AssignedTo": None if status == "New" else self.rng.choice(self.technicians),
                "RequestedBy": self.rng.choice(self.requesters),
                "SchedStart": _time(sched_start) if sched_start else None,
                "SchedFinish": _time(sched_end) if sched_end else None,
                "ActualStart": _time(actual_start) if actual_start else None,
                "ActualFinish": _time(actual_end) if actual_end else None,
                "DueDate": (due_from.date() + timedelta(days=self.rng.randint(1, 14))).isoformat(),
                "EstHours": _decimal(estimate),
                "ActHours": _decimal(actual_hours) if actual_hours is not None else None,
                "Parts": parts,
                "CompletionNotes": self.rng.choice(_COMPLETION_NOTES)
                if status in ("Done", "Closed")
                else None,
                "CreatedOn": _time(created),
                "LastModified": _time(modified),
            }
            if index % 5 == 2:
                row["U_DowntimeMinutes"] = self.rng.randint(0, 480)
                if work_type in ("CM", "EMER"):
                    row["U_FailureCode"] = self.rng.choice(("MECH-WEAR", "ELEC-SHORT", "LUBE-LOSS"))
            rows.append(row)
        return rows

    def job_text(self, work_type: str, target: str) -> tuple[str, str]:
        """Title and details of a work order of `work_type` on `target`."""
        fault = self.rng.choice(_FAULTS)
        shift = self.rng.choice(("early", "late", "night"))
        texts = {
            "CM": (
                f"{fault} - {target}",
                f"Operator reported {fault.lower()} on the {shift} shift. Investigate and repair.",
            ),
            "PM": (
                f"{self.rng.choice(_PM_INTERVALS)} PM - {target}",
                "Carry out the planned maintenance checklist and record readings.",
            ),
            "INSP": (
                f"{self.rng.choice(_INSPECTIONS)} - {target}",
                "Inspect, record findings and raise follow-up work where needed.",
            ),
            "EMER": (
                f"EMERGENCY: {fault} - {target}",
                f"{fault} stopped production on the {shift} shift.",
            ),
            "PROJ": (
                f"{self.rng.choice(_PROJECTS)} {target}",
                "Improvement project; see the attached scope in the source system.",
            ),
        }
        return texts[work_type]

    def job_times(
        self, status: str, modified: datetime, estimate: Decimal
    ) -> tuple[datetime | None, datetime | None, datetime | None, datetime | None, Decimal | None]:
        """(scheduled start, actual start, scheduled end, actual end, actual hours) for a job.

        Times are consistent with the status and never later than the last change, except a
        planned start, which may lie ahead.
        """
        planned = timedelta(hours=float(estimate))
        if status == "New" or (status == "Cancelled" and self.rng.random() < 0.5):
            return None, None, None, None, None
        if status in ("Scheduled", "Cancelled"):
            start = (modified + timedelta(days=self.rng.randint(1, 21))).replace(minute=0, second=0)
            return start, None, start + planned, None, None
        if status in ("In Progress", "On Hold"):
            actual_start = modified - timedelta(minutes=self.rng.randint(30, 72 * 60))
            scheduled = (actual_start - timedelta(minutes=self.rng.randint(-120, 240))).replace(
                second=0
            )
            spent = Decimal(self.rng.randint(1, max(1, int(estimate * 2)))) / 2
            return scheduled, actual_start, scheduled + planned, None, spent
        hours = (estimate * self.rng.randint(70, 160) / 100).quantize(Decimal("0.1"))
        actual_end = modified - timedelta(minutes=self.rng.randint(5, 48 * 60))
        actual_start = actual_end - timedelta(hours=float(hours))
        scheduled = (actual_start - timedelta(minutes=self.rng.randint(-360, 360))).replace(
            second=0
        )
        return scheduled, actual_start, scheduled + planned, actual_end, hours
