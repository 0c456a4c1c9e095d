"""Tables between Maximo's object structures and the unified model.

Statuses are read from `status_maxvalue`, the internal value of the record's status in its
synonym domain, which the session writes beside the raw `status` (each site may name its own
synonyms, such as NASHUA's WAITPARTS for WMATL); the raw value stays in `custom_fields`.
Records of one site are pointed at as `SITE/NUMBER` (`kit.ScopedRef`), since Maximo's numbers are
unique per site only.
"""

from __future__ import annotations

from typing import Final

from ironbridge.connectors.kit import (
    PLAIN,
    PRIORITY_1_TO_4,
    Code,
    Day,
    First,
    Flags,
    Integer,
    Mapper,
    Number,
    RecordMap,
    Ref,
    Rows,
    ScopedRef,
    Stamp,
    Sum,
    Text,
    gathered,
    written_codes,
)
from ironbridge.model import (
    AssetStatus,
    Entity,
    InventoryItemStatus,
    LocationStatus,
    LocationType,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrderStatus,
    WorkOrderType,
)

__all__ = ["MAPPER", "WO_STATUS_WRITES"]


W, P, S = WorkOrderStatus, PurchaseOrderStatus, InventoryItemStatus
#: WOSTATUS internal values.
WO_STATUS: Final = {
    "WAPPR": W.OPEN,
    "APPR": W.SCHEDULED,
    "WSCH": W.OPEN,
    "WMATL": W.ON_HOLD,
    "WPCOND": W.ON_HOLD,
    "INPRG": W.IN_PROGRESS,
    "COMP": W.COMPLETED,
    "CLOSE": W.CLOSED,
    "CAN": W.CANCELLED,
    "HISTEDIT": W.CLOSED,
}
#: The internal value a unified status is written as.
WO_STATUS_WRITES: Final = written_codes(WO_STATUS)
#: POSTATUS internal values; an approved order is as far as its receipts got.
PO_STATUS: Final = {
    "WAPPR": P.PENDING_APPROVAL,
    "APPR": P.APPROVED,
    "INPRG": P.APPROVED,
    "HOLD": P.DRAFT,
    "REVISE": P.DRAFT,
    "PNDREV": P.DRAFT,
    "CLOSE": P.CLOSED,
    "CAN": P.CANCELLED,
}
_RECEIPTS: Final = {"NONE": P.APPROVED, "PARTIAL": P.PARTIALLY_RECEIVED, "COMPLETE": P.RECEIVED}
_BY_RECEIPTS: Final = {"APPR": Code("receipts", table=_RECEIPTS)}
#: LOCASSETSTATUS internal values, for assets and for locations.
ASSET_STATUS: Final = {
    "OPERATING": AssetStatus.OPERATING,
    "NOT READY": AssetStatus.NOT_OPERATING,
    "DECOMMISSIONED": AssetStatus.DECOMMISSIONED,
}
LOCATION_STATUS: Final = {
    "OPERATING": LocationStatus.ACTIVE,
    "NOT READY": LocationStatus.ACTIVE,
    "DECOMMISSIONED": LocationStatus.INACTIVE,
}
#: ITEMSTATUS internal values.
ITEM_STATUS: Final = {
    "ACTIVE": S.ACTIVE,
    "PLANNING": S.INACTIVE,
    "PENDOBS": S.INACTIVE,
    "OBSOLETE": S.DISCONTINUED,
}
_WORK_TYPE: Final = {
    "CM": WorkOrderType.CORRECTIVE,
    "PM": WorkOrderType.PREVENTIVE,
    "EM": WorkOrderType.EMERGENCY,
    "INSP": WorkOrderType.INSPECTION,
}
_LOCATION_TYPE: Final = {"STOREROOM": LocationType.WAREHOUSE, "OPERATING": LocationType.AREA}

_RAW_STATUS: Final = {"status": Text("status", writable=False)}
_ADDRESS: Final = {
    "line1": Text("address1"),
    "city": Text("city"),
    "region": Text("stateprovince"),
    "postal_code": Text("zip"),
    "country": Text("country"),
}
_PARTS: Final = {
    "item": Ref(Entity.INVENTORY_ITEMS, "itemnum"),
    "item_code": Text("itemnum"),
    "description": Text("description"),
    "quantity": Number("positivequantity"),
    "unit_of_measure": Text("issueunit"),
}
_LINES: Final = {
    "remote_id": Text("polineid", writable=False),
    "line_number": Integer("polinenum"),
    "item": Ref(Entity.INVENTORY_ITEMS, "itemnum"),
    "item_code": Text("itemnum", writable=False),
    "description": Text("description"),
    "quantity": Number("orderqty"),
    "quantity_received": Number("receivedqty", writable=False),
    "unit_of_measure": Text("orderunit"),
    "unit_price": Number("unitcost"),
    "line_total": Number("linecost", writable=False),
    "required_date": Day("reqdeliverydate"),
    "location": ScopedRef(Entity.LOCATIONS, "storeloc", pins=False),
}
_STOCK: Final = {
    "location": ScopedRef(Entity.LOCATIONS, "location"),
    "on_hand": Number("curbaltotal"),
    "available": Number("avblbalance"),
    "reserved": Number("reservedqty"),
    "reorder_point": Number("minlevel"),
}


