"""Health, readiness, metrics and docs."""

from __future__ import annotations

import socket
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response

from ironbridge.api import create_app
from ironbridge.bootstrap import bootstrap

from ..conftest import REDIS_URL, AccountFixture, make_settings


def test_healthz_and_readyz_answer(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok"}


def test_readyz_is_503_when_the_database_is_gone(client: TestClient) -> None:
    container = client.app.state.container  # type: ignore[attr-defined]
    container.engine.dispose()
    from ironbridge.store import make_engine

    container.engine = make_engine("postgresql://nobody@127.0.0.1:1/none")
    response = client.get("/readyz")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE"
    assert error["details"]["checks"] == {"database": "unavailable: OperationalError"}
    assert int(response.headers["Retry-After"]) >= 1


def _ready(tmp_path: Path, redis_url: str) -> Response:
    container = bootstrap(make_settings(tmp_path, redis_url=redis_url))
    try:
        with TestClient(create_app(container)) as client:
            return client.get("/readyz")
    finally:
        container.close()


def test_readyz_checks_redis_when_the_deployment_uses_it(tmp_path: Path) -> None:
    ready = _ready(tmp_path / "up", REDIS_URL)
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


def test_readyz_is_503_naming_redis_when_redis_does_not_answer(tmp_path: Path) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    response = _ready(tmp_path, f"redis://:hunter2@127.0.0.1:{port}/0")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE"
    assert error["message"] == "Not ready: redis not available."
    assert error["details"]["checks"] == {"database": "ok", "redis": "unavailable: ConnectionError"}
    assert "hunter2" not in response.text


def test_metrics_count_requests_by_route_template_and_status(
    client: TestClient, account: AccountFixture
) -> None:
    client.get("/v1/connections/conn_X", headers=account.headers)
    client.get("/v1/connections/conn_Y", headers=account.headers)
    text = client.get("/metrics").text
    assert (
        'ironbridge_http_requests_total{method="GET",route="/v1/connections/{connection_id}",status="404"} 2.0'
        in text
    )
    assert "ironbridge_http_request_duration_seconds_bucket" in text


def test_docs_and_openapi_are_served(client: TestClient) -> None:
    assert "swagger" in client.get("/docs").text.lower()
    spec = client.get("/openapi.json").json()
    assert "/v1/connections" in spec["paths"]
    assert {"AdminKey", "ConnectionToken"} <= set(spec["components"]["securitySchemes"])
    assert "ErrorBody" in spec["components"]["schemas"]
