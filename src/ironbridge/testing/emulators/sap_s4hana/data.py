"""The emulator's in-memory tables and the deterministic sample data they start with.

The sample plays one S/4HANA company (code 1710) with three plants, a few hundred purchase
orders, suppliers with addresses and purchasing data, maintenance orders, equipment and stock.
Every time in it is an offset from an anchor, the instant the emulator starts: the same seed
and anchor give the same data in every process, and the data stays recent however old the
code is. Change stamps are spread over the `HISTORY` (120 days) before the anchor, so a
90-day first sync (SAP's default history window) loads most of the sample and leaves some out,
and anything a test changes afterwards is strictly newer than the whole sample.

A few records are shaped to catch client mistakes:
- purchase orders 4500000101-4500000112 share one `LastChangeDateTime` exactly (a mass
  change), and 4500000113-4500000120 share one millisecond but differ below it, which
  `/Date(ms)/` cannot show;
- some business partners were never changed, so their `LastChangeDate` is null;
- some business partners are customers only (no supplier role);
- some equipment has a historical validity slice beside its current one.
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

from ironbridge.testing.emulators.sap_s4hana.schema import SERVICES, EntityType, entity_type

__all__ = [
    "COMPANY_CODE",
    "END_OF_TIME",
    "HISTORY",
    "PLANTS",
    "SAMPLE_PURCHASE_ORDERS",
    "STAMP_RESOLUTION",
    "Store",
    "blank_row",
    "sample_store",
]

#: How far before the anchor the sample's change stamps reach.
HISTORY: Final = timedelta(days=120)
#: The validity end of the current slice of a time-dependent master record.
END_OF_TIME: Final = datetime(9999, 12, 31, tzinfo=UTC)
COMPANY_CODE: Final = "1710"
#: Plant → its storage locations.
PLANTS: Final[Mapping[str, tuple[str, ...]]] = {
    "1710": ("171A", "171B", "171C"),
    "1720": ("172A", "172B"),
    "1730": ("173A",),
}
#: Purchase orders in the sample unless asked otherwise.
SAMPLE_PURCHASE_ORDERS: Final = 300
#: How finely each entity set's change stamp is kept (SAP's `Precision` on the property).
STAMP_RESOLUTION: Final[Mapping[str, timedelta]] = {
    "A_PurchaseOrder": timedelta(microseconds=1),
    "MaintenanceOrder": timedelta(seconds=1),
    "Equipment": timedelta(seconds=1),
    "A_BusinessPartner": timedelta(seconds=1),
}

_SUPPLIER_NAMES: Final = (
    "Domestic US Supplier",
    "Atlas Bearings Inc.",
    "Keystone Fasteners",
    "Prairie Hydraulics",
    "Summit Electric Supply",
    "Bluewater Valves",
    "Cascade Lubricants",
    "Redwood Packaging",
    "Ironclad Tooling",
    "Granite Safety Gear",
    "Northwind Filters",
    "Pioneer Pumps",
    "Harbor Industrial",
    "Mesa Motors",
    "Orion Sensors",
    "Beacon Belting",
)
_CITIES: Final = (
    ("Palo Alto", "CA", "94304", "US"),
    ("Chicago", "IL", "60601", "US"),
    ("Houston", "TX", "77002", "US"),
    ("Walldorf", "BW", "69190", "DE"),
    ("Denver", "CO", "80202", "US"),
)
_EQUIPMENT_KINDS: Final = (
    ("PUMP", "Centrifugal pump", "Pioneer Pumps", "CP-200"),
    ("MOTOR", "Electric motor", "Mesa Motors", "EM-75"),
    ("COMPRESSOR", "Air compressor", "Atlas Copco", "GA-30"),
    ("CONVEYOR", "Belt conveyor", "Beacon Belting", "BC-1200"),
    ("FAN", "Exhaust fan", "Northwind", "XF-9"),
)
_ORDER_TEXTS: Final = (
    "Replace mechanical seal",
    "Quarterly lubrication round",
    "Inspect belt alignment",
    "Vibration analysis",
    "Repair leaking valve",
    "Replace worn bearings",
    "Clean intake filters",
    "Emergency motor rewind",
)
#: Status texts as SAP shows them: the lifecycle status first, then attribute statuses.
_SYSTEM_STATUSES: Final = (
    "CRTD MANC NMAT",
    "CRTD NMAT PRC",
    "REL NMAT PRC",
    "REL PCNF NMAT PRC",
    "TECO NMAT PRC",
    "CLSD NMAT PRC",
    "CRTD DLFL NMAT",
    "REL LKD NMAT",
)


def blank_row(kind: EntityType) -> dict[str, Any]:
    """A row with every property empty, as SAP initialises one: strings `""`, flags False."""
    defaults = {"Edm.String": "", "Edm.Boolean": False}
    return {name: defaults.get(edm) for name, edm in kind.properties.items()}


class Store:
    """Tables of rows by entity set and key, guarded by one lock.

    Rows hold Python values (see `odata.py`). Callers that read while others write take
    `store.lock`; the methods here take it themselves.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        #: Counts changes (inserts, deletes, stamped updates), so a listing computed for one
        #: generation is known to be stale in the next.
        self.generation = 0
        self._tables: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {
            kind.entity_set: {} for service in SERVICES.values() for kind in service.entity_types
        }
        # Navigation joins by (target set, target columns) → join values → rows. Join columns
        # on the target side are always key columns, which never change in place, so an index
        # only goes stale on insert and delete.
        self._indexes: dict[tuple[str, tuple[str, ...]], dict[tuple[Any, ...], list[Any]]] = {}

    @staticmethod
    def key_of(entity_set: str, row: Mapping[str, Any]) -> tuple[Any, ...]:
        """The key tuple of `row` in `entity_set`."""
        return tuple(row[name] for name in entity_type(entity_set).keys)

    def insert(self, entity_set: str, row: Mapping[str, Any]) -> dict[str, Any]:
        """Add `row` (missing properties blank) and return the stored row."""
        stored = {**blank_row(entity_type(entity_set)), **row}
        with self.lock:
            self._tables[entity_set][self.key_of(entity_set, stored)] = stored
            self._drop_indexes(entity_set)
            self.generation += 1
        return stored

    def touch(self) -> None:
        """Note that a row changed in place (the emulator calls it when it stamps a change)."""
        with self.lock:
            self.generation += 1

    def _drop_indexes(self, entity_set: str) -> None:
        for index_key in [key for key in self._indexes if key[0] == entity_set]:
            del self._indexes[index_key]

    def rows(self, entity_set: str) -> list[dict[str, Any]]:
        """Every stored row of `entity_set` (the live rows: hold `lock` while using them)."""
        with self.lock:
            return list(self._tables[entity_set].values())

    def find(self, entity_set: str, key: tuple[Any, ...]) -> dict[str, Any] | None:
        """The live row with `key`, or None."""
        with self.lock:
            return self._tables[entity_set].get(key)

    def delete(self, entity_set: str, key: tuple[Any, ...]) -> dict[str, Any] | None:
        """Remove and return the row with `key`, or None when there is none."""
        with self.lock:
            self._drop_indexes(entity_set)
            self.generation += 1
            return self._tables[entity_set].pop(key, None)

    def related(self, entity_set: str, row: Mapping[str, Any], navigation: str) -> list[Any]:
        """The rows `navigation` leads to from `row`."""
        nav = entity_type(entity_set).navigations[navigation]
        columns = tuple(to for to, _ in nav.join)
        with self.lock:
            index = self._indexes.get((nav.target, columns))
            if index is None:
                index = {}
                for target in self._tables[nav.target].values():
                    index.setdefault(tuple(target[c] for c in columns), []).append(target)
                self._indexes[(nav.target, columns)] = index
            return list(index.get(tuple(row[frm] for _, frm in nav.join), ()))

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """A deep copy of every table, for tests that compare before and after."""
        with self.lock:
            return {name: copy.deepcopy(list(rows.values())) for name, rows in self._tables.items()}

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)


