"""Where each unified entity lives in Business Central's API v2.0, under a company."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from ironbridge.model import Entity

__all__ = ["CHANGE", "KEY", "RESOURCES", "Resource"]

#: Every API v2.0 entity is keyed by its SystemId, sent as `id` (a GUID).
KEY: Final = "id"
#: SystemModifiedAt, shown to the millisecond.
CHANGE: Final = "lastModifiedDateTime"


@dataclass(frozen=True)
class Resource:
    """One unified entity's entity set, and what is read with each record."""

    entity_set: str
    expand: tuple[str, ...] = ()


RESOURCES: Final[Mapping[Entity, Resource]] = MappingProxyType(
    {
        # Lines carry no change time: they come with their header, read again when it changes.
        Entity.PURCHASE_ORDERS: Resource("purchaseOrders", expand=("purchaseOrderLines",)),
        Entity.VENDORS: Resource("vendors"),
        Entity.INVENTORY_ITEMS: Resource("items"),
        Entity.LOCATIONS: Resource("locations"),
        Entity.ASSETS: Resource("fixedAssets"),
    }
)
