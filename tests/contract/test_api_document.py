"""The OpenAPI document carries the paths of the API contract that exist so far."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_management_and_unified_paths_are_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
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
