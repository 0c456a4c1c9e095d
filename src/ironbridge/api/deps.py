"""FastAPI dependencies: the container, and authentication plus rate limiting per credential
(and of failed authentication per client address)."""

from __future__ import annotations

import types
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..accounts import Principal, authenticate
from ..bootstrap import Container
from ..errors import AuthenticationFailed, RateLimitExceeded, ValidationFailed
from ..ratelimit import RateDecision
from ..security import TokenKind
from ..store import UnitOfWork

__all__ = [
    "AdminPrincipal",
    "ConnectionBearer",
    "ConnectionPrincipal",
    "ContainerDep",
    "authorize",
    "connection_bearer",
    "get_container",
    "strict_query",
]

_admin_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="AdminKey",
    description="Account admin key (`ib_admin_…`): the management API of one account.",
)
_connection_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ConnectionToken",
    description="Connection token (`ib_conn_…`): the unified API of one connection.",
)


@dataclass(frozen=True, slots=True)
class _QueryShape:
    """The query parameters a route defines, and which of them are integers."""

    known: frozenset[str]
    integers: frozenset[str]


_QUERY_SHAPES: dict[int, _QueryShape] = {}


def _query_shape(route: Any) -> _QueryShape:
    shape = _QUERY_SHAPES.get(id(route))
    if shape is None:
        params = _query_params(route.dependant)
        names = {param.alias for param in params}
        extra = (getattr(route, "openapi_extra", None) or {}).get("parameters", [])
        names |= {param["name"] for param in extra if param.get("in") == "query"}
        integers = {param.alias for param in params if _is_int(param.field_info.annotation)}
        shape = _QUERY_SHAPES[id(route)] = _QueryShape(frozenset(names), frozenset(integers))
    return shape


def _query_params(dependant: Any) -> list[Any]:
    params = list(dependant.query_params)
    for sub_dependant in dependant.dependencies:
        params += _query_params(sub_dependant)
    return params


def _is_int(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_int(arg) for arg in get_args(annotation) if arg is not type(None))
    return annotation is int


async def strict_query(request: Request) -> None:
    """Reject query parameters the route does not define (a mistyped filter must not silently
    return unfiltered data), repeated ones, and integers not written in plain digits."""
    route = request.scope.get("route")
    if route is None:
        return
    shape = _query_shape(route)
    unknown = sorted(set(request.query_params) - shape.known)
    if unknown:
        raise ValidationFailed({name[:100]: "unknown query parameter" for name in unknown[:20]})
    # Every parameter we define is single-valued; FastAPI would silently keep the last of
    # `?status=a&status=b`, so a caller expecting "a or b" would get only "b".
    counts = Counter(key for key, _ in request.query_params.multi_items())
    repeated = sorted(key for key, count in counts.items() if count > 1)
    if repeated:
        raise ValidationFailed({name[:100]: "given more than once" for name in repeated[:20]})
    # Pydantic would also read `5.0`, ` 5` or `+5` as 5; an integer is written in digits only.
    malformed = sorted(
        name
        for name in shape.integers
        if (value := request.query_params.get(name)) is not None
        and not (value.isascii() and value.isdigit())
    )
    if malformed:
        raise ValidationFailed(
            {name: "must be a whole number written in digits" for name in malformed}
        )


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def _authorize(
    request: Request,
    container: Container,
    credentials: HTTPAuthorizationCredentials | None,
    kind: TokenKind,
) -> Principal:
    with container.uow(readonly=True) as uow:
        return authorize(uow, request, container, credentials, kind)


def authorize(
    uow: UnitOfWork,
    request: Request,
    container: Container,
    credentials: HTTPAuthorizationCredentials | None,
    kind: TokenKind,
) -> Principal:
    """Authenticate `credentials` as a `kind` token in `uow` and count it against its rate
    limit; for hot read paths that then read in the same unit of work, in one worker thread.

    Raises `AuthenticationFailed` and `RateLimitExceeded` as the `*Principal` dependencies do.
    """
    token = credentials.credentials if credentials else None
    limiter, failures = container.limiter, container.settings.auth_failure_limit_per_minute
    # Failed authentications are budgeted per client address (the address uvicorn reports: the
    # peer, or `X-Forwarded-For` from a proxy it trusts). An address over its budget is refused,
    # valid tokens included, so guessing gains nothing from a correct guess; one known to be
    # over it is refused before its token is even looked up.
    address = failure_budget_key(request)
    refused = limiter.refused_lately(address, failures)
    if refused is not None:
        raise _too_many_failures(refused, failures)
    try:
        principal = authenticate(uow, token, kind)
    except AuthenticationFailed:
        failed = limiter.hit(address, failures)
        if not failed.allowed:
            raise _too_many_failures(failed, failures) from None
        raise
    state = request.scope.setdefault("state", {})
    state["account_id"] = principal.account_id
    if principal.connection_id:
        state["connection_id"] = principal.connection_id
    structlog.contextvars.bind_contextvars(
        account_id=principal.account_id, connection_id=principal.connection_id
    )
    per_minute = principal.rate_limit_per_minute or container.settings.rate_limit_per_minute
    # The address's budget and this credential's, in one decision (one round trip on Redis).
    seen, decision = limiter.hit_unless(
        address, failures, f"{kind.value}:{principal.credential_id}", per_minute
    )
    if decision is None:
        raise _too_many_failures(seen, failures)
    state["response_headers"] = decision.headers()
    if not decision.allowed:
        who = "connection" if kind is TokenKind.CONNECTION else "admin key"
        raise RateLimitExceeded(
            f"Too many requests for this {who}; retry after {decision.reset_after} s.",
            retry_after=decision.reset_after,
            details={"limit_per_minute": per_minute},
        )
    return principal


def failure_budget_key(request: Request) -> str:
    """The rate-limit key of the client address's failed-authentication budget, which refused
    tokens and refused push notifications share."""
    return f"auth-failed:{request.client.host if request.client else 'unknown'}"


def _too_many_failures(budget: RateDecision, per_minute: int) -> RateLimitExceeded:
    return RateLimitExceeded(
        f"Too many failed authentications from this address; retry after {budget.reset_after} s.",
        retry_after=budget.reset_after,
        details={"failed_authentications_per_minute": per_minute},
    )


def admin_principal(
    request: Request,
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_scheme)],
) -> Principal:
    """The account behind an admin key, within its rate limit."""
    return _authorize(request, container, credentials, TokenKind.ADMIN)


def connection_principal(
    request: Request,
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_connection_scheme)],
) -> Principal:
    """The connection behind a connection token, within its rate limit."""
    return _authorize(request, container, credentials, TokenKind.CONNECTION)


async def connection_bearer(request: Request) -> HTTPAuthorizationCredentials | None:
    """The connection token as presented, read as `ConnectionBearer` reads it."""
    return await _connection_scheme(request)


AdminPrincipal = Annotated[Principal, Depends(admin_principal)]
ConnectionPrincipal = Annotated[Principal, Depends(connection_principal)]
#: The connection token as presented, not yet checked: for routes that call `authorize`.
ConnectionBearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_connection_scheme)]
