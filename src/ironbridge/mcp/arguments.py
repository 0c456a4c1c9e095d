"""The arguments of the read tools and the control arguments of every write tool, as models:
each tool's input schema is generated from the model that validates its arguments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from ..errors import ValidationFailed
from ..idempotency import KEY_PATTERN
from ..model import Entity, WorkOrderStatus, field_errors

__all__ = [
    "MAX_LIMIT",
    "ControlArgs",
    "GetArgs",
    "ListArgs",
    "NoArgs",
    "RecordControlArgs",
    "WorkOrderStatusChange",
    "parse_args",
]

#: The largest page a tool returns: an agent's context is smaller than an integration's buffer.
MAX_LIMIT = 100

ArgsT = TypeVar("ArgsT", bound=BaseModel)

RecordId = Annotated[
    str, Field(min_length=1, max_length=64, description="The ironbridge id of the record.")
]


class _Args(BaseModel):
    # A misspelt argument is an error, never a silently ignored filter.
    model_config = ConfigDict(extra="forbid")


class NoArgs(_Args):
    """A tool without arguments."""


class ListArgs(_Args):
    entity: Entity = Field(description="Which records to list.")
    filters: dict[str, Annotated[str, Field(max_length=255)]] = Field(
        default_factory=dict,
        description=(
            'Entity filters, as the REST list takes them, e.g. {"status": "approved", '
            '"vendor_id": "ven_…"}; `describe_connection` lists each entity\'s filters.'
        ),
    )
    modified_after: datetime | None = Field(
        None, description="Only records changed after this time (ISO 8601; UTC if no offset)."
    )
    modified_before: datetime | None = Field(
        None, description="Only records changed before this time (ISO 8601; UTC if no offset)."
    )
    include_deleted: StrictBool = Field(False, description="Also records deleted at the source.")
    expand: str | None = Field(
        None,
        max_length=255,
        description="Comma-separated references to embed, e.g. `vendor,lines.item`.",
    )
    cursor: str | None = Field(
        None,
        max_length=512,
        description="The `next_cursor` of the previous page; omit for the first page.",
    )
    limit: int = Field(25, ge=1, le=MAX_LIMIT, description="Records per page.")

    def aware(self, value: datetime | None) -> datetime | None:
        """`value` with UTC when it was given without an offset, as the REST API reads it."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class GetArgs(_Args):
    entity: Entity = Field(description="The kind of record.")
    record_id: RecordId
    expand: str | None = Field(
        None, max_length=255, description="Comma-separated references to embed."
    )


class ControlArgs(_Args):
    """What every write tool takes beside the write body."""

    idempotency_key: str = Field(
        pattern=KEY_PATTERN,
        max_length=255,
        description=(
            "Your unique key for this write (e.g. a UUID). The same key and arguments within "
            "24 h return the first answer without writing again (as the REST API's "
            "`Idempotency-Key` does); the same key with other arguments is refused."
        ),
    )
    dry_run: StrictBool = Field(
        False,
        description=(
            "Check the write (capability, fields, referenced records) and return what would be "
            "sent, without sending it; the system's own business rules are checked only by the "
            "real write."
        ),
    )


class RecordControlArgs(ControlArgs):
    """The control arguments of a write to one existing record."""

    record_id: RecordId


def parse_args(model: type[ArgsT], arguments: dict[str, Any]) -> ArgsT:
    """`arguments` validated as `model`; `ValidationFailed` naming each bad argument."""
    try:
        return model.model_validate(arguments)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None


class WorkOrderStatusChange(_Args):
    """The body of `change_work_order_status`: the one field a status change sets."""

    status: WorkOrderStatus = Field(description="The work order's new status.")