def _day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _recent(rng: random.Random, anchor: datetime, *, seconds_only: bool) -> datetime:
    """A change stamp within `HISTORY` before `anchor`, strictly before it."""
    span = int(HISTORY.total_seconds())
    moment = anchor - timedelta(seconds=rng.randint(1, span))
    if seconds_only:
        return moment
    return moment + timedelta(microseconds=rng.randint(0, 999_999))


def _suppliers(store: Store, rng: random.Random, anchor: datetime) -> list[str]:
    numbers: list[str] = []
    for index in range(40):
        number = f"{17300001 + index}"
        numbers.append(number)
        name = _SUPPLIER_NAMES[index % len(_SUPPLIER_NAMES)]
        if index >= len(_SUPPLIER_NAMES):
            name = f"{name} {index // len(_SUPPLIER_NAMES) + 1}"
        changed: datetime | None = None
        if index % 4 != 3:
            created = anchor - timedelta(days=rng.randint(400, 1500), seconds=rng.randint(0, 86399))
            changed = _recent(rng, anchor, seconds_only=True)
        else:
            # Every fourth partner was created lately and never changed after: its creation
            # time is its change time.
            created = _recent(rng, anchor, seconds_only=True)
        city, region, postal, country = _CITIES[index % len(_CITIES)]
        store.insert(
            "A_BusinessPartner",
            {
                "BusinessPartner": number,
                "Supplier": number,
                "BusinessPartnerCategory": "2",
                "BusinessPartnerGrouping": "BP02",
                "BusinessPartnerFullName": name,
                "BusinessPartnerName": name,
                "OrganizationBPName1": name,
                "SearchTerm1": name.split()[0].upper()[:20],
                "CorrespondenceLanguage": "EN",
                "Language": "EN",
                "CreatedByUser": "CB9980000012",
                "CreationDate": _day(created),
                "CreationTime": created.time().replace(microsecond=0),
                "LastChangeDate": None if changed is None else _day(changed),
                "LastChangeTime": None if changed is None else changed.time(),
                "LastChangedByUser": "" if changed is None else "CB9980000012",
                "BusinessPartnerIsBlocked": index in (7, 23),
            },
        )
        store.insert(
            "A_Supplier",
            {
                "Supplier": number,
                "CreatedByUser": "CB9980000012",
                "CreationDate": _day(created),
                "SupplierAccountGroup": "SUPL",
                "SupplierName": name,
                "SupplierFullName": name,
                "VATRegistration": f"{country}{rng.randint(100000000, 999999999)}",
                "PurchasingIsBlocked": index in (5, 17, 29),
                "PostingIsBlocked": index == 29,
                "DeletionIndicator": index in (11, 37),
            },
        )
        store.insert(
            "A_SupplierPurchasingOrg",
            {
                "Supplier": number,
                "PurchasingOrganization": "1710",
                "PaymentTerms": ("0001", "0004", "NT30")[index % 3],
                "PurchaseOrderCurrency": "EUR" if country == "DE" else "USD",
                "PurchasingGroup": "001",
                "IncotermsClassification": "FOB",
                "SupplierPhoneNumber": f"+1 555 01{index:02d}",
            },
        )
        address = f"{22000 + index}"
        store.insert(
            "A_BusinessPartnerAddress",
            {
                "BusinessPartner": number,
                "AddressID": address,
                "StreetName": f"{rng.choice(('Industrial', 'Harbor', 'Main', 'Factory'))} Way",
                "HouseNumber": str(rng.randint(1, 999)),
                "CityName": city,
                "Region": region,
                "PostalCode": postal,
                "Country": country,
                "Language": "EN",
            },
        )
        domain = "".join(ch for ch in name.lower() if ch.isalnum())[:16]
        store.insert(
            "A_AddressEmailAddress",
            {
                "AddressID": address,
                "OrdinalNumber": "1",
                "IsDefaultEmailAddress": True,
                "EmailAddress": f"orders@{domain}.example.com",
                "SearchEmailAddress": f"ORDERS@{domain.upper()}"[:20],
            },
        )
        store.insert(
            "A_AddressPhoneNumber",
            {
                "AddressID": address,
                "OrdinalNumber": "1",
                "DestinationLocationCountry": country,
                "IsDefaultPhoneNumber": True,
                "PhoneNumber": f"555 01{index:02d}",
                "InternationalPhoneNumber": f"+1 555 01{index:02d}",
                "PhoneNumberType": "1",
            },
        )
    # Customers only: a business partner without a supplier role is not a vendor.
    for index in range(5):
        number = f"{17100001 + index}"
        created = anchor - timedelta(days=rng.randint(100, 900))
        store.insert(
            "A_BusinessPartner",
            {
                "BusinessPartner": number,
                "Customer": number,
                "BusinessPartnerCategory": "2",
                "BusinessPartnerFullName": f"Customer {index + 1}",
                "BusinessPartnerName": f"Customer {index + 1}",
                "OrganizationBPName1": f"Customer {index + 1}",
                "CreationDate": _day(created),
                "CreationTime": time(9, 0),
                "LastChangeDate": _day(created + timedelta(days=3)),
                "LastChangeTime": time(10, 30),
            },
        )
    return numbers


