"""Work orders: the record, the parts it used, and the bodies that create and update one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from ironbridge.model.entities import Entity
from ironbridge.model.enums import WorkOrderPriority, WorkOrderStatus, WorkOrderType
from ironbridge.model.ids import AssetId, InventoryItemId, LocationId, RemoteId
from ironbridge.model.inputs import InputModel
from ironbridge.model.record import Record
from ironbridge.model.values import (
    DecimalString,
    LongText,
    NonNegativeDecimal,
    PositiveDecimal,
    Reference,
    ShortText,
    UtcDatetime,
)

__all__ = [
    "WorkOrder",
    "WorkOrderCreate",
    "WorkOrderPart",
    "WorkOrderPartInput",
    "WorkOrderUpdate",
]


class WorkOrderPart(BaseModel):
    """An inventory item issued to, or planned for, a work order."""

    model_config = ConfigDict(extra="forbid")

    item: Reference | None = Field(default=None, description="The inventory item used.")
    item_code: str | None = Field(default=None, description="The item's code in the source.")
    description: str | None = Field(default=None, description="The part in words.")
    quantity: DecimalString = Field(description="The quantity used, in `unit_of_measure`.")
    unit_of_measure: str | None = Field(
        default=None, description="The unit of `quantity` as the source writes it, e.g. `EA`."
    )


class WorkOrder(Record):
    """A maintenance job on an asset or at a location."""

    entity: ClassVar[Entity] = Entity.WORK_ORDERS

    number: str | None = Field(
        default=None, description="The work order number people see in the source system."
    )
    title: str = Field(description="A one-line summary of the job.")
    description: str | None = Field(default=None, description="The job in detail.")
    status: WorkOrderStatus = Field(description="The work order's normalized status.")
    priority: WorkOrderPriority | None = Field(
        default=None, description="How soon the job should be done."
    )
    type: WorkOrderType | None = Field(default=None, description="Why the job exists.")
    asset: Reference | None = Field(default=None, description="The asset worked on.")
    location: Reference | None = Field(default=None, description="Where the work takes place.")
    assignee: str | None = Field(
        default=None, description="The person or crew the job is assigned to."
    )
    requester: str | None = Field(default=None, description="Who asked for the job.")
    scheduled_start: UtcDatetime | None = Field(
        default=None, description="When the work is planned to start (UTC)."
    )
    scheduled_end: UtcDatetime | None = Field(
        default=None, description="When the work is planned to end (UTC)."
    )
    actual_start: UtcDatetime | None = Field(
        default=None, description="When the work actually started (UTC)."
    )
    actual_end: UtcDatetime | None = Field(
        default=None, description="When the work actually ended (UTC)."
    )
    due_date: date | None = Field(default=None, description="The date the job must be done by.")
    estimated_hours: DecimalString | None = Field(
        default=None, description="Planned labour, in hours."
    )
    actual_hours: DecimalString | None = Field(
        default=None, description="Labour booked so far, in hours."
    )
    parts_used: list[WorkOrderPart] = Field(
        default_factory=list, description="Inventory items issued to the job."
    )
    completion_notes: str | None = Field(
        default=None, description="What was found and done, written on completion."
    )


class WorkOrderPartInput(InputModel):
    """A part to record against a work order."""

    references: ClassVar[Mapping[str, Entity]] = MappingProxyType({"item": Entity.INVENTORY_ITEMS})
    required_references: ClassVar[frozenset[str]] = frozenset({"item"})

    item_id: InventoryItemId | None = Field(
        default=None, description="The ironbridge id of the item used."
    )
    item_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the item used (instead of `item_id`)."
    )
    quantity: PositiveDecimal = Field(description="The quantity used.")
    unit_of_measure: ShortText | None = Field(
        default=None, description="The unit of `quantity`; the item's own unit when omitted."
    )


class WorkOrderCreate(InputModel):
    """A new work order. The source assigns the number unless one is given."""

    references: ClassVar[Mapping[str, Entity]] = MappingProxyType(
        {"asset": Entity.ASSETS, "location": Entity.LOCATIONS}
    )
    ordered_times: ClassVar[tuple[tuple[str, str], ...]] = (("scheduled_start", "scheduled_end"),)

    number: ShortText | None = Field(
        default=None, description="The work order number; the source assigns one when omitted."
    )
    title: ShortText = Field(description="A one-line summary of the job.")
    description: LongText | None = Field(default=None, description="The job in detail.")
    priority: WorkOrderPriority | None = Field(
        default=None,
        description="How soon the job should be done; the source default when omitted.",
    )
    type: WorkOrderType | None = Field(
        default=None, description="Why the job exists; the source default when omitted."
    )
    asset_id: AssetId | None = Field(
        default=None, description="The ironbridge id of the asset to work on."
    )
    asset_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the asset (instead of `asset_id`)."
    )
    location_id: LocationId | None = Field(
        default=None, description="The ironbridge id of the location; the asset's when omitted."
    )
    location_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the location (instead of `location_id`)."
    )
    assignee: ShortText | None = Field(default=None, description="Who should do the job.")
    requester: ShortText | None = Field(default=None, description="Who asks for the job.")
    scheduled_start: UtcDatetime | None = Field(
        default=None, description="When the work should start."
    )
    scheduled_end: UtcDatetime | None = Field(
        default=None, description="When the work should end; not before `scheduled_start`."
    )
    due_date: date | None = Field(default=None, description="The date the job must be done by.")
    estimated_hours: NonNegativeDecimal | None = Field(
        default=None, description="Planned labour, in hours."
    )
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="Source fields outside the unified model, by name."
    )


class WorkOrderUpdate(InputModel):
    """Changes to a work order; omitted fields stay as they are, null clears a field."""

    references: ClassVar[Mapping[str, Entity]] = MappingProxyType(
        {"asset": Entity.ASSETS, "location": Entity.LOCATIONS}
    )
    non_nullable: ClassVar[frozenset[str]] = frozenset({"title", "status", "parts_used"})
    ordered_times: ClassVar[tuple[tuple[str, str], ...]] = (
        ("scheduled_start", "scheduled_end"),
        ("actual_start", "actual_end"),
    )

    title: ShortText | None = Field(default=None, description="A one-line summary of the job.")
    description: LongText | None = Field(default=None, description="The job in detail.")
    status: WorkOrderStatus | None = Field(
        default=None, description="A new status, where the source allows the transition."
    )
    priority: WorkOrderPriority | None = Field(
        default=None, description="How soon the job should be done."
    )
    type: WorkOrderType | None = Field(default=None, description="Why the job exists.")
    asset_id: AssetId | None = Field(
        default=None, description="The ironbridge id of the asset to work on."
    )
    asset_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the asset (instead of `asset_id`)."
    )
    location_id: LocationId | None = Field(
        default=None, description="The ironbridge id of the location."
    )
    location_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the location (instead of `location_id`)."
    )
    assignee: ShortText | None = Field(default=None, description="Who should do the job.")
    requester: ShortText | None = Field(default=None, description="Who asked for the job.")
    scheduled_start: UtcDatetime | None = Field(
        default=None, description="When the work should start."
    )
    scheduled_end: UtcDatetime | None = Field(default=None, description="When the work should end.")
    actual_start: UtcDatetime | None = Field(
        default=None, description="When the work actually started."
    )
    actual_end: UtcDatetime | None = Field(
        default=None, description="When the work actually ended."
    )
    due_date: date | None = Field(default=None, description="The date the job must be done by.")
    estimated_hours: NonNegativeDecimal | None = Field(
        default=None, description="Planned labour, in hours."
    )
    actual_hours: NonNegativeDecimal | None = Field(
        default=None, description="Labour booked, in hours."
    )
    parts_used: list[WorkOrderPartInput] | None = Field(
        default=None, description="The complete list of parts used; replaces the current list."
    )
    completion_notes: LongText | None = Field(default=None, description="What was found and done.")
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="Custom fields to set; fields not named stay as they are."
    )
