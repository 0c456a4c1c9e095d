"""Health, readiness, metrics and docs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ..conftest import AccountFixture


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
    assert response.json()["status"] == "not_ready"


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
