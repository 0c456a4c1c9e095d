"""The OpenAPI document: the paths of the API contract, and the error statuses and parameters
each operation documents, exactly as the server answers them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from unittest.mock import ANY

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from ..conftest import AccountFixture, ConnectionFixture

_METHODS = {"get", "post", "patch", "put", "delete"}


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    return dict(client.get("/openapi.json").json())


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in _METHODS:
                yield method.upper(), path, operation


def test_management_and_unified_paths_are_documented(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for path, method in [
        ("/v1/connections", "get"),
        ("/v1/connections", "post"),
        ("/v1/connections/{connection_id}", "get"),
        ("/v1/connections/{connection_id}", "patch"),
        ("/v1/connections/{connection_id}/disconnect", "post"),
        ("/v1/connection", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
    ]:
        assert method in paths[path], (method, path)
        if path.startswith("/v1"):
            responses = paths[path][method]["responses"]
            assert {"400", "401", "429", "500"} <= set(responses)


def test_no_operation_documents_fastapis_422(document: dict[str, Any]) -> None:
    # Invalid input is answered 400 with the error body, never 422 with FastAPI's.
    assert [f"{m} {p}" for m, p, op in _operations(document) if "422" in op["responses"]] == []
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_error_response_is_the_error_body(document: dict[str, Any]) -> None:
    wrong = []
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")) and path != "/readyz":
                schema = response["content"]["application/json"]["schema"]
                if schema != {"$ref": "#/components/schemas/ErrorBody"}:
                    wrong.append(f"{method} {path} {status}")
    assert wrong == []


def test_error_codes_are_the_taxonomys(document: dict[str, Any]) -> None:
    detail = document["components"]["schemas"]["ErrorDetail"]
    codes = set(detail["properties"]["code"]["enum"])
    assert {"VALIDATION_FAILED", "OPERATION_NOT_SUPPORTED", "CONNECTION_DISCONNECTED"} <= codes
    assert "INTERNAL_ERROR" in codes
    bad_request = document["paths"]["/v1/connections"]["get"]["responses"]["400"]
    assert "`OPERATION_NOT_SUPPORTED`" in bad_request["description"]


def test_rate_limited_and_unavailable_answers_document_retry_after(
    document: dict[str, Any],
) -> None:
    missing = [
        f"{method} {path} {status}"
        for method, path, operation in _operations(document)
        for status, response in operation["responses"].items()
        if status in {"429", "503"} and path != "/readyz"
        if not response.get("headers", {}).get("Retry-After", {}).get("required")
    ]
    assert missing == []
    assert document["paths"]["/v1/connection"]["get"]["responses"]["429"]


def test_every_response_documents_the_request_id_header(document: dict[str, Any]) -> None:
    missing = [
        f"{method} {path} {status}"
        for method, path, operation in _operations(document)
        for status, response in operation["responses"].items()
        if not response.get("headers", {}).get("X-Request-ID", {}).get("required")
    ]
    assert missing == []


def test_every_parameter_has_a_description(document: dict[str, Any]) -> None:
    undocumented = [
        f"{method} {path} {param['in']}:{param['name']}"
        for method, path, operation in _operations(document)
        for param in operation.get("parameters", [])
        if not param.get("description")
    ]
    assert undocumented == []


def test_operation_specific_statuses_are_documented(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert "409" in paths["/v1/connections/{connection_id}/data"]["delete"]["responses"]
    assert "410" in paths["/v1/link-tokens"]["post"]["responses"]
    assert "404" in paths["/v1/connections/{connection_id}"]["get"]["responses"]
    # No path parameter, nothing to be missing: a list is never a 404.
    assert "404" not in paths["/v1/connections"]["get"]["responses"]
    assert "413" in paths["/v1/connections"]["post"]["responses"]
    assert "413" not in paths["/v1/connections"]["get"]["responses"]
    # Health endpoints take no credential.
    assert "401" not in paths["/healthz"]["get"]["responses"]


def test_disconnected_connection_errors_are_documented(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    """The statuses these answers are given with are the ones the document names."""
    document = client.get("/openapi.json").json()
    path = f"/v1/connections/{sandbox.id}/data"
    conflict = client.delete(path, headers=account.headers)
    assert conflict.status_code == 409
    assert "409" in document["paths"]["/v1/connections/{connection_id}/data"]["delete"]["responses"]
    client.post(f"/v1/connections/{sandbox.id}/disconnect", headers=account.headers)
    gone = client.post(
        "/v1/link-tokens",
        headers=account.headers,
        json={"end_customer_id": "c1", "end_customer_name": "C", "connection_id": sandbox.id},
    )
    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "CONNECTION_DISCONNECTED"
    assert "410" in document["paths"]["/v1/link-tokens"]["post"]["responses"]


def test_summaries_use_the_right_article(document: dict[str, Any]) -> None:
    wrong = [
        operation["summary"]
        for _, _, operation in _operations(document)
        if re.search(r"\ba [aeiou]", operation.get("summary", ""), re.IGNORECASE)
    ]
    assert wrong == []
    summaries = {op.get("summary") for _, _, op in _operations(document)}
    assert "Create an inventory item in the source system" in summaries
    assert "Change an asset in the source system" in summaries


def _body_schema(document: dict[str, Any], method: str, path: str) -> Any:
    operation = document["paths"][path][method.lower()]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return jsonschema_rs.Draft202012Validator(
        {**schema, "components": document["components"]}, validate_formats=True
    )


def _first(
    client: TestClient, sandbox: ConnectionFixture, entity: str, **match: str
) -> dict[str, Any]:
    page = client.get(f"/v1/{entity}", params={"limit": 100}, headers=sandbox.headers).json()
    return next(r for r in page["data"] if all(r[k] == v for k, v in match.items()))


def test_the_document_refuses_the_bodies_the_server_refuses(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    """Rules across fields are in the schema: a body is schema-valid exactly when it is not
    refused as invalid (400)."""
    document = client.get("/openapi.json").json()
    # Stock is held in warehouses (a rule of the source, not of the request's shape).
    location = _first(client, sandbox, "locations", type="warehouse")
    item = _first(client, sandbox, "inventory-items")
    order = _first(client, sandbox, "work-orders")
    vendor = _first(client, sandbox, "vendors")
    adjust = f"/v1/inventory-items/{item['id']}/adjustments"
    at = {"location_remote_id": location["remote_id"], "reason": "count"}
    line = {"description": "Bolts", "quantity": "10"}
    cases: list[tuple[str, str, str, dict[str, Any], bool]] = [
        # (method, documented path, path, body, valid)
        (
            "PATCH",
            "/v1/work-orders/{record_id}",
            f"/v1/work-orders/{order['id']}",
            {"status": None},
            False,
        ),
        (
            "PATCH",
            "/v1/work-orders/{record_id}",
            f"/v1/work-orders/{order['id']}",
            {"title": "  "},
            False,
        ),
        (
            "PATCH",
            "/v1/work-orders/{record_id}",
            f"/v1/work-orders/{order['id']}",
            {"location_id": location["id"], "location_remote_id": location["remote_id"]},
            False,
        ),
        (
            "PATCH",
            "/v1/work-orders/{record_id}",
            f"/v1/work-orders/{order['id']}",
            {"location_id": location["id"], "location_remote_id": None},
            True,
        ),
        ("POST", "/v1/inventory-items/{record_id}/adjustments", adjust, at, False),
        (
            "POST",
            "/v1/inventory-items/{record_id}/adjustments",
            adjust,
            {**at, "quantity_delta": "1", "new_count": "2"},
            False,
        ),
        (
            "POST",
            "/v1/inventory-items/{record_id}/adjustments",
            adjust,
            {**at, "quantity_delta": "-0.00"},
            False,
        ),
        (
            "POST",
            "/v1/inventory-items/{record_id}/adjustments",
            adjust,
            {**at, "quantity_delta": "2.5"},
            True,
        ),
        (
            "POST",
            "/v1/inventory-items/{record_id}/adjustments",
            adjust,
            {**at, "location_id": location["id"], "new_count": 3},
            False,
        ),
        (
            "POST",
            "/v1/purchase-orders",
            "/v1/purchase-orders",
            {"vendor_id": vendor["id"], "lines": [{**line, "quantity": "1e3"}]},
            False,
        ),
        (
            "POST",
            "/v1/purchase-orders",
            "/v1/purchase-orders",
            {"vendor_id": vendor["id"], "lines": [{**line, "quantity": 1.5e300}]},
            False,
        ),
        (
            "POST",
            "/v1/purchase-orders",
            "/v1/purchase-orders",
            {"vendor_id": vendor["id"], "lines": [{"quantity": "1"}]},
            False,
        ),
        (
            "POST",
            "/v1/purchase-orders",
            "/v1/purchase-orders",
            {"vendor_id": vendor["id"], "lines": [line]},
            True,
        ),
        ("POST", "/v1/deliveries/retry", "/v1/deliveries/retry", {}, False),
        ("POST", "/v1/deliveries/retry", "/v1/deliveries/retry", {"endpoint_id": None}, False),
        (
            "POST",
            "/v1/deliveries/retry",
            "/v1/deliveries/retry",
            {"since": "2026-01-01T00:00:00Z"},
            True,
        ),
        ("POST", "/v1/passthrough", "/v1/passthrough", {"method": "GET", "path": "//x"}, False),
        ("POST", "/v1/passthrough", "/v1/passthrough", {"method": "GET", "path": "/a/../b"}, False),
    ]
    disagree = []
    for method, documented, path, body, valid in cases:
        validator = _body_schema(document, method, documented)
        headers = account.headers if path.startswith("/v1/deliveries") else sandbox.headers
        answer = client.request(method, path, json=body, headers=headers)
        if validator.is_valid(body) != valid or (answer.status_code != 400) != valid:
            disagree.append((method, path, body, validator.is_valid(body), answer.status_code))
    assert disagree == []


def test_issued_cursors_have_the_documented_format(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    document = client.get("/openapi.json").json()
    parameters = document["paths"]["/v1/vendors"]["get"]["parameters"]
    pattern = next(p for p in parameters if p["name"] == "cursor")["schema"]["pattern"]
    first = client.get("/v1/vendors", params={"limit": 1}, headers=sandbox.headers).json()
    assert re.search(pattern, first["next_cursor"])
    second = client.get(
        "/v1/vendors", params={"limit": 1, "cursor": first["next_cursor"]}, headers=sandbox.headers
    )
    assert second.status_code == 200
    assert second.json()["data"] != first["data"]
    runs = client.get("/v1/sync/runs", params={"limit": 1}, headers=sandbox.headers).json()
    assert re.search(pattern, runs["next_cursor"])
    malformed = client.get(
        "/v1/vendors", params={"cursor": "not a cursor!"}, headers=sandbox.headers
    )
    assert malformed.status_code == 400
    assert malformed.json()["error"]["details"]["fields"] == {"cursor": ANY}


def test_unified_writes_name_the_connectors_that_offer_them(document: dict[str, Any]) -> None:
    delete = document["paths"]["/v1/work-orders/{record_id}"]["delete"]
    create = document["paths"]["/v1/work-orders"]["post"]
    assert "sandbox" in create["x-supported-by"]
    assert "sandbox" not in delete["x-supported-by"]
    assert "`OPERATION_NOT_SUPPORTED`" in delete["description"]
    assert "Offered by `sandbox`" in create["description"]
    system = document["components"]["schemas"]["ConnectionCreate"]["properties"]["system"]
    assert {"sandbox", "tryton", "sap_s4hana"} <= set(system["enum"])
