"""The outermost middleware: request id, body limit, access log, metrics, last-resort 500."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import structlog
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import IronbridgeError, RequestTooLarge
from ..ids import new_id
from ..logs import get_logger
from .metrics import HttpMetrics

__all__ = ["RequestContextMiddleware"]

_WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_log = get_logger("ironbridge.http")


class _BodyTooLarge(StarletteHTTPException):
    """Raised from `receive` when a streamed body passes the limit.

    An HTTPException so FastAPI's body parsing lets it through to our handler unchanged.
    """

    def __init__(self) -> None:
        super().__init__(status_code=413)


class RequestContextMiddleware:
    """Pure ASGI, so it wraps every response, including errors raised anywhere inside."""

    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics, max_body_bytes: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _WELL_FORMED_ID.match(given) else new_id("req")
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                extra = [(b"x-request-id", request_id.encode())]
                for name, value in scope["state"].get("response_headers", {}).items():
                    extra.append((name.lower().encode(), value.encode()))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
                error = RequestTooLarge(_too_large(self.max_body_bytes))
                await _send_error(send_wrapper, error, request_id)
            else:
                await self.app(scope, self._limited(receive), send_wrapper)
        except Exception as exc:
            if response_started:
                raise
            _log.error("unhandled_error", method=scope["method"], path=scope["path"], exc_info=exc)
            await _send_error(send_wrapper, IronbridgeError(), request_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "<unmatched>"
            self.metrics.observe(scope["method"], template, status, elapsed)
            _log.info(
                "request",
                method=scope["method"],
                route=template,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
                account_id=scope["state"].get("account_id"),
                connection_id=scope["state"].get("connection_id"),
            )
            structlog.contextvars.clear_contextvars()

    def _limited(self, receive: Receive) -> Receive:
        limit = self.max_body_bytes
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge
            return message

        return wrapped


def _too_large(limit: int) -> str:
    return f"The request body is larger than the {limit}-byte limit."


async def _send_error(send: Send, exc: IronbridgeError, request_id: str) -> None:
    body = json.dumps({"error": exc.to_dict(request_id)}).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
