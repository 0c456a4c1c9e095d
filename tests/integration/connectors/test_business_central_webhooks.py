"""The Business Central emulator's webhook subscriptions, against a real receiver on 127.0.0.1:
the validationToken handshake, delayed notifications, collection notifications, retries and
the deletion of a subscription whose receiver refuses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ironbridge.testing.emulators.business_central import SCOPE, RunningEmulator, running_emulator


@dataclass
class Receiver:
    """A notification URL: answers the handshake (unless told not to) and keeps what arrives."""

    url: str = ""
    validate: bool = True
    status: int = 202
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            token = parse_qs(urlsplit(self.path).query).get("validationToken")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if token is not None:
                answer = token[0].encode() if state.validate else b"no"
                self.send_response(200)
            else:
                state.received.append(json.loads(body))
                answer = b""
                self.send_response(state.status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/bc-hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def bc() -> Iterator[RunningEmulator]:
    with running_emulator() as running:
        running.emulator.subscriptions.delay = timedelta(0)
        yield running


def api(bc: RunningEmulator) -> httpx.Client:
    state = bc.emulator
    token = httpx.post(
        bc.token_url,
        data={"grant_type": "client_credentials", "scope": SCOPE},
        auth=(state.client_id, state.client_secret),
    ).json()["access_token"]
    return httpx.Client(
        base_url=f"{bc.base_url}{state.root}", headers={"Authorization": f"Bearer {token}"}
    )


def subscribe(client: httpx.Client, bc: RunningEmulator, url: str, entity_set: str) -> Any:
    resource = f"/api/v2.0/companies({bc.emulator.company_id()})/{entity_set}"
    body = {"notificationUrl": url, "resource": resource, "clientState": "s3cret"}
    return client.post("subscriptions", json=body)


def test_a_subscription_needs_the_handshake(bc: RunningEmulator, receiver: Receiver) -> None:
    with api(bc) as client:
        receiver.validate = False
        assert subscribe(client, bc, receiver.url, "vendors").status_code == 400
        receiver.validate = True
        created = subscribe(client, bc, receiver.url, "vendors")
        assert created.status_code == 201, created.text
        assert created.json()["clientState"] == "s3cret"
        assert [s["subscriptionId"] for s in client.get("subscriptions").json()["value"]] == [
            created.json()["subscriptionId"]
        ]


def test_only_webhook_enabled_entities_can_be_subscribed(
    bc: RunningEmulator, receiver: Receiver
) -> None:
    with api(bc) as client:
        refused = subscribe(client, bc, receiver.url, "purchaseOrders")
    assert refused.status_code == 400 and "does not support webhooks" in refused.text


def test_changes_are_notified_after_the_delay(bc: RunningEmulator, receiver: Receiver) -> None:
    with api(bc) as client:
        subscription = subscribe(client, bc, receiver.url, "vendors").json()
        vendor = bc.emulator.company().rows("vendors")[0]
        bc.emulator.subscriptions.delay = timedelta(hours=1)
        bc.emulator.company().touch("vendors", vendor["id"], phoneNumber="+1 555 0000")
        assert bc.emulator.subscriptions.deliver() == 0, "not before the delay"
        bc.emulator.subscriptions.delay = timedelta(0)
        assert bc.emulator.subscriptions.deliver() == 1
    ((note,),) = [r["value"] for r in receiver.received]
    assert note["subscriptionId"] == subscription["subscriptionId"]
    assert note["clientState"] == "s3cret" and note["changeType"] == "updated"
    assert note["resource"].endswith(f"/vendors({vendor['id']})")
    assert bc.emulator.subscriptions.deliver() == 0, "each change is sent once"


def test_many_changes_become_one_collection_notification(
    bc: RunningEmulator, receiver: Receiver
) -> None:
    bc.emulator.subscriptions.max_notifications = 3
    with api(bc) as client:
        subscribe(client, bc, receiver.url, "items")
    for item in bc.emulator.company().rows("items")[:5]:
        bc.emulator.company().touch("items", item["id"], unitCost=1)
    bc.emulator.subscriptions.deliver()
    ((note,),) = [r["value"] for r in receiver.received]
    assert note["changeType"] == "collection"
    assert "?$filter=lastModifiedDateTime gt " in note["resource"]


@pytest.mark.parametrize(("status", "kept"), [(503, True), (429, True), (404, False)])
def test_a_failing_receiver_is_retried_or_loses_its_subscription(
    bc: RunningEmulator, receiver: Receiver, status: int, kept: bool
) -> None:
    with api(bc) as client:
        subscribe(client, bc, receiver.url, "vendors")
    vendor = bc.emulator.company().rows("vendors")[0]
    bc.emulator.company().touch("vendors", vendor["id"], phoneNumber="+1 555 0001")
    receiver.status = status
    bc.emulator.subscriptions.deliver()
    assert bool(bc.emulator.subscriptions.items) is kept
    receiver.status = 202
    assert bc.emulator.subscriptions.deliver() == (1 if kept else 0)


def test_writes_through_the_api_are_notified_and_renewal_needs_the_etag(
    bc: RunningEmulator, receiver: Receiver
) -> None:
    with api(bc) as client:
        subscription = subscribe(client, bc, receiver.url, "vendors").json()
        company = bc.emulator.company_id()
        created = client.post(f"companies({company})/vendors", json={"displayName": "Hooked"})
        assert created.status_code == 201, created.text
        bc.emulator.subscriptions.deliver()
        path = f"subscriptions('{subscription['subscriptionId']}')"
        stale = client.patch(path, json={}, headers={"If-Match": 'W/"0"'})
        assert stale.status_code == 409
        renewed = client.patch(path, json={}, headers={"If-Match": subscription["@odata.etag"]})
        assert renewed.status_code == 200
        assert renewed.json()["expirationDateTime"] >= subscription["expirationDateTime"]
        gone = client.delete(path, headers={"If-Match": "*"})
        assert gone.status_code == 204
    ((note,),) = [r["value"] for r in receiver.received]
    assert note["changeType"] == "created"
    assert note["resource"].endswith(f"/vendors({created.json()['id']})")
