"""The end-customer connect flow, served as HTML under `/connect/`.

Pages: `/connect/?token=…` lists the systems the link offers (searchable) → `/connect/{system}`
shows the form generated from the system's auth fields, with its setup guide → `POST
/connect/{system}` runs the staged check. With JavaScript the page posts the form with
`Accept: text/event-stream` and the response body streams the check's progress as server-sent
events; the check runs in that one request, so any API node can serve it and no credentials wait
anywhere between requests. Without JavaScript the same post answers with the finished page.

Every page carries `token` and the optional `origin` (the integrator page's origin, which
receives the public token by postMessage) in its links and forms.

The flow is a small app of its own, mounted on the API app: its errors are pages rather than
JSON, and it accepts query parameters the API would refuse, because an e-mail client adding
tracking parameters to an onboarding link must not break it.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Annotated, Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from jinja2 import Environment, FileSystemLoader
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..bootstrap import Container
from ..connections import LinkCompletion, LinkSession, complete_link, management, run_link
from ..connectors import CheckResult, CheckStage, Connector, availability_of
from ..errors import (
    AuthenticationFailed,
    ConnectionCheckFailed,
    ConnectionDisconnected,
    InvalidRequest,
    IronbridgeError,
    NotFound,
    PermissionDenied,
    RateLimitExceeded,
    ValidationFailed,
)
from ..logs import get_logger
from ..settings import load_secret_key
from ..web import static_files
from .csrf import CsrfTokens
from .messages import link_problem_title, stage_text

__all__ = ["STATIC_DIR", "create_connect_app", "normalize_origin", "router"]

#: The flow's stylesheet and scripts, including `connect.js` for integrators' pages.
STATIC_DIR: Final = FilePath(__file__).parent / "static"
_TEMPLATES: Final = Environment(
    loader=FileSystemLoader(FilePath(__file__).parent / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_CATEGORIES: Final = {"erp": "ERP", "cmms": "CMMS", "eam": "EAM"}
#: Credential inputs are named `c.<field>`, so a connector field called `token` or `csrf`
#: cannot collide with the flow's own form fields.
_FIELD_PREFIX: Final = "c."
_STATE_LABELS: Final = {
    "pending": "Not started",
    "running": "Checking…",
    "ok": "Done",
    "failed": "Failed",
}
#: Connection attempts per link token per minute: enough for a customer fixing typos, too few
#: to use the flow as a way to probe addresses through ironbridge.
ATTEMPTS_PER_MINUTE: Final = 12
_log = get_logger("ironbridge.connect")

router = APIRouter()

TokenParam = Annotated[str | None, Query(max_length=200, description="The link token.")]
OriginParam = Annotated[
    str | None, Query(max_length=300, description="Origin of the page embedding the flow.")
]
SystemParam = Annotated[str, Path(max_length=64, description="Connector id.")]


def create_connect_app(container: Container) -> FastAPI:
    """The connect flow as an app to mount at `/connect` on the API app."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.container = container
    app.state.csrf = CsrfTokens(load_secret_key(container.settings))
    app.include_router(router)
    app.mount("/static", static_files(STATIC_DIR), name="static")
    app.add_exception_handler(IronbridgeError, _on_ironbridge_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_middleware(_PageSafety)
    return app


def normalize_origin(value: str | None) -> str | None:
    """`scheme://host[:port]` of an http(s) origin, lower-cased; None when not given.

    Raises `InvalidRequest` for anything else (paths, credentials, other schemes, `null`): the
    public token is posted to exactly this origin, so it must be one.
    """
    if value is None or value == "":
        return None
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.username is not None
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
    ):
        raise InvalidRequest(
            "This page was opened with an invalid 'origin' parameter; it must be the origin "
            "(scheme, host and port) of the page that opened it."
        )
    host = parts.hostname
    if ":" in host:  # an IPv6 literal keeps its brackets in an origin
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


# -- pages -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Flow:
    """One request's view of the flow: the open link session and what every page carries."""

    request: Request
    container: Container
    token: str
    origin: str | None
    session: LinkSession

    @property
    def root(self) -> str:
        return _root(self.request)

    def query(self, **extra: str) -> str:
        values = {"token": self.token, **({"origin": self.origin} if self.origin else {})}
        return urlencode({**values, **extra})

    @property
    def csrf(self) -> str:
        tokens: CsrfTokens = self.request.app.state.csrf
        return tokens.issue(self.session.link_id)

    def connectors(self) -> list[Connector]:
        return self.session.available(self.container.registry)


