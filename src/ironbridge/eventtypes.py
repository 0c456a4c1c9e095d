"""The names of every webhook event type ironbridge emits."""

from __future__ import annotations

import re
from typing import Annotated, Final

from pydantic import WithJsonSchema

from .model import Entity

__all__ = ["EVENT_TYPES", "EVENT_TYPE_LIST_PATTERN", "EventTypeName", "is_event_type"]

_FIXED = (
    "sync.completed",
    "sync.failed",
    "connection.created",
    "connection.auth_required",
    "connection.status_changed",
    "connection.disconnected",
    "system.error",
    "webhook.test",
)

#: Every type, fixed ones first, then `<entity>.created|updated|deleted`.
EVENT_TYPES: tuple[str, ...] = _FIXED + tuple(
    f"{entity.event_name}.{change}"
    for entity in Entity
    for change in ("created", "updated", "deleted")
)


def is_event_type(name: str) -> bool:
    """Whether `name` is an event type (or a custom `flow.<name>` event)."""
    return name in EVENT_TYPES or (name.startswith("flow.") and len(name) > 5)


#: An event type in a request body, as `is_event_type` accepts it.
EventTypeName = Annotated[
    str,
    WithJsonSchema(
        {"anyOf": [{"enum": list(EVENT_TYPES)}, {"type": "string", "pattern": r"^flow\.."}]},
        mode="validation",
    ),
]

_ONE: Final = "|".join([*(re.escape(name) for name in EVENT_TYPES), r"flow\.[^,]+"])
#: A comma-separated list of event types (a query parameter), as `is_event_type` accepts each.
EVENT_TYPE_LIST_PATTERN: Final = f"^({_ONE})(,({_ONE}))*$"
