"""Receive ironbridge webhooks in an ASGI service: a Starlette app to mount, a FastAPI router.

```python
from starlette.routing import Mount
app = Starlette(routes=[Mount("/hooks", inbox_app(inbox, secrets))])  # POST /hooks/webhooks

from fastapi import FastAPI
app = FastAPI()
app.include_router(inbox_router(inbox, secrets))                       # POST /webhooks
```

Both store the verified event in the inbox and answer 200 at once (also for duplicates); 400
when verification fails, 413 for a body over `max_body_bytes`, 503 while the inbox's database
is down. Run `inbox.run(handlers)` elsewhere (a thread or another process) to process events.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import _http
from ._constants import DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE
from .inbox import Inbox
from .verify import _secret_keys

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = ["inbox_app", "inbox_router"]


def inbox_app(
    inbox: Inbox,
    secrets: str | Sequence[str],
    path: str = "/webhooks",
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    tolerance: int = DEFAULT_TOLERANCE,
) -> Starlette:
    """A Starlette app that accepts signed webhooks with `POST {path}` into `inbox`.

    Args:
        inbox: where verified events are stored.
        secrets: the endpoint secret, or the old and new one during a rotation.
        path: the route inside the app; mount the app under any prefix.
        max_body_bytes: larger bodies get 413 without being read to the end.
        tolerance: seconds of clock difference allowed in the signature's timestamp.

    Raises:
        ValueError: a secret is malformed (found now, not at the first request).
    """
    endpoint = _endpoint(inbox, secrets, max_body_bytes, tolerance)
    return Starlette(routes=[Route(path, endpoint, methods=["POST"])])


def inbox_router(
    inbox: Inbox,
    secrets: str | Sequence[str],
    *,
    path: str = "/webhooks",
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    tolerance: int = DEFAULT_TOLERANCE,
) -> APIRouter:
    """A FastAPI router with `POST {path}` accepting signed webhooks into `inbox`.

    Arguments as for `inbox_app`; include it with `app.include_router(router, prefix=…)`.
    """
    # Imported here so that Starlette-only and WSGI services never import FastAPI.
    from fastapi import APIRouter

    router = APIRouter()
    router.add_api_route(
        path,
        _endpoint(inbox, secrets, max_body_bytes, tolerance),
        methods=["POST"],
        summary="Receive an ironbridge webhook",
        status_code=200,
    )
    return router


def _endpoint(
    inbox: Inbox, secrets: str | Sequence[str], max_body_bytes: int, tolerance: int
) -> Callable[[Request], Awaitable[Response]]:
    """The request handler behind both adapters; checks the secrets once, up front."""
    _secret_keys(secrets)

    # A plain function, not a callable object: FastAPI reads the `Request` annotation through
    # the function's module globals to know what to inject.
    async def receive_webhook(request: Request) -> Response:
        body = await _read_body(request, max_body_bytes)
        if body is None:
            answer = _http.too_large(max_body_bytes)
        else:
            # Verification is cheap, but storing waits on the database: keep the loop free.
            answer = await run_in_threadpool(
                _http.receive, inbox, secrets, body, request.headers, tolerance
            )
        return Response(answer.body, status_code=answer.status, headers=dict(answer.headers))

    return receive_webhook


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    # A chunked body declares no length, so count while reading rather than trust the header.
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
