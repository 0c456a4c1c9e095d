"""Where each unified entity lives in Business Central's API v2.0, under a company."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from ironbridge.connectors.protocols.odata_v4 import EntitySet
from ironbridge.model import Entity

__all__ = ["CHANGE", "KEY", "RESOURCES"]

#: Every API v2.0 entity is keyed by its SystemId, sent as `id` (a GUID).
KEY: Final = "id"
#: SystemModifiedAt, shown to the millisecond.
CHANGE: Final = "lastModifiedDateTime"

RESOURCES: Final[Mapping[Entity, EntitySet]] = MappingProxyType(
    {
        # Lines carry no change time: they come with their header, read again when it changes.
        Entity.PURCHASE_ORDERS: EntitySet("purchaseOrders", expand=("purchaseOrderLines",)),
        # Vendors and items are webhook-enabled; the other sets are only polled.
        Entity.VENDORS: EntitySet("vendors", webhooks=True),
        Entity.INVENTORY_ITEMS: EntitySet("items", webhooks=True),
        Entity.LOCATIONS: EntitySet("locations"),
        Entity.ASSETS: EntitySet("fixedAssets"),
    }
)
