"""Tables that translate SAP S/4HANA records to the unified model, and unified writes to SAP.

Each entity has a `RecordMap` of the kit's converters (unified field → SAP property; a path
such as `to_Supplier/SupplierName` reaches into an expanded navigation), read and written
through the OData V2 wire (`""` is no value, `/Date(ms)/` dates and instants, decimal
strings). The writable fields of a purchase order and its lines are written back through
the same declarations. Status tables list every code SAP may send; a code missing from a
table is an `UpstreamError`, never a silent default. What a table cannot say (a purchase
order's status from three sources, stock summed per storage location) is in `mapping.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from ironbridge.connectors import kit
from ironbridge.connectors.base import StatusTable
from ironbridge.connectors.protocols.odata_v2 import ChangeStamp, DateAndTimeChange, ODataV2Wire
from ironbridge.model import (
    AssetCriticality,
    AssetStatus,
    Entity,
    InventoryItemStatus,
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
    "CREATED",
    "CUSTOM_PREFIXES",
    "DELETION_CODE",
    "EQUIPMENT_FLAGS",
    "FUNCTIONAL_LOCATION",
    "FUNCTIONAL_LOCATION_FLAGS",
    "FUNCTIONAL_LOCATION_LEVEL",
    "FUNCTIONAL_LOCATION_MAP",
    "HEADER_ERROR_FIELDS",
    "LINES",
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
    "STORAGE_LOCATION_MAP",
    "SUPPLIER_FLAGS",
    "SYSTEM_STATUS",
    "UNCLEARABLE",
    "WIRE",
    "Level",
    "StockUse",
]

#: How SAP records are read and written; messages name the source "SAP".
WIRE: Final = ODataV2Wire("SAP")

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

#: When a business partner was never changed, SAP leaves `LastChangeDate` empty; its creation
#: time is then its change time.
CREATED: Final = DateAndTimeChange("CreationDate", "CreationTime")

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


@dataclass(frozen=True, slots=True)
class Level(kit.Field):
    """`table["below"]` for a record that names its superior at `path`, else `table["top"]`."""

    path: str
    table: Mapping[str, Any] = field(hash=False)

    def read(self, row: Mapping[str, Any], ctx: kit.MapContext) -> Any:
        return self.table["below" if ctx.wire.get(row, self.path) else "top"]


def _custom(*names: str) -> dict[str, kit.Field]:
    """SAP properties outside the unified model kept in `custom_fields` under their names."""
    return {name: kit.Text(name) for name in names}


def _record(
    fields: Mapping[str, kit.Field], *custom: str, created: kit.Field | None = None
) -> kit.RecordMap:
    return kit.RecordMap(
        fields, created=created, custom_fields=_custom(*custom), extension_prefixes=CUSTOM_PREFIXES
    )


#: Where a business partner's first address, and its e-mail and phone, are read.
_ADDRESSES: Final = "to_BusinessPartnerAddress"


def _purchasing(value: kit.Field) -> kit.Pick:
    """A supplier's purchasing data: its first organisation not flagged for deletion."""
    orgs = "to_Supplier/to_SupplierPurchasingOrg"
    return kit.Pick(orgs, value, order="PurchasingOrganization", skip={"DeletionIndicator": True})


