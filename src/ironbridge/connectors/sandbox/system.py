"""The sandbox system: the small ERP/CMMS the sandbox connector talks to, in process.

It holds the sample data (`data.py`) and the business rules a real ERP enforces on writes:
numbering, derived fields (names of referenced records, line totals, tax by site), references
that must exist, and records locked by their status. Writes are answered with the record as it
would be and change nothing, so every session sees the same sample. It speaks the sandbox's own
vocabulary (`PONumber`, `Status: "Draft"`); the connector translates (`maps.py`).
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.base import PassthroughRequest, PassthroughResponse, RawRecord
from ironbridge.connectors.sandbox import maps
from ironbridge.connectors.sandbox.data import ANCHOR, SITE_TAX_RATES, SandboxData, sandbox_data
from ironbridge.connectors.sandbox.spec import (
    LOCKED_PURCHASE_ORDER_STATUSES,
    LOCKED_WORK_ORDER_STATUSES,
    SPEC,
)
from ironbridge.model import Entity, InventoryAdjustment, PurchaseOrderStatus

__all__ = ["SandboxSystem", "copy_record"]

_CENT: Final = Decimal("0.01")
# Statuses a caller may set on an editable order; the others follow goods receipts.
_SETTABLE_PO_STATUSES: Final = frozenset({"Draft", "Awaiting Approval", "Approved", "Cancelled"})
_STOCK_LOCATION_TYPES: Final = frozenset({"Warehouse", "Bin"})
# Headers a passthrough echo never returns: they carry credentials.
_SECRET_HEADERS: Final = re.compile(r"authorization|cookie|token|secret|key|password", re.I)


class _Numbering:
    """Fresh document numbers for created records, after the highest number in the sample.

    Numbers are unique within the process; nothing is stored, so no later read finds them.
    """

    _FORMATS: Final = {
        Entity.PURCHASE_ORDERS: "PO-{}",
        Entity.WORK_ORDERS: "WO-{}",
        Entity.VENDORS: "V{}",
    }

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[Entity, Iterator[int]] = {}

    def next(self, entity: Entity, data: SandboxData) -> str:
        with self._lock:
            counter = self._counters.get(entity)
            if counter is None:
                highest = max(int(re.sub(r"\D", "", raw.remote_id)) for raw in data.records[entity])
                counter = self._counters[entity] = itertools.count(highest + 1)
            return self._FORMATS[entity].format(next(counter))


_numbering = _Numbering()


def copy_record(raw: RawRecord) -> RawRecord:
    """A deep copy of `raw`."""
    # The sample is shared by every session of the process; a caller must never be able to
    # change it through a record it was given.
    return RawRecord(raw.remote_id, raw.modified_at, copy.deepcopy(raw.data))


def _change_key(raw: RawRecord) -> tuple[datetime, str]:
    return raw.change_key


def _now() -> datetime:
    # Whole seconds: the sandbox's time format has no fractions.
    return datetime.now(UTC).replace(microsecond=0)


def _money(value: Decimal) -> str:
    return format(value.quantize(_CENT, rounding=ROUND_HALF_UP), "f")


class SandboxSystem:
    """The sample system one session talks to; see the module docstring."""

    def __init__(self, data: SandboxData | None = None) -> None:
        self.data = data or sandbox_data()

    def changes(
        self, entity: Entity, since: datetime | None, page_size: int
    ) -> Iterator[list[RawRecord]]:
        """Pages of copies of the records changed at or after `since`, in change order."""
        records = self.data.records[entity]
        start = 0 if since is None else bisect_left(records, (since, ""), key=_change_key)
        for offset in range(start, len(records), page_size):
            yield [copy_record(raw) for raw in records[offset : offset + page_size]]

    def create(self, entity: Entity, written: dict[str, Any]) -> RawRecord:
        """The record `written` (source fields) would become; nothing is stored."""
        now = _now()
        key = maps.KEYS[entity]
        problems: dict[str, str] = {}
        remote_id = written.get(key)
        if remote_id is None:
            remote_id = _numbering.next(entity, self.data)
        elif self.data.find(entity, remote_id) is not None:
            problems[_NUMBER_FIELDS[entity]] = f"{remote_id} already exists."
        row: dict[str, Any] = {**_CREATE_DEFAULTS[entity](now), **written}
        row[key] = remote_id
        row[maps.CREATED] = row[maps.MODIFIED] = maps.format_source_time(now)
        self._complete(entity, row, written, problems)
        return RawRecord(remote_id, now, row)

    def update(self, entity: Entity, original: RawRecord, written: dict[str, Any]) -> RawRecord:
        """The record `original` would become with `written` (source fields) laid over it."""
        problems: dict[str, str] = {}
        status = written.get("Status")
        if entity is Entity.PURCHASE_ORDERS and status not in (None, *_SETTABLE_PO_STATUSES):
            problems["status"] = (
                "Only draft, pending_approval, approved or cancelled can be set; "
                "receipt statuses follow goods receipts."
            )
        row = copy.deepcopy(original.data)
        row.update(written)
        now = _now()
        row[maps.MODIFIED] = maps.format_source_time(now)
        self._complete(entity, row, written, problems)
        return RawRecord(original.remote_id, now, row)

    def delete(self, entity: Entity, remote_id: str) -> None:
        """Validate a deletion (draft purchase orders only); nothing is deleted."""
        original = self.find(entity, remote_id)
        status = maps.PURCHASE_ORDER_STATUS[original.data["Status"]]
        if status is not PurchaseOrderStatus.DRAFT:
            raise errors.RecordLocked(
                f"Purchase order {remote_id} has status {status.value!r}; "
                "only draft purchase orders can be deleted.",
                details={"status": status.value},
            )

    def adjust(self, remote_id: str, body: InventoryAdjustment) -> RawRecord:
        """The item as it would be after `body`; stock stays unchanged."""
        original = self.find(Entity.INVENTORY_ITEMS, remote_id)
        location_code = body.location_remote_id
        location = self.data.find(Entity.LOCATIONS, location_code or "")
        if location is None:
            raise errors.ValidationFailed(
                {"location_id": f"No location {location_code} exists in the sandbox."}
            )
        if location.data["LocationType"] not in _STOCK_LOCATION_TYPES:
            raise errors.ValidationFailed(
                {
                    "location_id": f"{location_code} is a {location.data['LocationType'].lower()}; "
                    "stock is held in warehouses and bins."
                }
            )
        row = copy.deepcopy(original.data)
        levels: list[dict[str, Any]] = row["Stock"]
        level = next((entry for entry in levels if entry["Warehouse"] == location_code), None)
        if level is None:
            level = {
                "Warehouse": location_code,
                "OnHand": "0",
                "Committed": "0",
                "Available": "0",
                "ReorderLevel": None,
            }
            levels.append(level)
            levels.sort(key=lambda entry: str(entry["Warehouse"]))
        on_hand, committed = Decimal(level["OnHand"]), Decimal(level["Committed"])
        if body.quantity_delta is not None:
            field_name, new_on_hand = "quantity_delta", on_hand + body.quantity_delta
        else:
            field_name, new_on_hand = "new_count", Decimal(body.new_count or 0)
        unit = row.get("UoM") or ""
        if new_on_hand < 0:
            raise errors.ValidationFailed(
                {
                    field_name: f"Only {on_hand} {unit} of {remote_id} on hand at {location_code}; "
                    "stock cannot go below zero."
                }
            )
        if new_on_hand < committed:
            raise errors.ValidationFailed(
                {
                    field_name: f"{committed} {unit} of {remote_id} at {location_code} are "
                    "reserved for orders; on hand cannot go below that."
                }
            )
        level["OnHand"] = format(new_on_hand, "f")
        level["Available"] = format(new_on_hand - committed, "f")
        total = sum((Decimal(entry["OnHand"]) for entry in levels), Decimal(0))
        row["QtyOnHand"] = format(total, "f")
        now = _now()
        row["LastModified"] = maps.format_source_time(now)
        return RawRecord(remote_id, now, row)

    def answer(self, request: PassthroughRequest, tenant: str | None) -> PassthroughResponse:
        """The sandbox's own tiny API, for trying the passthrough endpoint.

        - `GET /info` (or `GET /`): the sandbox's name, data anchor and record counts.
        - `/echo` (any method): the request as received, minus credential headers.

        Any other path raises `errors.NotFound`.
        """
        if request.path in ("/", "/info") and request.method == "GET":
            return PassthroughResponse(
                status=200,
                headers={"content-type": "application/json"},
                body={
                    "system": SPEC.id,
                    "name": SPEC.name,
                    "tenant": tenant,
                    "read_only": True,
                    "data_as_of": ANCHOR.isoformat(),
                    "records": {entity.value: len(self.data.records[entity]) for entity in Entity},
                },
            )
        if request.path == "/echo":
            return PassthroughResponse(
                status=200,
                headers={"content-type": "application/json"},
                body={
                    "method": request.method,
                    "path": request.path,
                    "query": dict(request.query),
                    "headers": {
                        name: value
                        for name, value in request.headers.items()
                        if not _SECRET_HEADERS.search(name)
                    },
                    "body": request.body,
                },
            )
        raise errors.NotFound(
            f"The sandbox answers GET /info and /echo; {request.method} {request.path} "
            "is not one of them."
        )

    def find(self, entity: Entity, remote_id: str) -> RawRecord:
        """The sample record `remote_id` (shared: copy before handing it out)."""
        raw = self.data.find(entity, remote_id)
        if raw is None:
            raise errors.NotFound(f"No {entity.label} {remote_id!r} exists in the sandbox.")
        return raw

    def ensure_unlocked(self, entity: Entity, original: RawRecord, action: str) -> None:
        if entity is Entity.PURCHASE_ORDERS:
            status = maps.PURCHASE_ORDER_STATUS[original.data["Status"]]
            locked = status.value in LOCKED_PURCHASE_ORDER_STATUSES
        elif entity is Entity.WORK_ORDERS:
            status = maps.WORK_ORDER_STATUS[original.data["Status"]]
            locked = status.value in LOCKED_WORK_ORDER_STATUSES
        else:
            return
        if locked:
            raise errors.RecordLocked(
                f"The {entity.label} {original.remote_id} has status {status.value!r} and cannot "
                f"be {action} in the source system.",
                details={"status": status.value},
            )

    def _complete(
        self,
        entity: Entity,
        row: dict[str, Any],
        written: Mapping[str, Any],
        problems: dict[str, str],
    ) -> None:
        """Fill what the source derives itself, check references, and raise collected problems."""
        completers: dict[
            Entity, Callable[[dict[str, Any], Mapping[str, Any], dict[str, str]], None]
        ]
        completers = {
            Entity.PURCHASE_ORDERS: self._complete_purchase_order,
            Entity.WORK_ORDERS: self._complete_work_order,
            Entity.VENDORS: self._complete_vendor,
        }
        completers[entity](row, written, problems)
        if problems:
            raise errors.ValidationFailed(problems)

    def _complete_purchase_order(
        self, row: dict[str, Any], written: Mapping[str, Any], problems: dict[str, str]
    ) -> None:
        vendor = self.data.find(Entity.VENDORS, row["VendorCode"])
        if vendor is None:
            problems["vendor_id"] = f"No vendor {row['VendorCode']} exists in the sandbox."
        else:
            if "VendorCode" in written and vendor.data["Status"] != "Active":
                state = maps.VENDOR_STATUS[vendor.data["Status"]].value
                problems["vendor_id"] = (
                    f"Vendor {vendor.remote_id} has status {state!r}; "
                    "the source refuses orders to it."
                )
            row["VendorName"] = vendor.data["VendorName"]
            row["Currency"] = row.get("Currency") or vendor.data["Currency"]
            row["PaymentTerms"] = row.get("PaymentTerms") or vendor.data["PaymentTerms"]
        subtotal = Decimal(0)
        site = None
        for index, line in enumerate(row["Lines"]):
            line["LineNum"] = index + 1
            item_code = line.get("ItemCode")
            item = None if item_code is None else self.data.find(Entity.INVENTORY_ITEMS, item_code)
            if item_code is not None and item is None:
                problems[f"lines.{index}.item_id"] = f"No item {item_code} exists in the sandbox."
            if item is not None:
                line["ItemDescription"] = line.get("ItemDescription") or item.data["Description"]
                line["UoM"] = line.get("UoM") or item.data["UoM"]
                if line.get("UnitPrice") is None:
                    line["UnitPrice"] = item.data["StdCost"]
            warehouse = line.get("Warehouse")
            if warehouse is not None:
                location = self.data.find(Entity.LOCATIONS, warehouse)
                if location is None:
                    problems[f"lines.{index}.location_id"] = (
                        f"No location {warehouse} exists in the sandbox."
                    )
                elif site is None:
                    site = self._site_of(warehouse)
            line.setdefault("RequiredDate", None)
            line.setdefault("Warehouse", None)
            if line.get("QtyReceived") is None:
                line["QtyReceived"] = "0"
            price = Decimal(line.get("UnitPrice") or 0)
            line["UnitPrice"] = format(price, "f")
            line_total = Decimal(line["Quantity"]) * price
            line["LineTotal"] = _money(line_total)
            subtotal += Decimal(line["LineTotal"])
        rate = SITE_TAX_RATES.get(site or "", Decimal(0))
        tax = (subtotal * rate).quantize(_CENT, rounding=ROUND_HALF_UP)
        row["SubTotal"] = _money(subtotal)
        row["TaxAmount"] = _money(tax)
        row["DocTotal"] = _money(subtotal + tax)

    def _site_of(self, location_code: str) -> str | None:
        """The site a location lies in, following parents upwards."""
        code: str | None = location_code
        while code is not None:
            location = self.data.find(Entity.LOCATIONS, code)
            if location is None:
                return None
            if location.data["LocationType"] == "Site":
                return code
            code = location.data["ParentCode"]
        return None

    def _complete_work_order(
        self, row: dict[str, Any], written: Mapping[str, Any], problems: dict[str, str]
    ) -> None:
        asset_tag = row.get("AssetTag")
        if asset_tag is not None:
            asset = self.data.find(Entity.ASSETS, asset_tag)
            if asset is None:
                problems["asset_id"] = f"No asset {asset_tag} exists in the sandbox."
            else:
                row["AssetName"] = asset.data["AssetName"]
                row["LocationCode"] = row.get("LocationCode") or asset.data["LocationCode"]
        else:
            row["AssetName"] = None
        location_code = row.get("LocationCode")
        if location_code is not None and self.data.find(Entity.LOCATIONS, location_code) is None:
            problems["location_id"] = f"No location {location_code} exists in the sandbox."
        for index, part in enumerate(row.get("Parts") or ()):
            item = self.data.find(Entity.INVENTORY_ITEMS, part["ItemCode"])
            if item is None:
                problems[f"parts_used.{index}.item_id"] = (
                    f"No item {part['ItemCode']} exists in the sandbox."
                )
                continue
            part["Description"] = item.data["Description"]
            part["UoM"] = part.get("UoM") or item.data["UoM"]
        for start, end, name in (
            ("SchedStart", "SchedFinish", "scheduled_end"),
            ("ActualStart", "ActualFinish", "actual_end"),
        ):
            if row.get(start) and row.get(end) and row[end] < row[start]:
                # Same fixed-width format, so the strings compare as the times do.
                problems[name] = f"{name} would be before its start."

    def _complete_vendor(
        self, row: dict[str, Any], written: Mapping[str, Any], problems: dict[str, str]
    ) -> None:
        row["Currency"] = row.get("Currency") or "USD"
        row["PaymentTerms"] = row.get("PaymentTerms") or "Net 30"


#: The unified field that names a record's own number, for "already exists" errors.
_NUMBER_FIELDS: Final[Mapping[Entity, str]] = {
    Entity.PURCHASE_ORDERS: "number",
    Entity.WORK_ORDERS: "number",
    Entity.VENDORS: "code",
}


def _purchase_order_defaults(now: datetime) -> dict[str, Any]:
    return {
        "Status": "Draft",
        "VendorName": None,
        "OrderDate": now.date().isoformat(),
        "RequiredDate": None,
        "PromisedDate": None,
        "Currency": None,
        "PaymentTerms": None,
        "ShipTo": None,
        "BillTo": None,
        "Buyer": None,
        "Comments": None,
        "Lines": [],
    }


def _work_order_defaults(now: datetime) -> dict[str, Any]:
    return {
        "Details": None,
        "Status": "New",
        "Priority": 3,
        "WorkType": "CM",
        "AssetTag": None,
        "AssetName": None,
        "LocationCode": None,
        "AssignedTo": None,
        "RequestedBy": None,
        "SchedStart": None,
        "SchedFinish": None,
        "ActualStart": None,
        "ActualFinish": None,
        "DueDate": None,
        "EstHours": None,
        "ActHours": None,
        "Parts": [],
        "CompletionNotes": None,
    }


def _vendor_defaults(now: datetime) -> dict[str, Any]:
    return {
        "Status": "Active",
        "TaxId": None,
        "Email": None,
        "Phone": None,
        "Website": None,
        "Currency": None,
        "PaymentTerms": None,
        "Address": None,
    }


#: The source's defaults for a new record, before the caller's fields are laid over them.
_CREATE_DEFAULTS: Final[Mapping[Entity, Callable[[datetime], dict[str, Any]]]] = {
    Entity.PURCHASE_ORDERS: _purchase_order_defaults,
    Entity.WORK_ORDERS: _work_order_defaults,
    Entity.VENDORS: _vendor_defaults,
}
