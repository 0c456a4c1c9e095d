"""The MCP server: lists a connection's tools and carries out its calls.

It learns who is calling from the HTTP request the endpoint authenticated (`PRINCIPAL` in the
request's state), so no tool takes, or could name, a connection.
"""

from __future__ import annotations

import json
from typing import Any, Final

import anyio.to_thread
from mcp import MCPError
from mcp.server import Server, ServerRequestContext
from mcp.types import (
    INVALID_PARAMS,
    CallToolRequestParams,
    CallToolResult,
    ListToolsResult,
    PaginatedRequestParams,
    TextContent,
)

from .. import __version__
from ..accounts import Principal
from ..bootstrap import Container
from ..errors import IronbridgeError
from ..logs import get_logger
from .calls import Outcome, ReplayedError, ToolCalls, UnknownTool, error_of
from .catalog import tools_for

__all__ = ["PRINCIPAL", "build_server"]

#: Where the endpoint leaves the authenticated principal in the request's state.
PRINCIPAL: Final = "mcp_principal"

_INSTRUCTIONS: Final = (
    "ironbridge gives you one customer's ERP, CMMS or EAM system through a unified model: "
    "purchase orders, work orders, inventory items, vendors, assets and locations. Start with "
    "describe_connection to learn what this system offers. Reads come from records synced from "
    "the system (see sync_status for their freshness). Writes go to the live system: try them "
    "with dry_run=true, and give each intended write its own idempotency_key."
)

_log = get_logger("ironbridge.mcp")


def _caller(ctx: ServerRequestContext[Any, Any]) -> tuple[Principal, str]:
    state = ctx.request.scope.get("state", {}) if ctx.request is not None else {}
    principal = state.get(PRINCIPAL)
    if not isinstance(principal, Principal):
        # The endpoint authenticates every request before the server sees it.
        raise RuntimeError("an MCP request reached the server unauthenticated")
    return principal, str(state.get("request_id", ""))


def _result(outcome: Outcome) -> CallToolResult:
    data = json.loads(outcome.text)
    meta = {"io.ironbridge/idempotent-replayed": True} if outcome.replayed else None
    return CallToolResult(
        content=[TextContent(text=outcome.text)],
        structured_content=data if isinstance(data, dict) else None,
        _meta=meta,
    )


def _error(error: dict[str, Any]) -> CallToolResult:
    body = {"error": error}
    return CallToolResult(
        content=[TextContent(text=json.dumps(body, separators=(",", ":"), default=str))],
        structured_content=json.loads(json.dumps(body, default=str)),
        is_error=True,
    )


def build_server(container: Container) -> Server[Any]:
    """A low-level MCP server over `container`'s services."""

    async def list_tools(
        ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        principal, _ = _caller(ctx)
        assert principal.connection_system is not None  # read with every connection token
        spec = container.registry.get(principal.connection_system).spec
        return ListToolsResult(tools=tools_for(spec))

    async def call_tool(
        ctx: ServerRequestContext[Any, Any], params: CallToolRequestParams
    ) -> CallToolResult:
        principal, request_id = _caller(ctx)
        calls = ToolCalls(container, principal, request_id)
        try:
            outcome = await anyio.to_thread.run_sync(
                calls.call, params.name, dict(params.arguments or {})
            )
        except UnknownTool as exc:
            # A protocol error (the MCP specification's "Error Handling" of tools): what a
            # tool reports as a failure is a result with `isError`, an unknown tool is not.
            raise MCPError(code=INVALID_PARAMS, message=str(exc)) from None
        except Exception as exc:
            if not isinstance(exc, IronbridgeError | ReplayedError):
                _log.error("mcp_tool_failed", tool=params.name[:100], exc_info=exc)
            return _error(error_of(exc, request_id))
        return _result(outcome)

    return Server(
        "ironbridge",
        version=__version__,
        title="ironbridge",
        instructions=_INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )
