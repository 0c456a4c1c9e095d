"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI
from starlette.routing import Route

from .. import __version__
from ..bootstrap import Container
from ..connect import create_connect_app
from ..dashboard import create_dashboard_app
from .context import RequestContextMiddleware
from .deps import authorize, strict_query
from .docs import install_docs
from .errors import install_error_handlers
from .hotpath import ListFastPath
from .metrics import HttpMetrics
from .openapi import install_openapi
from .routes import (
    connection,
    connections,
    connectors,
    events,
    flows,
    health,
    link_tokens,
    push,
    records,
    sync,
    webhooks,
)

if TYPE_CHECKING:
    from ..mcp import McpEndpoint

__all__ = ["create_app"]

_DESCRIPTION = """
One API for purchase orders, work orders, inventory, vendors, assets and locations across
ERP, CMMS and EAM systems.

* **Management API** — authenticate with an account admin key (`ib_admin_…`).
* **Unified API** — authenticate with a connection token (`ib_conn_…`).

Every error has the shape `{"error": {"code", "type", "message", "request_id", "details"}}` and
every response carries `X-Request-ID`.
"""


def _mcp_endpoint(container: Container) -> McpEndpoint | None:
    """The MCP server, when the optional `mcp` extra is installed."""
    try:
        from ..mcp import McpEndpoint
    except ModuleNotFoundError as exc:
        if exc.name != "mcp" and not (exc.name or "").startswith("mcp."):
            raise
        return None
    return McpEndpoint(container, authorize)


def create_app(container: Container) -> FastAPI:
    """An app serving `container`'s store; nothing global, so tests can run several."""
    mcp = _mcp_endpoint(container)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as running:
            if mcp is not None:
                await running.enter_async_context(mcp.running())
            yield

    app = FastAPI(
        title="ironbridge",
        version=__version__,
        description=_DESCRIPTION,
        docs_url=None,  # served by install_docs, from the package
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(strict_query)],
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.metrics = HttpMetrics()
    install_error_handlers(app)
    install_docs(app)
    install_openapi(app, container.registry)
    app.include_router(health.router)
    app.include_router(connection.router)
    app.include_router(connections.router)
    app.include_router(connectors.router)
    app.include_router(sync.router)
    app.include_router(events.router)
    app.include_router(push.router)
    app.include_router(webhooks.router)
    app.include_router(records.router)
    app.include_router(link_tokens.router)
    app.include_router(flows.router)
    if mcp is not None:
        # A route, not a mount: `/mcp` itself is the endpoint agents are configured with.
        # POST only: stateless, there is no session to stream to (GET) or to end (DELETE).
        app.router.routes.append(Route("/mcp", mcp, methods=["POST"]))
    app.mount("/connect", create_connect_app(container), name="connect")
    app.mount("/dashboard", create_dashboard_app(container, authorize), name="dashboard")
    # Added first, so it runs inside the request context (ids, metrics, access log).
    app.add_middleware(ListFastPath, container=container, routes=records.router.routes)
    app.add_middleware(
        RequestContextMiddleware,
        metrics=app.state.metrics,
        max_body_bytes=container.settings.max_body_bytes,
    )
    return app