@router.get("/", response_class=HTMLResponse)
def catalog(
    request: Request,
    token: TokenParam = None,
    origin: OriginParam = None,
    q: Annotated[str | None, Query(max_length=100, description="Filter by name.")] = None,
) -> Response:
    """The systems this link offers, searchable; a link for one system goes straight to it."""
    flow = _open_flow(request, token, origin)
    connectors = flow.connectors()
    if not connectors:
        raise NotFound(
            "There are no systems to connect with this link. "
            f"Ask {flow.session.account_name} for a new link."
        )
    if len(connectors) == 1:
        target = f"{flow.root}/{connectors[0].spec.id}?{flow.query()}"
        return RedirectResponse(target, status_code=303, headers=_page_headers(flow.origin))
    needle = (q or "").strip()
    systems = [_system_card(connector) for connector in connectors]
    for system in systems:
        system["hidden"] = bool(needle) and needle.casefold() not in system["search"]
    return _render(
        request,
        "catalog.html",
        flow.origin,
        flow=_flow_context(flow),
        systems=systems,
        q=needle,
        shown=sum(1 for system in systems if not system["hidden"]),
    )


@router.get("/{system}", response_class=HTMLResponse)
def system_form(
    request: Request, system: SystemParam, token: TokenParam = None, origin: OriginParam = None
) -> Response:
    """The form of one system: its auth fields, inline help and setup guide."""
    flow = _open_flow(request, token, origin)
    return _form_page(flow, _offered(flow, system))


@router.post("/{system}", response_class=HTMLResponse)
async def submit(request: Request, system: SystemParam) -> Response:
    """Run the staged check and connect: as an event stream, or as a finished page."""
    form = await request.form()
    fields = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    credentials = {
        key[len(_FIELD_PREFIX) :]: value
        for key, value in fields.items()
        if key.startswith(_FIELD_PREFIX)
    }
    streaming = "text/event-stream" in request.headers.get("accept", "")
    try:
        flow = await run_in_threadpool(
            _open_flow, request, fields.get("token"), fields.get("origin")
        )
        connector = _offered(flow, system)
        csrf: CsrfTokens = request.app.state.csrf
        if not csrf.verify(flow.session.link_id, fields.get("csrf")):
            raise PermissionDenied(
                "This form could not be verified: it may be out of date. Reload the page and "
                "try again.",
                details={"reason": "csrf"},
            )
    except IronbridgeError as exc:
        origin = _origin_or_none(fields.get("origin"))
        if streaming:
            event = _sse("fatal", {"html": _error_fragment(request, exc)})
            return _event_stream(iter([event]), status=exc.status)
        return _error_page(request, exc, origin)
    decision = await run_in_threadpool(
        flow.container.limiter.hit, f"connect:{flow.session.link_id}", ATTEMPTS_PER_MINUTE
    )
    if not decision.allowed:
        # The form stays as it is: the customer only has to wait, not start over.
        alert = {
            "title": "Please wait a moment",
            "message": f"There were too many attempts in a short time. Wait "
            f"{decision.reset_after} seconds, then try again.",
            "fix": "",
        }
        headers = {"Retry-After": str(decision.reset_after)}
        if streaming:
            return _event_stream(iter([_sse("failed", alert)]), status=429, headers=headers)
        page = _form_page(flow, connector, values=credentials, alert=alert, status=429)
        page.headers.update(headers)
        return page
    if streaming:
        return _event_stream(_progress(flow, connector, credentials))
    return await run_in_threadpool(_finished_page, flow, connector, credentials)


# -- the check, streamed or not ----------------------------------------------------------------


def _complete(
    flow: _Flow, connector: Connector, credentials: Mapping[str, str]
) -> Generator[CheckResult, None, LinkCompletion]:
    container = flow.container
    return complete_link(
        container.uow,
        container.cipher,
        container.registry,
        container.session_options,
        flow.token,
        connector.spec.id,
        credentials,
        start_sync=lambda connection_id: container.worker.start_sync(
            connection_id, trigger="initial"
        ),
        on_reconnect=container.breakers.reset,
    )


