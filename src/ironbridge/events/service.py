"""Recording events (the transactional outbox) and reading them back for polling."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from ..ids import new_id
from ..store import UnitOfWork, UnitOfWorkFactory, decode_position, encode_position, utcnow
from ..store.events import EventQuery, EventRepository, NewEvent, purge_events_before
from ..store.types import JSONText
from ..store.webhooks import DeliveryRepository, EndpointRepository

__all__ = [
    "DELIVERY_TOPIC",
    "EVENT_TOPIC",
    "SETTLE",
    "list_events",
    "purge_expired",
    "record_event",
    "record_events",
]

#: Topic published (after commit) with the ids of new deliveries.
DELIVERY_TOPIC = "deliveries"
#: Topic published (after commit) with the ids of new events (flows start runs from them).
EVENT_TOPIC = "events"
#: Polling skips events younger than this, so a slower concurrent transaction that took an
#: earlier position cannot be overtaken by a reader and missed.
SETTLE = timedelta(seconds=2)


def record_event(
    uow: UnitOfWork,
    *,
    account_id: str,
    connection_id: str | None,
    type: str,
    data: dict[str, Any],
) -> NewEvent:
    """Write one event in the caller's transaction, with its deliveries."""
    return record_events(uow, account_id, connection_id, [(type, data)])[0]


def record_events(
    uow: UnitOfWork,
    account_id: str,
    connection_id: str | None,
    items: Sequence[tuple[str, dict[str, Any] | JSONText]],
) -> list[NewEvent]:
    """Write events in the caller's transaction: sequence numbers, then one delivery per
    matching enabled endpoint (filtered by the connection's enabled event types).

    An event's data may be `JSONText` (a stored record's JSON), stored without parsing it.
    """
    if not items:
        return []
    repo = EventRepository(uow.connection, account_id)
    first = repo.reserve_sequences(connection_id, len(items))
    now = utcnow()
    rows = [
        {"id": new_id("evt"), "type": event_type, "sequence": first + offset, "data": data}
        for offset, (event_type, data) in enumerate(items)
    ]
    stored = repo.insert(rows, {"connection_id": connection_id, "created_at": now})
    for event in stored:
        uow.publish(EVENT_TOPIC, event.id)
    _fan_out(uow, account_id, connection_id, stored)
    return stored


def _fan_out(
    uow: UnitOfWork, account_id: str, connection_id: str | None, stored: Sequence[NewEvent]
) -> None:
    endpoints = EndpointRepository(uow.connection, account_id).enabled()
    if not endpoints:
        return
    allowed: set[str] | None = None
    if connection_id is not None:
        connection = uow.connections.get(account_id, connection_id)
        if connection is not None:
            allowed = set(connection.enabled_event_types)
    now = utcnow()
    deliveries: list[dict[str, Any]] = []
    for event in stored:
        # webhook.test is addressed to one endpoint and never fans out.
        if event.type == "webhook.test":
            continue
        if (
            allowed is not None
            and event.type not in allowed
            and not event.type.startswith(("connection.", "system."))
        ):
            continue
        for endpoint in endpoints:
            if endpoint.accepts(event.type, connection_id):
                deliveries.append(
                    {
                        "id": new_id("dlv"),
                        "account_id": account_id,
                        "endpoint_id": endpoint.id,
                        "event_id": event.id,
                        "event_type": event.type,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
    DeliveryRepository(uow.connection, account_id).add_many(deliveries)
    for delivery in deliveries:
        uow.publish(DELIVERY_TOPIC, str(delivery["id"]))


def list_events(
    uow: UnitOfWork,
    account_id: str,
    *,
    cursor: str | None = None,
    cursor_param: str = "cursor",
    types: Sequence[str] | None = None,
    connection_id: str | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], str | None]:
    """Events in order after a cursor; the returned cursor resumes after the last one.

    `cursor_param` names the query parameter the cursor came in, for the error on a bad one.
    """
    position = decode_position(cursor, param=cursor_param) if cursor else None
    rows = EventRepository(uow.connection, account_id).find(
        EventQuery(
            after=position,
            types=types,
            connection_id=connection_id,
            settled_before=utcnow() - SETTLE,
            limit=limit,
        )
    )
    last = rows[-1].position if rows else position
    next_cursor = encode_position(last) if last is not None else None
    return [row.body() for row in rows], next_cursor


def purge_expired(uows: UnitOfWorkFactory, retention: timedelta) -> int:
    """Drop the events of every account older than `retention` (commits); how many."""
    with uows() as uow:
        removed = purge_events_before(uow.connection, utcnow() - retention)
        uow.commit()
    return removed
