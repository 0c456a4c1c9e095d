"""Management API for connections: list, read, change, disconnect."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ironbridge.bootstrap import Container

from ..conftest import AccountFixture, ConnectionFixture, new_sandbox_connection
from .test_error_contract import assert_error


def test_connections_are_listed_with_filters_and_cursor_pages(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    ids = [new_sandbox_connection(container, account, f"cust-{i}").id for i in range(5)]
    first = client.get("/v1/connections?limit=2", headers=account.headers).json()
    assert [c["id"] for c in first["data"]] == ids[:2]
    seen = [c["id"] for c in first["data"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(
            f"/v1/connections?limit=2&cursor={cursor}", headers=account.headers
        ).json()
        seen += [c["id"] for c in page["data"]]
        cursor = page["next_cursor"]
    assert seen == ids
    only = client.get("/v1/connections?end_customer_id=cust-3", headers=account.headers).json()
    assert [c["id"] for c in only["data"]] == [ids[3]]
    assert client.get("/v1/connections?system=maximo", headers=account.headers).json()["data"] == []


def test_a_bad_cursor_is_a_field_error(client: TestClient, account: AccountFixture) -> None:
    response = client.get("/v1/connections?cursor=nonsense!!", headers=account.headers)
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert "cursor" in error["details"]["fields"]


def test_created_connection_returns_its_token_once(
    client: TestClient, account: AccountFixture
) -> None:
    body = {
        "system": "sandbox",
        "end_customer_id": "c-42",
        "end_customer_name": "Forty Two Ltd",
        "metadata": {"crm_id": "0042"},
    }
    created = client.post("/v1/connections", json=body, headers=account.headers)
    assert created.status_code == 201, created.text
    payload = created.json()
    assert payload["token"].startswith("ib_conn_")
    assert payload["status"] == "active"
    assert payload["metadata"] == {"crm_id": "0042"}
    again = client.get(f"/v1/connections/{payload['id']}", headers=account.headers).json()
    assert "token" not in again
    me = client.get("/v1/connection", headers={"Authorization": f"Bearer {payload['token']}"})
    assert me.json()["id"] == payload["id"]


def test_unknown_system_is_a_field_error(client: TestClient, account: AccountFixture) -> None:
    body = {"system": "abacus", "end_customer_id": "c", "end_customer_name": "C"}
    response = client.post("/v1/connections", json=body, headers=account.headers)
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert "system" in error["details"]["fields"]


def test_patch_changes_settings_metadata_and_event_types(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    response = client.patch(
        f"/v1/connections/{sandbox.id}",
        json={
            "sync_schedule": "15m",
            "entities": ["purchase-orders", "vendors"],
            "enabled_event_types": ["sync.completed", "purchase_order.updated"],
            "metadata": {"tier": "gold"},
            "field_mappings": {"purchase-orders": {"custom_fields.cost_center": "CostCenter"}},
        },
        headers=sandbox.account.headers,
    )
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["settings"]["sync_schedule"] == "15m"
    assert view["settings"]["history_days"] is None  # untouched
    assert view["settings"]["entities"] == ["purchase-orders", "vendors"]
    assert view["enabled_event_types"] == ["sync.completed", "purchase_order.updated"]
    assert view["metadata"] == {"tier": "gold"}
    assert view["updated_at"] > view["created_at"]


def test_patch_rejects_an_invalid_mapping_expression(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    response = client.patch(
        f"/v1/connections/{sandbox.id}",
        json={"field_mappings": {"vendors": {"name": "[[["}}},
        headers=sandbox.account.headers,
    )
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert "field_mappings" in error["details"]["fields"]


def test_disconnect_revokes_the_token_and_keeps_the_connection(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    assert client.get("/v1/connection", headers=sandbox.headers).status_code == 200
    response = client.post(
        f"/v1/connections/{sandbox.id}/disconnect", headers=sandbox.account.headers
    )
    assert response.status_code == 200
    assert response.json()["status"] == "disconnected"
    assert response.json()["disconnected_at"]
    revoked = client.get("/v1/connection", headers=sandbox.headers)
    assert_error(revoked, 401, "AUTHENTICATION_FAILED", "authentication_error")
    kept = client.get(f"/v1/connections/{sandbox.id}", headers=sandbox.account.headers)
    assert kept.json()["status"] == "disconnected"
    listed = client.get("/v1/connections?status=disconnected", headers=sandbox.account.headers)
    assert [c["id"] for c in listed.json()["data"]] == [sandbox.id]