def _progress(flow: _Flow, connector: Connector, credentials: Mapping[str, str]) -> Iterator[str]:
    """Server-sent events: each stage as it starts and ends, then the outcome."""
    name = connector.spec.name
    order = list(CheckStage)
    # A comment first, so proxies and the browser see the stream open at once.
    yield ": ironbridge connect\n\n"
    yield _sse("stage", _stage_row(order[0], name, state="running"))
    steps = _complete(flow, connector, credentials)
    try:
        while True:
            try:
                result = next(steps)
            except StopIteration as done:
                completion: LinkCompletion = done.value
                break
            yield _sse("stage", _stage_row(result.stage, name, result=result))
            position = order.index(result.stage)
            if result.ok and position + 1 < len(order):
                yield _sse("stage", _stage_row(order[position + 1], name, state="running"))
    except ConnectionCheckFailed as exc:
        yield _sse("failed", _failure(exc, name))
        return
    except ValidationFailed as exc:
        yield _sse("stage", _stage_row(order[0], name, state="pending"))
        yield _sse("invalid", {"message": "Check the highlighted fields.", "fields": exc.fields})
        return
    except IronbridgeError as exc:
        yield _sse("fatal", {"html": _error_fragment(flow.request, exc)})
        return
    except Exception:
        _log.exception("connect_flow_failed", system=connector.spec.id)
        yield _sse("fatal", {"html": _error_fragment(flow.request, IronbridgeError())})
        return
    yield _sse(
        "success",
        {
            "public_token": completion.public_token,
            "html": _render_text("_success.html", **_success_context(flow, connector, completion)),
        },
    )


def _finished_page(flow: _Flow, connector: Connector, credentials: Mapping[str, str]) -> Response:
    """The no-JavaScript path: run the whole check, then answer with the resulting page."""
    results: list[CheckResult] = []
    try:
        completion = run_link(_complete(flow, connector, credentials), results.append)
    except ConnectionCheckFailed as exc:
        return _form_page(
            flow,
            connector,
            values=credentials,
            results=results,
            alert=_failure(exc, connector.spec.name),
            status=400,
        )
    except ValidationFailed as exc:
        return _form_page(flow, connector, values=credentials, errors=exc.fields, status=400)
    except IronbridgeError as exc:
        return _error_page(flow.request, exc, flow.origin)
    return _render(
        flow.request,
        "success.html",
        flow.origin,
        flow=_flow_context(flow),
        **_success_context(flow, connector, completion),
    )


def _sse(event: str, data: Mapping[str, Any]) -> str:
    # json.dumps never emits a newline, so one `data:` line carries the whole payload.
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _event_stream(
    events: Iterator[str], *, status: int = 200, headers: Mapping[str, str] | None = None
) -> StreamingResponse:
    return StreamingResponse(
        events,
        status_code=status,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no", **(headers or {})},
    )


def _stage_row(
    stage: CheckStage,
    system_name: str,
    *,
    state: str | None = None,
    result: CheckResult | None = None,
) -> dict[str, Any]:
    text = stage_text(stage, system_name)
    if result is not None:
        state = "ok" if result.ok else "failed"
    state = state or "pending"
    return {
        "stage": stage.value,
        "state": state,
        "state_label": _STATE_LABELS[state],
        "title": text.title,
        "message": result.message if result is not None else "",
    }


def _stage_rows(system_name: str, results: Sequence[CheckResult]) -> list[dict[str, Any]]:
    by_stage = {result.stage: result for result in results}
    return [
        _stage_row(stage, system_name, result=by_stage.get(stage)) for stage in list(CheckStage)
    ]


def _failure(exc: ConnectionCheckFailed, system_name: str) -> dict[str, Any]:
    try:
        stage = CheckStage(exc.stage)
    except ValueError:
        stage = CheckStage.REACH
    text = stage_text(stage, system_name)
    return {
        "stage": stage.value,
        "title": text.failed_title,
        "message": exc.message,
        "fix": exc.details.get("fix") or text.default_fix,
    }


# -- rendering ---------------------------------------------------------------------------------


def _root(request: Request) -> str:
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/")


def _render_text(name: str, **context: Any) -> str:
    return _TEMPLATES.get_template(name).render(version=__version__, **context)


def _render(
    request: Request, name: str, origin: str | None, *, status: int = 200, **context: Any
) -> HTMLResponse:
    html = _render_text(name, root=_root(request), origin=origin or "", **context)
    return HTMLResponse(html, status_code=status, headers=_page_headers(origin))


