"""The operations grouped as `client.<resource>.<method>`, for `Client` and `AsyncClient`.

Every method is an operation of `operations.py`, bound by `binding.py`: the blocking and the
awaitable flavour share one definition of each request.
"""

from __future__ import annotations

from . import operations as ops
from .binding import AsyncResource, SyncResource, async_op, async_pages, sync_op, sync_pages

__all__ = [
    "AsyncConnections",
    "AsyncConnectors",
    "AsyncDeliveries",
    "AsyncEvents",
    "AsyncFlowRuns",
    "AsyncFlows",
    "AsyncHealth",
    "AsyncInbound",
    "AsyncLinkTokens",
    "AsyncSync",
    "AsyncUnifiedConnection",
    "AsyncWebhookEndpoints",
    "Connections",
    "Connectors",
    "Deliveries",
    "Events",
    "FlowRuns",
    "Flows",
    "Health",
    "Inbound",
    "LinkTokens",
    "Sync",
    "UnifiedConnection",
    "WebhookEndpoints",
]


class Health(SyncResource):
    """Liveness, readiness and metrics (no credential needed)."""

    live = sync_op(ops.healthz)
    ready = sync_op(ops.readyz)
    metrics = sync_op(ops.metrics)


class AsyncHealth(AsyncResource):
    """Liveness, readiness and metrics (no credential needed)."""

    live = async_op(ops.healthz)
    ready = async_op(ops.readyz)
    metrics = async_op(ops.metrics)


class Connectors(SyncResource):
    """The connector catalog (admin key)."""

    list = sync_op(ops.list_connectors)


class AsyncConnectors(AsyncResource):
    """The connector catalog (admin key)."""

    list = async_op(ops.list_connectors)


class LinkTokens(SyncResource):
    """Link tokens for the end-customer connect flow (admin key)."""

    create = sync_op(ops.create_link_token)
    exchange = sync_op(ops.exchange_public_token)


class AsyncLinkTokens(AsyncResource):
    """Link tokens for the end-customer connect flow (admin key)."""

    create = async_op(ops.create_link_token)
    exchange = async_op(ops.exchange_public_token)


class Connections(SyncResource):
    """The account's connections (admin key)."""

    list = sync_pages(ops.list_connections)
    page = sync_op(ops.list_connections)
    create = sync_op(ops.create_connection)
    get = sync_op(ops.get_connection)
    update = sync_op(ops.update_connection)
    disconnect = sync_op(ops.disconnect_connection)
    delete_data = sync_op(ops.delete_connection_data)
    sync_runs = sync_pages(ops.list_connection_sync_runs)
    sync_runs_page = sync_op(ops.list_connection_sync_runs)
    errors = sync_pages(ops.list_connection_errors)
    errors_page = sync_op(ops.list_connection_errors)


class AsyncConnections(AsyncResource):
    """The account's connections (admin key)."""

    list = async_pages(ops.list_connections)
    page = async_op(ops.list_connections)
    create = async_op(ops.create_connection)
    get = async_op(ops.get_connection)
    update = async_op(ops.update_connection)
    disconnect = async_op(ops.disconnect_connection)
    delete_data = async_op(ops.delete_connection_data)
    sync_runs = async_pages(ops.list_connection_sync_runs)
    sync_runs_page = async_op(ops.list_connection_sync_runs)
    errors = async_pages(ops.list_connection_errors)
    errors_page = async_op(ops.list_connection_errors)


class Events(SyncResource):
    """The account's events, in order, for polling (admin key)."""

    list = sync_pages(ops.list_events)
    page = sync_op(ops.list_events)


class AsyncEvents(AsyncResource):
    """The account's events, in order, for polling (admin key)."""

    list = async_pages(ops.list_events)
    page = async_op(ops.list_events)


class WebhookEndpoints(SyncResource):
    """Webhook endpoints (admin key)."""

    list = sync_op(ops.list_webhook_endpoints)
    create = sync_op(ops.create_webhook_endpoint)
    get = sync_op(ops.get_webhook_endpoint)
    update = sync_op(ops.update_webhook_endpoint)
    delete = sync_op(ops.delete_webhook_endpoint)
    rotate_secret = sync_op(ops.rotate_webhook_secret)
    test = sync_op(ops.test_webhook_endpoint)


