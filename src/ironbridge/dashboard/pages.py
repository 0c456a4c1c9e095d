"""What every dashboard page and action shares: the signed-in operator, form checks, rendering.

Each action is a plain form POST answered with the page it changed (its outcome in the page's
notice), so it works without JavaScript; with htmx the same response replaces the body and
`HX-Push-Url` puts the page's own address in the location bar.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any, Final

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials
from jinja2 import Environment, FileSystemLoader
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from .. import __version__
from ..accounts import Principal, resume_admin_session
from ..bootstrap import Container
from ..errors import AuthenticationFailed, IronbridgeError, NotFound, PermissionDenied
from ..security import TokenKind
from ..store import UnitOfWork
from .session import DashboardSession, SessionCodec

__all__ = [
    "COOKIE",
    "PRE_COOKIE",
    "Authorize",
    "Form",
    "Notice",
    "Operator",
    "SignInRequired",
    "render",
]

#: How a key is authorized: the API's admin-key check, handed in when the dashboard is mounted.
Authorize = Callable[
    [UnitOfWork, Request, Container, HTTPAuthorizationCredentials | None, TokenKind], Principal
]

COOKIE: Final = "ib_dashboard"
#: Holds the nonce the sign-in form's CSRF token is bound to, before there is a session.
PRE_COOKIE: Final = "ib_dashboard_pre"
TEMPLATES: Final = Environment(
    loader=FileSystemLoader(FilePath(__file__).parent / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
STATUS_LABELS: Final = {
    "active": "Active",
    "syncing": "Syncing",
    "offline": "Offline",
    "auth_required": "Needs reauthorization",
    "disconnected": "Disconnected",
    "pending": "Pending",
    "succeeded": "Succeeded",
    "failed": "Failed",
    "idle": "Idle",
    "queued": "Queued",
    "running": "Running",
    "partial": "Partial",
    "paused": "Paused",
    "cancelled": "Cancelled",
    "skipped": "Skipped",
    "unavailable": "Not offered",
}


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


TEMPLATES.filters["when"] = _when
TEMPLATES.filters["pretty"] = _pretty
TEMPLATES.globals["status_label"] = lambda status: STATUS_LABELS.get(str(status), str(status))
TEMPLATES.globals["version"] = __version__


#: The navigation entry each page belongs to.
_SECTIONS: Final = {
    "overview.html": "overview",
    "connections.html": "connections",
    "connection.html": "connections",
    "webhooks.html": "webhooks",
    "delivery.html": "webhooks",
    "events.html": "events",
    "flows.html": "flows",
    "flow.html": "flows",
    "flow_run.html": "flows",
}


class SignInRequired(Exception):
    """No valid session: the operator is sent to the sign-in page."""


@dataclass(frozen=True, slots=True)
class Notice:
    """The outcome of an action, announced in the page's live region."""

    message: str
    ok: bool = True
    #: Shown once, selectable (a reconnect link, a new secret).
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Operator:
    """The signed-in operator: the admin key's account, and the CSRF token of their forms."""

    principal: Principal
    session: DashboardSession
    csrf: str
    container: Container

    @property
    def account_id(self) -> str:
        return self.principal.account_id


def codec(request: Request) -> SessionCodec:
    found: SessionCodec = request.app.state.sessions
    return found


def container_of(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


def _operator(request: Request) -> Operator:
    sessions = codec(request)
    session = sessions.read(request.cookies.get(COOKIE), datetime.now(UTC))
    if session is None:
        raise SignInRequired
    container = container_of(request)
    try:
        with container.uow(readonly=True) as uow:
            principal = resume_admin_session(
                uow, session.account_id, session.credential_id, session.nonce
            )
    except AuthenticationFailed as exc:
        raise SignInRequired from exc
    return Operator(principal, session, sessions.csrf(session.nonce), container)


def signed_in(request: Request) -> bool:
    """Whether the request carries a live session (signature, expiry, session row and key)."""
    try:
        _operator(request)
    except SignInRequired:
        return False
    return True


async def _checked_form(
    request: Request, operator: Annotated[Operator, Depends(_operator)]
) -> FormData:
    form = await request.form()
    presented = form.get("csrf")
    if not codec(request).csrf_valid(
        operator.session.nonce, presented if isinstance(presented, str) else None
    ):
        raise PermissionDenied(
            "This form could not be verified: it may be out of date. Reload the page and try "
            "again.",
            details={"reason": "csrf"},
        )
    return form


#: Every page: the signed-in operator (or a redirect to sign in).
OperatorDep = Annotated[Operator, Depends(_operator)]
#: Every action: the posted form, its CSRF token checked against the session.
Form = Annotated[FormData, Depends(_checked_form)]


def text(form: FormData, name: str) -> str:
    """A text field of `form`, stripped; empty when absent."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def render(
    request: Request,
    template: str,
    operator: Operator | None,
    *,
    status: int = 200,
    push_url: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """`template` as a page; `push_url` (relative to the dashboard) is the address htmx shows
    after an action, since the action's own URL answers POST only."""
    root = request.scope.get("root_path", "")
    html = TEMPLATES.get_template(template).render(
        root=root,
        operator=operator,
        csrf=operator.csrf if operator else "",
        nav=_SECTIONS.get(template, ""),
        **context,
    )
    headers = {"HX-Push-Url": f"{root}{push_url}"} if push_url is not None else None
    return HTMLResponse(html, status_code=status, headers=headers)


def error_notice(exc: IronbridgeError) -> Notice:
    """An error of a service as the notice of the page the action came from.

    Except for something not found or another account's (`NotFound`, `PermissionDenied`):
    that is raised again, to answer with the not-found page, which names nothing.
    """
    if isinstance(exc, NotFound | PermissionDenied) and exc.details.get("reason") != "csrf":
        raise exc
    fields = exc.details.get("fields")
    message = exc.message
    if isinstance(fields, Mapping) and fields:
        message += " " + "; ".join(f"{name}: {why}" for name, why in fields.items())
    return Notice(message, ok=False)


async def in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run blocking service work off the event loop."""
    return await run_in_threadpool(function, *args, **kwargs)
