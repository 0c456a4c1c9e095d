"""The names of every webhook event type ironbridge emits."""

from __future__ import annotations

from .model import Entity

__all__ = ["EVENT_TYPES", "is_event_type"]

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
