"""Webhook subscriptions of OData v4 services that follow Microsoft's REST API guidelines
(Business Central API v2.0), for both sides of a push:

- `Webhooks` reads what the service sends: the validation handshake (`?validationToken=`,
  answered with the token itself) and notification bodies `{"value": [{"subscriptionId",
  "clientState", "resource", "changeType", ...}]}`, where `resource` ends in
  `<entity set>(<key>)` for one record, or names the entity set with a `$filter` for a
  `collection` notice (many records changed).
- `ODataV4PushSession` manages `subscriptions` through the session's client: POST to create,
  PATCH with `If-Match` to renew, DELETE to remove. The service validates the notification
  URL (the handshake) before it answers a POST or PATCH.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from ironbridge import errors
from ironbridge.connectors.base import PushNotice, PushSubscription
from ironbridge.connectors.protocols.odata_v4.session import EntitySet, ODataV4Session
from ironbridge.connectors.protocols.odata_v4.values import parse_datetime, string_literal
from ironbridge.model import Entity

__all__ = ["ODataV4PushSession", "Webhooks"]

#: A validation token longer than this is no token a service sends (the answer echoes it).
_MAX_TOKEN: Final = 1024


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    if not isinstance(value, str):
        raise errors.ValidationFailed({f"value.{name}": "Must be text."})
    return value


class Webhooks:
    """The notifications of the entity sets in `resources` marked `webhooks`
    (`base.PushNotifications`)."""

    def __init__(self, resources: Mapping[Entity, EntitySet]) -> None:
        self._sets = {r.entity_set: e for e, r in resources.items() if r.webhooks}
        self.entities = frozenset(self._sets.values())

    def handshake(self, query: Mapping[str, str]) -> str | None:
        """The `validationToken` to echo, when the request is a validation."""
        token = query.get("validationToken")
        return token if token and len(token) <= _MAX_TOKEN else None

    def parse(self, body: bytes) -> list[PushNotice]:
        """The notices of a notification body."""
        try:
            payload = json.loads(body)
        except ValueError:
            raise errors.ValidationFailed({"body": "A notification is a JSON object."}) from None
        items = payload.get("value") if isinstance(payload, dict) else None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise errors.ValidationFailed({"value": "A notification carries a `value` list."})
        return [self._notice(item) for item in items]

    def _notice(self, item: Mapping[str, Any]) -> PushNotice:
        path = _text(item, "resource").split("?", 1)[0].rstrip("/")
        name, _, key = path.rsplit("/", 1)[-1].partition("(")
        entity = self._sets.get(name)
        if entity is None:
            raise errors.ValidationFailed({"value.resource": f"No pushed entity set {name!r}."})
        collection = item.get("changeType") == "collection" or not key
        return PushNotice(
            entity,
            _text(item, "subscriptionId"),
            _text(item, "clientState"),
            None if collection else key.rstrip(")").strip("'"),
        )


def _subscription(entity: Entity, body: Any) -> PushSubscription:
    if not isinstance(body, dict) or not isinstance(body.get("subscriptionId"), str):
        raise errors.UpstreamError("The source answered a subscription without its id.")
    etag = body.get("@odata.etag")
    return PushSubscription(
        entity,
        body["subscriptionId"],
        parse_datetime(str(body.get("expirationDateTime"))),
        etag if isinstance(etag, str) else None,
    )


class ODataV4PushSession(ODataV4Session):
    """An `ODataV4Session` whose entity sets marked `webhooks` can be subscribed to
    (`base.PushSubscriptions`)."""

    #: The subscriptions entity set, relative to the client's base URL.
    subscriptions: ClassVar[str] = "subscriptions"
    #: What a subscription's `resource` starts with, before `base()` and the entity set
    #: (Business Central: `/api/v2.0/`).
    resource_root: ClassVar[str]

    def subscribe(self, entity: Entity, url: str, client_state: str) -> PushSubscription:
        """POST a subscription to `entity`'s entity set; the service validates `url` first."""
        resource = self.resource_root + self.base() + self.resources[entity].entity_set
        body = {"notificationUrl": url, "resource": resource, "clientState": client_state}
        response = self.odata.send("POST", self.subscriptions, json=body)
        return _subscription(entity, self.odata.checked_json(response))

    def _path(self, subscription: PushSubscription) -> str:
        return f"{self.subscriptions}({string_literal(subscription.remote_id)})"

    def renew(self, subscription: PushSubscription, url: str) -> PushSubscription:
        """PATCH the subscription (with its ETag): the service validates `url` again."""
        headers = {"If-Match": subscription.etag or "*"}
        path = self._path(subscription)
        response = self.odata.send("PATCH", path, json={"notificationUrl": url}, headers=headers)
        return _subscription(subscription.entity, self.odata.checked_json(response))

    def unsubscribe(self, subscription: PushSubscription) -> None:
        """DELETE the subscription; one the service no longer has is gone already."""
        response = self.odata.send("DELETE", self._path(subscription), headers={"If-Match": "*"})
        if response.status_code >= 400 and response.status_code != 404:
            raise self.odata.error_for(response)
