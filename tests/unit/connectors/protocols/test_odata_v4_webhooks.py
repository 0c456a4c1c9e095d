"""Reading what an OData v4 service pushes (Business Central's webhook notifications): the
validation handshake, record and collection notices, and bodies that are no notification."""

from __future__ import annotations

import json

import pytest

from ironbridge import errors
from ironbridge.connectors.business_central import connector
from ironbridge.connectors.protocols.odata_v4 import EntitySet, Webhooks
from ironbridge.model import Entity

WEBHOOKS = Webhooks(
    {
        Entity.VENDORS: EntitySet("vendors", webhooks=True),
        Entity.PURCHASE_ORDERS: EntitySet("purchaseOrders"),
    }
)
COMPANY = "api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)"


def body(*items: dict[str, object]) -> bytes:
    return json.dumps({"value": list(items)}).encode()


def notice(resource: str, change: str = "updated") -> dict[str, object]:
    return {
        "subscriptionId": "sub-1",
        "clientState": "secret",
        "expirationDateTime": "2026-12-06T07:52:31Z",
        "resource": resource,
        "changeType": change,
        "lastModifiedDateTime": "2026-12-03T12:54:20.467Z",
    }


def test_only_entity_sets_marked_for_webhooks_are_pushed() -> None:
    assert WEBHOOKS.entities == frozenset({Entity.VENDORS})
    assert connector.push is not None
    assert connector.push.entities == frozenset({Entity.VENDORS, Entity.INVENTORY_ITEMS})


def test_the_handshake_echoes_the_validation_token() -> None:
    assert WEBHOOKS.handshake({"validationToken": "abc"}) == "abc"
    assert WEBHOOKS.handshake({}) is None
    assert WEBHOOKS.handshake({"validationToken": "x" * 5000}) is None


def test_record_and_collection_notices() -> None:
    one, many = WEBHOOKS.parse(
        body(
            notice(f"{COMPANY}/vendors(4b4f31f0-dc1c-4033-b2aa-ab03ca1d6ebc)", "deleted"),
            notice(
                f"/{COMPANY}/vendors?$filter=lastModifiedDateTime%20gt%202026-12-03T11:00:00Z",
                "collection",
            ),
        )
    )
    assert (one.entity, one.remote_id) == (Entity.VENDORS, "4b4f31f0-dc1c-4033-b2aa-ab03ca1d6ebc")
    assert (one.subscription_id, one.client_state) == ("sub-1", "secret")
    assert (many.entity, many.remote_id) == (Entity.VENDORS, None)


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        (b"not json", "body"),
        (b'{"value": 3}', "value"),
        (body(notice(f"{COMPANY}/purchaseOrders(1)")), "value.resource"),
        (body({**notice(f"{COMPANY}/vendors(1)"), "clientState": None}), "value.clientState"),
    ],
)
def test_a_body_that_is_no_notification_is_refused(sent: bytes, field: str) -> None:
    with pytest.raises(errors.ValidationFailed) as refused:
        WEBHOOKS.parse(sent)
    assert field in refused.value.fields
