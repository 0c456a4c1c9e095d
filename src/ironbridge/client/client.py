"""`Client` and `AsyncClient`: the management API (admin key) and the unified API (connection
token) of one ironbridge server, over httpx."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx

from . import models as m
from . import operations as ops
from . import webhooks as _webhooks
from .records import AsyncInventoryItems, AsyncRecords, InventoryItems, RecordCalls, Records
from .resources import (
    AsyncConnections,
    AsyncConnectors,
    AsyncDeliveries,
    AsyncEvents,
    AsyncFlowRuns,
    AsyncFlows,
    AsyncHealth,
    AsyncInbound,
    AsyncLinkTokens,
    AsyncSync,
    AsyncUnifiedConnection,
    AsyncWebhookEndpoints,
    Connections,
    Connectors,
    Deliveries,
    Events,
    FlowRuns,
    Flows,
    Health,
    Inbound,
    LinkTokens,
    Sync,
    UnifiedConnection,
    WebhookEndpoints,
)
from .retries import RetryPolicy
from .transport import DEFAULT_TIMEOUT, AsyncTransport, SyncTransport

__all__ = ["AsyncClient", "Client", "Webhooks"]

#: Where `ironbridge serve` answers by default.
DEFAULT_BASE_URL = "http://127.0.0.1:8080"

PurchaseOrders = RecordCalls("purchase-orders", m.PurchaseOrder, m.PurchaseOrderList)
WorkOrders = RecordCalls("work-orders", m.WorkOrder, m.WorkOrderList)
InventoryItemCalls = RecordCalls("inventory-items", m.InventoryItem, m.InventoryItemList)
VendorCalls = RecordCalls("vendors", m.Vendor, m.VendorList)
AssetCalls = RecordCalls("assets", m.Asset, m.AssetList)
LocationCalls = RecordCalls("locations", m.Location, m.LocationList)


class Webhooks:
    """Receiving ironbridge's webhooks: `verify` checks a request and returns its event."""

    @staticmethod
    def verify(
        body: bytes,
        headers: Mapping[str, str],
        secret: str | Sequence[str],
        tolerance: int = _webhooks.DEFAULT_TOLERANCE,
    ) -> dict[str, Any]:
        """Check a webhook's signature (Standard Webhooks) and return its event; raises a
        `WebhookVerificationError` when the request cannot be trusted."""
        return _webhooks.verify(body, headers, secret, tolerance)


class Client:
    """A blocking client of one ironbridge server.

    ```python
    admin = Client(api_key=ADMIN_KEY, base_url="https://ironbridge.example.com")
    plant = Client(api_key=CONNECTION_TOKEN, base_url="https://ironbridge.example.com")
    for po in plant.purchase_orders.list(status="approved"):
        ...
    ```

    Args:
        api_key: an admin key (`ib_admin_…`, management API) or a connection token
            (`ib_conn_…`, unified API); sent as `Authorization: Bearer`.
        base_url: where ironbridge answers.
        timeout: seconds per attempt.
        retry: how to retry; `RetryPolicy(max_retries=0)` turns retries off.
        sleep: how to wait between attempts (injectable for tests).
        http_client: an `httpx.Client` of your own (proxies, TLS, transport); its base URL
            is set to `base_url`. The client closes only what it created.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=timeout)
        self._http.base_url = httpx.URL(base_url)
        self._transport = SyncTransport(self._http, api_key, retry or RetryPolicy(), sleep)
        transport = self._transport
        self.health = Health(transport)
        # Management API (admin key).
        self.connectors = Connectors(transport)
        self.link_tokens = LinkTokens(transport)
        self.connections = Connections(transport)
        self.events = Events(transport)
        self.webhook_endpoints = WebhookEndpoints(transport)
        self.deliveries = Deliveries(transport)
        self.flows = Flows(transport)
        self.flow_runs = FlowRuns(transport)
        # Unified API (connection token).
        self.connection = UnifiedConnection(transport)
        self.sync = Sync(transport)
        self.inbound = Inbound(transport)
        self.purchase_orders = Records(transport, PurchaseOrders)
        self.work_orders = Records(transport, WorkOrders)
        self.inventory_items = InventoryItems(transport, InventoryItemCalls)
        self.vendors = Records(transport, VendorCalls)
        self.assets = Records(transport, AssetCalls)
        self.locations = Records(transport, LocationCalls)
        self.webhooks = Webhooks()

    def passthrough(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> m.PassthroughOut:
        """A raw request to the source system through the connector's auth (connection
        token): its `status`, `headers` and `body`."""
        call = ops.passthrough(method, path, query=query, headers=headers, body=body)
        return self._transport.run(call)

    def close(self) -> None:
        """Close the HTTP connections, unless the `http_client` was given."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient:
    """`Client` for asyncio: the same resources, with awaitable methods and `async for` lists.

    ```python
    async with AsyncClient(api_key=CONNECTION_TOKEN, base_url=URL) as plant:
        async for po in plant.purchase_orders.list(status="approved"):
            ...
    ```
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=timeout)
        self._http.base_url = httpx.URL(base_url)
        self._transport = AsyncTransport(self._http, api_key, retry or RetryPolicy(), sleep)
        transport = self._transport
        self.health = AsyncHealth(transport)
        self.connectors = AsyncConnectors(transport)
        self.link_tokens = AsyncLinkTokens(transport)
        self.connections = AsyncConnections(transport)
        self.events = AsyncEvents(transport)
        self.webhook_endpoints = AsyncWebhookEndpoints(transport)
        self.deliveries = AsyncDeliveries(transport)
        self.flows = AsyncFlows(transport)
        self.flow_runs = AsyncFlowRuns(transport)
        self.connection = AsyncUnifiedConnection(transport)
        self.sync = AsyncSync(transport)
        self.inbound = AsyncInbound(transport)
        self.purchase_orders = AsyncRecords(transport, PurchaseOrders)
        self.work_orders = AsyncRecords(transport, WorkOrders)
        self.inventory_items = AsyncInventoryItems(transport, InventoryItemCalls)
        self.vendors = AsyncRecords(transport, VendorCalls)
        self.assets = AsyncRecords(transport, AssetCalls)
        self.locations = AsyncRecords(transport, LocationCalls)
        self.webhooks = Webhooks()

    async def passthrough(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> m.PassthroughOut:
        """A raw request to the source system through the connector's auth (connection
        token): its `status`, `headers` and `body`."""
        call = ops.passthrough(method, path, query=query, headers=headers, body=body)
        return await self._transport.run(call)

    async def aclose(self) -> None:
        """Close the HTTP connections, unless the `http_client` was given."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
