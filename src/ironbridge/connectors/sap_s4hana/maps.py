"""Tables that translate SAP S/4HANA records to the unified model, and unified writes to SAP.

Each entity has a `RecordMap`: unified field → SAP property (a path such as
`to_Supplier/SupplierName` reaches into an expanded navigation) and a named converter. Status
tables list every code SAP may send; a code missing from a table is an `UpstreamError`, never a
silent default. What a table cannot say (a purchase order's status from three sources, stock
summed per storage location) is in `mapping.py`.

SAP conventions the converters apply: an empty field is `""` (never null) and means "no
value"; Edm.DateTime dates are `/Date(ms)/` at midnight UTC; Edm.DateTimeOffset stamps are
`/Date(ms+0000)/`; decimals are strings.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.base import IdFactory, StatusTable, reference
from ironbridge.connectors.protocols import odata_v2
from ironbridge.model import (
    AssetCriticality,
    AssetStatus,
    Entity,
    LocationStatus,
    LocationType,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)

__all__ = [
    "ABC_INDICATOR",
    "CUSTOM_PREFIXES",
    "DELETION_CODE",
    "EQUIPMENT_FLAGS",
    "FUNCTIONAL_LOCATION",
    "FUNCTIONAL_LOCATION_FLAGS",
    "FUNCTIONAL_LOCATION_LEVEL",
    "FUNCTIONAL_LOCATION_MAP",
    "HEADER_ERROR_FIELDS",
    "HEADER_WRITES",
    "LINE_ERROR_FIELDS",
    "LINE_FIELDS",
    "LINE_WRITES",
    "MAPS",
    "ORDER_PRIORITY",
    "ORDER_TYPE",
    "ORGANISATION_FIELDS",
    "PROCESSING_STATUS",
    "REQUIRED_ORGANISATION_FIELDS",
    "STATUS_TABLES",
    "STOCK_USE",
    "SUPPLIER_FLAGS",
    "SYSTEM_STATUS",
    "Code",
    "Day",
    "FieldMap",
    "First",
    "Flags",
    "Level",
    "Number",
    "RecordMap",
    "Ref",
    "Stamp",
    "StockUse",
    "Text",
    "WriteField",
    "lookup",
    "read_path",
]

#: Prefixes of SAP's key-user extension fields, which become `custom_fields`.
CUSTOM_PREFIXES: Final = ("YY1_", "ZZ1_")

# --- status tables -----------------------------------------------------------------------------

#: A_PurchaseOrder.PurchasingProcessingStatus (domain MEPROCSTATE) → unified status, before
#: deletion and goods receipt are considered (see `mapping.purchase_order_status`).
#: SAP's API shows no output status, and an active or released order is sent to the supplier
#: by SAP's output control, so both count as sent. A rejected order goes back to its buyer for
#: rework, which is a draft again.
PROCESSING_STATUS: Final[Mapping[str, PurchaseOrderStatus]] = MappingProxyType(
    {
        "01": PurchaseOrderStatus.DRAFT,  # version in process
        "02": PurchaseOrderStatus.SENT,  # active
        "03": PurchaseOrderStatus.PENDING_APPROVAL,  # in release
        "04": PurchaseOrderStatus.PENDING_APPROVAL,  # partially released
        "05": PurchaseOrderStatus.SENT,  # release completed
        "08": PurchaseOrderStatus.DRAFT,  # rejected
    }
)

#: A_PurchaseOrder.PurchasingDocumentDeletionCode → the status it imposes, or None when the
#: order keeps its processing status ("S", blocked, only stops follow-on documents).
DELETION_CODE: Final[Mapping[str, PurchaseOrderStatus | None]] = MappingProxyType(
    {"": None, "L": PurchaseOrderStatus.CANCELLED, "S": None}
)

#: Lifecycle statuses of a maintenance order, most decisive first. `SystemStatusText` lists
#: the active system statuses ("REL PCNF NMAT PRC"); the first entry of this table found in it
#: decides. Tokens not listed (NMAT, PRC, MANC, SETC, ...) describe the order, not its stage.
SYSTEM_STATUS: Final[tuple[tuple[str, WorkOrderStatus], ...]] = (
    ("DLFL", WorkOrderStatus.CANCELLED),  # deletion flag
    ("CLSD", WorkOrderStatus.CLOSED),  # business completed
    ("TECO", WorkOrderStatus.COMPLETED),  # technically completed
    ("LKD", WorkOrderStatus.ON_HOLD),  # locked
    ("CNF", WorkOrderStatus.COMPLETED),  # finally confirmed
    ("PCNF", WorkOrderStatus.IN_PROGRESS),  # partially confirmed
    ("REL", WorkOrderStatus.SCHEDULED),  # released for execution
    ("CRTD", WorkOrderStatus.OPEN),  # created
)

#: MaintPriority for priority type PM (1 very high … 4 low); "" = no priority set. Priorities
#: are customizing too: one of the system's own reads as no priority (its code stays in the
#: custom field `MaintPriority`).
ORDER_PRIORITY: Final[Mapping[str, WorkOrderPriority | None]] = MappingProxyType(
    {
        "1": WorkOrderPriority.URGENT,
        "2": WorkOrderPriority.HIGH,
        "3": WorkOrderPriority.MEDIUM,
        "4": WorkOrderPriority.LOW,
        "": None,
    }
)

#: MaintenanceOrderType: SAP's best-practice order types (YA0x) and the classic PM0x ones.
#: Order types are customizing: a type of the system's own reads as `other` (its code stays in
#: the custom field `MaintenanceOrderType`) rather than losing the order.
ORDER_TYPE: Final[Mapping[str, WorkOrderType]] = MappingProxyType(
    {
        "YA01": WorkOrderType.CORRECTIVE,
        "YA02": WorkOrderType.EMERGENCY,
        "YA03": WorkOrderType.PREVENTIVE,
        "PM01": WorkOrderType.CORRECTIVE,
        "PM02": WorkOrderType.PREVENTIVE,
    }
)

#: Equipment.ABCIndicator: SAP's standard indicator ranks A most important. Indicators are
#: customizing: one of the system's own reads as no criticality (its code stays in the custom
#: field `ABCIndicator`).
ABC_INDICATOR: Final[Mapping[str, AssetCriticality | None]] = MappingProxyType(
    {
        "A": AssetCriticality.HIGH,
        "B": AssetCriticality.MEDIUM,
        "C": AssetCriticality.LOW,
        "": None,
    }
)

#: Equipment flags, most decisive first; equipment with none set is in stock, not installed.
EQUIPMENT_FLAGS: Final[tuple[tuple[str, AssetStatus], ...]] = (
    ("EquipmentIsMarkedForDeletion", AssetStatus.DECOMMISSIONED),
    ("EquipmentIsInactive", AssetStatus.NOT_OPERATING),
    ("EquipmentIsInstalled", AssetStatus.OPERATING),
)

#: Supplier and business partner flags, most decisive first; none set means active.
SUPPLIER_FLAGS: Final[tuple[tuple[str, VendorStatus], ...]] = (
    ("to_Supplier/DeletionIndicator", VendorStatus.INACTIVE),
    ("BusinessPartnerIsBlocked", VendorStatus.BLOCKED),
    ("to_Supplier/PurchasingIsBlocked", VendorStatus.BLOCKED),
    ("to_Supplier/PostingIsBlocked", VendorStatus.BLOCKED),
)


#: What comes before a functional location's key in its unified remote id: SAP's best practice
#: names the top functional location of a plant as the plant (`1710`), which is a plant's id.
FUNCTIONAL_LOCATION: Final = "FL:"

#: The kind of place a functional location is, by where it sits in the plant's structure: the
#: top is the plant's premises (a site), everything below it (units, lines, rooms) an area.
#: Not by FunctionalLocationCategory: categories are each system's customizing (transaction
#: OIFL; `M` is SAP's standard one), so a table of them would fail every functional location
#: of a system with its own. The category is kept as a custom field.
FUNCTIONAL_LOCATION_LEVEL: Final[Mapping[str, LocationType]] = MappingProxyType(
    {
        "top": LocationType.SITE,
        "below": LocationType.AREA,
    }
)

#: Functional location flags, any of which means it is no longer in use; none set: active.
FUNCTIONAL_LOCATION_FLAGS: Final[tuple[tuple[str, LocationStatus], ...]] = (
    ("FuncnlLocIsDeleted", LocationStatus.INACTIVE),
    ("FuncnlLocIsMarkedForDeletion", LocationStatus.INACTIVE),
    ("FuncnlLocIsDeactivated", LocationStatus.INACTIVE),
)


class StockUse(StrEnum):
    """Whether a stock type may be used freely (available) or not (restricted)."""

    AVAILABLE = "available"
    RESTRICTED = "restricted"


#: A_MatlStkInAcctMod.InventoryStockType → whether that stock is free to use.
STOCK_USE: Final[Mapping[str, StockUse]] = MappingProxyType(
    {
        "01": StockUse.AVAILABLE,  # unrestricted-use stock
        "02": StockUse.RESTRICTED,  # stock in quality inspection
        "07": StockUse.RESTRICTED,  # blocked stock
    }
)


def lookup(table: Mapping[str, Any], code: str, what: str) -> Any:
    """`table[code]`, or `errors.UpstreamError` naming `what` when the table lacks the code."""
    try:
        return table[code]
    except KeyError:
        # Loud by design: a guessed default would publish a wrong status to integrators.
        raise errors.UpstreamError(
            f"SAP sent {what} {code!r}, which the SAP S/4HANA map does not know; the record is "
            "left out until the connector maps it."
        ) from None


# --- converters --------------------------------------------------------------------------------


def read_path(data: Mapping[str, Any], path: str) -> Any:
    """The value at `a/b/c` in nested dicts; None when a step is missing or empty."""
    value: Any = data
    for step in path.split("/"):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


class FieldMap(ABC):
    """How one unified field is read from an SAP record."""

    @abstractmethod
    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        """The unified value of the field in SAP record `data`."""


@dataclass(frozen=True, slots=True)
class Text(FieldMap):
    """A string; SAP's empty string means no value."""

    source: str

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        value = read_path(data, self.source)
        return value if isinstance(value, str) and value != "" else None


