"""Webhook subscriptions as Business Central keeps them (dynamics-subscriptions.md).

- `POST .../api/v2.0/subscriptions` with `notificationUrl`, `resource`
  (`/api/v2.0/companies(<id>)/<entity set>`) and an optional `clientState`: Business Central
  first POSTs to `notificationUrl?validationToken=<token>` and registers the subscription only
  when the answer is 200 with the token as its body. `PATCH subscriptions('<id>')` (with
  `If-Match`) renews it the same way; `DELETE` removes it. A subscription expires three days
  after it was created or renewed.
- Only the documented webhook-enabled entity sets may be subscribed to (of those served here:
  `vendors` and `items`; purchase orders, locations and fixed assets are not on the list).
- Changes are gathered and sent after a delay (30 s by default), one POST per subscription
  with `{"value": [{"subscriptionId", "clientState", "expirationDateTime", "resource",
  "changeType", "lastModifiedDateTime"}]}`; more than `max_notifications` changes become one
  `collection` notification whose resource carries a `lastModifiedDateTime gt` filter. An
  answer of 408, 429 or 5xx (or none) keeps the changes for the next attempt; any other
  failure deletes the subscription.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import httpx

__all__ = ["WEBHOOK_RESOURCES", "Subscription", "Subscriptions"]

#: Entity sets served here that the documents list as webhook-enabled.
WEBHOOK_RESOURCES: Final = frozenset({"vendors", "items"})
_LIFETIME: Final = timedelta(days=3)
_RETRY: Final = frozenset({408, 429})
Answer = tuple[int, dict[str, str], Any]


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Subscription:
    """One registered subscription and the changes waiting to be sent."""

    id: str
    notification_url: str
    resource: str
    client_state: str
    expires_at: datetime
    modified_at: datetime
    version: int = 1
    pending: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "@odata.etag": f'W/"{self.version}"',
            "subscriptionId": self.id,
            "notificationUrl": self.notification_url,
            "resource": self.resource,
            "userId": "00000000-0000-0000-0000-000000000000",
            "lastModifiedDateTime": _text(self.modified_at),
            "clientState": self.client_state,
            "expirationDateTime": _text(self.expires_at),
            "systemCreatedAt": _text(self.modified_at),
        }


def _refuse(status: int, code: str, message: str) -> Answer:
    return status, {}, {"error": {"code": code, "message": message}}


@dataclass
class Subscriptions:
    """The environment's subscriptions; `deliver` sends what is due (a thread calls it)."""

    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    delay: timedelta = timedelta(seconds=30)
    max_notifications: int = 1000
    transport: httpx.BaseTransport | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.items: dict[str, Subscription] = {}

    # -- the API ---------------------------------------------------------------------------------

    def handle(
        self, method: str, key: str | None, headers: Mapping[str, str], body: Mapping[str, Any]
    ) -> Answer:
        """Answer a request to `subscriptions` or `subscriptions('<key>')`."""
        if key is None and method == "GET":
            return 200, {}, {"value": [s.to_json() for s in list(self.items.values())]}
        if key is None and method == "POST":
            return self._create(body)
        found = self.items.get(key or "")
        if found is None:
            return _refuse(404, "BadRequest_NotFound", f"The subscription {key} does not exist.")
        if method == "GET":
            return 200, {}, found.to_json()
        if headers.get("if-match") not in ("*", f'W/"{found.version}"'):
            return _refuse(409, "Request_EntityChanged", "Another user has already changed it.")
        if method == "DELETE":
            self.items.pop(found.id, None)
            return 204, {}, None
        if method == "PATCH":
            return self._renew(found, body)
        return _refuse(405, "BadRequest_MethodNotAllowed", f"{method} is not allowed here.")

    def _create(self, body: Mapping[str, Any]) -> Answer:
        url, resource = str(body.get("notificationUrl") or ""), str(body.get("resource") or "")
        entity_set = resource.rstrip("/").rsplit("/", 1)[-1]
        if entity_set not in WEBHOOK_RESOURCES or "/companies(" not in resource:
            return _refuse(
                400, "BadRequest", f"The resource {resource!r} does not support webhooks."
            )
        if not self._handshake(url):
            return _refuse(400, "BadRequest", "The subscription could not be validated.")
        now = self.clock()
        created = Subscription(
            uuid.uuid4().hex,
            url,
            resource,
            str(body.get("clientState") or ""),
            now + _LIFETIME,
            now,
        )
        with self._lock:
            self.items[created.id] = created
        return 201, {}, created.to_json()

    def _renew(self, found: Subscription, body: Mapping[str, Any]) -> Answer:
        url = str(body.get("notificationUrl") or found.notification_url)
        if not self._handshake(url):
            return _refuse(400, "BadRequest", "The subscription could not be validated.")
        now = self.clock()
        found.notification_url, found.expires_at, found.modified_at = url, now + _LIFETIME, now
        found.client_state = str(body.get("clientState", found.client_state))
        found.version += 1
        return 200, {}, found.to_json()

    def _handshake(self, url: str) -> bool:
        token = secrets.token_urlsafe(16)
        try:
            with httpx.Client(transport=self.transport, timeout=5.0) as client:
                answer = client.post(url, params={"validationToken": token})
        except httpx.HTTPError:
            return False
        return answer.status_code == 200 and answer.text.strip() == token

    # -- changes ---------------------------------------------------------------------------------

    def record(self, resource: str, key: str, change: str, when: datetime) -> None:
        """A record of `resource` (`/api/v2.0/companies(<id>)/<set>`) changed."""
        with self._lock:
            for item in self.items.values():
                if item.resource.rstrip("/") == resource:
                    item.pending.append({"key": key, "changeType": change, "at": when})

    def deliver(self) -> int:
        """Send every subscription's changes older than the delay; returns notifications sent."""
        now = self.clock()
        sent = 0
        with self._lock:
            for expired in [s for s in self.items.values() if s.expires_at <= now]:
                del self.items[expired.id]
            due = [
                s
                for s in self.items.values()
                if s.pending and s.pending[0]["at"] <= now - self.delay
            ]
        for item in due:
            changes = list(item.pending)
            status = self._post(item.notification_url, self._payload(item, changes))
            with self._lock:
                if 200 <= status < 300:
                    del item.pending[: len(changes)]
                    sent += 1
                elif status not in _RETRY and status < 500:
                    self.items.pop(item.id, None)
        return sent

    def _payload(self, item: Subscription, changes: list[dict[str, Any]]) -> dict[str, Any]:
        base = {
            "subscriptionId": item.id,
            "clientState": item.client_state,
            "expirationDateTime": _text(item.expires_at),
        }
        if len(changes) > self.max_notifications:
            since = min(change["at"] for change in changes) - timedelta(milliseconds=1)
            latest = max(change["at"] for change in changes)
            resource = f"{item.resource}?$filter=lastModifiedDateTime gt {_text(since)}"
            one = {**base, "resource": resource, "changeType": "collection"}
            return {"value": [{**one, "lastModifiedDateTime": _text(latest)}]}
        return {
            "value": [
                {
                    **base,
                    "resource": f"{item.resource.lstrip('/')}({change['key']})",
                    "changeType": change["changeType"],
                    "lastModifiedDateTime": _text(change["at"]),
                }
                for change in changes
            ]
        }

    def _post(self, url: str, payload: dict[str, Any]) -> int:
        try:
            with httpx.Client(transport=self.transport, timeout=5.0) as client:
                return client.post(url, json=payload).status_code
        except httpx.HTTPError:
            return 503  # unreachable: kept and tried again, as Business Central retries
