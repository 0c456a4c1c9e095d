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

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.base import IdFactory, RawRecord, StatusTable, reference
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
    "CUSTOM_PREFIX",
    "ITEM_STATUS",
    "LOCATION_STATUS",
    "LOCATION_TYPE",
    "MAPS",
    "PURCHASE_ORDER_STATUS",
    "SOURCE_TIME_FORMAT",
    "STATUS_TABLES",
    "VENDOR_STATUS",
    "WORK_ORDER_PRIORITY",
    "WORK_ORDER_STATUS",
    "WORK_ORDER_TYPE",
    "Code",
    "Day",
    "FieldMap",
    "Integer",
    "Number",
    "Place",
    "RecordMap",
    "Ref",
    "Rows",
    "Text",
    "Timestamp",
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


def parse_source_time(value: str) -> datetime:
    """A sandbox time string as an aware UTC datetime."""
    return datetime.strptime(value, SOURCE_TIME_FORMAT).replace(tzinfo=UTC)


def format_source_time(value: datetime) -> str:
    """An aware datetime as the sandbox writes times."""
    return value.astimezone(UTC).strftime(SOURCE_TIME_FORMAT)


def source_code(table: Mapping[Any, StrEnum], member: StrEnum) -> Any:
    """The source code a status table maps to `member`; raises KeyError when it has none."""
    for code, mapped in table.items():
        if mapped is member:
            return code
    raise KeyError(member)


class FieldMap(ABC):
    """How one unified field is read from, and written to, a source record."""

    def payload_key(self, name: str) -> str:
        """The key of this field in a write payload; differs for references."""
        return name

    @abstractmethod
    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        """The unified value of the field in source record `data`."""

    @abstractmethod
    def write(self, value: Any, out: dict[str, Any]) -> None:
        """Set the field's source keys in `out` from the unified payload value `value`."""


@dataclass(frozen=True, slots=True)
class Text(FieldMap):
    """A source value used as it is (text, booleans)."""

    source: str

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        return data.get(self.source)

    def write(self, value: Any, out: dict[str, Any]) -> None:
        out[self.source] = value


@dataclass(frozen=True, slots=True)
class Integer(FieldMap):
    """A whole number."""

    source: str

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        value = data.get(self.source)
        return None if value is None else int(value)

    def write(self, value: Any, out: dict[str, Any]) -> None:
        out[self.source] = None if value is None else int(value)


@dataclass(frozen=True, slots=True)
class Number(FieldMap):
    """A decimal string in the source, a `Decimal` in the unified record."""

    source: str

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        value = data.get(self.source)
        # Through str(): a source that sends a JSON float 0.1 means the decimal 0.1, not the
        # binary approximation Decimal(0.1) would give.
        return None if value is None else Decimal(str(value))

    def write(self, value: Any, out: dict[str, Any]) -> None:
        out[self.source] = None if value is None else format(Decimal(value), "f")


@dataclass(frozen=True, slots=True)
class Day(FieldMap):
    """An ISO date (`2025-03-01`)."""

    source: str

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        value = data.get(self.source)
        return None if value is None else date.fromisoformat(value)

    def write(self, value: Any, out: dict[str, Any]) -> None:
        out[self.source] = None if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class Timestamp(FieldMap):
    """A UTC time written without a zone (`2025-03-01 10:15:00`)."""

    source: str

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        value = data.get(self.source)
        return None if value is None else parse_source_time(value)

    def write(self, value: Any, out: dict[str, Any]) -> None:
        out[self.source] = None if value is None else format_source_time(value)


@dataclass(frozen=True, slots=True)
class Code(FieldMap):
    """A source code translated through a table to a unified enum member."""

    source: str
    table: Mapping[Any, StrEnum] = field(hash=False)

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        value = data.get(self.source)
        if value is None:
            return None
        try:
            return self.table[value]
        except KeyError:
            # Loud by design: a guessed default would publish a wrong status to integrators.
            raise errors.UpstreamError(
                f"The source sent {self.source} {value!r}, which the sandbox map does not know."
            ) from None

    def write(self, value: Any, out: dict[str, Any]) -> None:
        out[self.source] = None if value is None else source_code(self.table, value)


@dataclass(frozen=True, slots=True)
class Ref(FieldMap):
    """A pointer to another record by its source key (ids only; see `base.reference`)."""

    entity: Entity
    source: str

    def payload_key(self, name: str) -> str:
        return f"{name}_remote_id"

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        remote_id = data.get(self.source)
        if remote_id is None:
            return None
        return reference(ids, self.entity, remote_id)

    def write(self, value: Any, out: dict[str, Any]) -> None:
        out[self.source] = value


#: Unified address field → sandbox address key.
_ADDRESS_KEYS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "line1": "Street",
        "line2": "Street2",
        "city": "City",
        "region": "State",
        "postal_code": "Zip",
        "country": "Country",
    }
)


@dataclass(frozen=True, slots=True)
class Place(FieldMap):
    """A nested sandbox address object."""

    source: str

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        value = data.get(self.source)
        if value is None:
            return None
        return {unified: value.get(key) for unified, key in _ADDRESS_KEYS.items()}

    def write(self, value: Any, out: dict[str, Any]) -> None:
        if value is None:
            out[self.source] = None
            return
        out[self.source] = {key: value.get(unified) for unified, key in _ADDRESS_KEYS.items()}


