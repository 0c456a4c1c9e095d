"""Per entity: its record model, its write bodies, the filters its list endpoint accepts and the
references its reads can expand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from ironbridge.model.assets import Asset, AssetCreate, AssetUpdate
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
from ironbridge.model.inputs import InputModel
from ironbridge.model.inventory_items import InventoryItem, InventoryItemCreate, InventoryItemUpdate
from ironbridge.model.locations import Location, LocationCreate, LocationUpdate
from ironbridge.model.purchase_orders import PurchaseOrder, PurchaseOrderCreate, PurchaseOrderUpdate
from ironbridge.model.record import Record
from ironbridge.model.vendors import Vendor, VendorCreate, VendorUpdate
from ironbridge.model.work_orders import WorkOrder, WorkOrderCreate, WorkOrderUpdate

__all__ = [
    "CREATE_MODELS",
    "FILTERS",
    "FILTER_FIELDS",
    "MODELS",
    "REFERENCE_FIELDS",
    "UPDATE_MODELS",
    "FilterField",
    "ReferenceField",
]

#: The record model of each entity.
MODELS: Final[Mapping[Entity, type[Record]]] = MappingProxyType(
    {
        model.entity: model
        for model in (PurchaseOrder, WorkOrder, InventoryItem, Vendor, Asset, Location)
    }
)

#: The body of `POST /v1/{entity}` for each entity.
CREATE_MODELS: Final[Mapping[Entity, type[InputModel]]] = MappingProxyType(
    {
        Entity.PURCHASE_ORDERS: PurchaseOrderCreate,
        Entity.WORK_ORDERS: WorkOrderCreate,
        Entity.INVENTORY_ITEMS: InventoryItemCreate,
        Entity.VENDORS: VendorCreate,
        Entity.ASSETS: AssetCreate,
        Entity.LOCATIONS: LocationCreate,
    }
)

#: The body of `PATCH /v1/{entity}/{id}` for each entity.
UPDATE_MODELS: Final[Mapping[Entity, type[InputModel]]] = MappingProxyType(
    {
        Entity.PURCHASE_ORDERS: PurchaseOrderUpdate,
        Entity.WORK_ORDERS: WorkOrderUpdate,
        Entity.INVENTORY_ITEMS: InventoryItemUpdate,
        Entity.VENDORS: VendorUpdate,
        Entity.ASSETS: AssetUpdate,
        Entity.LOCATIONS: LocationUpdate,
    }
)


@dataclass(frozen=True, slots=True)
class FilterField:
    """A query parameter of `GET /v1/{entity}` that selects records by one field's value.

    `path` is the dotted path of the value inside the unified record (`vendor.id`), so a store
    can filter on the stored JSON without knowing each entity. `choices` is the enum of allowed
    values, or None for free text (categories, ids).
    """

    name: str
    path: str
    description: str
    choices: type[StrEnum] | None = None


def _status(choices: type[StrEnum]) -> FilterField:
    return FilterField("status", "status", "Only records with this normalized status.", choices)


_ID_FILTER = "Only records that reference this ironbridge {} id."

#: The filters each entity's list endpoint accepts, by entity, then by query-parameter name.
FILTER_FIELDS: Final[Mapping[Entity, Mapping[str, FilterField]]] = MappingProxyType(
    {
        entity: MappingProxyType({field.name: field for field in fields})
        for entity, fields in {
            Entity.PURCHASE_ORDERS: (
                _status(PurchaseOrderStatus),
                FilterField("vendor_id", "vendor.id", _ID_FILTER.format("vendor")),
            ),
            Entity.WORK_ORDERS: (
                _status(WorkOrderStatus),
                FilterField(
                    "priority", "priority", "Only work orders of this priority.", WorkOrderPriority
                ),
                FilterField("type", "type", "Only work orders of this type.", WorkOrderType),
                FilterField("asset_id", "asset.id", _ID_FILTER.format("asset")),
                FilterField("location_id", "location.id", _ID_FILTER.format("location")),
            ),
            Entity.INVENTORY_ITEMS: (
                _status(InventoryItemStatus),
                FilterField("category", "category", "Only items in this category (exact match)."),
            ),
            Entity.VENDORS: (_status(VendorStatus),),
            Entity.ASSETS: (
                _status(AssetStatus),
                FilterField("category", "category", "Only assets in this category (exact match)."),
                FilterField("location_id", "location.id", _ID_FILTER.format("location")),
                FilterField(
                    "criticality",
                    "criticality",
                    "Only assets of this criticality.",
                    AssetCriticality,
                ),
            ),
            Entity.LOCATIONS: (
                _status(LocationStatus),
                FilterField("type", "type", "Only locations of this type.", LocationType),
                FilterField("parent_id", "parent.id", _ID_FILTER.format("location")),
            ),
        }.items()
    }
)

#: The names of the filters each entity's list endpoint accepts.
FILTERS: Final[Mapping[Entity, tuple[str, ...]]] = MappingProxyType(
    {entity: tuple(fields) for entity, fields in FILTER_FIELDS.items()}
)


@dataclass(frozen=True, slots=True)
class ReferenceField:
    """A reference inside an entity's records that reads can expand (`expand=lines.item`).

    `path` leads from the record to the reference; a step through a list (`lines`) goes into
    each of its rows. `target` is the entity of the referenced records.
    """

    path: tuple[str, ...]
    target: Entity

    @property
    def name(self) -> str:
        """The value of `expand` that names this reference: the path joined by dots."""
        return ".".join(self.path)

    def holders(self, record: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The objects in `record` (unified JSON data) that hold this reference under the last
        step of `path`: the record itself, or each row of the list the path goes through."""
        nodes: list[Any] = [record]
        for step in self.path[:-1]:
            children: list[Any] = []
            for node in nodes:
                value = node.get(step)
                children += value if isinstance(value, list) else [value]
            nodes = [child for child in children if isinstance(child, dict)]
        return nodes


def _ref(path: str, target: Entity) -> ReferenceField:
    return ReferenceField(tuple(path.split(".")), target)


#: Every reference of each entity's records, by its `expand` name. Nested references (an order
#: line's item, a stock level's location) count: each row's reference is expanded.
REFERENCE_FIELDS: Final[Mapping[Entity, Mapping[str, ReferenceField]]] = MappingProxyType(
    {
        entity: MappingProxyType({field.name: field for field in fields})
        for entity, fields in {
            Entity.PURCHASE_ORDERS: (
                _ref("vendor", Entity.VENDORS),
                _ref("lines.item", Entity.INVENTORY_ITEMS),
                _ref("lines.location", Entity.LOCATIONS),
            ),
            Entity.WORK_ORDERS: (
                _ref("asset", Entity.ASSETS),
                _ref("location", Entity.LOCATIONS),
                _ref("parts_used.item", Entity.INVENTORY_ITEMS),
            ),
            Entity.INVENTORY_ITEMS: (_ref("stock_levels.location", Entity.LOCATIONS),),
            Entity.VENDORS: (),
            Entity.ASSETS: (
                _ref("location", Entity.LOCATIONS),
                _ref("parent", Entity.ASSETS),
            ),
            Entity.LOCATIONS: (_ref("parent", Entity.LOCATIONS),),
        }.items()
    }
)