def _materials(store: Store, rng: random.Random) -> list[tuple[str, str]]:
    materials: list[tuple[str, str]] = []
    storage = [(plant, location) for plant, locations in PLANTS.items() for location in locations]
    for index in range(60):
        material = f"TG{11 + index:04d}"
        unit = ("PC", "PC", "PC", "KG", "L")[index % 5]
        materials.append((material, unit))
        store.insert("A_MaterialStock", {"Material": material, "MaterialBaseUnit": unit})
        for plant, location in rng.sample(storage, rng.randint(1, 3)):
            stock_types = (
                ["01"] + (["02"] if index % 7 == 0 else []) + (["07"] if index % 11 == 0 else [])
            )
            for stock_type in stock_types:
                quantity = Decimal(rng.randint(0, 500_000)) / 1000
                store.insert(
                    "A_MatlStkInAcctMod",
                    {
                        "Material": material,
                        "Plant": plant,
                        "StorageLocation": location,
                        "InventoryStockType": stock_type,
                        "MaterialBaseUnit": unit,
                        "MatlWrhsStkQtyInMatlBaseUnit": quantity,
                    },
                )
    return materials


def _purchase_orders(
    store: Store,
    rng: random.Random,
    suppliers: list[str],
    materials: list[tuple[str, str]],
    indexes: range,
    anchor: datetime,
) -> None:
    mass_change = anchor - timedelta(days=20, microseconds=123_456)
    shared_ms = (anchor - timedelta(days=10)).replace(microsecond=789_000)
    statuses = ("01", "02", "02", "02", "02", "03", "05", "05", "05", "08")
    storage = [(plant, location) for plant, locations in PLANTS.items() for location in locations]
    for index in indexes:
        number = f"{4500000001 + index}"
        supplier = suppliers[rng.randrange(len(suppliers))]
        org = store.find("A_SupplierPurchasingOrg", (supplier, "1710")) or {}
        changed = _recent(rng, anchor, seconds_only=False)
        created = changed - timedelta(days=rng.randint(0, 60), seconds=rng.randint(0, 86399))
        if 100 <= index < 112:
            changed = mass_change
        elif 112 <= index < 120:
            changed = shared_ms + timedelta(microseconds=100 * (index - 111))
        status = statuses[rng.randrange(len(statuses))]
        deletion = "L" if index % 25 == 24 else ""
        currency = org.get("PurchaseOrderCurrency") or "USD"
        store.insert(
            "A_PurchaseOrder",
            {
                "PurchaseOrder": number,
                "CompanyCode": COMPANY_CODE,
                "PurchaseOrderType": "NB",
                "PurchasingDocumentDeletionCode": deletion,
                "PurchasingProcessingStatus": status,
                "CreatedByUser": "CB9980000010",
                "CreationDate": _day(created),
                "LastChangeDateTime": changed,
                "Supplier": supplier,
                "Language": "EN",
                "PaymentTerms": org.get("PaymentTerms") or "0001",
                "PurchasingOrganization": "1710",
                "PurchasingGroup": ("001", "002")[index % 2],
                "PurchaseOrderDate": _day(created),
                "DocumentCurrency": currency,
                "ReleaseIsNotCompleted": status == "03",
                "CorrespncInternalReference": f"REQ-{index:05d}" if index % 3 == 0 else "",
            },
        )
        receipt = rng.random() if status in ("02", "05") and not deletion else 1.0
        for line in range(rng.randint(1, 5)):
            item = str(10 * (line + 1))
            plant, location = storage[rng.randrange(len(storage))]
            quantity = Decimal(rng.randint(1, 200))
            material, unit = materials[rng.randrange(len(materials))]
            free_text = line == 4
            delivered = receipt < 0.35 or (receipt < 0.55 and line == 0)
            store.insert(
                "A_PurchaseOrderItem",
                {
                    "PurchaseOrder": number,
                    "PurchaseOrderItem": item,
                    "PurchasingDocumentDeletionCode": deletion,
                    "PurchaseOrderItemText": (
                        "Installation service" if free_text else f"Spare part {material}"
                    ),
                    "Plant": plant,
                    "StorageLocation": "" if free_text else location,
                    "MaterialGroup": "L004" if free_text else "L002",
                    "OrderQuantity": quantity,
                    "PurchaseOrderQuantityUnit": "H" if free_text else unit,
                    "OrderPriceUnit": "H" if free_text else unit,
                    "DocumentCurrency": currency,
                    "NetPriceAmount": _money(rng, 1, 900),
                    "NetPriceQuantity": Decimal(1),
                    "TaxCode": "I1",
                    "IsCompletelyDelivered": delivered,
                    "IsFinallyInvoiced": delivered and receipt < 0.15,
                    "PurchaseOrderItemCategory": "0",
                    "AccountAssignmentCategory": "K" if free_text else "",
                    "GoodsReceiptIsExpected": True,
                    "InvoiceIsExpected": True,
                    "Material": "" if free_text else material,
                },
            )
            store.insert(
                "A_PurchaseOrderScheduleLine",
                {
                    "PurchasingDocument": number,
                    "PurchasingDocumentItem": item,
                    "ScheduleLine": "1",
                    "DelivDateCategory": "1",
                    "ScheduleLineDeliveryDate": _day(created + timedelta(days=rng.randint(7, 60))),
                    "PurchaseOrderQuantityUnit": "H" if free_text else unit,
                    "ScheduleLineOrderQuantity": quantity,
                    "ScheduleLineDeliveryTime": time(0, 0),
                    "ScheduleLineCommittedQuantity": quantity
                    if status in ("02", "05")
                    else (Decimal(0)),
                },
            )


