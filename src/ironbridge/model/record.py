"""The base of every unified record."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ironbridge.model.entities import Entity
from ironbridge.model.ids import ID_PREFIXES
from ironbridge.model.values import UtcDatetime

__all__ = ["Record"]


class Record(BaseModel):
    """Fields every unified record carries, whatever its entity and source system.

    Records are strict (`extra="forbid"`): a connector map that produces a field the model does
    not know fails validation instead of silently losing data.
    """

    model_config = ConfigDict(extra="forbid")

    #: The entity this model describes; set by each concrete record class.
    entity: ClassVar[Entity]

    id: str = Field(
        description=(
            "The stable ironbridge id of the record: the same for the life of the connection, "
            "prefixed by entity (e.g. `po_`)."
        ),
    )
    remote_id: str = Field(description="The record's id in the source system.")
    created_at: UtcDatetime | None = Field(
        default=None,
        description="When the source system created the record (UTC); null when it does not say.",
    )
    updated_at: UtcDatetime = Field(
        description=(
            "When the source system last changed the record (UTC). For a record the source "
            "keeps no change time for (SAP stock, plants and storage locations), when "
            "ironbridge first saw its current content. Changes to source fields outside the "
            "unified record leave it as it is."
        ),
    )
    deleted: bool = Field(
        default=False,
        description="True when the record no longer exists in the source system.",
    )
    custom_fields: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Source fields outside the unified model: user-defined fields of the source and any "
            "fields added by the connection's field mapping."
        ),
    )
    remote_data: dict[str, Any] | None = Field(
        default=None,
        description=(
            "The record exactly as the source system returned it; only with `include=remote_data`."
        ),
    )

    @model_validator(mode="after")
    def _id_belongs_to_entity(self) -> Self:
        # Record itself has no entity; only concrete records are checked.
        entity = getattr(type(self), "entity", None)
        if entity is not None and not self.id.startswith(ID_PREFIXES[entity]):
            raise ValueError(f"id {self.id!r} is not {entity.a_label} id")
        return self
