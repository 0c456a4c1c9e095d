"""Tables between Maximo's object structures and the unified model.

Statuses are read from `status_maxvalue`, the internal value of the record's status in its
synonym domain, which the session writes beside the raw `status` (each site may name its own
synonyms, such as NASHUA's WAITPARTS for WMATL); the raw value stays in `custom_fields`.
Records of one site are pointed at as `SITE/NUMBER` (`SiteRef`), since Maximo's numbers are
unique per site only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.base import StatusTable, reference
from ironbridge.connectors.kit import (
    PLAIN,
    Code,
    Day,
    Field,
    First,
    Flags,
    Integer,
    MapContext,
    Mapper,
    Number,
    RecordMap,
    Ref,
    Rows,
    Stamp,
    Text,
    Wire,
    read_fields,
)
from ironbridge.model import (
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

__all__ = ["MAPPER", "STATUS_TABLES", "WO_STATUS_WRITES", "SiteRef"]


@dataclass(frozen=True, slots=True)
class SiteRef(Field):
    """A pointer to a record of a site (or organisation) as `SCOPE/KEY`.

    Read from the key at `path` and the row's `scope`; written as the key, and, where the
    record `pins` its scope (a new work order's site), as the scope too: two references of
    one record in different sites are refused.
    """

    entity: Entity
    path: str
    scope: str = "siteid"
    pins: bool = True
    writable: bool = field(default=True, kw_only=True)

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        key, scope = ctx.wire.get(row, self.path), ctx.wire.get(row, self.scope)
        if key in (None, "") or not scope:
            return None
        return reference(ctx.ids, self.entity, f"{scope}/{key}")

    def payload_key(self, name: str) -> str:
        return f"{name}_remote_id"

    def write(self, value: Any, out: dict[str, Any], wire: Wire) -> None:
        scope, _, key = str(value or "").rpartition("/")
        name = f"{self.entity.event_name}_id"
        if value is not None and not (scope and key):
            raise errors.ValidationFailed({name: f"Maximo ids are {self.scope.upper()}/KEY."})
        wire.put(out, self.path, key if value is not None else None)
        if self.pins and value is not None and out.setdefault(self.scope, scope) != scope:
            raise errors.ValidationFailed({name: f"Lies in {scope}, not {out[self.scope]}."})


W, P, S = WorkOrderStatus, PurchaseOrderStatus, InventoryItemStatus
#: WOSTATUS internal values.
WO_STATUS: Final = {"WAPPR": W.OPEN, "APPR": W.SCHEDULED, "WSCH": W.OPEN, "WMATL": W.ON_HOLD,
                    "WPCOND": W.ON_HOLD, "INPRG": W.IN_PROGRESS, "COMP": W.COMPLETED,
                    "CLOSE": W.CLOSED, "CAN": W.CANCELLED, "HISTEDIT": W.CLOSED}  # fmt: skip
#: The internal value a unified status is written as.
WO_STATUS_WRITES: Final = {W.OPEN: "WAPPR", W.SCHEDULED: "APPR", W.IN_PROGRESS: "INPRG",
                           W.ON_HOLD: "WMATL", W.COMPLETED: "COMP", W.CLOSED: "CLOSE",
                           W.CANCELLED: "CAN"}  # fmt: skip
#: POSTATUS internal values; an approved order is as far as its receipts got.
PO_STATUS: Final = {"WAPPR": P.PENDING_APPROVAL, "APPR": P.APPROVED, "INPRG": P.APPROVED,
                    "HOLD": P.DRAFT, "REVISE": P.DRAFT, "PNDREV": P.DRAFT, "CLOSE": P.CLOSED,
                    "CAN": P.CANCELLED}  # fmt: skip
_RECEIPTS: Final = {"NONE": P.APPROVED, "PARTIAL": P.PARTIALLY_RECEIVED, "COMPLETE": P.RECEIVED}
#: LOCASSETSTATUS internal values, for assets and for locations.
ASSET_STATUS: Final = {"OPERATING": AssetStatus.OPERATING, "NOT READY": AssetStatus.NOT_OPERATING,
                       "DECOMMISSIONED": AssetStatus.DECOMMISSIONED}  # fmt: skip
LOCATION_STATUS: Final = {"OPERATING": LocationStatus.ACTIVE, "NOT READY": LocationStatus.ACTIVE,
                          "DECOMMISSIONED": LocationStatus.INACTIVE}  # fmt: skip
#: ITEMSTATUS internal values.
ITEM_STATUS: Final = {"ACTIVE": S.ACTIVE, "PLANNING": S.INACTIVE, "PENDOBS": S.INACTIVE,
                      "OBSOLETE": S.DISCONTINUED}  # fmt: skip
_PRIORITY: Final = {1: WorkOrderPriority.URGENT, 2: WorkOrderPriority.HIGH,
                    3: WorkOrderPriority.MEDIUM, 4: WorkOrderPriority.LOW}  # fmt: skip
_WORK_TYPE: Final = {"CM": WorkOrderType.CORRECTIVE, "PM": WorkOrderType.PREVENTIVE,
                     "EM": WorkOrderType.EMERGENCY, "INSP": WorkOrderType.INSPECTION}  # fmt: skip
_LOCATION_TYPE: Final = {"STOREROOM": LocationType.WAREHOUSE, "OPERATING": LocationType.AREA}

STATUS_TABLES: Final = tuple(
    StatusTable(entity, "status_maxvalue", table, enum) for entity, table, enum in (
        (Entity.WORK_ORDERS, WO_STATUS, WorkOrderStatus),
        (Entity.PURCHASE_ORDERS, PO_STATUS, PurchaseOrderStatus),
        (Entity.ASSETS, ASSET_STATUS, AssetStatus),
        (Entity.LOCATIONS, LOCATION_STATUS, LocationStatus),
        (Entity.INVENTORY_ITEMS, ITEM_STATUS, InventoryItemStatus)))  # fmt: skip
_RAW_STATUS: Final = {"status": Text("status", writable=False)}
_ADDRESS: Final = {"line1": Text("address1"), "city": Text("city"),
                   "region": Text("stateprovince"), "postal_code": Text("zip"),
                   "country": Text("country")}  # fmt: skip
_PARTS: Final = {"item": Ref(Entity.INVENTORY_ITEMS, "itemnum"), "item_code": Text("itemnum"),
                 "description": Text("description"), "quantity": Number("positivequantity"),
                 "unit_of_measure": Text("issueunit")}  # fmt: skip
_LINES: Final = {
    "remote_id": Text("polineid", writable=False), "line_number": Integer("polinenum"),
    "item": Ref(Entity.INVENTORY_ITEMS, "itemnum"), "item_code": Text("itemnum", writable=False),
    "description": Text("description"), "quantity": Number("orderqty"),
    "quantity_received": Number("receivedqty", writable=False),
    "unit_of_measure": Text("orderunit"), "unit_price": Number("unitcost"),
    "line_total": Number("linecost", writable=False), "required_date": Day("reqdeliverydate"),
    "location": SiteRef(Entity.LOCATIONS, "storeloc", pins=False)}  # fmt: skip
_STOCK: Final = {"location": SiteRef(Entity.LOCATIONS, "location"),
                 "on_hand": Number("curbaltotal"), "available": Number("avblbalance"),
                 "reserved": Number("reservedqty"),
                 "reorder_point": Number("minlevel")}  # fmt: skip


def _named(attribute: str, number: str) -> First:
    """A name, or the record's number where it has none."""
    return First((Text(attribute), Text(number)))


def _on_hand(row: Mapping[str, Any], _ctx: MapContext) -> dict[str, Any]:
    levels = (Decimal(str(level["curbaltotal"])) for level in row["inventory"])
    return {"total_on_hand": sum(levels, Decimal(0))}


#: Reads and writes: lean JSON, Maximo's own attribute names.
MAPPER: Final = Mapper("Maximo", PLAIN, {
    Entity.WORK_ORDERS: RecordMap(fields={
        "number": Text("wonum"), "title": Text("description"),
        "description": Text("description_longdescription"),
        "status": Code("status_maxvalue", table=WO_STATUS, writable=False),
        "priority": Code("wopriority", table=_PRIORITY, otherwise=None),
        "type": Code("worktype", table=_WORK_TYPE, otherwise=WorkOrderType.OTHER),
        "asset": SiteRef(Entity.ASSETS, "assetnum"),
        "location": SiteRef(Entity.LOCATIONS, "location"),
        "assignee": Text("lead"), "requester": Text("reportedby"),
        "scheduled_start": Stamp("schedstart"), "scheduled_end": Stamp("schedfinish"),
        "actual_start": Stamp("actstart"), "actual_end": Stamp("actfinish"),
        "due_date": Day("targcompdate"), "estimated_hours": Number("estdur"),
        "actual_hours": Number("actlabhrs"),
        "parts_used": Rows("matusetrans", _PARTS, writable=False),
    }, created=Stamp("reportdate"), custom_fields=_RAW_STATUS),
    Entity.ASSETS: RecordMap(fields={
        "tag": Text("assetnum"), "name": _named("description", "assetnum"),
        "status": Code("status_maxvalue", table=ASSET_STATUS), "category": Text("assettype"),
        "location": SiteRef(Entity.LOCATIONS, "location"),
        "parent": SiteRef(Entity.ASSETS, "parent"), "manufacturer": Text("manufacturer"),
        "serial_number": Text("serialnum"), "install_date": Day("installdate"),
    }, custom_fields=_RAW_STATUS),
    Entity.LOCATIONS: RecordMap(fields={
        "code": Text("location"), "name": _named("description", "location"),
        "type": Code("type", table=_LOCATION_TYPE, otherwise=LocationType.AREA),
        "status": Code("status_maxvalue", table=LOCATION_STATUS),
        "parent": SiteRef(Entity.LOCATIONS, "parent"),
    }, custom_fields=_RAW_STATUS),
    Entity.INVENTORY_ITEMS: RecordMap(fields={
        "code": Text("itemnum"), "name": _named("description", "itemnum"),
        "description": Text("description"), "unit_of_measure": Text("issueunit"),
        "unit_cost": Number("avgcost"), "status": Code("status_maxvalue", table=ITEM_STATUS),
        "stock_levels": Rows("inventory", _STOCK),
    }, derive=_on_hand),
    Entity.VENDORS: RecordMap(fields={
        "code": Text("company"), "name": _named("name", "company"),
        "status": Flags((("disabled", VendorStatus.INACTIVE),), VendorStatus.ACTIVE),
        "phone": Text("phone1"), "website": Text("homepage"), "currency": Text("currencycode"),
        "payment_terms": Text("paymentterms"),
    }, derive=lambda row, ctx: {"address": read_fields(_ADDRESS, row, ctx)}),
    Entity.PURCHASE_ORDERS: RecordMap(fields={
        "number": Text("ponum"),
        "status": Code("status_maxvalue", table=PO_STATUS, writable=False,
                       refine={"APPR": Code("receipts", table=_RECEIPTS)}),
        "vendor": SiteRef(Entity.VENDORS, "vendor", scope="orgid", pins=False),
        "order_date": Day("orderdate"), "required_date": Day("requireddate"),
        "expected_delivery_date": Day("vendeliverydate"), "currency": Text("currencycode"),
        "subtotal": Number("pretaxtotal"), "tax_total": Number("totaltax1"),
        "total": Number("totalcost"), "payment_terms": Text("paymentterms"),
        "buyer": Text("purchaseagent"), "notes": Text("description"),
        "lines": Rows("poline", _LINES),
    }, custom_fields=_RAW_STATUS),
})  # fmt: skip