#: Each plant's functional locations below its top one (named as the plant, as SAP's best
#: practice does): (suffix, name, category, superior suffix).
_FUNCTIONAL_LOCATIONS: Final = (
    ("-PLT", "Production", "M", ""),
    *((f"-PLT-LINE{n}", f"Production line {n}", "M", "-PLT") for n in range(1, 5)),
    # A category of the customer's own customizing, as real systems have.
    ("-UTL", "Utilities", "Z1", ""),
)


def _functional_locations(store: Store, rng: random.Random, anchor: datetime) -> None:
    for plant in PLANTS:
        # The top of each plant's structure is named as the plant.
        levels = (("", f"Site {plant}", "M", None), *_FUNCTIONAL_LOCATIONS)
        for suffix, name, category, superior in levels:
            below = [s for s, *_ in _FUNCTIONAL_LOCATIONS if s.startswith(suffix + "-")]
            parent = "" if superior is None else plant + superior
            store.insert(
                "FunctionalLocation",
                {
                    "FunctionalLocation": plant + suffix,
                    "FunctionalLocationLabelName": plant + suffix,
                    "FunctionalLocationName": f"{name} {plant}" if suffix else name,
                    "FuncLocationStructure": "YBPM",
                    "FunctionalLocationCategory": category,
                    "SuperiorFunctionalLocation": parent,
                    "SuperiorFuncnlLocLabelName": parent,
                    "MaintenancePlant": plant,
                    "MaintenancePlanningPlant": plant,
                    "MainWorkCenterPlant": plant,
                    "MainWorkCenter": "MECH",
                    "CompanyCode": COMPANY_CODE,
                    "CostCenter": "17101301",
                    "EquipmentInstallationIsAllowed": "LINE" in suffix,
                    "FunctionalLocationHasEquipment": "X" if "LINE" in suffix else "",
                    "FuncnlLocHasSubOrdinateFuncLoc": "X" if below else "",
                    "LastChangeDateTime": _recent(rng, anchor, seconds_only=True),
                    "FunctionalLocationIsActive": suffix != "-UTL" or plant != "1730",
                    "FuncnlLocIsDeactivated": suffix == "-UTL" and plant == "1730",
                },
            )


