"""Reading the delivery log, manual retries and test sends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from ..errors import NotFound
from ..events import DELIVERY_TOPIC, record_event
from ..ids import new_id
from ..store import UnitOfWork, UnitOfWorkFactory, decode_keyset, encode_keyset, utcnow
from ..store.webhooks import (
    AttemptRow,
    DeliveryQuery,
    DeliveryRepository,
    DeliveryRow,
    EndpointRepository,
)
from .delivery import CLAIM, DeliveryContext, claim_and_deliver

__all__ = [
    "AttemptView",
    "DeliveryView",
    "any_due",
    "get_delivery",
    "list_deliveries",
    "new_test_delivery",
    "next_due_at",
    "reset_for_retry",
    "retry_failed",
    "retry_now",
    "select_for_retry",
    "send_test_event",
]


class AttemptView(BaseModel):
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None = Field(description="The first 1 KB of the receiver's answer.")
    error: str | None
    manual: bool

    @classmethod
    def from_row(cls, row: AttemptRow) -> AttemptView:
        return cls.model_validate(row, from_attributes=True)


class DeliveryView(BaseModel):
    id: str = Field(description="Delivery id (`dlv_…`).")
    endpoint_id: str
    event_id: str
    event_type: str
    status: str = Field(description="`pending`, `succeeded` or `failed`.")
    attempts: int
    next_attempt_at: datetime | None
    first_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    attempt_log: list[AttemptView] | None = Field(
        None, description="Every attempt, on reads of one delivery."
    )

    @classmethod
    def from_row(cls, row: DeliveryRow, attempts: list[AttemptRow] | None = None) -> DeliveryView:
        data: dict[str, Any] = {
            name: getattr(row, name) for name in cls.model_fields if name != "attempt_log"
        }
        if attempts is not None:
            data["attempt_log"] = [AttemptView.from_row(a) for a in attempts]
        return cls(**data)


def list_deliveries(
    uow: UnitOfWork,
    account_id: str,
    *,
    status: str | None,
    endpoint_id: str | None,
    event_type: str | None,
    created_after: datetime | None,
    created_before: datetime | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[DeliveryView], str | None]:
    after = None
    if cursor:
        after = decode_keyset(cursor)
    rows = DeliveryRepository(uow.connection, account_id).find(
        DeliveryQuery(
            status, endpoint_id, event_type, created_after, created_before, after, limit + 1
        )
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_keyset(rows[-1].created_at, rows[-1].id)
    return [DeliveryView.from_row(r) for r in rows], next_cursor


def get_delivery(uow: UnitOfWork, account_id: str, delivery_id: str) -> DeliveryView:
    repo = DeliveryRepository(uow.connection, account_id)
    row = repo.get(delivery_id)
    if row is None:
        raise NotFound(f"No delivery {delivery_id}.")
    return DeliveryView.from_row(row, repo.attempts(delivery_id))


def reset_for_retry(uow: UnitOfWork, account_id: str, delivery_id: str) -> DeliveryView:
    """Make a delivery due now with a fresh 24 h window (the caller commits and wakes a worker)."""
    repo = DeliveryRepository(uow.connection, account_id)
    row = repo.get(delivery_id)
    if row is None:
        raise NotFound(f"No delivery {delivery_id}.")
    now = utcnow()
    repo.update(delivery_id, status="pending", next_attempt_at=now, first_attempt_at=None)
    uow.publish(DELIVERY_TOPIC, delivery_id)
    updated = repo.get(delivery_id)
    assert updated is not None
    return DeliveryView.from_row(updated)


def select_for_retry(
    uow: UnitOfWork,
    account_id: str,
    *,
    endpoint_id: str | None,
    since: datetime | None,
    limit: int = 10_000,
) -> list[str]:
    """Failed deliveries (of one endpoint, created since a time) to retry in bulk."""
    rows = DeliveryRepository(uow.connection, account_id).find(
        DeliveryQuery(status="failed", endpoint_id=endpoint_id, created_after=since, limit=limit)
    )
    return [r.id for r in rows]


def retry_now(uows: UnitOfWorkFactory, account_id: str, delivery_id: str) -> DeliveryView:
    """Retry one delivery now: a new attempt, a new 24 h window (commits; wakes a worker)."""
    with uows() as uow:
        view = reset_for_retry(uow, account_id, delivery_id)
        uow.commit()
    return view


def retry_failed(
    uows: UnitOfWorkFactory,
    account_id: str,
    *,
    endpoint_id: str | None,
    since: datetime | None,
) -> list[str]:
    """Retry the account's failed deliveries (of one endpoint, created since a time) in one
    transaction (commits; wakes a worker); their ids."""
    with uows() as uow:
        ids = select_for_retry(uow, account_id, endpoint_id=endpoint_id, since=since)
        for delivery_id in ids:
            reset_for_retry(uow, account_id, delivery_id)
        uow.commit()
    return ids


def new_test_delivery(uow: UnitOfWork, account_id: str, endpoint_id: str) -> str:
    """A `webhook.test` event addressed to one endpoint, and its delivery (commits), claimed
    for the caller that sends it now (`claim_and_deliver(..., manual=True)`): a worker's drain
    finds it due only if that send never happens, once the claim has run out."""
    endpoint = EndpointRepository(uow.connection, account_id).get(endpoint_id)
    if endpoint is None or endpoint.disabled_reason == "deleted":
        raise NotFound(f"No webhook endpoint {endpoint_id}.")
    event = record_event(
        uow,
        account_id=account_id,
        connection_id=None,
        type="webhook.test",
        data={"endpoint_id": endpoint_id, "message": "A test event from ironbridge."},
    )
    now = utcnow()
    delivery_id = new_id("dlv")
    DeliveryRepository(uow.connection, account_id).add_many(
        [
            {
                "id": delivery_id,
                "account_id": account_id,
                "endpoint_id": endpoint_id,
                "event_id": event.id,
                "event_type": event.type,
                "status": "pending",
                "attempts": 0,
                # Due at once, a worker's drain could send it too before the caller's claim.
                "next_attempt_at": now + CLAIM,
                "created_at": now,
            }
        ]
    )
    uow.commit()
    return delivery_id


def send_test_event(context: DeliveryContext, account_id: str, endpoint_id: str) -> DeliveryView:
    """Send a `webhook.test` event to one endpoint now, in this process, and return its
    delivery with the attempt made (a failed attempt leaves it `pending`, retried as any)."""
    with context.uow() as uow:
        delivery_id = new_test_delivery(uow, account_id, endpoint_id)
    claim_and_deliver(context, delivery_id, manual=True)
    with context.uow(readonly=True) as uow:
        return get_delivery(uow, account_id, delivery_id)


def next_due_at(uows: UnitOfWorkFactory) -> datetime | None:
    """When the earliest pending delivery of any account falls due (a claim running out
    included); None when nothing is pending."""
    with uows(readonly=True) as uow:
        return DeliveryRepository(uow.connection, None).next_due_at()


def any_due(uows: UnitOfWorkFactory) -> bool:
    """Whether a delivery of any account is due now (one the queue lost, a retry after a
    restart)."""
    with uows(readonly=True) as uow:
        return bool(DeliveryRepository(uow.connection, None).due(utcnow(), limit=1))
