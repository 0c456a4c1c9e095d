"""The OpenAPI document: the paths of the API contract, and the error statuses and parameters
each operation documents, exactly as the server answers them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

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
        if "X-Request-ID" not in response.get("headers", {})
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