def _equipment(store: Store, rng: random.Random, anchor: datetime) -> list[tuple[str, str, str]]:
    created_equipment: list[tuple[str, str, str]] = []
    plants = list(PLANTS)
    for index in range(80):
        number = f"{10000000 + index}"
        kind, label, maker, model = _EQUIPMENT_KINDS[index % len(_EQUIPMENT_KINDS)]
        plant = plants[index % len(plants)]
        name = f"{label} {plant}-{index:03d}"
        created = anchor - timedelta(days=rng.randint(300, 2000))
        start = _day(created)
        changed = _recent(rng, anchor, seconds_only=True)
        superior = f"{10000000 + index - 1}" if index % 10 == 9 else ""
        row = {
            "Equipment": number,
            "ValidityEndDate": END_OF_TIME,
            "ValidityStartDate": start,
            "EquipmentName": name,
            "EquipmentCategory": "M",
            "TechnicalObjectType": kind,
            "OperationStartDate": start + timedelta(days=rng.randint(1, 30)),
            "AcquisitionValue": _money(rng, 2_000, 90_000),
            "Currency": "USD",
            "AcquisitionDate": start,
            "AssetManufacturerName": maker,
            "ManufacturerPartTypeName": model,
            "ManufacturerSerialNumber": f"SN{rng.randint(100000, 999999)}",
            "ConstructionYear": str(start.year - 1),
            "MaintenancePlant": plant,
            "ABCIndicator": ("A", "B", "C", "")[index % 4],
            "CompanyCode": COMPANY_CODE,
            # Equipment in stock (every 13th) is installed nowhere.
            "FunctionalLocation": "" if index % 13 == 0 else f"{plant}-PLT-LINE{index % 4 + 1}",
            "SuperordinateEquipment": superior,
            "CreationDate": start,
            "CreatedByUser": "CB9980000014",
            "LastChangedByUser": "CB9980000014",
            "LastChangeDateTime": changed,
            "EquipmentIsAvailable": index % 13 != 0,
            "EquipmentIsInWarehouse": index % 13 == 0,
            "EquipmentIsMarkedForDeletion": index % 29 == 28,
            "EquipmentIsInstalled": index % 13 != 0 and index % 29 != 28,
            "EquipmentIsInactive": index % 17 == 16,
        }
        store.insert("Equipment", row)
        if index % 8 == 0:
            # The slice that was valid until the equipment moved to its current plant.
            store.insert(
                "Equipment",
                {
                    **row,
                    "ValidityEndDate": start - timedelta(days=1),
                    "ValidityStartDate": start - timedelta(days=400),
                    "EquipmentName": f"{label} (previous site)",
                    "LastChangeDateTime": changed - timedelta(days=1),
                },
            )
        created_equipment.append((number, name, plant))
    return created_equipment


