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
from decimal import Decimal
from enum import StrEnum
from typing import Final

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

__all__ = ["MAPS", "STATUS_TABLES", "WIRE"]

# Short names for the enums the tables below are written in.
C, P, W = AssetCriticality, PurchaseOrderStatus, WorkOrderStatus

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
#: 01 version in process, 02 active, 03 in release, 04 partially released, 05 release
#: completed, 08 rejected.
PROCESSING_STATUS: Final[Mapping[str, PurchaseOrderStatus]] = {
    **dict.fromkeys(("01", "08"), P.DRAFT),
    **dict.fromkeys(("02", "05"), P.SENT),
    **dict.fromkeys(("03", "04"), P.PENDING_APPROVAL),
}

#: A_PurchaseOrder.PurchasingDocumentDeletionCode → the status it imposes, or None when the
#: order keeps its processing status ("S", blocked, only stops follow-on documents).
DELETION_CODE: Final = {"": None, "L": P.CANCELLED, "S": None}

#: When a business partner was never changed, SAP leaves `LastChangeDate` empty; its creation
#: time is then its change time.
CREATED: Final = DateAndTimeChange("CreationDate", "CreationTime")

#: Lifecycle statuses of a maintenance order, most decisive first. `SystemStatusText` lists
#: the active system statuses ("REL PCNF NMAT PRC"); the first entry of this table found in it
#: decides. Tokens not listed (NMAT, PRC, MANC, SETC, ...) describe the order, not its stage.
SYSTEM_STATUS: Final[tuple[tuple[str, WorkOrderStatus], ...]] = (
    ("DLFL", W.CANCELLED),  # deletion flag
    ("CLSD", W.CLOSED),  # business completed
    ("TECO", W.COMPLETED),  # technically completed
    ("LKD", W.ON_HOLD),  # locked
    ("CNF", W.COMPLETED),  # finally confirmed
    ("PCNF", W.IN_PROGRESS),  # partially confirmed
    ("REL", W.SCHEDULED),  # released for execution
    ("CRTD", W.OPEN),  # created
)

#: MaintPriority for priority type PM (1 very high … 4 low); "" = no priority set. Priorities
#: are customizing too: one of the system's own reads as no priority (its code stays in the
#: custom field `MaintPriority`).
ORDER_PRIORITY: Final[Mapping[str, WorkOrderPriority | None]] = {
    **{str(rank): priority for rank, priority in kit.PRIORITY_1_TO_4.items()},
    "": None,
}

#: MaintenanceOrderType: SAP's best-practice order types (YA0x) and the classic PM0x ones.
#: Order types are customizing: a type of the system's own reads as `other` (its code stays in
#: the custom field `MaintenanceOrderType`) rather than losing the order.
ORDER_TYPE: Final[Mapping[str, WorkOrderType]] = {
    **dict.fromkeys(("YA01", "PM01"), WorkOrderType.CORRECTIVE),
    **dict.fromkeys(("YA03", "PM02"), WorkOrderType.PREVENTIVE),
    "YA02": WorkOrderType.EMERGENCY,
}

#: Equipment.ABCIndicator: SAP's standard indicator ranks A most important. Indicators are
#: customizing: one of the system's own reads as no criticality (its code stays in the custom
#: field `ABCIndicator`).
ABC_INDICATOR: Final = {"A": C.HIGH, "B": C.MEDIUM, "C": C.LOW, "": None}

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
FUNCTIONAL_LOCATION_LEVEL: Final = {"top": LocationType.SITE, "below": LocationType.AREA}

#: Functional location flags, any of which means it is no longer in use; none set: active.
FUNCTIONAL_LOCATION_FLAGS: Final[tuple[tuple[str, LocationStatus], ...]] = tuple(
    (flag, LocationStatus.INACTIVE)
    for flag in kit.names("FuncnlLocIsDeleted FuncnlLocIsMarkedForDeletion FuncnlLocIsDeactivated")
)


class StockUse(StrEnum):
    """Whether a stock type may be used freely (available) or not (restricted)."""

    AVAILABLE = "available"
    RESTRICTED = "restricted"


#: A_MatlStkInAcctMod.InventoryStockType → whether that stock is free to use.
#: 01 unrestricted-use stock, 02 stock in quality inspection, 07 blocked stock.
STOCK_USE: Final = {"01": StockUse.AVAILABLE, "02": StockUse.RESTRICTED, "07": StockUse.RESTRICTED}


