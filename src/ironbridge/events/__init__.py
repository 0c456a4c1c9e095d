"""Events: everything that happens, written in the same transaction as its cause."""

from .service import (
    DELIVERY_TOPIC,
    EVENT_TOPIC,
    SETTLE,
    list_events,
    purge_expired,
    record_event,
    record_events,
)

__all__ = [
    "DELIVERY_TOPIC",
    "EVENT_TOPIC",
    "SETTLE",
    "list_events",
    "purge_expired",
    "record_event",
    "record_events",
]
