"""Management API for connections: list, read, change, disconnect."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ironbridge.bootstrap import Container

from ..conftest import AccountFixture, ConnectionFixture, new_account, new_sandbox_connection
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


def test_patch_merges_metadata_keys_and_null_removes_one(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    url, headers = f"/v1/connections/{sandbox.id}", sandbox.account.headers
    client.patch(url, json={"metadata": {"crm": "7", "tier": "silver"}}, headers=headers)
    merged = client.patch(url, json={"metadata": {"tier": "gold", "region": "eu"}}, headers=headers)
    assert merged.status_code == 200, merged.text
    assert merged.json()["metadata"] == {"crm": "7", "tier": "gold", "region": "eu"}
    removed = client.patch(
        url, json={"metadata": {"crm": None, "absent": None}}, headers=headers
    ).json()
    assert removed["metadata"] == {"tier": "gold", "region": "eu"}
    untouched = client.patch(url, json={"sync_schedule": "hourly"}, headers=headers).json()
    assert untouched["metadata"] == {"tier": "gold", "region": "eu"}
    assert client.get(url, headers=headers).json()["metadata"] == {"tier": "gold", "region": "eu"}


def test_metadata_limits_hold_for_the_merged_result(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    url, headers = f"/v1/connections/{sandbox.id}", sandbox.account.headers
    full = {f"k{i}": "v" for i in range(50)}
    assert client.patch(url, json={"metadata": full}, headers=headers).status_code == 200
    over = client.patch(url, json={"metadata": {"one-more": "v"}}, headers=headers)
    error = assert_error(over, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert "metadata" in error["details"]["fields"]
    swapped = client.patch(url, json={"metadata": {"one-more": "v", "k0": None}}, headers=headers)
    assert swapped.status_code == 200, swapped.text
    assert len(swapped.json()["metadata"]) == 50 and "k0" not in swapped.json()["metadata"]
    bad_value = client.patch(url, json={"metadata": {"k1": 5}}, headers=headers)
    assert_error(bad_value, 400, "VALIDATION_FAILED", "invalid_request_error")


def test_patch_documents_how_metadata_merges(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    description = schemas["ConnectionPatch"]["properties"]["metadata"]["description"]
    assert "merge" in description and "null" in description


NEW_CONNECTION = {
    "system": "sandbox",
    "end_customer_id": "c-77",
    "end_customer_name": "Seventy Seven",
    "metadata": {"crm": "77"},
}


def test_connecting_with_an_idempotency_key_replays_the_first_answer(
    client: TestClient, account: AccountFixture
) -> None:
    headers = {**account.headers, "Idempotency-Key": "connect-c-77"}
    first = client.post("/v1/connections", json=NEW_CONNECTION, headers=headers)
    again = client.post("/v1/connections", json=NEW_CONNECTION, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()  # the token too: a retry that lost the answer needs it
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    listed = client.get("/v1/connections", headers=account.headers).json()["data"]
    assert [c["id"] for c in listed] == [first.json()["id"]]
    token = {"Authorization": f"Bearer {again.json()['token']}"}
    assert client.get("/v1/connection", headers=token).json()["id"] == first.json()["id"]


def test_an_idempotency_key_reused_for_another_connection_is_409(
    client: TestClient, account: AccountFixture
) -> None:
    headers = {**account.headers, "Idempotency-Key": "connect-once"}
    assert client.post("/v1/connections", json=NEW_CONNECTION, headers=headers).status_code == 201
    other = client.post(
        "/v1/connections", json={**NEW_CONNECTION, "end_customer_id": "c-78"}, headers=headers
    )
    assert_error(other, 409, "IDEMPOTENCY_KEY_REUSED", "invalid_request_error")
    assert len(client.get("/v1/connections", headers=account.headers).json()["data"]) == 1


def test_idempotency_keys_of_connections_are_per_account(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    other = new_account(container, "Other Co")
    key = {"Idempotency-Key": "same-key"}
    mine = client.post("/v1/connections", json=NEW_CONNECTION, headers={**account.headers, **key})
    theirs = client.post("/v1/connections", json=NEW_CONNECTION, headers={**other.headers, **key})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert "Idempotent-Replayed" not in theirs.headers


def test_a_refused_connection_is_replayed_as_refused(
    client: TestClient, account: AccountFixture
) -> None:
    headers = {**account.headers, "Idempotency-Key": "connect-abacus"}
    body = {**NEW_CONNECTION, "system": "abacus"}
    first = client.post("/v1/connections", json=body, headers=headers)
    again = client.post("/v1/connections", json=body, headers=headers)
    assert first.status_code == again.status_code == 400
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["error"]["details"] == first.json()["error"]["details"]
    assert again.json()["error"]["request_id"] == again.headers["X-Request-ID"]


def test_connect_documents_the_idempotency_key(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/connections"]["post"]
    headers = [p for p in operation["parameters"] if p["in"] == "header"]
    assert [p["name"] for p in headers] == ["Idempotency-Key"]
    assert "24 h" in headers[0]["description"]