def _maintenance_orders(
    store: Store, rng: random.Random, equipment: list[tuple[str, str, str]], anchor: datetime
) -> None:
    for index in range(120):
        number = f"{4000000 + index}"
        status = _SYSTEM_STATUSES[rng.randrange(len(_SYSTEM_STATUSES))]
        order_type = ("YA01", "YA01", "YA02", "YA03")[index % 4]
        changed = _recent(rng, anchor, seconds_only=True)
        created = changed - timedelta(days=rng.randint(0, 30), seconds=rng.randint(0, 86399))
        start = created + timedelta(days=rng.randint(0, 10))
        end = start + timedelta(hours=rng.randint(2, 72))
        number_of_equipment, equipment_name, plant = equipment[rng.randrange(len(equipment))]
        without_equipment = index % 10 == 9
        completed = status.startswith(("TECO", "CLSD"))
        store.insert(
            "MaintenanceOrder",
            {
                "MaintenanceOrder": number,
                "MaintenanceOrderType": order_type,
                "MaintenanceOrderDesc": _ORDER_TEXTS[index % len(_ORDER_TEXTS)],
                "MaintOrdBasicStartDateTime": start.replace(microsecond=0),
                "MaintOrdBasicEndDateTime": end.replace(microsecond=0),
                "MainWorkCompletedDateTime": end.replace(microsecond=0) if completed else None,
                "MainWorkCenter": ("MECH", "ELEC", "INST")[index % 3],
                "MainWorkCenterPlant": plant,
                "MaintenancePlanningPlant": plant,
                "MaintenancePlant": plant,
                "CompanyCode": COMPANY_CODE,
                "CostCenter": "17101301",
                "Equipment": "" if without_equipment else number_of_equipment,
                "EquipmentName": "" if without_equipment else equipment_name,
                "MaintenancePlannerGroup": "YP1",
                "MaintenanceActivityType": ("YA1", "YA2", "YA3")[index % 3],
                "MaintPriority": ("1", "2", "3", "4", "")[index % 5],
                "MaintPriorityType": "PM",
                "Currency": "USD",
                "LatestAcceptableCompletionDate": _day(end + timedelta(days=7)),
                "MaintOrdPersonResponsible": "" if index % 3 else "MAINT_PLANNER",
                "LastChangeByUser": "CB9980000016",
                "LastChangeDateTime": changed,
                "CreatedByUser": "CB9980000016",
                "MaintOrderCreationDateTime": created.replace(microsecond=0),
                "SystemStatusText": status,
            },
        )