@dataclass(frozen=True, slots=True)
class Number(FieldMap):
    """An Edm.Decimal, sent as a string."""

    source: str

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        value = read_path(data, self.source)
        return None if value is None or value == "" else Decimal(str(value))


@dataclass(frozen=True, slots=True)
class Day(FieldMap):
    """An Edm.DateTime holding a date (`/Date(ms)/` at midnight UTC)."""

    source: str

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        value = read_path(data, self.source)
        return odata_v2.parse_date(value).date() if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class Stamp(FieldMap):
    """An Edm.DateTimeOffset (or Edm.DateTime) instant, in UTC."""

    source: str

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        value = read_path(data, self.source)
        return odata_v2.parse_date(value) if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class Code(FieldMap):
    """A code translated through a table; a code missing from the table is an UpstreamError,
    unless the table is of customizing (codes each system defines) and gives `otherwise`."""

    source: str
    table: Mapping[str, Any] = field(hash=False)
    customizing: bool = False
    otherwise: Any = None

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        value = read_path(data, self.source)
        code = "" if value is None else str(value)
        if self.customizing and code not in self.table:
            return self.otherwise
        return lookup(self.table, code, self.source)


@dataclass(frozen=True, slots=True)
class Level(FieldMap):
    """`table["below"]` for a record that names its superior in `source`, else `table["top"]`."""

    source: str
    table: Mapping[str, Any] = field(hash=False)

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        superior = read_path(data, self.source)
        return self.table["top" if superior in (None, "") else "below"]


