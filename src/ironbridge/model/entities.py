"""The kinds of record the unified API serves."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Entity"]


class Entity(StrEnum):
    """One kind of unified record; the value is the entity's URL segment (`/v1/{entity}`)."""

    PURCHASE_ORDERS = "purchase-orders"
    WORK_ORDERS = "work-orders"
    INVENTORY_ITEMS = "inventory-items"
    VENDORS = "vendors"
    ASSETS = "assets"
    LOCATIONS = "locations"

    @property
    def event_name(self) -> str:
        """The singular name in event types: `purchase_order` in `purchase_order.updated`."""
        return _EVENT_NAMES[self]

    @property
    def label(self) -> str:
        """The singular name in words, for messages people read, e.g. `purchase order`."""
        return _EVENT_NAMES[self].replace("_", " ")

    @property
    def a_label(self) -> str:
        """The label with its indefinite article, e.g. `an inventory item`, `a vendor`."""
        label = self.label
        return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


# A table rather than string surgery on the value: event names are public and must never
# change because someone renames a URL segment.
_EVENT_NAMES: dict[Entity, str] = {
    Entity.PURCHASE_ORDERS: "purchase_order",
    Entity.WORK_ORDERS: "work_order",
    Entity.INVENTORY_ITEMS: "inventory_item",
    Entity.VENDORS: "vendor",
    Entity.ASSETS: "asset",
    Entity.LOCATIONS: "location",
}