def _record(
    fields: Mapping[str, kit.Field], custom: str = "", created: kit.Field | None = None
) -> kit.RecordMap:
    """A map whose `custom` (space-separated SAP properties outside the unified model) and
    extension fields are kept in `custom_fields` under their names."""
    kept = {name: kit.Text(name) for name in kit.names(custom)}
    return kit.RecordMap(
        fields, created=created, custom_fields=kept, extension_prefixes=CUSTOM_PREFIXES
    )


def _address(value: kit.Field | Mapping[str, kit.Field]) -> kit.Pick:
    """What `value` reads in a business partner's first address (its e-mail, phone, or
    the address itself)."""
    return kit.Pick("to_BusinessPartnerAddress", value, order="AddressID")


def _contact(kind: str, value: kit.Field) -> kit.Pick:
    """What `value` reads in a business partner's default `kind` (`EmailAddress`,
    `PhoneNumber`: the navigation `to_<kind>`, flagged `IsDefault<kind>`) of its first
    address."""
    return _address(kit.Pick(f"to_{kind}", value, prefer=f"IsDefault{kind}"))


def _functional_location_or_plant(path: str) -> kit.First:
    """The functional location at `path`, else the record's maintenance plant."""
    functional_location = kit.Ref(Entity.LOCATIONS, path, prefix=FUNCTIONAL_LOCATION)
    return kit.First((functional_location, kit.Ref(Entity.LOCATIONS, "MaintenancePlant")))


def _purchasing(value: kit.Field) -> kit.Pick:
    """A supplier's purchasing data: its first organisation not flagged for deletion."""
    orgs = "to_Supplier/to_SupplierPurchasingOrg"
    return kit.Pick(orgs, value, order="PurchasingOrganization", skip={"DeletionIndicator": True})


MAPS: Final[Mapping[Entity, kit.RecordMap]] = {
    Entity.PURCHASE_ORDERS: _record(
        {
            "number": kit.Text("PurchaseOrder", writable=False),
            "vendor": kit.Ref(Entity.VENDORS, "Supplier"),
            "order_date": kit.Day("PurchaseOrderDate"),
            "currency": kit.Text("DocumentCurrency"),
            "payment_terms": kit.Text("PaymentTerms"),
        },
        "CompanyCode PurchaseOrderType PurchasingOrganization PurchasingGroup",
        created=kit.Stamp("CreationDate"),
    ),
    Entity.VENDORS: _record(
        {
            "code": kit.Text("Supplier"),
            "name": kit.first_text(
                "to_Supplier/SupplierName BusinessPartnerFullName OrganizationBPName1 Supplier"
            ),
            "tax_id": kit.Text("to_Supplier/VATRegistration"),
            "status": kit.Flags(SUPPLIER_FLAGS, VendorStatus.ACTIVE),
            "email": _contact("EmailAddress", kit.Text("EmailAddress")),
            "phone": _contact(
                "PhoneNumber", kit.first_text("InternationalPhoneNumber PhoneNumber")
            ),
            "website": kit.Const(None),
            "currency": _purchasing(kit.Matching(kit.Text("PurchaseOrderCurrency"), "[A-Za-z]{3}")),
            "payment_terms": _purchasing(kit.Text("PaymentTerms")),
            "address": _address(
                {
                    "line1": kit.Joined(("StreetName", "HouseNumber")),
                    "line2": kit.Text("StreetPrefixName"),
                    "city": kit.Text("CityName"),
                    "region": kit.Text("Region"),
                    "postal_code": kit.Text("PostalCode"),
                    "country": kit.Matching(kit.Text("Country"), "[A-Za-z]{2}"),
                }
            ),
        },
        "BusinessPartner BusinessPartnerGrouping",
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
        "MaintenanceOrderType MaintPriority MaintenanceActivityType MainWorkCenter "
        "FunctionalLocation SystemStatusText UserStatusText",
        created=kit.Stamp("MaintOrderCreationDateTime"),
    ),
    Entity.ASSETS: _record(
        {
            "tag": kit.Text("Equipment"),
            "name": kit.first_text("EquipmentName Equipment"),
            "status": kit.Flags(EQUIPMENT_FLAGS, AssetStatus.NOT_OPERATING),
            "category": kit.Text("TechnicalObjectType"),
            # Where the equipment is installed; equipment in stock is only at its plant.
            "location": _functional_location_or_plant("FunctionalLocation"),
            "parent": kit.Ref(Entity.ASSETS, "SuperordinateEquipment"),
            "manufacturer": kit.Text("AssetManufacturerName"),
            "model": kit.Text("ManufacturerPartTypeName"),
            "serial_number": kit.Text("ManufacturerSerialNumber"),
            "install_date": kit.Day("OperationStartDate"),
            "criticality": kit.Code("ABCIndicator", ABC_INDICATOR, otherwise=None),
        },
        "FunctionalLocation EquipmentCategory InventoryNumber ABCIndicator",
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
        "name": kit.first_text(
            "FunctionalLocationName FunctionalLocationLabelName FunctionalLocation"
        ),
        "type": kit.Level("SuperiorFunctionalLocation", FUNCTIONAL_LOCATION_LEVEL),
        "status": kit.Flags(FUNCTIONAL_LOCATION_FLAGS, LocationStatus.ACTIVE),
        # The top of a plant's structure hangs below the plant itself.
        "parent": _functional_location_or_plant("SuperiorFunctionalLocation"),
        "address": kit.Const(None),
    },
    "FunctionalLocation FunctionalLocationCategory FuncLocationStructure TechnicalObjectType "
    "PlantSection AssetLocation MaintenancePlant",
)

