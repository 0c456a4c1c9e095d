"""Every operation of the server's OpenAPI document has an SDK method, on both clients, and
that method sends the operation's method and path."""

from __future__ import annotations

import asyncio
import inspect
import re
from typing import Any

import httpx
import pytest

from ironbridge.client import AsyncClient, Client, RetryPolicy

RECORDS = {
    "purchase-orders": "purchase_orders",
    "work-orders": "work_orders",
    "inventory-items": "inventory_items",
    "vendors": "vendors",
    "assets": "assets",
    "locations": "locations",
}

#: OpenAPI operation (method and path template) → the SDK method and arguments to call it with.
OPERATIONS: dict[str, tuple[str, tuple[Any, ...], dict[str, Any]]] = {
    "GET /healthz": ("health.live", (), {}),
    "GET /readyz": ("health.ready", (), {}),
    "GET /metrics": ("health.metrics", (), {}),
    "GET /v1/connectors": ("connectors.list", (), {}),
    "POST /v1/link-tokens": ("link_tokens.create", (), {"end_customer_id": "c"}),
    "POST /v1/link-tokens/exchange": ("link_tokens.exchange", ("pub",), {}),
    "GET /v1/connections": ("connections.page", (), {}),
    "POST /v1/connections": ("connections.create", (), {"system": "sandbox"}),
    "GET /v1/connections/{connection_id}": ("connections.get", ("c1",), {}),
    "PATCH /v1/connections/{connection_id}": ("connections.update", ("c1",), {"metadata": {}}),
    "POST /v1/connections/{connection_id}/disconnect": ("connections.disconnect", ("c1",), {}),
    "DELETE /v1/connections/{connection_id}/data": ("connections.delete_data", ("c1",), {}),
    "GET /v1/connections/{connection_id}/sync-runs": ("connections.sync_runs_page", ("c1",), {}),
    "GET /v1/connections/{connection_id}/errors": ("connections.errors_page", ("c1",), {}),
    "GET /v1/events": ("events.page", (), {}),
    "GET /v1/webhook-endpoints": ("webhook_endpoints.list", (), {}),
    "POST /v1/webhook-endpoints": ("webhook_endpoints.create", (), {"url": "https://x"}),
    "GET /v1/webhook-endpoints/{endpoint_id}": ("webhook_endpoints.get", ("e1",), {}),
    "PATCH /v1/webhook-endpoints/{endpoint_id}": (
        "webhook_endpoints.update",
        ("e1",),
        {"enabled": False},
    ),
    "DELETE /v1/webhook-endpoints/{endpoint_id}": ("webhook_endpoints.delete", ("e1",), {}),
    "POST /v1/webhook-endpoints/{endpoint_id}/rotate-secret": (
        "webhook_endpoints.rotate_secret",
        ("e1",),
        {},
    ),
    "POST /v1/webhook-endpoints/{endpoint_id}/test": ("webhook_endpoints.test", ("e1",), {}),
    "GET /v1/deliveries": ("deliveries.page", (), {}),
    "GET /v1/deliveries/{delivery_id}": ("deliveries.get", ("d1",), {}),
    "POST /v1/deliveries/{delivery_id}/retry": ("deliveries.retry", ("d1",), {}),
    "POST /v1/deliveries/retry": ("deliveries.retry_many", (), {"endpoint_id": "e1"}),
    "GET /v1/flow-schema": ("flows.schema", (), {}),
    "GET /v1/flows": ("flows.page", (), {}),
    "POST /v1/flows": ("flows.create", (), {"name": "f"}),
    "GET /v1/flows/{flow_id}": ("flows.get", ("f1",), {}),
    "PATCH /v1/flows/{flow_id}": ("flows.update", ("f1",), {"enabled": False}),
    "DELETE /v1/flows/{flow_id}": ("flows.delete", ("f1",), {}),
    "GET /v1/flows/{flow_id}/versions": ("flows.versions", ("f1",), {}),
    "POST /v1/flows/{flow_id}/test": ("flows.test", ("f1",), {}),
    "POST /v1/flows/{flow_id}/steps/{step_id}/test": ("flows.test_step", ("f1", "s1"), {}),
    "GET /v1/flows/{flow_id}/runs": ("flows.runs_page", ("f1",), {}),
    "GET /v1/flows/{flow_id}/runs/{run_id}": ("flows.run", ("f1", "r1"), {}),
    "POST /v1/flow-runs/{run_id}/retry": ("flow_runs.retry", ("r1",), {}),
    "POST /v1/flows/{flow_id}/trigger": ("flows.trigger", ("f1", "secret"), {}),
    "GET /v1/connection": ("connection.get", (), {}),
    "GET /v1/sync": ("sync.status", (), {}),
    "POST /v1/sync": ("sync.start", (["vendors"],), {}),
    "GET /v1/sync/runs": ("sync.runs_page", (), {}),
    "POST /v1/inbound/{connection_id}": ("inbound.notify", ("c1", "vendors"), {}),
    "POST /v1/passthrough": ("passthrough", ("GET", "/info"), {}),
    "POST /v1/inventory-items/{record_id}/adjustments": (
        "inventory_items.adjust",
        ("i1",),
        {"new_count": "1"},
    ),
}
for _entity, _attr in RECORDS.items():
    OPERATIONS |= {
        f"GET /v1/{_entity}": (f"{_attr}.page", (), {}),
        f"POST /v1/{_entity}": (f"{_attr}.create", (), {"name": "n"}),
        f"GET /v1/{_entity}/{{record_id}}": (f"{_attr}.get", ("r1",), {}),
        f"PATCH /v1/{_entity}/{{record_id}}": (f"{_attr}.update", ("r1",), {"name": "n"}),
        f"DELETE /v1/{_entity}/{{record_id}}": (f"{_attr}.delete", ("r1",), {}),
    }

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
#: Writes whose `Idempotency-Key` the server honours (API.md, "Writes: idempotency").
IDEMPOTENT_WRITES = {"POST /v1/connections", "POST /v1/inventory-items/{record_id}/adjustments"} | {
    f"{method} /v1/{entity}{suffix}"
    for entity in RECORDS
    for method, suffix in (("POST", ""), ("PATCH", "/{record_id}"), ("DELETE", "/{record_id}"))
}


