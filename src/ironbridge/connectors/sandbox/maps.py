"""Tables that translate between the sandbox's source records and the unified model.

The sandbox plays a small ERP/CMMS with its own vocabulary (`PONumber`, `VendorCode`,
`Status: "Sent to Vendor"`, `LastModified: "2025-03-01 10:15:00"`). Each entity has a `RecordMap`:
a table from unified field to source field and a named converter. `to_unified` and `to_source`
walk those tables; they hold no per-entity branches. Status tables list every code the source
uses: a code missing from a table is an `UpstreamError`, never a silent default.

Source conventions: times are UTC wall-clock strings without a zone (the sandbox server runs
on UTC), dates are ISO dates, amounts and quantities are decimal strings, and user-defined
fields are top-level keys starting with `U_`, which become `custom_fields` without the prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from ironbridge.connectors.base import IdFactory, RawRecord, StatusTable
from ironbridge.connectors.kit import (
    Code,
    Day,
    Field,
    Integer,
    Mapper,
    Number,
    Place,
    RecordMap,
    Ref,
    Rows,
    Stamp,
    Text,
    Wire,
    source_code,
)
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
    "ASSET_CRITICALITY",
    "ASSET_STATUS",
    "CREATED",
    "CUSTOM_PREFIX",
    "ITEM_STATUS",
    "KEYS",
    "LOCATION_STATUS",
    "LOCATION_TYPE",
    "MAPPER",
    "MAPS",
    "MODIFIED",
    "PURCHASE_ORDER_STATUS",
    "SOURCE_TIME_FORMAT",
    "STATUS_TABLES",
    "VENDOR_STATUS",
    "WIRE",
    "WORK_ORDER_PRIORITY",
    "WORK_ORDER_STATUS",
    "WORK_ORDER_TYPE",
    "format_source_time",
    "parse_source_time",
    "source_code",
    "to_source",
    "to_unified",
]

#: How the sandbox writes a time: UTC, to the second, without a zone.
SOURCE_TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
#: The prefix of user-defined fields in sandbox records.
CUSTOM_PREFIX: Final = "U_"

# Status tables: source code → unified member. Each must list every code the source uses.
PURCHASE_ORDER_STATUS: Final[Mapping[Any, StrEnum]] = MappingProxyType(
    {
        "Draft": PurchaseOrderStatus.DRAFT,
        "Awaiting Approval": PurchaseOrderStatus.PENDING_APPROVAL,
        "Approved": PurchaseOrderStatus.APPROVED,
        "Sent to Vendor": PurchaseOrderStatus.SENT,
        "Partially Received": PurchaseOrderStatus.PARTIALLY_RECEIVED,
        "Received": PurchaseOrderStatus.RECEIVED,
        "Closed": PurchaseOrderStatus.CLOSED,
        "Cancelled": PurchaseOrderStatus.CANCELLED,
    }
)
WORK_ORDER_STATUS: Final[Mapping[Any, StrEnum]] = MappingProxyType(
    {
        "New": WorkOrderStatus.OPEN,
        "Scheduled": WorkOrderStatus.SCHEDULED,
        "In Progress": WorkOrderStatus.IN_PROGRESS,
        "On Hold": WorkOrderStatus.ON_HOLD,
        "Done": WorkOrderStatus.COMPLETED,
        "Cancelled": WorkOrderStatus.CANCELLED,
        "Closed": WorkOrderStatus.CLOSED,
    }
)
# The sandbox ranks priority 1 (most urgent) to 4, as many CMMS products do.
WORK_ORDER_PRIORITY: Final[Mapping[Any, StrEnum]] = MappingProxyType(
    {
        1: WorkOrderPriority.URGENT,
        2: WorkOrderPriority.HIGH,
        3: WorkOrderPriority.MEDIUM,
        4: WorkOrderPriority.LOW,
    }
)
WORK_ORDER_TYPE: Final[Mapping[Any, StrEnum]] = MappingProxyType(
    {
        "CM": WorkOrderType.CORRECTIVE,
        "PM": WorkOrderType.PREVENTIVE,
        "INSP": WorkOrderType.INSPECTION,
        "EMER": WorkOrderType.EMERGENCY,
        "PROJ": WorkOrderType.OTHER,
    }
)
ITEM_STATUS: Final[Mapping[Any, StrEnum]] = MappingProxyType(
    {
        "Active": InventoryItemStatus.ACTIVE,
        "Inactive": InventoryItemStatus.INACTIVE,
        "Obsolete": InventoryItemStatus.DISCONTINUED,
    }
)
VENDOR_STATUS: Final[Mapping[Any, StrEnum]] = MappingProxyType(
    {
        "Active": VendorStatus.ACTIVE,
        "Inactive": VendorStatus.INACTIVE,
        "On Hold": VendorStatus.BLOCKED,
    }
)
ASSET_STATUS: Final[Mapping[Any, StrEnum]] = MappingProxyType(
    {
        "Running": AssetStatus.OPERATING,
        "Stopped": AssetStatus.NOT_OPERATING,
        "In Repair": AssetStatus.UNDER_MAINTENANCE,
        "Retired": AssetStatus.DECOMMISSIONED,
    }
)
# ABC analysis, the usual criticality ranking in maintenance: A matters most.
ASSET_CRITICALITY: Final[Mapping[Any, StrEnum]] = MappingProxyType(
    {
        "A": AssetCriticality.CRITICAL,
        "B": AssetCriticality.HIGH,
        "C": AssetCriticality.MEDIUM,
        "D": AssetCriticality.LOW,
    }
)
LOCATION_TYPE: Final[Mapping[Any, StrEnum]] = MappingProxyType(
    {
        "Site": LocationType.SITE,
        "Plant": LocationType.PLANT,
        "Warehouse": LocationType.WAREHOUSE,
        "Area": LocationType.AREA,
        "Bin": LocationType.BIN,
    }
)
LOCATION_STATUS: Final[Mapping[Any, StrEnum]] = MappingProxyType(
    {"Active": LocationStatus.ACTIVE, "Inactive": LocationStatus.INACTIVE}
)


class SandboxWire(Wire):
    """The sandbox's JSON: plain keys, ISO dates, UTC times without a zone, decimal strings."""

    name = "The source"

    def from_datetime(self, value: datetime) -> Any:
        return format_source_time(value)