_WORK_ORDER: Final = {
    "number": Text("wonum"),
    "title": Text("description"),
    "description": Text("description_longdescription"),
    "status": Code("status_maxvalue", table=WO_STATUS, writable=False),
    "priority": Code("wopriority", table=PRIORITY_1_TO_4, otherwise=None),
    "type": Code("worktype", table=_WORK_TYPE, otherwise=WorkOrderType.OTHER),
    "asset": ScopedRef(Entity.ASSETS, "assetnum"),
    "location": ScopedRef(Entity.LOCATIONS, "location"),
    "assignee": Text("lead"),
    "requester": Text("reportedby"),
    "scheduled_start": Stamp("schedstart"),
    "scheduled_end": Stamp("schedfinish"),
    "actual_start": Stamp("actstart"),
    "actual_end": Stamp("actfinish"),
    "due_date": Day("targcompdate"),
    "estimated_hours": Number("estdur"),
    "actual_hours": Number("actlabhrs"),
    "parts_used": Rows("matusetrans", _PARTS, writable=False),
}
_ASSET: Final = {
    "tag": Text("assetnum"),
    "name": First((Text("description"), Text("assetnum"))),
    "status": Code("status_maxvalue", table=ASSET_STATUS),
    "category": Text("assettype"),
    "location": ScopedRef(Entity.LOCATIONS, "location"),
    "parent": ScopedRef(Entity.ASSETS, "parent"),
    "manufacturer": Text("manufacturer"),
    "serial_number": Text("serialnum"),
    "install_date": Day("installdate"),
}
_LOCATION: Final = {
    "code": Text("location"),
    "name": First((Text("description"), Text("location"))),
    "type": Code("type", table=_LOCATION_TYPE, otherwise=LocationType.AREA),
    "status": Code("status_maxvalue", table=LOCATION_STATUS),
    "parent": ScopedRef(Entity.LOCATIONS, "parent"),
}
_INVENTORY_ITEM: Final = {
    "code": Text("itemnum"),
    "name": First((Text("description"), Text("itemnum"))),
    "description": Text("description"),
    "unit_of_measure": Text("issueunit"),
    "unit_cost": Number("avgcost"),
    "status": Code("status_maxvalue", table=ITEM_STATUS),
    "stock_levels": Rows("inventory", _STOCK),
    "total_on_hand": Sum("inventory", "curbaltotal"),
}
_VENDOR: Final = {
    "code": Text("company"),
    "name": First((Text("name"), Text("company"))),
    "status": Flags((("disabled", VendorStatus.INACTIVE),), VendorStatus.ACTIVE),
    "phone": Text("phone1"),
    "website": Text("homepage"),
    "currency": Text("currencycode"),
    "payment_terms": Text("paymentterms"),
}
_PURCHASE_ORDER: Final = {
    "number": Text("ponum"),
    "status": Code("status_maxvalue", table=PO_STATUS, writable=False, refine=_BY_RECEIPTS),
    "vendor": ScopedRef(Entity.VENDORS, "vendor", scope="orgid", pins=False),
    "order_date": Day("orderdate"),
    "required_date": Day("requireddate"),
    "expected_delivery_date": Day("vendeliverydate"),
    "currency": Text("currencycode"),
    "subtotal": Number("pretaxtotal"),
    "tax_total": Number("totaltax1"),
    "total": Number("totalcost"),
    "payment_terms": Text("paymentterms"),
    "buyer": Text("purchaseagent"),
    "notes": Text("description"),
    "lines": Rows("poline", _LINES),
}


#: Reads and writes: lean JSON, Maximo's own attribute names; a record without a name (its
#: description) is called by its number.
MAPPER: Final = Mapper(
    "Maximo",
    PLAIN,
    {
        Entity.WORK_ORDERS: RecordMap(
            _WORK_ORDER, created=Stamp("reportdate"), custom_fields=_RAW_STATUS
        ),
        Entity.ASSETS: RecordMap(_ASSET, custom_fields=_RAW_STATUS),
        Entity.LOCATIONS: RecordMap(_LOCATION, custom_fields=_RAW_STATUS),
        Entity.INVENTORY_ITEMS: RecordMap(_INVENTORY_ITEM),
        Entity.VENDORS: RecordMap(_VENDOR, derive=gathered("address", _ADDRESS)),
        Entity.PURCHASE_ORDERS: RecordMap(_PURCHASE_ORDER, custom_fields=_RAW_STATUS),
    },
)