def sample_store(
    seed: int = 1710,
    purchase_orders: int = SAMPLE_PURCHASE_ORDERS,
    *,
    anchor: datetime,
) -> Store:
    """A store filled with the deterministic sample for `seed`, its times counted back from
    `anchor` (taken to the whole second, as SAP's second-precision stamps need).

    `purchase_orders` sets how many orders it holds (numbered from 4500000001), for volume
    tests; the other tables keep their size. Orders beyond the sample's 300 are made last,
    from a random sequence of their own, so a larger store holds the whole sample unchanged.
    """
    if anchor.utcoffset() is None:
        raise ValueError("the sample's anchor needs a time zone")
    anchor = anchor.astimezone(UTC).replace(microsecond=0)
    rng = random.Random(seed)  # noqa: S311, sample data wants repeatability, not secrecy
    store = Store()
    suppliers = _suppliers(store, rng, anchor)
    orderable = [
        number
        for number in suppliers
        if not (store.find("A_Supplier", (number,)) or {}).get("DeletionIndicator")
    ]
    materials = _materials(store, rng)
    sample = min(purchase_orders, SAMPLE_PURCHASE_ORDERS)
    _purchase_orders(store, rng, orderable, materials, range(sample), anchor)
    equipment = _equipment(store, rng, anchor)
    # Its own generator: the rest of the sample stays as it was before functional locations.
    _functional_locations(store, random.Random(seed + 2), anchor)  # noqa: S311, repeatable
    _maintenance_orders(store, rng, equipment, anchor)
    if purchase_orders > sample:
        extra = random.Random(seed + 1)  # noqa: S311, repeatable volume data
        _purchase_orders(store, extra, orderable, materials, range(sample, purchase_orders), anchor)
    return store


def today_utc(moment: datetime) -> datetime:
    """Midnight UTC of `moment`'s day, the way SAP stores an Edm.DateTime date."""
    return _day(moment.astimezone(UTC))


def as_date(value: datetime | date) -> date:
    """The calendar date of a stored Edm.DateTime."""
    return value.date() if isinstance(value, datetime) else value
