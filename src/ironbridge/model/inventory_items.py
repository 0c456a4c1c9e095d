"""Inventory items: the record with its stock levels, write bodies, and stock adjustments."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ironbridge.model.entities import Entity
from ironbridge.model.enums import InventoryItemStatus
from ironbridge.model.ids import LocationId, RemoteId
from ironbridge.model.inputs import InputModel
from ironbridge.model.record import Record
from ironbridge.model.values import (
    VISIBLE_CHARACTER,
    CurrencyCode,
    DecimalString,
    LongText,
    NonNegativeDecimal,
    NonZeroDecimal,
    Reference,
    ShortText,
)

__all__ = [
    "InventoryAdjustment",
    "InventoryItem",
    "InventoryItemCreate",
    "InventoryItemUpdate",
    "StockLevel",
]


class StockLevel(BaseModel):
    """The stock of one item at one location."""

    model_config = ConfigDict(extra="forbid")

    location: Reference = Field(description="The location (warehouse, bin) holding the stock.")
    on_hand: DecimalString = Field(description="Physically present, in the item's unit.")
    available: DecimalString = Field(
        description="On hand and free to use: on_hand minus reserved, as the source computes it."
    )
    reserved: DecimalString = Field(description="On hand but committed to orders or work orders.")
    reorder_point: DecimalString | None = Field(
        default=None, description="The level at which the source suggests reordering."
    )


class InventoryItem(Record):
    """A stocked material, spare part or consumable."""

    entity: ClassVar[Entity] = Entity.INVENTORY_ITEMS

    code: str | None = Field(default=None, description="The item code (SKU, part number).")
    name: str = Field(description="The item's short name.")
    description: str | None = Field(default=None, description="The item in more detail.")
    category: str | None = Field(
        default=None, description="The item group or category, as the source names it."
    )
    unit_of_measure: str | None = Field(
        default=None, description="The unit the item is stocked in, e.g. `EA`, `KG`."
    )
    unit_cost: DecimalString | None = Field(
        default=None, description="The standard or average cost of one unit, in `currency`."
    )
    currency: CurrencyCode | None = Field(default=None, description="ISO 4217 code of `unit_cost`.")
    status: InventoryItemStatus = Field(description="The item's normalized status.")
    stock_levels: list[StockLevel] = Field(
        default_factory=list,
        description="Stock per location; locations without stock may be omitted.",
    )
    total_on_hand: DecimalString | None = Field(
        default=None, description="On hand across all locations."
    )


class InventoryItemCreate(InputModel):
    """A new inventory item. The source assigns the code unless one is given."""

    code: ShortText | None = Field(
        default=None, description="The item code; the source assigns one when omitted."
    )
    name: ShortText = Field(description="The item's short name.")
    description: LongText | None = Field(default=None, description="The item in more detail.")
    category: ShortText | None = Field(default=None, description="The item group or category.")
    unit_of_measure: ShortText | None = Field(
        default=None, description="The unit the item is stocked in."
    )
    unit_cost: NonNegativeDecimal | None = Field(
        default=None, description="The cost of one unit, in `currency`."
    )
    currency: CurrencyCode | None = Field(default=None, description="ISO 4217 code of `unit_cost`.")
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="Source fields outside the unified model, by name."
    )


class InventoryItemUpdate(InputModel):
    """Changes to an inventory item; stock changes go through `InventoryAdjustment`."""

    non_nullable: ClassVar[frozenset[str]] = frozenset({"name", "status"})

    name: ShortText | None = Field(default=None, description="The item's short name.")
    description: LongText | None = Field(default=None, description="The item in more detail.")
    category: ShortText | None = Field(default=None, description="The item group or category.")
    unit_of_measure: ShortText | None = Field(
        default=None, description="The unit the item is stocked in."
    )
    unit_cost: NonNegativeDecimal | None = Field(
        default=None, description="The cost of one unit, in `currency`."
    )
    currency: CurrencyCode | None = Field(default=None, description="ISO 4217 code of `unit_cost`.")
    status: InventoryItemStatus | None = Field(default=None, description="A new status.")
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="Custom fields to set; fields not named stay as they are."
    )


class InventoryAdjustment(InputModel):
    """A change to the stock of an item at one location.

    Give exactly one of `quantity_delta` (add or remove, e.g. `-3`) or `new_count` (the result
    of a physical count), and a `reason` the source records with the movement.
    """

    references: ClassVar[Mapping[str, Entity]] = MappingProxyType({"location": Entity.LOCATIONS})
    required_references: ClassVar[frozenset[str]] = frozenset({"location"})
    exactly_one: ClassVar[tuple[tuple[str, str], ...]] = (("quantity_delta", "new_count"),)

    location_id: LocationId | None = Field(
        default=None, description="The ironbridge id of the stock location."
    )
    location_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the stock location (instead of `location_id`)."
    )
    quantity_delta: NonZeroDecimal | None = Field(
        default=None, description="The change in on-hand quantity; negative removes stock."
    )
    new_count: NonNegativeDecimal | None = Field(
        default=None, description="The counted on-hand quantity that replaces the current one."
    )
    reason: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=255, pattern=VISIBLE_CHARACTER
        ),
    ] = Field(description="Why the stock changes (count, damage, found...); 1 to 255 characters.")
