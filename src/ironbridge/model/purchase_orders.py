"""Purchase orders: the record, its lines, and the bodies that create and update one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from ironbridge.model.entities import Entity
from ironbridge.model.enums import PurchaseOrderStatus
from ironbridge.model.ids import InventoryItemId, LocationId, RemoteId, VendorId
from ironbridge.model.inputs import InputModel
from ironbridge.model.record import Record
from ironbridge.model.values import (
    Address,
    CurrencyCode,
    DecimalString,
    LongText,
    NonNegativeDecimal,
    PositiveDecimal,
    Reference,
    ShortText,
)

__all__ = [
    "PurchaseOrder",
    "PurchaseOrderCreate",
    "PurchaseOrderLine",
    "PurchaseOrderLineCreate",
    "PurchaseOrderUpdate",
]


class PurchaseOrderLine(BaseModel):
    """One ordered item (or free-text service) on a purchase order."""

    model_config = ConfigDict(extra="forbid")

    remote_id: str | None = Field(
        default=None, description="The line's own id in the source system, when it has one."
    )
    line_number: int = Field(ge=0, description="The line's position as the source numbers it.")
    item: Reference | None = Field(
        default=None, description="The ordered inventory item; null for free-text lines."
    )
    item_code: str | None = Field(default=None, description="The item's code in the source.")
    description: str | None = Field(default=None, description="What is ordered, in words.")
    quantity: DecimalString = Field(description="The ordered quantity, in `unit_of_measure`.")
    quantity_received: DecimalString = Field(
        description="The quantity received so far, in `unit_of_measure`."
    )
    unit_of_measure: str | None = Field(
        default=None, description="The unit of `quantity` as the source writes it, e.g. `EA`."
    )
    unit_price: DecimalString | None = Field(
        default=None, description="Price per unit in the order's currency."
    )
    line_total: DecimalString | None = Field(
        default=None, description="The line amount before tax: quantity times unit price."
    )
    required_date: date | None = Field(
        default=None, description="When this line is needed, if it differs from the order's."
    )
    location: Reference | None = Field(
        default=None, description="Where the line is to be delivered (warehouse, site)."
    )


class PurchaseOrder(Record):
    """An order for goods or services placed with a vendor."""

    entity: ClassVar[Entity] = Entity.PURCHASE_ORDERS

    number: str | None = Field(
        default=None, description="The order number people see in the source system."
    )
    status: PurchaseOrderStatus = Field(description="The order's normalized status.")
    vendor: Reference | None = Field(default=None, description="The vendor ordered from.")
    order_date: date | None = Field(default=None, description="The date of the order.")
    required_date: date | None = Field(default=None, description="When the buyer needs the goods.")
    expected_delivery_date: date | None = Field(
        default=None, description="When the vendor is expected to deliver."
    )
    currency: CurrencyCode | None = Field(
        default=None, description="ISO 4217 code of every amount on the order."
    )
    subtotal: DecimalString | None = Field(
        default=None, description="Sum of the line totals, before tax."
    )
    tax_total: DecimalString | None = Field(default=None, description="Total tax on the order.")
    total: DecimalString | None = Field(
        default=None, description="The order amount including tax: subtotal + tax_total."
    )
    payment_terms: str | None = Field(
        default=None, description="Payment terms as the source names them, e.g. `Net 30`."
    )
    ship_to: Address | None = Field(default=None, description="Where the goods are delivered.")
    bill_to: Address | None = Field(default=None, description="Where the invoice is sent.")
    buyer: str | None = Field(default=None, description="The person responsible for the order.")
    notes: str | None = Field(default=None, description="Free-text remarks on the order.")
    lines: list[PurchaseOrderLine] = Field(
        default_factory=list, description="The ordered lines, in line-number order."
    )


class PurchaseOrderLineCreate(InputModel):
    """One line of a purchase order to write: an item reference or a description, or both."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": [name], "properties": {name: {"not": {"type": "null"}}}}
                for name in ("item_id", "item_remote_id", "description")
            ]
        }
    )

    references: ClassVar[Mapping[str, Entity]] = MappingProxyType(
        {"item": Entity.INVENTORY_ITEMS, "location": Entity.LOCATIONS}
    )

    item_id: InventoryItemId | None = Field(
        default=None, description="The ironbridge id of the item ordered."
    )
    item_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the item ordered (instead of `item_id`)."
    )
    description: ShortText | None = Field(
        default=None, description="What is ordered; required for lines without an item."
    )
    quantity: PositiveDecimal = Field(description="The quantity to order.")
    unit_of_measure: ShortText | None = Field(
        default=None, description="The unit of `quantity`; the item's own unit when omitted."
    )
    unit_price: NonNegativeDecimal | None = Field(
        default=None, description="Price per unit; the source's price list applies when omitted."
    )
    required_date: date | None = Field(default=None, description="When this line is needed.")
    location_id: LocationId | None = Field(
        default=None, description="The ironbridge id of the delivery location."
    )
    location_remote_id: RemoteId | None = Field(
        default=None,
        description="The source id of the delivery location (instead of `location_id`).",
    )

    @model_validator(mode="after")
    def _item_or_description(self) -> Self:
        if self.item_id is None and self.item_remote_id is None and self.description is None:
            raise PydanticCustomError(
                "line_undescribed",
                "A line needs an item ({field} or item_remote_id) or a description.",
                {"field": "item_id"},
            )
        return self