@dataclass(frozen=True, slots=True)
class Flags(FieldMap):
    """The status of the first flag set in `rules`; `otherwise` when none is set."""

    rules: tuple[tuple[str, StrEnum], ...]
    otherwise: StrEnum

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        for path, status in self.rules:
            if read_path(data, path) is True:
                return status
        return self.otherwise


@dataclass(frozen=True, slots=True)
class Ref(FieldMap):
    """A pointer to another record by its SAP key (ids only; see `base.reference`).

    `prefix` goes before the key in the remote id, where one unified entity holds records of
    several SAP entity sets whose keys may coincide (functional location `1710` and plant
    `1710`).
    """

    entity: Entity
    source: str
    prefix: str = ""

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        key = read_path(data, self.source)
        if not isinstance(key, str) or key == "":
            return None
        return reference(ids, self.entity, self.prefix + key)


@dataclass(frozen=True, slots=True)
class First(FieldMap):
    """The first of several fields that has a value."""

    fields: tuple[FieldMap, ...]

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        for candidate in self.fields:
            value = candidate.read(data, ids)
            if value is not None:
                return value
        return None


@dataclass(frozen=True)
class RecordMap:
    """One entity's table: the fields a converter reads, the creation time, custom fields.

    `custom` lists SAP properties outside the unified model that integrators still need (the
    organisational units of a purchase order); they and every extension field (`YY1_…`,
    `ZZ1_…`) go to `custom_fields` under their SAP names.
    """

    fields: Mapping[str, FieldMap]
    created: FieldMap | None = None
    custom: tuple[str, ...] = ()


