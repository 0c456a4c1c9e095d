"""Every operation of the API as a function building its `Call`: the one place paths live.

The resources (`resources.py`) expose these as methods of `Client` and `AsyncClient`; the
`operation` of each call is the OpenAPI method and path template it stands for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote

from . import models as m
from .calls import Call, new_idempotency_key, query

#: A JSON object to send: a dict, or any mapping.


JsonBody = Mapping[str, Any]


def _id(value: str) -> str:
    return quote(str(value), safe="")


def _body(body: JsonBody | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON object from a mapping and keyword fields; keywords win."""
    return {**(body or {}), **fields}


# -- health ---------------------------------------------------------------------------------


def healthz() -> Call[dict[str, str]]:
    """Liveness: `{"status": "ok"}` while the process answers."""
    return Call("GET", "GET /healthz", "/healthz", dict)


def readyz() -> Call[m.Readiness]:
    """Readiness: the database, queue and migrations, each checked."""
    return Call("GET", "GET /readyz", "/readyz", m.Readiness)


def metrics() -> Call[str]:
    """The Prometheus metrics, as text."""
    return Call("GET", "GET /metrics", "/metrics", str)


# -- management: connectors, link tokens, connections ---------------------------------------


def list_connectors() -> Call[m.ConnectorCatalog]:
    """The catalog: systems, auth fields, setup guide, capability matrix."""
    return Call("GET", "GET /v1/connectors", "/v1/connectors", m.ConnectorCatalog)


def create_link_token(body: JsonBody | None = None, **fields: Any) -> Call[m.LinkTokenCreated]:
    """A link token and connect URL for an end customer (`end_customer_id`,
    `end_customer_name`, optional `systems`, `connection_id` to reconnect, `expires_in`,
    `metadata`)."""
    return Call(
        "POST",
        "POST /v1/link-tokens",
        "/v1/link-tokens",
        m.LinkTokenCreated,
        json=_body(body, fields),
        has_body=True,
    )


def exchange_public_token(public_token: str) -> Call[m.PublicTokenExchanged]:
    """The connection id and connection token for the connect flow's public token."""
    return Call(
        "POST",
        "POST /v1/link-tokens/exchange",
        "/v1/link-tokens/exchange",
        m.PublicTokenExchanged,
        json={"public_token": public_token},
        has_body=True,
    )


