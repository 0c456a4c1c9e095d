"""A shortcut for the hottest request: a unified list page asked for by `limit` and `cursor`.

Routing a request through FastAPI (matching it against every route, solving the route's
dependencies, validating its parameters) cost as much as reading the page. This pure ASGI
layer serves `GET /v1/<entity>` with no query parameters but a well-formed `limit` and
`cursor` itself, with the route's own work (`list_page`): the same authentication, rate
limit, query and bytes. It sits inside `RequestContextMiddleware`, so request ids, the body
limit, metrics and the access log see it as the route (it sets `scope["route"]`).

Anything else goes on to FastAPI unchanged: other parameters, a repeated or malformed one,
another method. Such a request is answered by the route, so every refusal keeps its shape.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import unified
from ..bootstrap import Container
from ..errors import IronbridgeError
from ..model import Entity
from ..store.pagination import CURSOR_PATTERN
from .deps import connection_bearer
from .errors import error_response, request_id_of
from .routes.records import list_page

__all__ = ["ListFastPath"]

_CURSOR = re.compile(CURSOR_PATTERN)
#: What `PageCursor` and `PageLimit` accept; the list route owns everything outside this.
_MAX_CURSOR, _MAX_LIMIT = 512, 500
_SHORTCUT_PARAMS = frozenset({"limit", "cursor"})


class ListFastPath:
    """Serves plain list pages of the unified API; passes every other request on."""

    def __init__(self, app: ASGIApp, *, container: Container, routes: list[Any]) -> None:
        self.app = app
        self.container = container
        #: path → (entity, its list route): the route is what metrics and logs name.
        self.lists: dict[str, tuple[Entity, APIRoute]] = {}
        for entity in Entity:
            path = f"/v1/{entity.value}"
            for route in routes:
                if (
                    isinstance(route, APIRoute)
                    and route.path == path
                    and "GET" in (route.methods or ())
                ):
                    self.lists[path] = (entity, route)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        served = (
            self.lists.get(scope["path"])
            if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("root_path")
            else None
        )
        params = _plain_params(scope["query_string"]) if served else None
        if served is None or params is None:
            await self.app(scope, receive, send)
            return
        entity, route = served
        scope["route"] = route
        request = Request(scope, receive)
        try:
            bearer = await connection_bearer(request)
            response = await list_page(request, self.container, bearer, entity, params)
        except IronbridgeError as exc:
            response = error_response(exc, request_id_of(request))
        await response(scope, receive, send)


def _plain_params(query_string: bytes) -> unified.ListParams | None:
    """The page asked for, if the query holds `limit` and `cursor` at most once each and
    both are what the route accepts; else None (the route decides)."""
    query = QueryParams(query_string)
    items = query.multi_items()
    if len(items) != len(query) or not _SHORTCUT_PARAMS.issuperset(query):
        return None
    limit, cursor = query.get("limit"), query.get("cursor")
    if limit is not None and not (
        limit.isascii() and limit.isdigit() and 1 <= int(limit) <= _MAX_LIMIT
    ):
        return None
    if cursor is not None and not (len(cursor) <= _MAX_CURSOR and _CURSOR.fullmatch(cursor)):
        return None
    return unified.ListParams(limit=int(limit) if limit is not None else 100, cursor=cursor)