#: How sandbox records are read and written.
WIRE: Final = SandboxWire()
#: When every sandbox record was created and last changed.
CREATED: Final = "CreatedOn"
MODIFIED: Final = "LastModified"
#: The key of each entity's records.
KEYS: Final[Mapping[Entity, str]] = MappingProxyType(
    {
        Entity.PURCHASE_ORDERS: "PONumber",
        Entity.WORK_ORDERS: "WONumber",
        Entity.INVENTORY_ITEMS: "ItemCode",
        Entity.VENDORS: "VendorCode",
        Entity.ASSETS: "AssetTag",
        Entity.LOCATIONS: "LocationCode",
    }
)


def parse_source_time(value: str) -> datetime:
    """A sandbox time string as an aware UTC datetime."""
    return datetime.strptime(value, SOURCE_TIME_FORMAT).replace(tzinfo=UTC)


def format_source_time(value: datetime) -> str:
    """An aware datetime as the sandbox writes times."""
    return value.astimezone(UTC).strftime(SOURCE_TIME_FORMAT)


#: Unified address field → sandbox address key.
_ADDRESS_PARTS: Final[Mapping[str, Field]] = MappingProxyType(
    {
        "line1": Text("Street"),
        "line2": Text("Street2"),
        "city": Text("City"),
        "region": Text("State"),
        "postal_code": Text("Zip"),
        "country": Text("Country"),
    }
)


def _address(path: str) -> Place:
    return Place(path, _ADDRESS_PARTS)


def _record(fields: Mapping[str, Field]) -> RecordMap:
    return RecordMap(
        fields,
        created=Stamp(CREATED),
        extension_prefixes=(CUSTOM_PREFIX,),
        strip_prefix=True,
    )


