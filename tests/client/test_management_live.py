"""The SDK against a running ironbridge, with an admin key: connectors, the connect flow, connections,
events, webhook endpoints and deliveries (verified with the SDK's own verifier), health."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from ironbridge.client import (
    AuthenticationFailed,
    Client,
    ConnectionDisconnected,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    webhooks,
)

from .conftest import Served


@dataclass
class Receiver:
    """A webhook receiver on loopback keeping what it is sent (headers, raw body)."""

    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            got.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Receiver(f"http://127.0.0.1:{server.server_port}/hooks", got)
    finally:
        server.shutdown()
        server.server_close()


def test_health_readiness_and_metrics(admin: Client) -> None:
    assert admin.health.live() == {"status": "ok"}
    assert admin.health.ready().status == "ready"
    assert "# TYPE" in admin.health.metrics()


def test_the_catalog_lists_the_sandbox(admin: Client) -> None:
    systems = {entry["id"] for entry in admin.connectors.list().data}
    assert "sandbox" in systems


def _connect_as_the_end_customer(url: str, link_token: str) -> str:
    """What the end customer's browser does in the connect flow (not the SDK's part)."""
    with httpx.Client(base_url=url, timeout=30) as browser:
        page = browser.get("/connect/sandbox", params={"token": link_token})
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None, page.text
        done = browser.post(
            "/connect/sandbox",
            data={"token": link_token, "csrf": csrf.group(1), "c.tenant": "Plant 12"},
        )
    found = re.search(r'data-public-token="(ib_pub_[^"]+)"', done.text)
    assert found is not None, done.text
    return found.group(1)


def test_the_connect_flow_ends_in_a_working_connection_token(admin: Client, served: Served) -> None:
    link = admin.link_tokens.create(end_customer_id="plant-12", end_customer_name="Plant 12")
    assert link.connect_url.startswith(served.url)
    public_token = _connect_as_the_end_customer(served.url, link.link_token)
    exchanged = admin.link_tokens.exchange(public_token)
    assert exchanged.connection.end_customer_id == "plant-12"
    with Client(exchanged.connection_token, base_url=served.url) as plant:
        assert plant.connection.get().id == exchanged.connection_id
    with pytest.raises((AuthenticationFailed, ValidationFailed, NotFound)):
        admin.link_tokens.exchange(public_token)


def test_a_connection_lives_from_server_side_connect_to_deleted_data(
    admin: Client, served: Served
) -> None:
    key = f"connect-{uuid.uuid4()}"
    body = {
        "system": "sandbox",
        "end_customer_id": "plant-21",
        "end_customer_name": "Plant 21",
        "credentials": {"tenant": "Plant 21"},
    }
    created = admin.connections.create(body, idempotency_key=key)
    assert created.token.startswith("ib_conn_")
    assert admin.connections.create(body, idempotency_key=key).id == created.id

    listed = list(admin.connections.list(end_customer_id="plant-21", limit=1))
    assert [c.id for c in listed] == [created.id]
    every = list(admin.connections.list(limit=1))
    assert {served.plant.id, served.other.id, created.id} <= {c.id for c in every}
    assert admin.connections.page(limit=1).next_cursor

    assert admin.connections.get(created.id).end_customer_name == "Plant 21"
    updated = admin.connections.update(created.id, metadata={"crm": "42"})
    assert updated.metadata == {"crm": "42"}

    with Client(created.token, base_url=served.url) as plant:
        plant.sync.start(["vendors"], full=True)
        runs = list(admin.connections.sync_runs(created.id, entity="vendors", limit=1))
        assert runs and {run.entity for run in runs} == {"vendors"}
        assert admin.connections.sync_runs_page(created.id, limit=1).data
        assert list(admin.connections.errors(created.id)) == []
        assert admin.connections.errors_page(created.id).next_cursor is None

        assert admin.connections.disconnect(created.id).status == "disconnected"
        with pytest.raises((ConnectionDisconnected, AuthenticationFailed)):
            plant.vendors.page(limit=1)
    assert admin.connections.delete_data(created.id).deleted_records > 0


def test_events_are_polled_in_order_across_pages(admin: Client, served: Served) -> None:
    # Events show once settled (two seconds, so late commits cannot be skipped): wait for them.
    deadline = time.monotonic() + 30
    while len(admin.events.page(limit=500).data) < 3:
        assert time.monotonic() < deadline, "no events appeared"
        time.sleep(0.1)
    walked = list(admin.events.list(limit=2))
    first = admin.events.page(limit=500)
    # Other connections keep syncing, so events may settle after the walk: they come after it.
    assert [e.id for e in walked] == [e.id for e in first.data[: len(walked)]]
    assert [e.sequence for e in walked if e.connection_id == served.plant.id] == sorted(
        e.sequence for e in walked if e.connection_id == served.plant.id
    )
    assert "connection.created" in {e.type for e in walked}
    # The feed's cursor is where to poll next: what it answers is only what settled since.
    assert first.next_cursor
    since = admin.events.page(cursor=first.next_cursor, limit=500).data
    assert not {e.id for e in since} & {e.id for e in first.data}
    mine = list(admin.events.list(connection_id=served.plant.id, types=["connection.created"]))
    assert [(e.type, e.connection_id) for e in mine] == [("connection.created", served.plant.id)]


def test_webhook_endpoints_sign_what_the_sdk_verifies(admin: Client, receiver: Receiver) -> None:
    endpoint = admin.webhook_endpoints.create(url=receiver.url, event_types=["webhook.test"])
    assert endpoint.secret and endpoint.secret.startswith("whsec_")
    result = admin.webhook_endpoints.test(endpoint.id)
    assert result.status == "succeeded" and result.attempt and result.attempt.status_code == 200
    headers, body = receiver.received[-1]
    event = admin.webhooks.verify(body, headers, endpoint.secret)
    assert event["type"] == "webhook.test" and event["id"] == result.event_id
    with pytest.raises(webhooks.InvalidSignature):
        webhooks.verify(body + b" ", headers, endpoint.secret)

    rotated = admin.webhook_endpoints.rotate_secret(endpoint.id)
    assert rotated.secret and rotated.secret != endpoint.secret
    admin.webhook_endpoints.test(endpoint.id)
    headers, body = receiver.received[-1]
    assert webhooks.verify(body, headers, rotated.secret)["type"] == "webhook.test"
    assert webhooks.verify(body, headers, endpoint.secret)["type"] == "webhook.test"

    assert endpoint.id in {e.id for e in admin.webhook_endpoints.list().data}
    assert admin.webhook_endpoints.get(endpoint.id).url == receiver.url
    assert admin.webhook_endpoints.update(endpoint.id, enabled=False).enabled is False

    deliveries = list(admin.deliveries.list(endpoint_id=endpoint.id, limit=1))
    assert len(deliveries) == 2 and {d.status for d in deliveries} == {"succeeded"}
    assert admin.deliveries.page(endpoint_id=endpoint.id, status="failed").data == []
    one = admin.deliveries.get(deliveries[0].id)
    assert one.event_type == "webhook.test"
    assert admin.deliveries.retry(one.id).status == "pending"
    bulk = admin.deliveries.retry_many(endpoint_id=endpoint.id)
    assert bulk.retried == len(bulk.delivery_ids)

    admin.webhook_endpoints.delete(endpoint.id)
    with pytest.raises(NotFound):
        admin.webhook_endpoints.get(endpoint.id)


def test_a_connection_token_is_refused_on_management(served: Served) -> None:
    with (
        Client(served.plant.token, base_url=served.url) as plant,
        pytest.raises((PermissionDenied, AuthenticationFailed)) as refused,
    ):
        plant.webhook_endpoints.list()
    assert refused.value.status in (401, 403) and refused.value.request_id