def _page_headers(origin: str | None) -> dict[str, str]:
    # Designed for iframes: any page may embed the flow, unless it was opened for one origin,
    # which then is the only other page allowed to frame it (the public token goes there).
    ancestors = f"'self' {origin}" if origin else "*"
    policy = (
        "default-src 'self'; img-src 'self' data: https:; style-src 'self'; "
        "script-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        f"object-src 'none'; frame-ancestors {ancestors}"
    )
    return {"Content-Security-Policy": policy, "Cache-Control": "no-store"}


def _flow_context(flow: _Flow) -> dict[str, Any]:
    return {
        "token": flow.token,
        "origin": flow.origin or "",
        "query": flow.query(),
        "account_name": flow.session.account_name,
        "end_customer_name": flow.session.end_customer_name,
        "reconnect": flow.session.is_reconnect,
        "csrf": flow.csrf,
    }


def _system_card(connector: Connector) -> dict[str, Any]:
    spec = connector.spec
    category = _CATEGORIES.get(spec.category, spec.category.upper())
    return {
        "id": spec.id,
        "name": spec.name,
        "category": category,
        "description": spec.description,
        "logo": _logo_src(spec.logo),
        "search": f"{spec.name} {spec.id} {category}".casefold(),
        "hidden": False,
    }


def _logo_src(logo: str) -> str | None:
    """An `img` source for a connector logo: inline SVG becomes a data URI (an SVG in `img` runs
    no script), URLs and data URIs pass, anything else shows no logo."""
    logo = logo.strip()
    if logo.startswith("<svg"):
        return "data:image/svg+xml;base64," + base64.b64encode(logo.encode()).decode()
    if logo.startswith(("data:image/", "https://", "/")):
        return logo
    return None