#: The purchase order line fields written as they are read.
LINE_FIELDS: Final[Mapping[str, kit.Field]] = {
    "remote_id": kit.Text("PurchaseOrderItem", writable=False),
    "item": kit.Ref(Entity.INVENTORY_ITEMS, "Material"),
    "item_code": kit.Text("Material", writable=False),
    "description": kit.Text("PurchaseOrderItemText"),
    "quantity": kit.Number("OrderQuantity"),
    "unit_of_measure": kit.Text("PurchaseOrderQuantityUnit"),
}

#: A line's price is per `NetPriceQuantity` units; a new line's is per one unit.
_UNIT_PRICE: Final = kit.Ratio(kit.Number("NetPriceAmount"), kit.Number("NetPriceQuantity"))
#: A line's plant (`1710`) or storage location (`1710/171A`).
_PLACE: Final = kit.Joined(("Plant", "StorageLocation"), "/", writable=True)

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
        "location": kit.Link(Entity.LOCATIONS, _PLACE, writable=True),
    },
    order="PurchaseOrderItem",
    skip={"PurchasingDocumentDeletionCode": "L"},
)

# --- writes --------------------------------------------------------------------------------------

#: A new line's schedule line: when, and how much.
_SCHEDULE: Final = {
    "required_date": kit.Day("ScheduleLineDeliveryDate"),
    "quantity": kit.Number("ScheduleLineOrderQuantity"),
}

#: The lines of a new order (a deep insert), numbered 10, 20, 30, ... as SAP does: what
#: `LINES` reads of them, each delivered to a plant, and one schedule line on the line's date
#: (else the order's).
NEW_LINES: Final = kit.Rows(
    "to_PurchaseOrderItem",
    {**LINES.fields, "schedule": kit.Rows("to_ScheduleLine", _SCHEDULE, number="ScheduleLine")},
    number="PurchaseOrderItem",
    step=10,
    inherit=("required_date",),
    repeat={"schedule": "required_date"},
    needs=(
        kit.Needs(
            "location",
            "SAP needs the plant (or 'plant/storage location') each line is delivered to.",
            not_prefixed=(FUNCTIONAL_LOCATION,),
        ),
        kit.Needs("unit_of_measure", "A line without an item needs a unit.", unless="item"),
    ),
)

#: Header fields SAP cannot empty once set: a null for them in a write is refused.
UNCLEARABLE: Final = frozenset({"vendor_remote_id", "order_date"})

#: The organisational units of a purchase order (its custom fields) that `custom_fields`
#: set: some fixed once the order exists, some it cannot do without.
ORGANISATION: Final = kit.CustomCodes(
    fixed=frozenset(kit.names("CompanyCode PurchaseOrderType PurchasingOrganization")),
    required=kit.names("CompanyCode PurchasingOrganization PurchasingGroup"),
    defaults={"PurchaseOrderType": "NB"},
)


#: The code tables with the SAP property each reads and its unified enum, for checks over real
#: data. SAP's own domains are closed lists; customizing (order types, priorities, ABC
#: indicators) is open: each system may add codes, which the map reads as `other` or none.
STATUS_TABLES: Final[tuple[StatusTable, ...]] = (
    StatusTable(Entity.PURCHASE_ORDERS, "PurchasingProcessingStatus", PROCESSING_STATUS, P),
    StatusTable(Entity.PURCHASE_ORDERS, "PurchasingDocumentDeletionCode", DELETION_CODE, P),
    *kit.code_tables(MAPS),
)