class PurchaseOrderCreate(InputModel):
    """A new purchase order. The source assigns the number unless one is given."""

    references: ClassVar[Mapping[str, Entity]] = MappingProxyType({"vendor": Entity.VENDORS})
    required_references: ClassVar[frozenset[str]] = frozenset({"vendor"})

    number: ShortText | None = Field(
        default=None, description="The order number; the source assigns one when omitted."
    )
    vendor_id: VendorId | None = Field(
        default=None, description="The ironbridge id of the vendor to order from."
    )
    vendor_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the vendor (instead of `vendor_id`)."
    )
    order_date: date | None = Field(
        default=None, description="The date of the order; today when omitted."
    )
    required_date: date | None = Field(default=None, description="When the goods are needed.")
    expected_delivery_date: date | None = Field(
        default=None, description="When the vendor is expected to deliver."
    )
    currency: CurrencyCode | None = Field(
        default=None,
        description="ISO 4217 code of the amounts; the vendor's currency when omitted.",
    )
    payment_terms: ShortText | None = Field(
        default=None, description="Payment terms; the vendor's terms when omitted."
    )
    ship_to: Address | None = Field(default=None, description="Where the goods are delivered.")
    bill_to: Address | None = Field(default=None, description="Where the invoice is sent.")
    buyer: ShortText | None = Field(default=None, description="The person responsible.")
    notes: LongText | None = Field(default=None, description="Free-text remarks.")
    lines: list[PurchaseOrderLineCreate] = Field(
        min_length=1, description="The lines to order; at least one."
    )
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="Source fields outside the unified model, by name."
    )


class PurchaseOrderUpdate(InputModel):
    """Changes to a purchase order; omitted fields stay as they are, null clears a field."""

    references: ClassVar[Mapping[str, Entity]] = MappingProxyType({"vendor": Entity.VENDORS})
    non_nullable: ClassVar[frozenset[str]] = frozenset(
        {"vendor_id", "vendor_remote_id", "status", "lines"}
    )

    vendor_id: VendorId | None = Field(
        default=None, description="The ironbridge id of the vendor to order from."
    )
    vendor_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the vendor (instead of `vendor_id`)."
    )
    status: PurchaseOrderStatus | None = Field(
        default=None, description="A new status, where the source allows the transition."
    )
    order_date: date | None = Field(default=None, description="The date of the order.")
    required_date: date | None = Field(default=None, description="When the goods are needed.")
    expected_delivery_date: date | None = Field(
        default=None, description="When the vendor is expected to deliver."
    )
    currency: CurrencyCode | None = Field(default=None, description="ISO 4217 code of the amounts.")
    payment_terms: ShortText | None = Field(default=None, description="Payment terms.")
    ship_to: Address | None = Field(
        default=None, description="Where the goods are delivered; replaces the whole address."
    )
    bill_to: Address | None = Field(
        default=None, description="Where the invoice is sent; replaces the whole address."
    )
    buyer: ShortText | None = Field(default=None, description="The person responsible.")
    notes: LongText | None = Field(default=None, description="Free-text remarks.")
    lines: list[PurchaseOrderLineCreate] | None = Field(
        default=None, min_length=1, description="The complete new set of lines; replaces all lines."
    )
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="Custom fields to set; fields not named stay as they are."
    )
