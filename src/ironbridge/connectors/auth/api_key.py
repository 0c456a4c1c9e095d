"""`api_key`: a key sent in a header or a query parameter, under the name the system expects.

The form asks only for the key. Where it goes is the system's convention, not the customer's
choice: the connector's offer says so in its settings, `{"header": "apikey"}` or
`{"query": "api_key"}`, and without settings the key goes in an `X-API-Key` header. A query
parameter must be one the log redaction treats as secret, so the key never reaches a log line
inside a URL.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Final

import httpx

from ironbridge.connectors.auth.method import AuthMethod, SignIn, SignInContext, required
from ironbridge.connectors.base import AuthField
from ironbridge.logs import is_secret_param

__all__ = ["API_KEY", "DEFAULT_HEADER", "ApiKeyAuth"]

#: Where the key goes when the offer says nothing.
DEFAULT_HEADER: Final = "X-API-Key"


class ApiKeyAuth(httpx.Auth):
    """The key in header `header`, or in query parameter `query`, on every request."""

    def __init__(self, key: str, *, header: str | None = None, query: str | None = None) -> None:
        if (header is None) == (query is None):
            raise ValueError("an API key goes in a header or in a query parameter, not both")
        if query is not None and not is_secret_param(query):
            raise ValueError(f"query parameter {query!r} is not redacted from logs")
        self._key = key
        self._header = header
        self._query = query

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the key."""
        if self._header is not None:
            request.headers[self._header] = self._key
        else:
            assert self._query is not None
            request.url = request.url.copy_set_param(self._query, self._key)
        yield request


def _build(values: Mapping[str, str], context: SignInContext) -> SignIn:
    key = required(values, "api_key").strip()
    settings = context.settings
    if "query" in settings:
        return SignIn("api_key", ApiKeyAuth(key, query=settings["query"]))
    return SignIn("api_key", ApiKeyAuth(key, header=settings.get("header", DEFAULT_HEADER)))


API_KEY: Final = AuthMethod(
    name="api_key",
    label="API key",
    summary=(
        "an API key, sent in a header (`X-API-Key` unless the connector names another) or in "
        "a query parameter the connector names"
    ),
    fields=(
        AuthField(
            name="api_key",
            label="API key",
            help=(
                "A key your system issued for ironbridge, usually under API access or "
                "integrations in its settings. Copy it whole; it is stored encrypted."
            ),
            secret=True,
            kind="password",
        ),
    ),
    build=_build,
)
