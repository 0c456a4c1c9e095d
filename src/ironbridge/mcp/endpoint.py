"""The `/mcp` endpoint: streamable HTTP, stateless, every request authenticated by the API's
own connection-token check (failure budget per address, rate limit per token).

Stateless, so any worker process answers any request and nothing is kept between them: each
POST carries its own bearer token and gets one JSON answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from ..accounts import Principal
from ..bootstrap import Container
from ..errors import ServiceUnavailable
from ..security import TokenKind
from .server import PRINCIPAL, build_server

__all__ = ["Authorize", "McpEndpoint"]

#: How a token is authorized: the API's check, handed in where the endpoint is mounted (the
#: unit of work is the container's; typed loosely so this edge names no store type).
Authorize = Callable[
    [Any, Request, Container, HTTPAuthorizationCredentials | None, TokenKind], Principal
]

_bearer = HTTPBearer(auto_error=False)


class McpEndpoint:
    """An ASGI app serving MCP for connection tokens; `running()` belongs in the lifespan of
    the app that mounts it."""

    def __init__(self, container: Container, authorize: Authorize) -> None:
        self.container = container
        self.authorize = authorize
        self.server = build_server(container)
        self._manager: StreamableHTTPSessionManager | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Serve while inside; a manager runs only once, so each run gets its own."""
        manager = StreamableHTTPSessionManager(app=self.server, json_response=True, stateless=True)
        async with manager.run():
            self._manager = manager
            try:
                yield
            finally:
                self._manager = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        manager = self._manager
        if manager is None:
            raise ServiceUnavailable(
                "The MCP server is not running: the app was started without its lifespan."
            )
        request = Request(scope, receive)
        credentials = await _bearer(request)
        # Raised errors reach the API's handlers, so a refusal has the error contract's shape.
        principal = await run_in_threadpool(self._authenticate, request, credentials)
        scope.setdefault("state", {})[PRINCIPAL] = principal
        await manager.handle_request(scope, receive, send)

    def _authenticate(
        self, request: Request, credentials: HTTPAuthorizationCredentials | None
    ) -> Principal:
        with self.container.uow(readonly=True) as uow:
            return self.authorize(uow, request, self.container, credentials, TokenKind.CONNECTION)
