"""Triggering syncs over the unified API: what to sync is always said, never assumed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ..conftest import ConnectionFixture
from .test_error_contract import assert_error


@pytest.mark.parametrize(
    "body",
    [None, {}, {"full": True}, {"entities": []}, {"entities": None}, {"entities": "everything"}],
    ids=["no body", "empty object", "only full", "empty list", "null", "unknown word"],
)
def test_a_sync_request_must_say_what_to_sync(
    client: TestClient, sandbox: ConnectionFixture, body: Any
) -> None:
    before = client.get("/v1/sync/runs", headers=sandbox.headers).json()["data"]
    response = client.post("/v1/sync", json=body, headers=sandbox.headers)
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert list(error["details"]["fields"]) == ["entities"]
    assert client.get("/v1/sync/runs", headers=sandbox.headers).json()["data"] == before


def test_all_entities_are_synced_when_asked_by_name(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    enabled = {s["entity"] for s in client.get("/v1/sync", headers=sandbox.headers).json()["data"]}
    response = client.post("/v1/sync", json={"entities": "all"}, headers=sandbox.headers)
    assert response.status_code == 202, response.text
    assert {run["entity"] for run in response.json()["runs"]} == enabled


def test_listed_entities_are_synced_alone(client: TestClient, sandbox: ConnectionFixture) -> None:
    response = client.post(
        "/v1/sync", json={"entities": ["vendors"], "full": True}, headers=sandbox.headers
    )
    assert response.status_code == 202, response.text
    assert [run["entity"] for run in response.json()["runs"]] == ["vendors"]


def test_the_status_lists_each_entity_with_its_availability(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    data = client.get("/v1/sync", headers=sandbox.headers).json()["data"]
    assert [item["entity"] for item in data] == [
        "purchase-orders",
        "work-orders",
        "inventory-items",
        "vendors",
        "assets",
        "locations",
    ]
    offered = {"status": "available", "available": True, "reason": None, "enable": None}
    assert all(item["availability"] == offered for item in data)
