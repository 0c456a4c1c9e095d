"""Assets: the record and the bodies that create and update one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, ClassVar

from pydantic import Field

from ironbridge.model.entities import Entity
from ironbridge.model.enums import AssetCriticality, AssetStatus
from ironbridge.model.ids import AssetId, LocationId, RemoteId
from ironbridge.model.inputs import InputModel
from ironbridge.model.record import Record
from ironbridge.model.values import LongText, Reference, ShortText

__all__ = ["Asset", "AssetCreate", "AssetUpdate"]


class Asset(Record):
    """A maintained piece of equipment: a pump, a vehicle, a production line."""

    entity: ClassVar[Entity] = Entity.ASSETS

    tag: str | None = Field(
        default=None, description="The asset number or tag painted on the equipment."
    )
    name: str = Field(description="The asset's name.")
    description: str | None = Field(default=None, description="The asset in more detail.")
    status: AssetStatus = Field(description="The asset's normalized operating state.")
    category: str | None = Field(
        default=None, description="The asset class or category, as the source names it."
    )
    location: Reference | None = Field(default=None, description="Where the asset is installed.")
    parent: Reference | None = Field(
        default=None, description="The asset this one is part of (a motor's pump), if any."
    )
    manufacturer: str | None = Field(default=None, description="Who made the asset.")
    model: str | None = Field(default=None, description="The manufacturer's model designation.")
    serial_number: str | None = Field(default=None, description="The manufacturer's serial number.")
    install_date: date | None = Field(
        default=None, description="When the asset was installed or commissioned."
    )
    criticality: AssetCriticality | None = Field(
        default=None, description="How much a failure of the asset matters."
    )


class AssetCreate(InputModel):
    """A new asset. The source assigns the tag unless one is given."""

    references: ClassVar[Mapping[str, Entity]] = MappingProxyType(
        {"location": Entity.LOCATIONS, "parent": Entity.ASSETS}
    )

    tag: ShortText | None = Field(
        default=None, description="The asset tag; the source assigns one when omitted."
    )
    name: ShortText = Field(description="The asset's name.")
    description: LongText | None = Field(default=None, description="The asset in more detail.")
    category: ShortText | None = Field(default=None, description="The asset class or category.")
    location_id: LocationId | None = Field(
        default=None, description="The ironbridge id of the location."
    )
    location_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the location (instead of `location_id`)."
    )
    parent_id: AssetId | None = Field(
        default=None, description="The ironbridge id of the parent asset."
    )
    parent_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the parent asset (instead of `parent_id`)."
    )
    manufacturer: ShortText | None = Field(default=None, description="Who made the asset.")
    model: ShortText | None = Field(default=None, description="The model designation.")
    serial_number: ShortText | None = Field(default=None, description="The serial number.")
    install_date: date | None = Field(default=None, description="When it was installed.")
    criticality: AssetCriticality | None = Field(
        default=None, description="How much a failure matters."
    )
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="Source fields outside the unified model, by name."
    )


class AssetUpdate(InputModel):
    """Changes to an asset; omitted fields stay as they are, null clears a field."""

    references: ClassVar[Mapping[str, Entity]] = MappingProxyType(
        {"location": Entity.LOCATIONS, "parent": Entity.ASSETS}
    )
    non_nullable: ClassVar[frozenset[str]] = frozenset({"name", "status"})

    name: ShortText | None = Field(default=None, description="The asset's name.")
    description: LongText | None = Field(default=None, description="The asset in more detail.")
    status: AssetStatus | None = Field(default=None, description="A new operating state.")
    category: ShortText | None = Field(default=None, description="The asset class or category.")
    location_id: LocationId | None = Field(
        default=None, description="The ironbridge id of the location."
    )
    location_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the location (instead of `location_id`)."
    )
    parent_id: AssetId | None = Field(
        default=None, description="The ironbridge id of the parent asset."
    )
    parent_remote_id: RemoteId | None = Field(
        default=None, description="The source id of the parent asset (instead of `parent_id`)."
    )
    manufacturer: ShortText | None = Field(default=None, description="Who made the asset.")
    model: ShortText | None = Field(default=None, description="The model designation.")
    serial_number: ShortText | None = Field(default=None, description="The serial number.")
    install_date: date | None = Field(default=None, description="When it was installed.")
    criticality: AssetCriticality | None = Field(
        default=None, description="How much a failure matters."
    )
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="Custom fields to set; fields not named stay as they are."
    )
