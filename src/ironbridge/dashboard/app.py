"""The dashboard as an app to mount at `/dashboard` on the API app: its errors are pages, an
expired session leads to the sign-in page, and every response carries the page headers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path as FilePath
from typing import Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..bootstrap import Container
from ..errors import IronbridgeError, NotFound, PermissionDenied
from ..settings import load_secret_key
from ..web import static_files
from . import connections, events, flows, overview, signin, webhooks
from .pages import Authorize, Notice, SignInRequired, render
from .session import SessionCodec

__all__ = ["SESSION_LIFETIME", "STATIC_DIR", "create_dashboard_app"]

#: The dashboard's stylesheet, script and vendored htmx (with its licence).
STATIC_DIR: Final = FilePath(__file__).parent / "static"
#: How long a sign-in lasts.
SESSION_LIFETIME: Final = timedelta(hours=8)
_HEADERS: Final = (
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
    ),
)


def create_dashboard_app(container: Container, authorize: Authorize) -> FastAPI:
    """The operators' dashboard, reading and acting through the same services as the API.

    `authorize` is the API's own admin-key check (failure budget per address, rate limit), handed
    in by the API that mounts the dashboard, so a key is judged the same way on both.
    """
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.container = container
    app.state.authorize = authorize
    app.state.sessions = SessionCodec(load_secret_key(container.settings), SESSION_LIFETIME)
    for module in (signin, overview, connections, webhooks, events, flows):
        app.include_router(module.router)
    app.mount("/static", static_files(STATIC_DIR), name="static")
    app.add_exception_handler(SignInRequired, _to_sign_in)
    app.add_exception_handler(IronbridgeError, _on_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_middleware(_PageHeaders)
    return app


async def _to_sign_in(request: Request, exc: Exception) -> Response:
    target = f"{request.scope.get('root_path', '')}/sign-in"
    if request.headers.get("hx-request"):
        # htmx would swap the sign-in page into the current one; load it as a page instead.
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _error_page(request: Request, message: str, status: int) -> Response:
    return render(request, "error.html", None, status=status, notice=Notice(message, ok=False))


async def _on_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IronbridgeError)
    if isinstance(exc, PermissionDenied | NotFound) and exc.details.get("reason") != "csrf":
        # Another account's connection, endpoint or delivery is not found, as a missing one is.
        return _error_page(request, "There is nothing here, or it belongs to another account.", 404)
    return _error_page(request, exc.message, exc.status)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = "There is no such page." if exc.status_code == 404 else "This page can't be shown."
    return _error_page(request, message, exc.status_code)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    return _error_page(request, "This address is damaged: part of it is too long or missing.", 400)


class _PageHeaders:
    """Headers of every dashboard response: no framing, no caching of account data, scripts
    from this origin only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in _HEADERS if name not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
