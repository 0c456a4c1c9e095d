"""Locations: the record and the bodies that create and update one."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from pydantic import Field

from ironbridge.model.entities import Entity
from ironbridge.model.enums import LocationStatus, LocationType
from ironbridge.model.ids import LocationId, RemoteId
from ironbridge.model.inputs import InputModel
from ironbridge.model.record import Record
from ironbridge.model.values import Address, Reference, ShortText

__all__ = ["Location", "LocationCreate", "LocationUpdate"]


class Location(Record):
    """A place: a site, a plant, a warehouse, an area or a bin; nested through `parent`."""

    entity: ClassVar[Entity] = Entity.LOCATIONS

    code: str | None = Field(default=None, description="The location code in the source.")
    name: str = Field(description="The location's name.")
    type: LocationType = Field(description="What kind of place this is.")
    status: LocationStatus = Field(description="Whether the location is in use.")
    parent: Reference | None = Field(
        default=None, description="The location this one lies within; null for a top-level site."
    )
    address: Address | None = Field(default=None, description="The postal address, if any.")


class LocationCreate(InputModel):
    """A new location. The source assigns the code unless one is given."""

    references: ClassVar[Mapping[str, Entity]] = MappingProxyType({"parent": Entity.LOCATIONS})

    code: ShortText | None = Field(
        default=None, description="The location code; the source assigns one when omitted."
    )
    name: ShortText = Field(description="The location's name.")
    type: LocationType = Field(description="What kind of place this is.")
    parent_id: LocationId | None = Field(
        default=None, description="The ironbridge id of the enclosing location."
    )
    parent_remote_id: RemoteId | None = Field(
        default=None,
        description="The source id of the enclosing location (instead of `parent_id`).",
    )
    address: Address | None = Field(default=None, description="The postal address.")
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="Source fields outside the unified model, by name."
    )


class LocationUpdate(InputModel):
    """Changes to a location; omitted fields stay as they are, null clears a field."""

    references: ClassVar[Mapping[str, Entity]] = MappingProxyType({"parent": Entity.LOCATIONS})
    non_nullable: ClassVar[frozenset[str]] = frozenset({"name", "type", "status"})

    name: ShortText | None = Field(default=None, description="The location's name.")
    type: LocationType | None = Field(default=None, description="What kind of place this is.")
    status: LocationStatus | None = Field(default=None, description="Whether it is in use.")
    parent_id: LocationId | None = Field(
        default=None, description="The ironbridge id of the enclosing location."
    )
    parent_remote_id: RemoteId | None = Field(
        default=None,
        description="The source id of the enclosing location (instead of `parent_id`).",
    )
    address: Address | None = Field(
        default=None, description="The postal address; replaces the whole address."
    )
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="Custom fields to set; fields not named stay as they are."
    )