MAPS: Final[Mapping[Entity, kit.RecordMap]] = MappingProxyType(
    {
        Entity.PURCHASE_ORDERS: _record(
            {
                "number": kit.Text("PurchaseOrder", writable=False),
                "vendor": kit.Ref(Entity.VENDORS, "Supplier"),
                "order_date": kit.Day("PurchaseOrderDate"),
                "currency": kit.Text("DocumentCurrency"),
                "payment_terms": kit.Text("PaymentTerms"),
            },
            "CompanyCode",
            "PurchaseOrderType",
            "PurchasingOrganization",
            "PurchasingGroup",
            created=kit.Stamp("CreationDate"),
        ),
        Entity.VENDORS: _record(
            {
                "code": kit.Text("Supplier"),
                "name": kit.First(
                    (
                        kit.Text("to_Supplier/SupplierName"),
                        kit.Text("BusinessPartnerFullName"),
                        kit.Text("OrganizationBPName1"),
                        kit.Text("Supplier"),
                    )
                ),
                "tax_id": kit.Text("to_Supplier/VATRegistration"),
                "status": kit.Flags(SUPPLIER_FLAGS, VendorStatus.ACTIVE),
                "email": kit.Pick(
                    _ADDRESSES,
                    kit.Pick(
                        "to_EmailAddress", kit.Text("EmailAddress"), prefer="IsDefaultEmailAddress"
                    ),
                    order="AddressID",
                ),
                "phone": kit.Pick(
                    _ADDRESSES,
                    kit.Pick(
                        "to_PhoneNumber",
                        kit.First((kit.Text("InternationalPhoneNumber"), kit.Text("PhoneNumber"))),
                        prefer="IsDefaultPhoneNumber",
                    ),
                    order="AddressID",
                ),
                "website": kit.Const(None),
                "currency": _purchasing(
                    kit.Matching(kit.Text("PurchaseOrderCurrency"), "[A-Za-z]{3}")
                ),
                "payment_terms": _purchasing(kit.Text("PaymentTerms")),
                "address": kit.Pick(
                    _ADDRESSES,
                    {
                        "line1": kit.Joined(("StreetName", "HouseNumber")),
                        "line2": kit.Text("StreetPrefixName"),
                        "city": kit.Text("CityName"),
                        "region": kit.Text("Region"),
                        "postal_code": kit.Text("PostalCode"),
                        "country": kit.Matching(kit.Text("Country"), "[A-Za-z]{2}"),
                    },
                    order="AddressID",
                ),
            },
            "BusinessPartner",
            "BusinessPartnerGrouping",
            created=ChangeStamp(CREATED),
        ),
        Entity.WORK_ORDERS: _record(
            {
                "number": kit.Text("MaintenanceOrder"),
                "title": kit.First(
                    (
                        kit.Text("MaintenanceOrderDesc"),
                        kit.Template("Maintenance order {MaintenanceOrder}"),
                    )
                ),
                "status": kit.Tokens("SystemStatusText", SYSTEM_STATUS),
                "priority": kit.Code("MaintPriority", ORDER_PRIORITY, otherwise=None),
                "type": kit.Code("MaintenanceOrderType", ORDER_TYPE, otherwise=WorkOrderType.OTHER),
                "asset": kit.Ref(Entity.ASSETS, "Equipment"),
                "location": kit.Ref(Entity.LOCATIONS, "MaintenancePlant"),
                "assignee": kit.Text("MaintOrdPersonResponsible"),
                "scheduled_start": kit.Stamp("MaintOrdBasicStartDateTime"),
                "scheduled_end": kit.Stamp("MaintOrdBasicEndDateTime"),
                "actual_end": kit.Stamp("MainWorkCompletedDateTime"),
                "due_date": kit.Day("LatestAcceptableCompletionDate"),
            },
            "MaintenanceOrderType",
            "MaintPriority",
            "MaintenanceActivityType",
            "MainWorkCenter",
            "FunctionalLocation",
            "SystemStatusText",
            "UserStatusText",
            created=kit.Stamp("MaintOrderCreationDateTime"),
        ),
        Entity.ASSETS: _record(
            {
                "tag": kit.Text("Equipment"),
                "name": kit.First((kit.Text("EquipmentName"), kit.Text("Equipment"))),
                "status": kit.Flags(EQUIPMENT_FLAGS, AssetStatus.NOT_OPERATING),
                "category": kit.Text("TechnicalObjectType"),
                # Where the equipment is installed; equipment in stock is only at its plant.
                "location": kit.First(
                    (
                        kit.Ref(Entity.LOCATIONS, "FunctionalLocation", prefix=FUNCTIONAL_LOCATION),
                        kit.Ref(Entity.LOCATIONS, "MaintenancePlant"),
                    )
                ),
                "parent": kit.Ref(Entity.ASSETS, "SuperordinateEquipment"),
                "manufacturer": kit.Text("AssetManufacturerName"),
                "model": kit.Text("ManufacturerPartTypeName"),
                "serial_number": kit.Text("ManufacturerSerialNumber"),
                "install_date": kit.Day("OperationStartDate"),
                "criticality": kit.Code("ABCIndicator", ABC_INDICATOR, otherwise=None),
            },
            "FunctionalLocation",
            "EquipmentCategory",
            "InventoryNumber",
            "ABCIndicator",
            created=kit.Stamp("CreationDate"),
        ),
        Entity.INVENTORY_ITEMS: _record(
            {
                "code": kit.Text("Material"),
                # The stock API carries no description; the material number is its name here.
                "name": kit.Text("Material"),
                # The stock API carries no material status; a material that holds stock is in use.
                "status": kit.Const(InventoryItemStatus.ACTIVE),
                "unit_of_measure": kit.Text("MaterialBaseUnit"),
            }
        ),
        # A plant; storage locations and functional locations have maps of their own.
        Entity.LOCATIONS: _record(
            {
                "code": kit.Text("Plant"),
                "name": kit.Template("Plant {Plant}"),
                "type": kit.Const(LocationType.PLANT),
                "status": kit.Const(LocationStatus.ACTIVE),
                "parent": kit.Const(None),
            }
        ),
    }
)