MAPS: Final[Mapping[Entity, RecordMap]] = MappingProxyType(
    {
        Entity.PURCHASE_ORDERS: RecordMap(
            created=Stamp("CreationDate"),
            fields={
                "number": Text("PurchaseOrder"),
                "vendor": Ref(Entity.VENDORS, "Supplier"),
                "order_date": Day("PurchaseOrderDate"),
                "currency": Text("DocumentCurrency"),
                "payment_terms": Text("PaymentTerms"),
            },
            custom=(
                "CompanyCode",
                "PurchaseOrderType",
                "PurchasingOrganization",
                "PurchasingGroup",
            ),
        ),
        Entity.VENDORS: RecordMap(
            fields={
                "code": Text("Supplier"),
                "tax_id": Text("to_Supplier/VATRegistration"),
                "status": Flags(SUPPLIER_FLAGS, VendorStatus.ACTIVE),
            },
            custom=("BusinessPartner", "BusinessPartnerGrouping"),
        ),
        Entity.WORK_ORDERS: RecordMap(
            created=Stamp("MaintOrderCreationDateTime"),
            fields={
                "number": Text("MaintenanceOrder"),
                "priority": Code("MaintPriority", ORDER_PRIORITY, customizing=True),
                "type": Code(
                    "MaintenanceOrderType",
                    ORDER_TYPE,
                    customizing=True,
                    otherwise=WorkOrderType.OTHER,
                ),
                "asset": Ref(Entity.ASSETS, "Equipment"),
                "location": Ref(Entity.LOCATIONS, "MaintenancePlant"),
                "assignee": Text("MaintOrdPersonResponsible"),
                "scheduled_start": Stamp("MaintOrdBasicStartDateTime"),
                "scheduled_end": Stamp("MaintOrdBasicEndDateTime"),
                "actual_end": Stamp("MainWorkCompletedDateTime"),
                "due_date": Day("LatestAcceptableCompletionDate"),
            },
            custom=(
                "MaintenanceOrderType",
                "MaintPriority",
                "MaintenanceActivityType",
                "MainWorkCenter",
                "FunctionalLocation",
                "SystemStatusText",
                "UserStatusText",
            ),
        ),
        Entity.ASSETS: RecordMap(
            created=Stamp("CreationDate"),
            fields={
                "tag": Text("Equipment"),
                "status": Flags(EQUIPMENT_FLAGS, AssetStatus.NOT_OPERATING),
                "category": Text("TechnicalObjectType"),
                # Where the equipment is installed; equipment in stock is only at its plant.
                "location": First(
                    (
                        Ref(Entity.LOCATIONS, "FunctionalLocation", prefix=FUNCTIONAL_LOCATION),
                        Ref(Entity.LOCATIONS, "MaintenancePlant"),
                    )
                ),
                "parent": Ref(Entity.ASSETS, "SuperordinateEquipment"),
                "manufacturer": Text("AssetManufacturerName"),
                "model": Text("ManufacturerPartTypeName"),
                "serial_number": Text("ManufacturerSerialNumber"),
                "install_date": Day("OperationStartDate"),
                "criticality": Code("ABCIndicator", ABC_INDICATOR, customizing=True),
            },
            custom=("FunctionalLocation", "EquipmentCategory", "InventoryNumber", "ABCIndicator"),
        ),
        Entity.INVENTORY_ITEMS: RecordMap(
            fields={
                "code": Text("Material"),
                "unit_of_measure": Text("MaterialBaseUnit"),
            },
        ),
        Entity.LOCATIONS: RecordMap(fields={}),
    }
)

#: Functional locations (API_FUNCTIONALLOCATION), the locations below a plant. Plants and
#: storage locations keep the table-less `MAPS[Entity.LOCATIONS]`.
FUNCTIONAL_LOCATION_MAP: Final = RecordMap(
    fields={
        "code": Text("FunctionalLocationLabelName"),
        "type": Level("SuperiorFunctionalLocation", FUNCTIONAL_LOCATION_LEVEL),
        "status": Flags(FUNCTIONAL_LOCATION_FLAGS, LocationStatus.ACTIVE),
        # The top of a plant's structure hangs below the plant itself.
        "parent": First(
            (
                Ref(Entity.LOCATIONS, "SuperiorFunctionalLocation", prefix=FUNCTIONAL_LOCATION),
                Ref(Entity.LOCATIONS, "MaintenancePlant"),
            )
        ),
    },
    custom=(
        "FunctionalLocation",
        "FunctionalLocationCategory",
        "FuncLocationStructure",
        "TechnicalObjectType",
        "PlantSection",
        "AssetLocation",
        "MaintenancePlant",
    ),
)

