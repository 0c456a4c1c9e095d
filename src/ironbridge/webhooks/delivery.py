"""Sending one delivery: sign, POST, record the attempt, and reschedule or finish."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

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


def _body(event: EventRow) -> bytes:
    return json.dumps(event.body(), separators=(",", ":")).encode()


def _send(
    ctx: DeliveryContext, endpoint: EndpointRow, secrets: list[str], event_id: str, body: bytes
) -> _Sent:
    status_code: int | None = None
    excerpt: str | None = None
    error: str | None = None
    started = time.perf_counter()
    try:
        response = ctx.client.post(
            endpoint.url, content=body, headers=signed_headers(secrets, event_id, body)
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
        with ctx.uow() as uow:
            (result,) = _give_up(uow, [(delivery, endpoint)])
            uow.commit()
        return result
    sent = _send(ctx, endpoint, live_secrets(endpoint, ctx.cipher, now), event.id, _body(event))
    with ctx.uow() as uow:
        (result,) = _record(uow, ctx, [(delivery, endpoint, sent)], manual)
        uow.commit()
    return result


def drain(
    ctx: DeliveryContext, limit: int = 50, *, claimed: Callable[[int], None] | None = None
) -> tuple[int, datetime | None]:
    """Claim up to `limit` due deliveries, send them over the one keep-alive client, and record
    every outcome in one transaction. Returns how many were claimed and the earliest retry time.

    `claimed` is told the batch size once the claim is committed, before anything is sent (a
    pump wakes another sender for the next batch when this one is full).
    """
    now = ctx.clock()
    endpoints: dict[tuple[str, str], EndpointRow | None] = {}
    events: dict[str, EventRow] = {}
    with ctx.uow() as uow:
        batch = DeliveryRepository(uow.connection, None).claim_due(now, now + CLAIM, limit)
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
        uow.commit()
    if not batch:
        return 0, None
    if claimed is not None:
        claimed(len(batch))
    # Serialised once per event and decrypted once per endpoint, however many share them.
    bodies: dict[str, bytes] = {}
    secrets: dict[tuple[str, str], list[str]] = {}
    outcomes: list[tuple[DeliveryRow, EndpointRow, _Sent]] = []
    unsendable: list[tuple[DeliveryRow, EndpointRow | None]] = []
    for delivery in batch:
        key = (delivery.account_id, delivery.endpoint_id)
        endpoint = endpoints[key]
        event = events.get(delivery.event_id)
        if endpoint is None or event is None or not endpoint.enabled:
            unsendable.append((delivery, endpoint))
            continue
        if event.id not in bodies:
            bodies[event.id] = _body(event)
        if key not in secrets:
            secrets[key] = live_secrets(endpoint, ctx.cipher, now)
        sent = _send(ctx, endpoint, secrets[key], event.id, bodies[event.id])
        outcomes.append((delivery, endpoint, sent))
    with ctx.uow() as uow:
        results = _record(uow, ctx, outcomes, manual=False)
        _give_up(uow, unsendable)
        uow.commit()
    retries = [r.next_attempt_at for r in results if r.next_attempt_at is not None]
    return len(batch), min(retries, default=None)


def _give_up(
    uow: UnitOfWork, deliveries: list[tuple[DeliveryRow, EndpointRow | None]]
) -> list[AttemptResult]:
    """Fail deliveries whose endpoint is disabled or gone, or whose event was purged."""
    results = []
    changes = []
    for delivery, endpoint in deliveries:
        reason = "the endpoint is disabled" if endpoint is not None else "the endpoint is gone"
        changes.append(
            {"id": delivery.id, "status": "failed", "next_attempt_at": None, "last_error": reason}
        )
        results.append(AttemptResult(delivery.id, "failed", None, 0, None, reason, None))
    DeliveryRepository(uow.connection, None).update_many(changes)
    return results


def _record(
    uow: UnitOfWork,
    ctx: DeliveryContext,
    outcomes: list[tuple[DeliveryRow, EndpointRow, _Sent]],
    manual: bool,
) -> list[AttemptResult]:
    """Record sent attempts: attempt rows and delivery changes in one statement each; endpoint
    changes (recovered, 410, disabled after 5 days) as they happen, in order."""
    now = ctx.clock()
    # Re-read in this transaction: another worker may have changed an endpoint since the claim.
    # Outcomes earlier in this batch change it further, kept here.
    current: dict[tuple[str, str], EndpointRow] = {}
    attempts: list[AttemptRow] = []
    changes: list[dict[str, Any]] = []
    results: list[AttemptResult] = []
    for delivery, sent_to, sent in outcomes:
        key = (delivery.account_id, sent_to.id)
        if key not in current:
            current[key] = (
                EndpointRepository(uow.connection, delivery.account_id).get(sent_to.id) or sent_to
            )
        values, next_at, current[key] = _outcome(uow, ctx, delivery, current[key], sent, now)
        attempts.append(
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
        changes.append({"id": delivery.id, **values})
        results.append(
            AttemptResult(
                delivery.id,
                str(values["status"]),
                sent.status_code,
                sent.latency_ms,
                sent.excerpt,
                sent.error,
                next_at,
            )
        )
    repo = DeliveryRepository(uow.connection, None)
    repo.add_attempts(attempts)
    repo.update_many(changes)
    return results


def _outcome(
    uow: UnitOfWork,
    ctx: DeliveryContext,
    delivery: DeliveryRow,
    endpoint: EndpointRow,
    sent: _Sent,
    now: datetime,
) -> tuple[dict[str, Any], datetime | None, EndpointRow]:
    """The delivery's new values and next attempt after `sent`, and the endpoint as it is after
    (its changes are written here)."""
    account_id = delivery.account_id
    endpoints = EndpointRepository(uow.connection, account_id)
    attempts = delivery.attempts + 1
    first = delivery.first_attempt_at or now
    values: dict[str, Any] = {
        "attempts": attempts,
        "first_attempt_at": first,
        "last_attempt_at": now,
        "last_status_code": sent.status_code,
        "last_error": sent.error
        if sent.error
        else (None if sent.ok else f"HTTP {sent.status_code}"),
    }
    next_at: datetime | None = None
    changed: dict[str, Any] = {}
    if sent.ok:
        values.update(status="succeeded", next_attempt_at=None)
        if endpoint.failing_since is not None:
            changed = {"failing_since": None}
    elif sent.status_code == 410:
        # The receiver says the endpoint is gone for good: stop sending to it.
        values.update(status="failed", next_attempt_at=None)
        changed = {
            "enabled": False,
            "disabled_reason": "receiver answered 410 Gone",
            "updated_at": now,
        }
    else:
        next_at = next_attempt(attempts, first, now, scale=ctx.retry_scale)
        values.update(status="pending" if next_at else "failed", next_attempt_at=next_at)
        failing_since = endpoint.failing_since or now
        if endpoint.failing_since is None:
            changed = {"failing_since": now}
        if endpoint.enabled and now - failing_since >= DISABLE_AFTER * ctx.retry_scale:
            changed = {
                **changed,
                "enabled": False,
                "disabled_reason": "failing for 5 days",
                "updated_at": now,
            }
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
    if changed:
        endpoints.update(endpoint.id, **changed)
        endpoint = replace(endpoint, **changed)
    return values, next_at, endpoint