#: A storage location (`1710/171A`), within its plant.
STORAGE_LOCATION_MAP: Final = _record(
    {
        "code": kit.Text("StorageLocation"),
        "name": kit.Template("Storage location {StorageLocation} (plant {Plant})"),
        "type": kit.Const(LocationType.WAREHOUSE),
        "status": kit.Const(LocationStatus.ACTIVE),
        "parent": kit.Ref(Entity.LOCATIONS, "Plant"),
    }
)

#: Functional locations (API_FUNCTIONALLOCATION), the locations below a plant.
FUNCTIONAL_LOCATION_MAP: Final = _record(
    {
        "code": kit.Text("FunctionalLocationLabelName"),
        "name": kit.First(
            (
                kit.Text("FunctionalLocationName"),
                kit.Text("FunctionalLocationLabelName"),
                kit.Text("FunctionalLocation"),
            )
        ),
        "type": Level("SuperiorFunctionalLocation", FUNCTIONAL_LOCATION_LEVEL),
        "status": kit.Flags(FUNCTIONAL_LOCATION_FLAGS, LocationStatus.ACTIVE),
        # The top of a plant's structure hangs below the plant itself.
        "parent": kit.First(
            (
                kit.Ref(Entity.LOCATIONS, "SuperiorFunctionalLocation", prefix=FUNCTIONAL_LOCATION),
                kit.Ref(Entity.LOCATIONS, "MaintenancePlant"),
            )
        ),
        "address": kit.Const(None),
    },
    "FunctionalLocation",
    "FunctionalLocationCategory",
    "FuncLocationStructure",
    "TechnicalObjectType",
    "PlantSection",
    "AssetLocation",
    "MaintenancePlant",
)

#: The purchase order line fields written as they are read.
LINE_FIELDS: Final[Mapping[str, kit.Field]] = MappingProxyType(
    {
        "remote_id": kit.Text("PurchaseOrderItem", writable=False),
        "item": kit.Ref(Entity.INVENTORY_ITEMS, "Material"),
        "item_code": kit.Text("Material", writable=False),
        "description": kit.Text("PurchaseOrderItemText"),
        "quantity": kit.Number("OrderQuantity"),
        "unit_of_measure": kit.Text("PurchaseOrderQuantityUnit"),
    }
)

#: A line's price is per `NetPriceQuantity` units.
_UNIT_PRICE: Final = kit.Ratio(kit.Number("NetPriceAmount"), kit.Number("NetPriceQuantity"))

#: The live lines of a purchase order: items flagged for deletion are cancelled lines, which
#: SAP keeps for the audit trail only. SAP's purchase order API carries no goods-receipt
#: quantity: an item counts as received in full once SAP marks its delivery completed. A
#: line's date is its earliest schedule line's; its location the plant or storage location.
LINES: Final = kit.Sorted(
    "to_PurchaseOrderItem",
    {
        **LINE_FIELDS,
        "line_number": kit.Integer("PurchaseOrderItem", writable=False),
        "quantity_received": kit.When(
            "IsCompletelyDelivered", kit.Number("OrderQuantity"), Decimal(0)
        ),
        "unit_price": _UNIT_PRICE,
        "required_date": kit.Least("to_ScheduleLine", kit.Day("ScheduleLineDeliveryDate")),
        "location": kit.Link(Entity.LOCATIONS, kit.Joined(("Plant", "StorageLocation"), "/")),
    },
    order="PurchaseOrderItem",
    skip={"PurchasingDocumentDeletionCode": "L"},
)

# --- writes --------------------------------------------------------------------------------------

#: What a new line writes: its readable fields, and its price per one unit (read per
#: `NetPriceQuantity` units, see `mapping.py`).
LINE_WRITES: Final[Mapping[str, kit.Field]] = MappingProxyType(
    {**LINE_FIELDS, "unit_price": kit.Number("NetPriceAmount")}
)

#: Header fields SAP cannot empty once set: a null for them in a write is refused.
UNCLEARABLE: Final = frozenset({"vendor_remote_id", "order_date"})

#: SAP header properties outside the unified model that `custom_fields` may set.
ORGANISATION_FIELDS: Final = frozenset(
    {"CompanyCode", "PurchaseOrderType", "PurchasingOrganization", "PurchasingGroup"}
)

#: The SAP properties a new purchase order cannot do without.
REQUIRED_ORGANISATION_FIELDS: Final = ("CompanyCode", "PurchasingOrganization", "PurchasingGroup")


#: SAP header property → unified field path, for error targets.
HEADER_ERROR_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        **kit.source_names(MAPS[Entity.PURCHASE_ORDERS].fields),
        **{name: f"custom_fields.{name}" for name in ORGANISATION_FIELDS},
        "to_PurchaseOrderItem": "lines",
    }
)

#: SAP item property → unified line field, for error targets.
LINE_ERROR_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {**kit.source_names(LINE_WRITES), "Plant": "location_id", "StorageLocation": "location_id"}
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
