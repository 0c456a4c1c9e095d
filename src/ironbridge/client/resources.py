"""The operations grouped as `client.<resource>.<method>`, for `Client` and `AsyncClient`.

Every method is an operation of `operations.py`, bound by `binding.py`. Each resource lists its
operations once (`_Health`); `Health` and `AsyncHealth` are its blocking and awaitable flavours.
"""

from __future__ import annotations

from . import operations as ops
from .binding import AsyncResource, SyncResource, listing, operation

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


class _Health:
    """Liveness, readiness and metrics (no credential needed)."""

    live = operation(ops.healthz)
    ready = operation(ops.readyz)
    metrics = operation(ops.metrics)


class Health(_Health, SyncResource):
    __doc__ = _Health.__doc__


class AsyncHealth(_Health, AsyncResource):
    __doc__ = _Health.__doc__


class _Connectors:
    """The connector catalog (admin key)."""

    list = operation(ops.list_connectors)


class Connectors(_Connectors, SyncResource):
    __doc__ = _Connectors.__doc__


class AsyncConnectors(_Connectors, AsyncResource):
    __doc__ = _Connectors.__doc__


class _LinkTokens:
    """Link tokens for the end-customer connect flow (admin key)."""

    create = operation(ops.create_link_token)
    exchange = operation(ops.exchange_public_token)


class LinkTokens(_LinkTokens, SyncResource):
    __doc__ = _LinkTokens.__doc__


class AsyncLinkTokens(_LinkTokens, AsyncResource):
    __doc__ = _LinkTokens.__doc__


class _Connections:
    """The account's connections (admin key)."""

    list = listing(ops.list_connections)
    page = operation(ops.list_connections)
    create = operation(ops.create_connection)
    get = operation(ops.get_connection)
    update = operation(ops.update_connection)
    disconnect = operation(ops.disconnect_connection)
    delete_data = operation(ops.delete_connection_data)
    sync_runs = listing(ops.list_connection_sync_runs)
    sync_runs_page = operation(ops.list_connection_sync_runs)
    errors = listing(ops.list_connection_errors)
    errors_page = operation(ops.list_connection_errors)


class Connections(_Connections, SyncResource):
    __doc__ = _Connections.__doc__


class AsyncConnections(_Connections, AsyncResource):
    __doc__ = _Connections.__doc__


class _Events:
    """The account's events, in order, for polling (admin key)."""

    list = listing(ops.list_events)
    page = operation(ops.list_events)


class Events(_Events, SyncResource):
    __doc__ = _Events.__doc__


class AsyncEvents(_Events, AsyncResource):
    __doc__ = _Events.__doc__


class _WebhookEndpoints:
    """Webhook endpoints (admin key)."""

    list = operation(ops.list_webhook_endpoints)
    create = operation(ops.create_webhook_endpoint)
    get = operation(ops.get_webhook_endpoint)
    update = operation(ops.update_webhook_endpoint)
    delete = operation(ops.delete_webhook_endpoint)
    rotate_secret = operation(ops.rotate_webhook_secret)
    test = operation(ops.test_webhook_endpoint)


class WebhookEndpoints(_WebhookEndpoints, SyncResource):
    __doc__ = _WebhookEndpoints.__doc__


class AsyncWebhookEndpoints(_WebhookEndpoints, AsyncResource):
    __doc__ = _WebhookEndpoints.__doc__


class _Deliveries:
    """The webhook delivery log and manual retries (admin key)."""

    list = listing(ops.list_deliveries)
    page = operation(ops.list_deliveries)
    get = operation(ops.get_delivery)
    retry = operation(ops.retry_delivery)
    retry_many = operation(ops.retry_deliveries)


class Deliveries(_Deliveries, SyncResource):
    __doc__ = _Deliveries.__doc__


class AsyncDeliveries(_Deliveries, AsyncResource):
    __doc__ = _Deliveries.__doc__


class _Flows:
    """Flows, their versions, tests and triggers (admin key; `trigger` uses the flow's
    secret)."""

    schema = operation(ops.flow_schema)
    list = listing(ops.list_flows)
    page = operation(ops.list_flows)
    create = operation(ops.create_flow)
    get = operation(ops.get_flow)
    update = operation(ops.update_flow)
    delete = operation(ops.delete_flow)
    versions = operation(ops.list_flow_versions)
    test = operation(ops.test_flow)
    test_step = operation(ops.test_flow_step)
    trigger = operation(ops.trigger_flow)
    runs = listing(ops.list_flow_runs)
    runs_page = operation(ops.list_flow_runs)
    run = operation(ops.get_flow_run)


class Flows(_Flows, SyncResource):
    __doc__ = _Flows.__doc__


class AsyncFlows(_Flows, AsyncResource):
    __doc__ = _Flows.__doc__


class _FlowRuns:
    """Flow runs by their own id (admin key)."""

    retry = operation(ops.retry_flow_run)


class FlowRuns(_FlowRuns, SyncResource):
    __doc__ = _FlowRuns.__doc__


class AsyncFlowRuns(_FlowRuns, AsyncResource):
    __doc__ = _FlowRuns.__doc__


class _UnifiedConnection:
    """The token's own connection (connection token)."""

    get = operation(ops.current_connection)


class UnifiedConnection(_UnifiedConnection, SyncResource):
    __doc__ = _UnifiedConnection.__doc__


class AsyncUnifiedConnection(_UnifiedConnection, AsyncResource):
    __doc__ = _UnifiedConnection.__doc__


class _Sync:
    """Sync status, on-demand syncs and the sync history (connection token)."""

    status = operation(ops.sync_status)
    start = operation(ops.start_sync)
    runs = listing(ops.list_sync_runs)
    runs_page = operation(ops.list_sync_runs)


class Sync(_Sync, SyncResource):
    __doc__ = _Sync.__doc__


class AsyncSync(_Sync, AsyncResource):
    __doc__ = _Sync.__doc__


class _Inbound:
    """Change notices pushed by a source system (connection token)."""

    notify = operation(ops.notify_change)


class Inbound(_Inbound, SyncResource):
    __doc__ = _Inbound.__doc__


class AsyncInbound(_Inbound, AsyncResource):
    __doc__ = _Inbound.__doc__
