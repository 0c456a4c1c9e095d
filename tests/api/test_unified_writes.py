"""Writes through the unified API against the sandbox: capabilities, business rules, idempotency."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from ..conftest import ConnectionFixture
from .test_error_contract import assert_error
from .test_unified_reads import all_pages


def _first(
    client: TestClient, sandbox: ConnectionFixture, path: str, **match: str
) -> dict[str, Any]:
    for record in all_pages(client, path, sandbox.headers, 500):
        if all(record.get(k) == v for k, v in match.items()):
            return record
    raise AssertionError(f"no {path} record with {match}")


def _new_order(client: TestClient, sandbox: ConnectionFixture) -> dict[str, Any]:
    vendor = _first(client, sandbox, "/v1/vendors", status="active")
    items = client.get("/v1/inventory-items?status=active&limit=1", headers=sandbox.headers).json()[
        "data"
    ]
    return {
        "vendor_id": vendor["id"],
        "currency": "USD",
        "lines": [{"item_id": items[0]["id"], "quantity": "5", "unit_price": "12.50"}],
    }


def test_create_answers_with_the_record_and_the_sandbox_stays_unchanged(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    before = len(all_pages(client, "/v1/purchase-orders", sandbox.headers, 500))
    response = client.post(
        "/v1/purchase-orders", json=_new_order(client, sandbox), headers=sandbox.headers
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["id"].startswith("po_") and created["status"] == "draft"
    assert created["lines"][0]["line_total"] == "62.50"
    assert len(all_pages(client, "/v1/purchase-orders", sandbox.headers, 500)) == before
    missing = client.get(f"/v1/purchase-orders/{created['id']}", headers=sandbox.headers)
    assert_error(missing, 404, "NOT_FOUND", "invalid_request_error")


def test_a_write_naming_an_unknown_vendor_fails_on_that_field(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    body = _new_order(client, sandbox)
    body["vendor_id"] = "vnd_" + "0" * 32
    response = client.post("/v1/purchase-orders", json=body, headers=sandbox.headers)
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert "vendor_id" in error["details"]["fields"]


def test_a_badly_shaped_body_names_each_field(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    response = client.post(
        "/v1/purchase-orders",
        json={"vendor_id": 7, "lines": [{"quantity": "-1"}], "colour": "red"},
        headers=sandbox.headers,
    )
    fields = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")["details"][
        "fields"
    ]
    assert "colour" in fields and "vendor_id" in fields
    assert any(name.startswith("lines.0") for name in fields)


def test_modifying_an_approved_order_is_record_locked(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    approved = _first(client, sandbox, "/v1/purchase-orders", status="approved")
    response = client.patch(
        f"/v1/purchase-orders/{approved['id']}", json={"notes": "rush"}, headers=sandbox.headers
    )
    error = assert_error(response, 409, "RECORD_LOCKED", "invalid_request_error")
    assert "approved" in error["message"]


def test_updating_a_draft_answers_the_change_and_changes_nothing(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    draft = _first(client, sandbox, "/v1/purchase-orders", status="draft")
    response = client.patch(
        f"/v1/purchase-orders/{draft['id']}",
        json={"notes": "call before delivery"},
        headers=sandbox.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["notes"] == "call before delivery"
    assert client.get(f"/v1/purchase-orders/{draft['id']}", headers=sandbox.headers).json() == draft


def test_delete_of_a_draft_is_answered_and_the_record_stays(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    draft = _first(client, sandbox, "/v1/purchase-orders", status="draft")
    response = client.delete(f"/v1/purchase-orders/{draft['id']}", headers=sandbox.headers)
    assert response.status_code == 200 and response.json()["deleted"] is True
    assert (
        client.get(f"/v1/purchase-orders/{draft['id']}", headers=sandbox.headers).json()["deleted"]
        is False
    )


def test_operations_the_connector_lacks_are_not_supported(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    response = client.post(
        "/v1/assets", json={"tag": "A-1", "name": "Pump"}, headers=sandbox.headers
    )
    error = assert_error(response, 400, "OPERATION_NOT_SUPPORTED", "invalid_request_error")
    assert error["details"] == {"connector": "sandbox", "entity": "assets", "operation": "create"}
    assert "sandbox" in error["message"] and "assets" in error["message"]


def test_adjustment_below_zero_fails_clearly(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    items = all_pages(client, "/v1/inventory-items", sandbox.headers, 500)
    empty = next(i for i in items if i["stock_levels"] and i["total_on_hand"] == "0")
    level = empty["stock_levels"][0]
    response = client.post(
        f"/v1/inventory-items/{empty['id']}/adjustments",
        json={"location_id": level["location"]["id"], "quantity_delta": "-3", "reason": "damaged"},
        headers=sandbox.headers,
    )
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert "quantity_delta" in error["details"]["fields"]


def test_adjustment_answers_the_new_stock_level(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    items = all_pages(client, "/v1/inventory-items", sandbox.headers, 500)
    stocked = next(
        i for i in items if i["stock_levels"] and i["total_on_hand"] not in ("0", "0.00")
    )
    level = stocked["stock_levels"][0]
    response = client.post(
        f"/v1/inventory-items/{stocked['id']}/adjustments",
        json={"location_id": level["location"]["id"], "new_count": "1000", "reason": "cycle count"},
        headers=sandbox.headers,
    )
    assert response.status_code == 200, response.text
    after = next(
        s for s in response.json()["stock_levels"] if s["location"]["id"] == level["location"]["id"]
    )
    assert after["on_hand"] in ("1000", "1000.00")


def test_idempotency_key_replays_the_first_answer(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    body = _new_order(client, sandbox)
    headers = {**sandbox.headers, "Idempotency-Key": "order-2026-0001"}
    first = client.post("/v1/purchase-orders", json=body, headers=headers)
    again = client.post("/v1/purchase-orders", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/v1/purchase-orders", json={**body, "currency": "EUR"}, headers=headers)
    assert_error(other, 409, "IDEMPOTENCY_KEY_REUSED", "invalid_request_error")
    fresh = client.post(
        "/v1/purchase-orders",
        json=body,
        headers={**sandbox.headers, "Idempotency-Key": "order-2026-0002"},
    )
    assert fresh.json()["remote_id"] != first.json()["remote_id"]


def test_idempotency_replays_errors_too_with_the_current_request_id(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    approved = _first(client, sandbox, "/v1/purchase-orders", status="approved")
    headers = {**sandbox.headers, "Idempotency-Key": "locked-1"}
    first = client.patch(
        f"/v1/purchase-orders/{approved['id']}", json={"notes": "x"}, headers=headers
    )
    again = client.patch(
        f"/v1/purchase-orders/{approved['id']}", json={"notes": "x"}, headers=headers
    )
    assert first.status_code == again.status_code == 409
    assert again.json()["error"]["request_id"] == again.headers["X-Request-ID"]
    bad_key = client.post(
        "/v1/purchase-orders", json={}, headers={**sandbox.headers, "Idempotency-Key": "k" * 256}
    )
    assert bad_key.status_code == 400


def test_passthrough_reaches_the_source(client: TestClient, sandbox: ConnectionFixture) -> None:
    response = client.post(
        "/v1/passthrough", json={"method": "GET", "path": "/info"}, headers=sandbox.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == 200
    missing = client.post(
        "/v1/passthrough", json={"method": "GET", "path": "/nope"}, headers=sandbox.headers
    )
    assert_error(missing, 404, "NOT_FOUND", "invalid_request_error")
    escape = client.post(
        "/v1/passthrough",
        json={"method": "GET", "path": "https://evil.example/x"},
        headers=sandbox.headers,
    )
    assert_error(escape, 400, "VALIDATION_FAILED", "invalid_request_error")