MAPS: Final[Mapping[Entity, RecordMap]] = MappingProxyType(
    {
        Entity.PURCHASE_ORDERS: _record(
            {
                "number": Text("PONumber"),
                "status": Code("Status", PURCHASE_ORDER_STATUS),
                "vendor": Ref(Entity.VENDORS, "VendorCode"),
                "order_date": Day("OrderDate"),
                "required_date": Day("RequiredDate"),
                "expected_delivery_date": Day("PromisedDate"),
                "currency": Text("Currency"),
                "subtotal": Number("SubTotal"),
                "tax_total": Number("TaxAmount"),
                "total": Number("DocTotal"),
                "payment_terms": Text("PaymentTerms"),
                "ship_to": _address("ShipTo"),
                "bill_to": _address("BillTo"),
                "buyer": Text("Buyer"),
                "notes": Text("Comments"),
                "lines": Rows(
                    "Lines",
                    {
                        "line_number": Integer("LineNum"),
                        "item": Ref(Entity.INVENTORY_ITEMS, "ItemCode"),
                        "item_code": Text("ItemCode"),
                        "description": Text("ItemDescription"),
                        "quantity": Number("Quantity"),
                        "quantity_received": Number("QtyReceived"),
                        "unit_of_measure": Text("UoM"),
                        "unit_price": Number("UnitPrice"),
                        "line_total": Number("LineTotal"),
                        "required_date": Day("RequiredDate"),
                        "location": Ref(Entity.LOCATIONS, "Warehouse"),
                    },
                ),
            },
        ),
        Entity.WORK_ORDERS: _record(
            {
                "number": Text("WONumber"),
                "title": Text("Summary"),
                "description": Text("Details"),
                "status": Code("Status", WORK_ORDER_STATUS),
                "priority": Code("Priority", WORK_ORDER_PRIORITY),
                "type": Code("WorkType", WORK_ORDER_TYPE),
                "asset": Ref(Entity.ASSETS, "AssetTag"),
                "location": Ref(Entity.LOCATIONS, "LocationCode"),
                "assignee": Text("AssignedTo"),
                "requester": Text("RequestedBy"),
                "scheduled_start": Stamp("SchedStart"),
                "scheduled_end": Stamp("SchedFinish"),
                "actual_start": Stamp("ActualStart"),
                "actual_end": Stamp("ActualFinish"),
                "due_date": Day("DueDate"),
                "estimated_hours": Number("EstHours"),
                "actual_hours": Number("ActHours"),
                "parts_used": Rows(
                    "Parts",
                    {
                        "item": Ref(Entity.INVENTORY_ITEMS, "ItemCode"),
                        "item_code": Text("ItemCode"),
                        "description": Text("Description"),
                        "quantity": Number("Qty"),
                        "unit_of_measure": Text("UoM"),
                    },
                ),
                "completion_notes": Text("CompletionNotes"),
            },
        ),
        Entity.INVENTORY_ITEMS: _record(
            {
                "code": Text("ItemCode"),
                "name": Text("Description"),
                "description": Text("ExtendedText"),
                "category": Text("ItemGroup"),
                "unit_of_measure": Text("UoM"),
                "unit_cost": Number("StdCost"),
                "currency": Text("Currency"),
                "status": Code("Status", ITEM_STATUS),
                "stock_levels": Rows(
                    "Stock",
                    {
                        "location": Ref(Entity.LOCATIONS, "Warehouse"),
                        "on_hand": Number("OnHand"),
                        "available": Number("Available"),
                        "reserved": Number("Committed"),
                        "reorder_point": Number("ReorderLevel"),
                    },
                ),
                "total_on_hand": Number("QtyOnHand"),
            },
        ),
        Entity.VENDORS: _record(
            {
                "code": Text("VendorCode"),
                "name": Text("VendorName"),
                "status": Code("Status", VENDOR_STATUS),
                "tax_id": Text("TaxId"),
                "email": Text("Email"),
                "phone": Text("Phone"),
                "website": Text("Website"),
                "currency": Text("Currency"),
                "payment_terms": Text("PaymentTerms"),
                "address": _address("Address"),
            },
        ),
        Entity.ASSETS: _record(
            {
                "tag": Text("AssetTag"),
                "name": Text("AssetName"),
                "description": Text("Description"),
                "status": Code("Status", ASSET_STATUS),
                "category": Text("AssetClass"),
                "location": Ref(Entity.LOCATIONS, "LocationCode"),
                "parent": Ref(Entity.ASSETS, "ParentTag"),
                "manufacturer": Text("Manufacturer"),
                "model": Text("ModelNo"),
                "serial_number": Text("SerialNo"),
                "install_date": Day("InstallDate"),
                "criticality": Code("Criticality", ASSET_CRITICALITY),
            },
        ),
        Entity.LOCATIONS: _record(
            {
                "code": Text("LocationCode"),
                "name": Text("Name"),
                "type": Code("LocationType", LOCATION_TYPE),
                "status": Code("Status", LOCATION_STATUS),
                "parent": Ref(Entity.LOCATIONS, "ParentCode"),
                "address": _address("Address"),
            },
        ),
    }
)

#: Every status-like table with the source field it reads and its unified enum; each is a
#: closed list: the sandbox sends no code of its own.
STATUS_TABLES: Final[tuple[StatusTable, ...]] = (
    StatusTable(Entity.PURCHASE_ORDERS, "Status", PURCHASE_ORDER_STATUS, PurchaseOrderStatus),
    StatusTable(Entity.WORK_ORDERS, "Status", WORK_ORDER_STATUS, WorkOrderStatus),
    StatusTable(Entity.WORK_ORDERS, "Priority", WORK_ORDER_PRIORITY, WorkOrderPriority),
    StatusTable(Entity.WORK_ORDERS, "WorkType", WORK_ORDER_TYPE, WorkOrderType),
    StatusTable(Entity.INVENTORY_ITEMS, "Status", ITEM_STATUS, InventoryItemStatus),
    StatusTable(Entity.VENDORS, "Status", VENDOR_STATUS, VendorStatus),
    StatusTable(Entity.ASSETS, "Status", ASSET_STATUS, AssetStatus),
    StatusTable(Entity.ASSETS, "Criticality", ASSET_CRITICALITY, AssetCriticality),
    StatusTable(Entity.LOCATIONS, "LocationType", LOCATION_TYPE, LocationType),
    StatusTable(Entity.LOCATIONS, "Status", LOCATION_STATUS, LocationStatus),
)


#: The sandbox's maps on its wire: `to_unified` and `to_source` in one.
MAPPER: Final = Mapper("Sandbox", WIRE, MAPS, refusal="The sandbox cannot write this field.")


def to_unified(entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
    """The unified record of a sandbox source record (without `remote_data`).

    Raises `errors.UpstreamError` when a field cannot be read or a code is not in its table.
    """
    return MAPPER.to_unified(entity, raw, ids)


def to_source(entity: Entity, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The sandbox source fields a resolved write payload sets (create or update).

    Derived fields (names of referenced records, line numbers, totals) are left for the
    connector, which knows the other records. Raises `errors.ValidationFailed` for a payload
    field the sandbox cannot store, so nothing a caller sends is silently dropped.
    """
    return MAPPER.to_source(entity, payload)