#: The purchase order line fields a table can read (the rest is in `mapping.py`).
LINE_FIELDS: Final[Mapping[str, FieldMap]] = MappingProxyType(
    {
        "remote_id": Text("PurchaseOrderItem"),
        "item": Ref(Entity.INVENTORY_ITEMS, "Material"),
        "item_code": Text("Material"),
        "description": Text("PurchaseOrderItemText"),
        "quantity": Number("OrderQuantity"),
        "unit_of_measure": Text("PurchaseOrderQuantityUnit"),
    }
)


# --- writes --------------------------------------------------------------------------------------


def _text(value: Any) -> Any:
    return value


def _decimal(value: Any) -> Any:
    return format(Decimal(value), "f")


def _date(value: Any) -> Any:
    if isinstance(value, datetime):
        return odata_v2.format_date(value)
    if isinstance(value, date):
        return odata_v2.format_date(value)
    raise TypeError(f"expected a date, got {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class WriteField:
    """A unified payload key written to an SAP property through an encoder.

    `clearable` says whether a null in an update may empty the property (sent as `""`).
    """

    source: str
    encode: Callable[[Any], Any] = _text
    clearable: bool = True


#: Purchase order header: unified payload key → SAP property.
HEADER_WRITES: Final[Mapping[str, WriteField]] = MappingProxyType(
    {
        "vendor_remote_id": WriteField("Supplier", clearable=False),
        "order_date": WriteField("PurchaseOrderDate", _date, clearable=False),
        "currency": WriteField("DocumentCurrency"),
        "payment_terms": WriteField("PaymentTerms"),
    }
)

#: Purchase order line: unified payload key → A_PurchaseOrderItem property.
LINE_WRITES: Final[Mapping[str, WriteField]] = MappingProxyType(
    {
        "item_remote_id": WriteField("Material"),
        "description": WriteField("PurchaseOrderItemText"),
        "quantity": WriteField("OrderQuantity", _decimal),
        "unit_of_measure": WriteField("PurchaseOrderQuantityUnit"),
        "unit_price": WriteField("NetPriceAmount", _decimal),
    }
)

#: SAP header properties outside the unified model that `custom_fields` may set.
ORGANISATION_FIELDS: Final = frozenset(
    {"CompanyCode", "PurchaseOrderType", "PurchasingOrganization", "PurchasingGroup"}
)

#: The SAP properties a new purchase order cannot do without.
REQUIRED_ORGANISATION_FIELDS: Final = ("CompanyCode", "PurchasingOrganization", "PurchasingGroup")

#: SAP header property → unified field path, for error targets.
HEADER_ERROR_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        **{write.source: key.replace("_remote_id", "_id") for key, write in HEADER_WRITES.items()},
        **{name: f"custom_fields.{name}" for name in ORGANISATION_FIELDS},
        "to_PurchaseOrderItem": "lines",
    }
)

#: SAP item property → unified line field, for error targets.
LINE_ERROR_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        **{write.source: key.replace("_remote_id", "_id") for key, write in LINE_WRITES.items()},
        "Plant": "location_id",
        "StorageLocation": "location_id",
    }
)

#: The code tables with the SAP property each reads and its unified enum, for checks over real
#: data. SAP's own domains are closed lists; customizing (order types, priorities, ABC
#: indicators) is open: each system may add codes, which the map reads as `other` or none.
STATUS_TABLES: Final[tuple[StatusTable, ...]] = (
    StatusTable(
        Entity.PURCHASE_ORDERS, "PurchasingProcessingStatus", PROCESSING_STATUS, PurchaseOrderStatus
    ),
    StatusTable(
        Entity.PURCHASE_ORDERS, "PurchasingDocumentDeletionCode", DELETION_CODE, PurchaseOrderStatus
    ),
    # Tokens of `SystemStatusText` not listed describe the order, not its stage.
    StatusTable(
        Entity.WORK_ORDERS,
        "SystemStatusText",
        MappingProxyType(dict(SYSTEM_STATUS)),
        WorkOrderStatus,
        closed=False,
    ),
    StatusTable(Entity.WORK_ORDERS, "MaintPriority", ORDER_PRIORITY, WorkOrderPriority, False),
    StatusTable(Entity.WORK_ORDERS, "MaintenanceOrderType", ORDER_TYPE, WorkOrderType, False),
    StatusTable(Entity.ASSETS, "ABCIndicator", ABC_INDICATOR, AssetCriticality, closed=False),
)