def _form_page(
    flow: _Flow,
    connector: Connector,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    results: Sequence[CheckResult] = (),
    alert: Mapping[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    spec = connector.spec
    values = values or {}
    errors = errors or {}
    fields = []
    for auth_field in spec.auth_fields:
        fields.append(
            {
                "name": auth_field.name,
                "input_name": f"{_FIELD_PREFIX}{auth_field.name}",
                "label": auth_field.label,
                "help": auth_field.help,
                "required": auth_field.required,
                "type": "password" if auth_field.secret else auth_field.kind,
                "placeholder": auth_field.placeholder,
                # A secret is never sent back to the browser, not even to refill the form.
                "value": "" if auth_field.secret else values.get(auth_field.name, ""),
                "error": errors.get(auth_field.name, ""),
                "options": auth_field.options,
                "applies_when": auth_field.applies_when,
            }
        )
    known = {auth_field.name for auth_field in spec.auth_fields}
    unknown = {name: problem for name, problem in errors.items() if name not in known}
    if errors and alert is None:
        alert = {"title": "Check the highlighted fields", "message": "", "fix": ""}
        if unknown and not any(f["error"] for f in fields):
            alert["message"] = " ".join(unknown.values())
    return _render(
        flow.request,
        "form.html",
        flow.origin,
        status=status,
        flow=_flow_context(flow),
        system=_system_card(connector),
        fields=fields,
        guide=list(spec.setup_guide),
        stages=_stage_rows(spec.name, results),
        checked=bool(results),
        alert=alert,
        back_url=(
            f"{flow.root}/?{flow.query()}"
            if len(flow.connectors()) > 1 and not flow.session.is_reconnect
            else None
        ),
    )


def _success_context(
    flow: _Flow, connector: Connector, completion: LinkCompletion
) -> dict[str, Any]:
    redirect = flow.session.redirect_url
    found = availability_of(completion.stages, connector.spec) or {}
    return {
        "system_name": connector.spec.name,
        "account_name": flow.session.account_name,
        "reconnect": not completion.created,
        "available": [
            item.entity.value.replace("-", " ") for item in found.values() if item.available
        ],
        # What the customer's administrator could enable later, with the reason it is missing.
        "missing": [
            {
                "entity": item.entity.value,
                "label": item.entity.value.replace("-", " "),
                "status": item.status.value,
                "reason": item.reason or "",
                "enable": item.enable or "",
            }
            for item in found.values()
            if item.reason
        ],
        "public_token": completion.public_token,
        "redirect_url": (
            _with_query(redirect, public_token=completion.public_token) if redirect else None
        ),
    }


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _error_content(request: Request, exc: IronbridgeError) -> dict[str, Any]:
    reason = exc.details.get("reason")
    title: str
    if isinstance(exc, AuthenticationFailed):
        title = link_problem_title(reason)
    elif reason == "csrf":
        title = "Please reload this page"
    elif isinstance(exc, PermissionDenied):
        title = "This link doesn't offer that system"
    elif isinstance(exc, ConnectionDisconnected):
        title = "This connection was disconnected"
    elif isinstance(exc, NotFound):
        title = "Nothing to connect here"
    elif isinstance(exc, InvalidRequest):
        title = "This link can't be opened"
    elif isinstance(exc, RateLimitExceeded):
        title = "Please wait a moment"
    else:
        title = "Something went wrong on our side"
    message = exc.message
    if type(exc) is IronbridgeError:
        # Unexpected failures keep their details in the log; the customer gets a reference.
        message = (
            "Please try again in a moment. If it keeps happening, pass on the reference below."
        )
    request_id = str(getattr(request.state, "request_id", "") or "")
    return {"title": title, "message": message, "request_id": request_id, "status": exc.status}


def _error_fragment(request: Request, exc: IronbridgeError) -> str:
    return _render_text("_error.html", error=_error_content(request, exc))


def _error_page(request: Request, exc: IronbridgeError, origin: str | None) -> HTMLResponse:
    page = _render(
        request, "error.html", origin, status=exc.status, error=_error_content(request, exc)
    )
    if exc.retry_after is not None:
        page.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    return page


# -- the link session --------------------------------------------------------------------------


def _open_flow(request: Request, token: str | None, origin: str | None, /) -> _Flow:
    container: Container = request.app.state.container
    normalized = normalize_origin(origin)
    if not token:
        raise AuthenticationFailed(
            "This page needs the full link you were sent; part of it is missing. Open the link "
            "again, or ask for a new one.",
            details={"reason": "invalid"},
        )
    # Failed link tokens are counted per client address, as failed API keys are: an address
    # over its budget is refused before its token is looked at, so guessing links gains nothing.
    limiter, per_minute = container.limiter, container.settings.auth_failure_limit_per_minute
    key = f"link-failed:{request.client.host if request.client else 'unknown'}"
    budget = limiter.peek(key, per_minute)
    if not budget.allowed:
        raise RateLimitExceeded(
            f"There were too many attempts with links that don't work from your network. Wait "
            f"{budget.reset_after} seconds, then open the link you were sent again.",
            retry_after=budget.reset_after,
        )
    try:
        session = management.open_link_session(container.uow, token)
    except AuthenticationFailed:
        limiter.hit(key, per_minute)
        raise
    return _Flow(request, container, token, normalized, session)


def _offered(flow: _Flow, system: str) -> Connector:
    if not flow.session.allows(system) or system not in flow.container.registry:
        raise PermissionDenied(
            "The system you picked isn't offered by this link. Go back to the list and pick "
            "one of the systems shown there."
        )
    return flow.container.registry.get(system)


def _origin_or_none(value: str | None) -> str | None:
    try:
        return normalize_origin(value)
    except InvalidRequest:
        return None


# -- errors as pages ---------------------------------------------------------------------------


async def _on_ironbridge_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IronbridgeError)
    return _error_page(request, exc, _origin_or_none(request.query_params.get("origin")))


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    error: IronbridgeError
    if exc.status_code == 404:
        error = NotFound("There is no such page in the connect flow. Open the link you were sent.")
    else:
        error = InvalidRequest("This page can't be shown. Open the link you were sent again.")
        error.status = exc.status_code  # type: ignore[misc]
    return _error_page(request, error, None)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    error = InvalidRequest(
        "This link looks damaged: part of it is missing or too long. Open the link you were "
        "sent again, or ask for a new one."
    )
    return _error_page(request, error, _origin_or_none(request.query_params.get("origin")))


class _PageSafety:
    """Headers every flow response needs, and a page instead of a bare 500.

    The link token travels in URLs, so no page may leak it in a Referer; an unexpected error is
    logged here and the customer gets a page with a reference, never a stack trace.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                for name, value in _SAFETY_HEADERS:
                    if name not in names:
                        headers.append((name, value))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise
            _log.exception("connect_page_failed", path=scope.get("path"))
            request = Request(scope)
            response = _error_page(request, IronbridgeError(), None)
            await response(scope, receive, send_with_headers)


_SAFETY_HEADERS: Final = (
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data: https:; style-src 'self'; "
        b"script-src 'self'; frame-ancestors *",
    ),
)