class AsyncWebhookEndpoints(AsyncResource):
    """Webhook endpoints (admin key)."""

    list = async_op(ops.list_webhook_endpoints)
    create = async_op(ops.create_webhook_endpoint)
    get = async_op(ops.get_webhook_endpoint)
    update = async_op(ops.update_webhook_endpoint)
    delete = async_op(ops.delete_webhook_endpoint)
    rotate_secret = async_op(ops.rotate_webhook_secret)
    test = async_op(ops.test_webhook_endpoint)


class Deliveries(SyncResource):
    """The webhook delivery log and manual retries (admin key)."""

    list = sync_pages(ops.list_deliveries)
    page = sync_op(ops.list_deliveries)
    get = sync_op(ops.get_delivery)
    retry = sync_op(ops.retry_delivery)
    retry_many = sync_op(ops.retry_deliveries)


class AsyncDeliveries(AsyncResource):
    """The webhook delivery log and manual retries (admin key)."""

    list = async_pages(ops.list_deliveries)
    page = async_op(ops.list_deliveries)
    get = async_op(ops.get_delivery)
    retry = async_op(ops.retry_delivery)
    retry_many = async_op(ops.retry_deliveries)


class Flows(SyncResource):
    """Flows, their versions, tests and triggers (admin key; `trigger` uses the flow's
    secret)."""

    schema = sync_op(ops.flow_schema)
    list = sync_pages(ops.list_flows)
    page = sync_op(ops.list_flows)
    create = sync_op(ops.create_flow)
    get = sync_op(ops.get_flow)
    update = sync_op(ops.update_flow)
    delete = sync_op(ops.delete_flow)
    versions = sync_op(ops.list_flow_versions)
    test = sync_op(ops.test_flow)
    test_step = sync_op(ops.test_flow_step)
    trigger = sync_op(ops.trigger_flow)
    runs = sync_pages(ops.list_flow_runs)
    runs_page = sync_op(ops.list_flow_runs)
    run = sync_op(ops.get_flow_run)


class AsyncFlows(AsyncResource):
    """Flows, their versions, tests and triggers (admin key; `trigger` uses the flow's
    secret)."""

    schema = async_op(ops.flow_schema)
    list = async_pages(ops.list_flows)
    page = async_op(ops.list_flows)
    create = async_op(ops.create_flow)
    get = async_op(ops.get_flow)
    update = async_op(ops.update_flow)
    delete = async_op(ops.delete_flow)
    versions = async_op(ops.list_flow_versions)
    test = async_op(ops.test_flow)
    test_step = async_op(ops.test_flow_step)
    trigger = async_op(ops.trigger_flow)
    runs = async_pages(ops.list_flow_runs)
    runs_page = async_op(ops.list_flow_runs)
    run = async_op(ops.get_flow_run)


class FlowRuns(SyncResource):
    """Flow runs by their own id (admin key)."""

    retry = sync_op(ops.retry_flow_run)


class AsyncFlowRuns(AsyncResource):
    """Flow runs by their own id (admin key)."""

    retry = async_op(ops.retry_flow_run)


class UnifiedConnection(SyncResource):
    """The token's own connection (connection token)."""

    get = sync_op(ops.current_connection)


class AsyncUnifiedConnection(AsyncResource):
    """The token's own connection (connection token)."""

    get = async_op(ops.current_connection)


class Sync(SyncResource):
    """Sync status, on-demand syncs and the sync history (connection token)."""

    status = sync_op(ops.sync_status)
    start = sync_op(ops.start_sync)
    runs = sync_pages(ops.list_sync_runs)
    runs_page = sync_op(ops.list_sync_runs)


class AsyncSync(AsyncResource):
    """Sync status, on-demand syncs and the sync history (connection token)."""

    status = async_op(ops.sync_status)
    start = async_op(ops.start_sync)
    runs = async_pages(ops.list_sync_runs)
    runs_page = async_op(ops.list_sync_runs)


class Inbound(SyncResource):
    """Change notices pushed by a source system (connection token)."""

    notify = sync_op(ops.notify_change)


class AsyncInbound(AsyncResource):
    """Change notices pushed by a source system (connection token)."""

    notify = async_op(ops.notify_change)