@dataclass(frozen=True, slots=True)
class Rows(FieldMap):
    """A list of nested rows (order lines, stock levels), each mapped by its own table."""

    source: str
    fields: Mapping[str, FieldMap] = field(hash=False)

    def read(self, data: Mapping[str, Any], ids: IdFactory) -> Any:
        return [_read_fields(self.fields, row, ids) for row in data.get(self.source) or ()]

    def write(self, value: Any, out: dict[str, Any]) -> None:
        out[self.source] = [_write_fields(self.fields, row) for row in value or ()]


@dataclass(frozen=True)
class RecordMap:
    """The table of one entity: its key, its time fields and its unified fields."""

    key: str
    created: str
    modified: str
    fields: Mapping[str, FieldMap]


def _read_fields(
    fields: Mapping[str, FieldMap], data: Mapping[str, Any], ids: IdFactory
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, field_map in fields.items():
        try:
            out[name] = field_map.read(data, ids)
        except (ValueError, TypeError, ArithmeticError, AttributeError) as exc:
            raise errors.UpstreamError(
                f"The source field for {name} holds an unreadable value ({exc})."
            ) from exc
    return out


def _write_fields(fields: Mapping[str, FieldMap], payload: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, field_map in fields.items():
        key = field_map.payload_key(name)
        if key in payload:
            field_map.write(payload[key], out)
    return out


MAPS: Final[Mapping[Entity, RecordMap]] = MappingProxyType(
    {
        Entity.PURCHASE_ORDERS: RecordMap(
            key="PONumber",
            created="CreatedOn",
            modified="LastModified",
            fields={
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
                "ship_to": Place("ShipTo"),
                "bill_to": Place("BillTo"),
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
        Entity.WORK_ORDERS: RecordMap(
            key="WONumber",
            created="CreatedOn",
            modified="LastModified",
            fields={
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
                "scheduled_start": Timestamp("SchedStart"),
                "scheduled_end": Timestamp("SchedFinish"),
                "actual_start": Timestamp("ActualStart"),
                "actual_end": Timestamp("ActualFinish"),
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
        Entity.INVENTORY_ITEMS: RecordMap(
            key="ItemCode",
            created="CreatedOn",
            modified="LastModified",
            fields={
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
        Entity.VENDORS: RecordMap(
            key="VendorCode",
            created="CreatedOn",
            modified="LastModified",
            fields={
                "code": Text("VendorCode"),
                "name": Text("VendorName"),
                "status": Code("Status", VENDOR_STATUS),
                "tax_id": Text("TaxId"),
                "email": Text("Email"),
                "phone": Text("Phone"),
                "website": Text("Website"),
                "currency": Text("Currency"),
                "payment_terms": Text("PaymentTerms"),
                "address": Place("Address"),
            },
        ),
        Entity.ASSETS: RecordMap(
            key="AssetTag",
            created="CreatedOn",
            modified="LastModified",
            fields={
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
        Entity.LOCATIONS: RecordMap(
            key="LocationCode",
            created="CreatedOn",
            modified="LastModified",
            fields={
                "code": Text("LocationCode"),
                "name": Text("Name"),
                "type": Code("LocationType", LOCATION_TYPE),
                "status": Code("Status", LOCATION_STATUS),
                "parent": Ref(Entity.LOCATIONS, "ParentCode"),
                "address": Place("Address"),
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


def to_unified(entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
    """The unified record of a sandbox source record (without `remote_data`).

    Raises `errors.UpstreamError` when a field cannot be read or a code is not in its table.
    """
    record_map = MAPS[entity]
    data = raw.data
    try:
        created = data.get(record_map.created)
        unified: dict[str, Any] = {
            "id": ids(entity, raw.remote_id),
            "remote_id": raw.remote_id,
            "created_at": None if created is None else parse_source_time(created),
            "updated_at": raw.modified_at,
            "deleted": False,
        }
        unified.update(_read_fields(record_map.fields, data, ids))
    except errors.UpstreamError as exc:
        raise errors.UpstreamError(
            f"Sandbox {entity.label} {raw.remote_id}: {exc.message}"
        ) from exc
    except ValueError as exc:
        raise errors.UpstreamError(
            f"Sandbox {entity.label} {raw.remote_id}: unreadable {record_map.created} ({exc})."
        ) from exc
    unified["custom_fields"] = {
        key.removeprefix(CUSTOM_PREFIX): value
        for key, value in data.items()
        if key.startswith(CUSTOM_PREFIX)
    }
    return unified


def to_source(entity: Entity, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The sandbox source fields a resolved write payload sets (create or update).

    Derived fields (names of referenced records, line numbers, totals) are left for the
    connector, which knows the other records. Raises `errors.ValidationFailed` for a payload
    field the sandbox cannot store, so nothing a caller sends is silently dropped.
    """
    record_map = MAPS[entity]
    out = _write_fields(record_map.fields, payload)
    handled = {field_map.payload_key(name) for name, field_map in record_map.fields.items()}
    custom_fields = payload.get("custom_fields") or {}
    for name, value in custom_fields.items():
        out[f"{CUSTOM_PREFIX}{name}"] = value
    unknown = set(payload) - handled - {"custom_fields"}
    if unknown:
        raise errors.ValidationFailed(
            {name: "The sandbox cannot write this field." for name in sorted(unknown)}
        )
    return out
