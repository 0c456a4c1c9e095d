"""The unified data model: one shape per entity, whatever system a connection reads from.

Records (`PurchaseOrder`, `WorkOrder`, ...) are what the unified API returns and what connectors'
`to_unified` must produce. Write bodies (`*Create`, `*Update`, `InventoryAdjustment`) are what the
API accepts. `MODELS`, `CREATE_MODELS`, `UPDATE_MODELS`, `FILTER_FIELDS` and `REFERENCE_FIELDS` tie
them to an `Entity`.
"""

from ironbridge.model.assets import Asset, AssetCreate, AssetUpdate
from ironbridge.model.catalog import (
    CREATE_MODELS,
    FILTER_FIELDS,
    FILTERS,
    MODELS,
    REFERENCE_FIELDS,
    UPDATE_MODELS,
    FilterField,
    ReferenceField,
)
from ironbridge.model.entities import Entity
from ironbridge.model.enums import (
    AssetCriticality,
    AssetStatus,
    InventoryItemStatus,
    LocationStatus,
    LocationType,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)
from ironbridge.model.ids import (
    ID_NAMESPACE,
    ID_PREFIXES,
    AssetId,
    InventoryItemId,
    LocationId,
    PurchaseOrderId,
    RemoteId,
    VendorId,
    WorkOrderId,
    entity_of_id,
    id_pattern,
    record_id,
)
from ironbridge.model.inputs import (
    InputModel,
    Resolver,
    field_errors,
    parse_input,
    resolve_references,
)
from ironbridge.model.inventory_items import (
    InventoryAdjustment,
    InventoryItem,
    InventoryItemCreate,
    InventoryItemUpdate,
    StockLevel,
)
from ironbridge.model.locations import Location, LocationCreate, LocationUpdate
from ironbridge.model.purchase_orders import (
    PurchaseOrder,
    PurchaseOrderCreate,
    PurchaseOrderLine,
    PurchaseOrderLineCreate,
    PurchaseOrderUpdate,
)
from ironbridge.model.record import Record
from ironbridge.model.values import (
    Address,
    CountryCode,
    CurrencyCode,
    DecimalString,
    LongText,
    NonNegativeDecimal,
    PositiveDecimal,
    Reference,
    ShortText,
    UtcDatetime,
)
from ironbridge.model.vendors import Vendor, VendorCreate, VendorUpdate
from ironbridge.model.work_orders import (
    WorkOrder,
    WorkOrderCreate,
    WorkOrderPart,
    WorkOrderPartInput,
    WorkOrderUpdate,
)

__all__ = [
    "CREATE_MODELS",
    "FILTERS",
    "FILTER_FIELDS",
    "ID_NAMESPACE",
    "ID_PREFIXES",
    "MODELS",
    "REFERENCE_FIELDS",
    "UPDATE_MODELS",
    "Address",
    "Asset",
    "AssetCreate",
    "AssetCriticality",
    "AssetId",
    "AssetStatus",
    "AssetUpdate",
    "CountryCode",
    "CurrencyCode",
    "DecimalString",
    "Entity",
    "FilterField",
    "InputModel",
    "InventoryAdjustment",
    "InventoryItem",
    "InventoryItemCreate",
    "InventoryItemId",
    "InventoryItemStatus",
    "InventoryItemUpdate",
    "Location",
    "LocationCreate",
    "LocationId",
    "LocationStatus",
    "LocationType",
    "LocationUpdate",
    "LongText",
    "NonNegativeDecimal",
    "PositiveDecimal",
    "PurchaseOrder",
    "PurchaseOrderCreate",
    "PurchaseOrderId",
    "PurchaseOrderLine",
    "PurchaseOrderLineCreate",
    "PurchaseOrderStatus",
    "PurchaseOrderUpdate",
    "Record",
    "Reference",
    "ReferenceField",
    "RemoteId",
    "Resolver",
    "ShortText",
    "StockLevel",
    "UtcDatetime",
    "Vendor",
    "VendorCreate",
    "VendorId",
    "VendorStatus",
    "VendorUpdate",
    "WorkOrder",
    "WorkOrderCreate",
    "WorkOrderId",
    "WorkOrderPart",
    "WorkOrderPartInput",
    "WorkOrderPriority",
    "WorkOrderStatus",
    "WorkOrderType",
    "WorkOrderUpdate",
    "entity_of_id",
    "field_errors",
    "id_pattern",
    "parse_input",
    "record_id",
    "resolve_references",
]
