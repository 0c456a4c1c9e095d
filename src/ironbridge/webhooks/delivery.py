"""Sending one delivery: sign, POST, record the attempt, and reschedule or finish."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from ..connectors.protocols.http import GuardedTransport, sanitize_url
from ..errors import IronbridgeError
from ..events import record_event
from ..ids import new_id
from ..logs import get_logger
from ..security import CredentialCipher
from ..store import UnitOfWork, UnitOfWorkFactory, utcnow
from ..store.events import EventRepository, EventRow
from ..store.webhooks import (
    AttemptRow,
    DeliveryRepository,
    DeliveryRow,
    EndpointRepository,
    EndpointRow,
)
from .endpoints import live_secrets
from .schedule import next_attempt
from .signing import headers as signed_headers

__all__ = [
    "AttemptResult",
    "DeliveryContext",
    "claim_and_deliver",
    "drain",
    "make_http_client",
]

_log = get_logger("ironbridge.webhooks")
TIMEOUT = 10.0
EXCERPT = 1024
#: An endpoint failing without a single success for this long is switched off.
DISABLE_AFTER = timedelta(days=5)
#: How long a claimed delivery is reserved for the worker sending it.
CLAIM = timedelta(seconds=TIMEOUT + 5)


def make_http_client(*, allow_private: bool) -> httpx.Client:
    """One keep-alive client for all deliveries of a process, behind the SSRF guard."""
    return httpx.Client(
        transport=GuardedTransport(allow_private=allow_private),
        timeout=httpx.Timeout(TIMEOUT),
        follow_redirects=False,
        headers={"User-Agent": "ironbridge-webhooks", "Content-Type": "application/json"},
    )


@dataclass
class DeliveryContext:
    uow: UnitOfWorkFactory
    cipher: CredentialCipher
    client: httpx.Client
    #: Shrinks the retry schedule and the give-up/disable windows (tests run them in seconds).
    retry_scale: float = 1.0
    #: The current time; every claim, attempt and retry time is read from it.
    clock: Callable[[], datetime] = utcnow


@dataclass(frozen=True)
class AttemptResult:
    delivery_id: str
    status: str
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error: str | None
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class _Sent:
    status_code: int | None
    latency_ms: int
    excerpt: str | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _send(ctx: DeliveryContext, endpoint: EndpointRow, event: EventRow, now: datetime) -> _Sent:
    body = json.dumps(event.body(), separators=(",", ":")).encode()
    secrets = live_secrets(endpoint, ctx.cipher, now)
    status_code: int | None = None
    excerpt: str | None = None
    error: str | None = None
    started = time.perf_counter()
    try:
        response = ctx.client.post(
            endpoint.url, content=body, headers=signed_headers(secrets, event.id, body)
        )
        status_code = response.status_code
        excerpt = response.text[:EXCERPT]
    except IronbridgeError as exc:  # the SSRF guard refusing the address
        error = exc.message
    except httpx.TimeoutException:
        error = f"no answer within {TIMEOUT:.0f} s"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    return _Sent(status_code, int((time.perf_counter() - started) * 1000), excerpt, error)


def claim_and_deliver(
    ctx: DeliveryContext, delivery_id: str, *, manual: bool = False
) -> AttemptResult | None:
    """Send one delivery now (test sends and manual retries). A claim in the database stops a
    second worker sending it at the same time; returns None when it is not due or taken."""
    now = ctx.clock()
    with ctx.uow() as uow:
        repo = DeliveryRepository(uow.connection, None)
        delivery = repo.get(delivery_id)
        if delivery is None:
            return None
        if not repo.claim(delivery_id, now, now + CLAIM, manual=manual):
            return None
        endpoint = EndpointRepository(uow.connection, delivery.account_id).get(delivery.endpoint_id)
        event = EventRepository(uow.connection, delivery.account_id).get(delivery.event_id)
        uow.commit()
    if endpoint is None or event is None or not (endpoint.enabled or manual):
        return _give_up(ctx, delivery, endpoint)
    sent = _send(ctx, endpoint, event, now)
    with ctx.uow() as uow:
        result = _record(uow, ctx, delivery, endpoint, sent, manual)
        uow.commit()
    return result


def drain(ctx: DeliveryContext, limit: int = 50) -> tuple[int, datetime | None]:
    """Claim up to `limit` due deliveries, send them over the one keep-alive client, and record
    every outcome in one transaction. Returns how many were sent and the earliest retry time."""
    now = ctx.clock()
    with ctx.uow() as uow:
        repo = DeliveryRepository(uow.connection, None)
        batch = repo.claim_due(now, now + CLAIM, limit)
        uow.commit()
    if not batch:
        return 0, None
    with ctx.uow(readonly=True) as uow:
        endpoints: dict[tuple[str, str], EndpointRow | None] = {}
        events: dict[str, EventRow] = {}
        by_account: dict[str, list[str]] = {}
        for delivery in batch:
            key = (delivery.account_id, delivery.endpoint_id)
            if key not in endpoints:
                endpoints[key] = EndpointRepository(uow.connection, delivery.account_id).get(
                    delivery.endpoint_id
                )
            by_account.setdefault(delivery.account_id, []).append(delivery.event_id)
        for account_id, event_ids in by_account.items():
            events.update(EventRepository(uow.connection, account_id).get_many(event_ids))
    outcomes = []
    for delivery in batch:
        endpoint = endpoints[(delivery.account_id, delivery.endpoint_id)]
        event = events.get(delivery.event_id)
        if endpoint is None or event is None or not endpoint.enabled:
            _give_up(ctx, delivery, endpoint)
            continue
        outcomes.append((delivery, endpoint, _send(ctx, endpoint, event, now)))
    earliest: datetime | None = None
    with ctx.uow() as uow:
        for delivery, endpoint, sent in outcomes:
            result = _record(uow, ctx, delivery, endpoint, sent, manual=False)
            if result.next_attempt_at and (earliest is None or result.next_attempt_at < earliest):
                earliest = result.next_attempt_at
        uow.commit()
    return len(batch), earliest


def _give_up(
    ctx: DeliveryContext, delivery: DeliveryRow, endpoint: EndpointRow | None
) -> AttemptResult:
    reason = "the endpoint is disabled" if endpoint is not None else "the endpoint is gone"
    with ctx.uow() as uow:
        DeliveryRepository(uow.connection, None).update(
            delivery.id, status="failed", next_attempt_at=None, last_error=reason
        )
        uow.commit()
    return AttemptResult(delivery.id, "failed", None, 0, None, reason, None)


def _record(
    uow: UnitOfWork,
    ctx: DeliveryContext,
    delivery: DeliveryRow,
    endpoint: EndpointRow,
    sent: _Sent,
    manual: bool,
) -> AttemptResult:
    now = ctx.clock()
    account_id = delivery.account_id
    repo = DeliveryRepository(uow.connection, account_id)
    endpoints = EndpointRepository(uow.connection, account_id)
    # Re-read: an earlier outcome in this batch may have changed the endpoint.
    endpoint = endpoints.get(endpoint.id) or endpoint
    repo.add_attempt(
        AttemptRow(
            new_id("att"),
            delivery.id,
            now,
            sent.status_code,
            sent.latency_ms,
            sent.excerpt,
            sent.error,
            manual,
        )
    )
    attempts = delivery.attempts + 1
    first = delivery.first_attempt_at or now
    values: dict[str, object] = {
        "attempts": attempts,
        "first_attempt_at": first,
        "last_attempt_at": now,
        "last_status_code": sent.status_code,
        "last_error": sent.error
        if sent.error
        else (None if sent.ok else f"HTTP {sent.status_code}"),
    }
    next_at: datetime | None = None
    if sent.ok:
        values.update(status="succeeded", next_attempt_at=None)
        if endpoint.failing_since is not None:
            endpoints.update(endpoint.id, failing_since=None)
    elif sent.status_code == 410:
        # The receiver says the endpoint is gone for good: stop sending to it.
        values.update(status="failed", next_attempt_at=None)
        endpoints.update(
            endpoint.id, enabled=False, disabled_reason="receiver answered 410 Gone", updated_at=now
        )
    else:
        next_at = next_attempt(attempts, first, now, scale=ctx.retry_scale)
        values.update(status="pending" if next_at else "failed", next_attempt_at=next_at)
        failing_since = endpoint.failing_since or now
        if endpoint.failing_since is None:
            endpoints.update(endpoint.id, failing_since=now)
        if endpoint.enabled and now - failing_since >= DISABLE_AFTER * ctx.retry_scale:
            endpoints.update(
                endpoint.id, enabled=False, disabled_reason="failing for 5 days", updated_at=now
            )
            record_event(
                uow,
                account_id=account_id,
                connection_id=None,
                type="system.error",
                data={
                    "message": "A webhook endpoint failed for 5 days and was disabled.",
                    "endpoint_id": endpoint.id,
                    # The event goes to the account's other endpoints too: no credentials.
                    "url": sanitize_url(endpoint.url),
                },
            )
    repo.update(delivery.id, **values)
    return AttemptResult(
        delivery.id,
        str(values["status"]),
        sent.status_code,
        sent.latency_ms,
        sent.excerpt,
        sent.error,
        next_at,
    )