def document_operations(openapi: dict[str, Any]) -> set[str]:
    """The operations integrators call: those the document marks as called by source systems
    (`x-ironbridge-caller: source`, e.g. Business Central's change notifications) are not."""
    return {
        f"{method.upper()} {path}"
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS and operation.get("x-ironbridge-caller") != "source"
    }


def _template(operation: str) -> re.Pattern[str]:
    method, path = operation.split(" ", 1)
    return re.compile(f"{method} " + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")


def _resolve(client: object, dotted: str) -> Any:
    target: Any = client
    for part in dotted.split("."):
        target = getattr(target, part)
    return target


def _answer(request: httpx.Request) -> httpx.Response:
    # Each operation's own answer shape does not matter here; only what was sent.
    return httpx.Response(599, json={"error": {"code": "X", "message": "stop"}})


def test_every_openapi_operation_has_an_sdk_method(openapi: dict[str, Any]) -> None:
    assert document_operations(openapi) - OPERATIONS.keys() == set(), (
        "operations without an SDK method: add them to operations.py and to this table"
    )
    assert OPERATIONS.keys() - document_operations(openapi) == set(), "the table names gone ops"


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_the_sdk_method_sends_its_operation(operation: str) -> None:
    dotted, args, kwargs = OPERATIONS[operation]
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _answer(request)

    no_retry = RetryPolicy(max_retries=0)
    with (
        Client(
            "key", retry=no_retry, http_client=httpx.Client(transport=httpx.MockTransport(record))
        ) as client,
        pytest.raises(Exception, match="stop"),
    ):
        _resolve(client, dotted)(*args, **kwargs)

    async def run_async() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(record))
        async with AsyncClient("key", retry=no_retry, http_client=http) as client:
            method = _resolve(client, dotted)
            assert inspect.iscoroutinefunction(method)
            with pytest.raises(Exception, match="stop"):
                await method(*args, **kwargs)
        await http.aclose()

    asyncio.run(run_async())
    assert len(sent) == 2
    pattern = _template(operation)
    for request in sent:
        assert pattern.match(f"{request.method} {request.url.path}"), request.url
        assert request.headers["Authorization"] == "Bearer key"
        has_key = "Idempotency-Key" in request.headers
        assert has_key == (operation in IDEMPOTENT_WRITES), operation