def list_connections(
    *,
    status: str | None = None,
    system: str | None = None,
    end_customer_id: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Call[m.ConnectionList]:
    """One page of the account's connections, optionally filtered."""
    params = query(
        status=status, system=system, end_customer_id=end_customer_id, cursor=cursor, limit=limit
    )
    return Call("GET", "GET /v1/connections", "/v1/connections", m.ConnectionList, params)


def create_connection(
    body: JsonBody | None = None, *, idempotency_key: str | None = None, **fields: Any
) -> Call[m.ConnectionCreated]:
    """Connect server-side (`system`, `end_customer_id`, `end_customer_name`, `credentials`,
    …): the connection and its token, shown once. Raises `ConnectionCheckFailed` with
    `details["stage"]` when the system cannot be reached or refuses the credentials."""
    return Call(
        "POST",
        "POST /v1/connections",
        "/v1/connections",
        m.ConnectionCreated,
        json=_body(body, fields),
        has_body=True,
        idempotency_key=idempotency_key or new_idempotency_key(),
    )


def get_connection(connection_id: str) -> Call[m.ConnectionDetail]:
    """One connection of the account."""
    path = f"/v1/connections/{_id(connection_id)}"
    return Call("GET", "GET /v1/connections/{connection_id}", path, m.ConnectionDetail)


def update_connection(
    connection_id: str, body: JsonBody | None = None, **fields: Any
) -> Call[m.ConnectionView]:
    """Change a connection's schedule, history window, entities, event types, field mappings
    or `metadata`."""
    return Call(
        "PATCH",
        "PATCH /v1/connections/{connection_id}",
        f"/v1/connections/{_id(connection_id)}",
        m.ConnectionView,
        json=_body(body, fields),
        has_body=True,
    )


def disconnect_connection(connection_id: str) -> Call[m.ConnectionView]:
    """Revoke the connection's token now and stop its schedules and flows; data is kept."""
    return Call(
        "POST",
        "POST /v1/connections/{connection_id}/disconnect",
        f"/v1/connections/{_id(connection_id)}/disconnect",
        m.ConnectionView,
    )


def delete_connection_data(connection_id: str) -> Call[m.DataDeleted]:
    """Delete the synced history of a disconnected connection."""
    return Call(
        "DELETE",
        "DELETE /v1/connections/{connection_id}/data",
        f"/v1/connections/{_id(connection_id)}/data",
        m.DataDeleted,
    )


def list_connection_sync_runs(
    connection_id: str,
    *,
    entity: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Call[m.SyncRunList]:
    """One page of a connection's sync history, newest first."""
    return Call(
        "GET",
        "GET /v1/connections/{connection_id}/sync-runs",
        f"/v1/connections/{_id(connection_id)}/sync-runs",
        m.SyncRunList,
        query(entity=entity, cursor=cursor, limit=limit),
    )


def list_connection_errors(
    connection_id: str, *, cursor: str | None = None, limit: int | None = None
) -> Call[m.ErrorList]:
    """One page of a connection's own error log."""
    return Call(
        "GET",
        "GET /v1/connections/{connection_id}/errors",
        f"/v1/connections/{_id(connection_id)}/errors",
        m.ErrorList,
        query(cursor=cursor, limit=limit),
    )


# -- management: events, webhook endpoints, deliveries --------------------------------------


def list_events(
    *,
    types: str | list[str] | None = None,
    connection_id: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Call[m.EventList]:
    """One page of events in order, for polling; keep `next_cursor` to resume."""
    return Call(
        "GET",
        "GET /v1/events",
        "/v1/events",
        m.EventList,
        query(types=types, connection_id=connection_id, cursor=cursor, limit=limit),
    )


def list_webhook_endpoints() -> Call[m.EndpointList]:
    """Every webhook endpoint of the account."""
    return Call("GET", "GET /v1/webhook-endpoints", "/v1/webhook-endpoints", m.EndpointList)


def create_webhook_endpoint(body: JsonBody | None = None, **fields: Any) -> Call[m.EndpointView]:
    """A webhook endpoint (`url`, `event_types`, `connection_ids`, …); its `secret` is in
    this answer only."""
    return Call(
        "POST",
        "POST /v1/webhook-endpoints",
        "/v1/webhook-endpoints",
        m.EndpointView,
        json=_body(body, fields),
        has_body=True,
    )


def get_webhook_endpoint(endpoint_id: str) -> Call[m.EndpointView]:
    """One webhook endpoint."""
    return Call(
        "GET",
        "GET /v1/webhook-endpoints/{endpoint_id}",
        f"/v1/webhook-endpoints/{_id(endpoint_id)}",
        m.EndpointView,
    )


def update_webhook_endpoint(
    endpoint_id: str, body: JsonBody | None = None, **fields: Any
) -> Call[m.EndpointView]:
    """Change an endpoint's url, event types, connection filter or `enabled`."""
    return Call(
        "PATCH",
        "PATCH /v1/webhook-endpoints/{endpoint_id}",
        f"/v1/webhook-endpoints/{_id(endpoint_id)}",
        m.EndpointView,
        json=_body(body, fields),
        has_body=True,
    )


def delete_webhook_endpoint(endpoint_id: str) -> Call[None]:
    """Remove an endpoint."""
    return Call(
        "DELETE",
        "DELETE /v1/webhook-endpoints/{endpoint_id}",
        f"/v1/webhook-endpoints/{_id(endpoint_id)}",
        None,
    )


def rotate_webhook_secret(endpoint_id: str) -> Call[m.EndpointView]:
    """A new secret, returned once; the old one keeps signing beside it for 24 hours."""
    return Call(
        "POST",
        "POST /v1/webhook-endpoints/{endpoint_id}/rotate-secret",
        f"/v1/webhook-endpoints/{_id(endpoint_id)}/rotate-secret",
        m.EndpointView,
    )


def test_webhook_endpoint(endpoint_id: str) -> Call[m.TestResult]:
    """Send a signed `webhook.test` event now; the attempt's status, latency and excerpt."""
    return Call(
        "POST",
        "POST /v1/webhook-endpoints/{endpoint_id}/test",
        f"/v1/webhook-endpoints/{_id(endpoint_id)}/test",
        m.TestResult,
    )


def list_deliveries(
    *,
    status: str | None = None,
    endpoint_id: str | None = None,
    event_type: str | None = None,
    created_after: Any = None,
    created_before: Any = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Call[m.DeliveryList]:
    """One page of the delivery log, oldest first."""
    params = query(
        status=status,
        endpoint_id=endpoint_id,
        event_type=event_type,
        created_after=created_after,
        created_before=created_before,
        cursor=cursor,
        limit=limit,
    )
    return Call("GET", "GET /v1/deliveries", "/v1/deliveries", m.DeliveryList, params)


def get_delivery(delivery_id: str) -> Call[m.DeliveryView]:
    """One delivery with its attempts."""
    return Call(
        "GET",
        "GET /v1/deliveries/{delivery_id}",
        f"/v1/deliveries/{_id(delivery_id)}",
        m.DeliveryView,
    )


def retry_delivery(delivery_id: str) -> Call[m.DeliveryView]:
    """Queue one delivery to be sent again now."""
    return Call(
        "POST",
        "POST /v1/deliveries/{delivery_id}/retry",
        f"/v1/deliveries/{_id(delivery_id)}/retry",
        m.DeliveryView,
    )


def retry_deliveries(body: JsonBody | None = None, **fields: Any) -> Call[m.BulkRetried]:
    """Queue failed deliveries again: of one `endpoint_id`, created `since` a time, or both."""
    return Call(
        "POST",
        "POST /v1/deliveries/retry",
        "/v1/deliveries/retry",
        m.BulkRetried,
        json=_body(body, fields),
        has_body=True,
    )


# -- flows ----------------------------------------------------------------------------------


def flow_schema() -> Call[dict[str, Any]]:
    """The JSON Schema of a flow definition."""
    return Call("GET", "GET /v1/flow-schema", "/v1/flow-schema", dict)


def list_flows(*, cursor: str | None = None, limit: int | None = None) -> Call[m.FlowList]:
    """One page of the account's flows."""
    params = query(cursor=cursor, limit=limit)
    return Call("GET", "GET /v1/flows", "/v1/flows", m.FlowList, params)


def create_flow(body: JsonBody | None = None, **fields: Any) -> Call[m.FlowView]:
    """A flow: `name`, `trigger`, `steps`, `settings`, target connections, `enabled`."""
    return Call(
        "POST", "POST /v1/flows", "/v1/flows", m.FlowView, json=_body(body, fields), has_body=True
    )


def get_flow(flow_id: str) -> Call[m.FlowView]:
    """One flow, at its current version."""
    return Call("GET", "GET /v1/flows/{flow_id}", f"/v1/flows/{_id(flow_id)}", m.FlowView)


def update_flow(flow_id: str, body: JsonBody | None = None, **fields: Any) -> Call[m.FlowView]:
    """Edit a flow; a changed definition becomes a new version."""
    return Call(
        "PATCH",
        "PATCH /v1/flows/{flow_id}",
        f"/v1/flows/{_id(flow_id)}",
        m.FlowView,
        json=_body(body, fields),
        has_body=True,
    )


def delete_flow(flow_id: str) -> Call[None]:
    """Delete a flow."""
    return Call("DELETE", "DELETE /v1/flows/{flow_id}", f"/v1/flows/{_id(flow_id)}", None)


def list_flow_versions(flow_id: str) -> Call[m.VersionList]:
    """The flow's versions."""
    return Call(
        "GET",
        "GET /v1/flows/{flow_id}/versions",
        f"/v1/flows/{_id(flow_id)}/versions",
        m.VersionList,
    )


def test_flow(flow_id: str, body: JsonBody | None = None, **fields: Any) -> Call[m.RunView]:
    """Run the flow now in test mode (writes are dry runs) on its pinned sample or a
    `trigger` given here."""
    return Call(
        "POST",
        "POST /v1/flows/{flow_id}/test",
        f"/v1/flows/{_id(flow_id)}/test",
        m.RunView,
        json=_body(body, fields),
        has_body=True,
    )


def test_flow_step(
    flow_id: str, step_id: str, body: JsonBody | None = None, **fields: Any
) -> Call[m.StepTestResult]:
    """Run one step on the given `input`, in test mode."""
    return Call(
        "POST",
        "POST /v1/flows/{flow_id}/steps/{step_id}/test",
        f"/v1/flows/{_id(flow_id)}/steps/{_id(step_id)}/test",
        m.StepTestResult,
        json=_body(body, fields),
        has_body=True,
    )


def list_flow_runs(
    flow_id: str, *, cursor: str | None = None, limit: int | None = None
) -> Call[m.RunList]:
    """One page of the flow's runs, newest first."""
    return Call(
        "GET",
        "GET /v1/flows/{flow_id}/runs",
        f"/v1/flows/{_id(flow_id)}/runs",
        m.RunList,
        query(cursor=cursor, limit=limit),
    )


def get_flow_run(flow_id: str, run_id: str) -> Call[m.RunView]:
    """One run with each step's input, output, timing and error."""
    return Call(
        "GET",
        "GET /v1/flows/{flow_id}/runs/{run_id}",
        f"/v1/flows/{_id(flow_id)}/runs/{_id(run_id)}",
        m.RunView,
    )


def retry_flow_run(run_id: str, body: JsonBody | None = None, **fields: Any) -> Call[m.RunView]:
    """Retry a failed run from its failed step (`version`: `original` or `current`)."""
    return Call(
        "POST",
        "POST /v1/flow-runs/{run_id}/retry",
        f"/v1/flow-runs/{_id(run_id)}/retry",
        m.RunView,
        json=_body(body, fields),
        has_body=True,
    )


def trigger_flow(
    flow_id: str, secret: str, body: JsonBody | None = None, **fields: Any
) -> Call[m.Triggered]:
    """Start a flow with an inbound trigger, authenticated by the flow's own `secret`."""
    return Call(
        "POST",
        "POST /v1/flows/{flow_id}/trigger",
        f"/v1/flows/{_id(flow_id)}/trigger",
        m.Triggered,
        json=_body(body, fields),
        has_body=True,
        headers={"X-Flow-Secret": secret},
    )


# -- unified API (connection token) ---------------------------------------------------------


def current_connection() -> Call[m.ConnectionDetail]:
    """This token's connection: system, status, health, last check."""
    return Call("GET", "GET /v1/connection", "/v1/connection", m.ConnectionDetail)


def sync_status() -> Call[m.SyncStatusOut]:
    """Per entity: last successful sync, status, records seen, next scheduled run."""
    return Call("GET", "GET /v1/sync", "/v1/sync", m.SyncStatusOut)


def start_sync(
    entities: Sequence[str] | Literal["all"], *, full: bool = False
) -> Call[m.SyncQueued]:
    """Queue sync runs of the named entities (or `"all"`), incremental unless `full`; the
    queued runs."""
    named: list[str] | str = entities if isinstance(entities, str) else list(entities)
    return Call(
        "POST",
        "POST /v1/sync",
        "/v1/sync",
        m.SyncQueued,
        json={"entities": named, "full": full},
        has_body=True,
    )


def list_sync_runs(
    *, entity: str | None = None, cursor: str | None = None, limit: int | None = None
) -> Call[m.SyncRunList]:
    """One page of this connection's sync history, newest first."""
    params = query(entity=entity, cursor=cursor, limit=limit)
    return Call("GET", "GET /v1/sync/runs", "/v1/sync/runs", m.SyncRunList, params)


def notify_change(connection_id: str, entity: str, **fields: Any) -> Call[m.InboundAccepted]:
    """A change notice from the source system: starts a debounced incremental sync of
    `entity`."""
    return Call(
        "POST",
        "POST /v1/inbound/{connection_id}",
        f"/v1/inbound/{_id(connection_id)}",
        m.InboundAccepted,
        json={"entity": entity, **fields},
        has_body=True,
    )


def passthrough(
    method: str,
    path: str,
    *,
    query: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    body: Any = None,
) -> Call[m.PassthroughOut]:
    """A raw request to the source system through the connector's auth."""
    payload = {
        "method": method,
        "path": path,
        "query": dict(query or {}),
        "headers": dict(headers or {}),
        "body": body,
    }
    return Call(
        "POST",
        "POST /v1/passthrough",
        "/v1/passthrough",
        m.PassthroughOut,
        json=payload,
        has_body=True,
    )


def adjust_inventory(
    item_id: str,
    body: JsonBody | None = None,
    *,
    idempotency_key: str | None = None,
    **fields: Any,
) -> Call[m.InventoryItem]:
    """Change a stock level at a location: `location_id` with `quantity_delta` or
    `new_count`, and a `reason`."""
    return Call(
        "POST",
        "POST /v1/inventory-items/{record_id}/adjustments",
        f"/v1/inventory-items/{_id(item_id)}/adjustments",
        m.InventoryItem,
        json=_body(body, fields),
        has_body=True,
        idempotency_key=idempotency_key or new_idempotency_key(),
    )
