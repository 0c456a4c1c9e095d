"""The inbound trigger (the flow's own secret) and the http step (allow-listed hosts, secrets
from the flow's settings, redacted in the run's record)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ironbridge.bootstrap import Container

from ...conftest import AccountFixture, ConnectionFixture, make_settings


@pytest.fixture
def container(tmp_path: Any) -> Iterator[Container]:
    from ironbridge.bootstrap import bootstrap

    # The receiving API listens on 127.0.0.1: private addresses are allowed here.
    built = bootstrap(make_settings(tmp_path, allow_private_urls=True))
    yield built
    built.close()


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"headers": dict(self.headers), "body": json.loads(body)})
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ticket": "T-1"}')

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/tickets", received
    server.shutdown()


def test_an_inbound_call_with_the_flow_secret_runs_it_and_calls_the_allowed_api(
    client: TestClient,
    container: Container,
    account: AccountFixture,
    sandbox: ConnectionFixture,
    receiver: tuple[str, list[dict[str, Any]]],
) -> None:
    url, received = receiver
    flow = client.post(
        "/v1/flows",
        json={
            "name": "ticket",
            "trigger": {"type": "inbound"},
            "connections": {"ids": [sandbox.id]},
            "settings": {"allowed_hosts": ["127.0.0.1"], "secrets": {"token": "s3cr3t-value"}},
            "steps": [
                {
                    "id": "ticket",
                    "type": "http",
                    "url": url,
                    "headers": {"Authorization": "Bearer {{secrets.token}}"},
                    "body": "{asset: trigger.data.asset}",
                }
            ],
        },
        headers=account.headers,
    ).json()
    assert flow["secret_names"] == ["token"]
    path = f"/v1/flows/{flow['id']}/trigger"
    refused = client.post(path, json={"data": {}}, headers={"X-Flow-Secret": "wrong"})
    assert refused.status_code == 401
    accepted = client.post(
        path, json={"data": {"asset": "P-7"}}, headers={"X-Flow-Secret": flow["trigger_secret"]}
    )
    assert accepted.status_code == 202
    (run_id,) = accepted.json()["run_ids"]
    assert container.worker.flows.wait(run_id) == "succeeded"
    (call,) = received
    assert call["body"] == {"asset": "P-7"}
    assert call["headers"]["Authorization"] == "Bearer s3cr3t-value"
    assert call["headers"]["Idempotency-Key"] == f"{run_id}:ticket"
    run = client.get(f"/v1/flows/{flow['id']}/runs/{run_id}", headers=account.headers).json()
    assert run["steps"][0]["output"] == {"status": 201, "body": {"ticket": "T-1"}}
    assert "s3cr3t-value" not in json.dumps(run)


def test_an_http_step_refuses_a_host_the_flow_does_not_allow(
    client: TestClient, account: AccountFixture, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = receiver
    flow = client.post(
        "/v1/flows",
        json={
            "name": "elsewhere",
            "trigger": {"type": "manual"},
            "connections": {"all": True},
            "settings": {"allowed_hosts": ["api.example.com"]},
            "steps": [{"id": "call", "type": "http", "url": url}],
            "sample": {"data": {}},
        },
        headers=account.headers,
    ).json()
    run = client.post(f"/v1/flows/{flow['id']}/test", headers=account.headers).json()
    assert run["status"] == "failed"
    assert "allowed hosts" in run["error"]["message"]
    assert received == []
