"""A request token fetched before modifying requests, as an `httpx.Auth` (CSRF protection).

Many servers (SAP Gateway and SAP BTP services, and web frameworks with CSRF protection) refuse
a modifying request unless it carries a token in a header, fetched with a marker request
(`X-CSRF-Token: Fetch`) against a root such as the service's, and valid only with the session
cookies that fetch set. A stale token or an expired session is answered 403 with the header
set to a marker value (`Required`); the token is then fetched anew once and the request resent.
Reads carry no token and fetch none.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass

import httpx

__all__ = ["FetchedTokenAuth", "RootAfter"]


@dataclass(frozen=True)
class RootAfter:
    """Where a request's token is fetched: its path up to `depth` segments after the segment
    `marker` (`/sap/opu/odata/<namespace>/<SERVICE>/` for `RootAfter("odata", 2)`), or its
    parent path when the path has no such segment (or no `marker` is given).

    Query parameters stay, since a token may be valid only in what they select (SAP's
    `sap-client`), except those starting with `drop` (OData's `$top`, `$filter`, ...).
    """

    marker: str = ""
    depth: int = 0
    drop: str = "$"

    def __call__(self, url: httpx.URL) -> httpx.URL:
        segments = url.path.split("/")
        if self.marker and self.marker in segments:
            end = segments.index(self.marker) + 1 + self.depth
            root = "/".join(segments[:end]) + "/"
        else:
            root = url.path.rsplit("/", 1)[0] + "/"
        kept = httpx.QueryParams(
            [
                (name, value)
                for name, value in url.params.multi_items()
                if not (self.drop and name.startswith(self.drop))
            ]
        )
        return url.copy_with(path=root, query=None, fragment=None).copy_merge_params(kept)


class FetchedTokenAuth(httpx.Auth):
    """`inner`'s credentials, plus on every modifying request a token fetched per root.

    Before the first modifying request under a root (`root(request.url)`), it sends
    `GET <root>` with `header: fetch_value` and keeps the token the answer's `header` carries
    and the cookies it sets: every request then goes out with the cookies of that jar (not those
    it was built with), since the token is only valid with its session. An answer 403 with
    `header: required_value` (any case) fetches the token again once and resends the request;
    a second refusal stands. Requests whose method is in `safe_methods` carry the credentials
    and the jar's cookies only. Tokens are shared by the threads of one client, under a lock.
    """

    requires_request_body = True
    requires_response_body = True

    def __init__(
        self,
        inner: httpx.Auth | None,
        *,
        header: str,
        root: Callable[[httpx.URL], httpx.URL] = RootAfter(),
        fetch_value: str = "Fetch",
        required_value: str = "Required",
        safe_methods: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS"}),
        accept: str = "application/json",
    ) -> None:
        self._inner = inner
        self._header = header
        self._root = root
        self._fetch_value = fetch_value
        self._required = required_value.lower()
        self._safe = safe_methods
        self._accept = accept
        self._tokens: dict[str, str] = {}
        self._cookies = httpx.Cookies()
        self._lock = threading.Lock()

    def _prepare(self, request: httpx.Request) -> httpx.Request:
        if self._inner is not None:
            flow = self._inner.sync_auth_flow(request)
            request = next(flow)
            flow.close()
        # The token is only valid with the session cookie it was issued with, so the jar that
        # saw the fetch decides which cookies go out, not the cookies the request was built with.
        request.headers.pop("Cookie", None)
        self._cookies.set_cookie_header(request)
        return request

    def _send(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, httpx.Response]:
        response = yield self._prepare(request)
        self._cookies.extract_cookies(response)
        return response

    def _fetch(self, root: httpx.URL) -> Generator[httpx.Request, httpx.Response, str | None]:
        headers = {self._header: self._fetch_value, "Accept": self._accept}
        response = yield from self._send(httpx.Request("GET", root, headers=headers))
        token: str | None = response.headers.get(self._header)
        if response.status_code >= 400 or not token or token.lower() == self._required:
            return None
        with self._lock:
            self._tokens[str(root)] = token
        return token

    def _refused(self, response: httpx.Response) -> bool:
        marker = response.headers.get(self._header, "").lower()
        return response.status_code == 403 and marker == self._required

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add credentials, and for a modifying request the root's token; fetch it again once
        when the server says it is required."""
        if request.method.upper() in self._safe:
            yield from self._send(request)
            return
        root = self._root(request.url)
        with self._lock:
            token = self._tokens.get(str(root))
        if token is None:
            token = yield from self._fetch(root)
        if token is not None:
            request.headers[self._header] = token
        response = yield from self._send(request)
        if self._refused(response):
            token = yield from self._fetch(root)
            if token is not None:
                request.headers[self._header] = token
                yield from self._send(request)
