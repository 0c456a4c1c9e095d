"""What SAP Gateway adds to OData V2: CSRF tokens on writes, message bodies, service roots.

- SAP Gateway serves each service at `/sap/opu/odata/<namespace>/<SERVICE>/`.
- Modifying requests carry an `X-CSRF-Token` fetched on the service root, valid only with the
  session cookies of its fetch (`CsrfTokenAuth`).
- Error bodies carry a message code (`06/017`) and, in `innererror.errordetails`, the
  properties a validation blamed with their severity (`read_error`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from typing import Final

import httpx

from ironbridge.connectors.protocols import odata_v2

__all__ = ["CSRF_HEADER", "CsrfTokenAuth", "read_error", "service_root_of"]

CSRF_HEADER: Final = "X-CSRF-Token"
_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


#: SAP's error bodies: `SAP <code>: <text>`, and in `innererror.errordetails` the properties a
#: validation blamed; details of severity error or abort made the request fail, the rest are notes.
read_error: Final = odata_v2.DetailedErrors(
    "SAP", "innererror/errordetails", failing=frozenset({"error", "abort"})
)


# --- CSRF ---------------------------------------------------------------------------------------


def service_root_of(url: httpx.URL) -> httpx.URL:
    """The service root a request belongs to, where a CSRF token is fetched.

    SAP Gateway serves each service at `/sap/opu/odata/<namespace>/<SERVICE>/`; for other V2
    servers the root is the request's parent path. Custom query options (`sap-client`,
    `sap-language`) are kept, since a token is only valid in the client it was issued for;
    system query options (`$top`, ...) are dropped.
    """
    segments = url.path.split("/")
    try:
        start = segments.index("odata")
    except ValueError:
        root = url.path.rsplit("/", 1)[0] + "/"
    else:
        # /sap/opu/odata/<namespace>/<SERVICE>
        root = "/".join(segments[: start + 3]) + "/"
    custom = httpx.QueryParams(
        [(name, value) for name, value in url.params.multi_items() if not name.startswith("$")]
    )
    return url.copy_with(path=root, query=None, fragment=None).copy_merge_params(custom)


class CsrfTokenAuth(httpx.Auth):
    """Basic credentials plus SAP's CSRF token on every modifying request.

    Before the first POST, PATCH, MERGE, PUT or DELETE to a service, it sends
    `GET <service root>` with `X-CSRF-Token: Fetch` and keeps the token and the session cookies
    the answer sets, since the token is only valid with its session. SAP answers 403 with
    `x-csrf-token: Required` when the token is stale or the session expired; the token is then
    fetched again once and the request resent. Reads carry only the credentials.
    """

    requires_request_body = True
    requires_response_body = True

    def __init__(
        self,
        inner: httpx.Auth | None,
        *,
        service_root: Callable[[httpx.URL], httpx.URL] = service_root_of,
    ) -> None:
        self._inner = inner
        self._service_root = service_root
        self._tokens: dict[str, str] = {}
        self._cookies = httpx.Cookies()
        self._lock = threading.Lock()

    def _prepare(self, request: httpx.Request) -> httpx.Request:
        if self._inner is not None:
            flow = self._inner.sync_auth_flow(request)
            request = next(flow)
            flow.close()
        # The token is only valid with the session cookie it was issued with, so the jar that saw
        # the fetch decides which cookies go out, not the cookies the request was built with.
        request.headers.pop("Cookie", None)
        self._cookies.set_cookie_header(request)
        return request

    def _fetch(self, root: httpx.URL) -> Generator[httpx.Request, httpx.Response, str | None]:
        fetch = self._prepare(
            httpx.Request("GET", root, headers={CSRF_HEADER: "Fetch", "Accept": "application/json"})
        )
        response = yield fetch
        self._cookies.extract_cookies(response)
        token: str | None = response.headers.get(CSRF_HEADER)
        if response.status_code >= 400 or not token or token.lower() == "required":
            return None
        with self._lock:
            self._tokens[str(root)] = token
        return token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add credentials, and for writes a CSRF token; refetch once on 403 `Required`."""
        if request.method.upper() in _SAFE_METHODS:
            response = yield self._prepare(request)
            self._cookies.extract_cookies(response)
            return
        root = self._service_root(request.url)
        with self._lock:
            token = self._tokens.get(str(root))
        if token is None:
            token = yield from self._fetch(root)
        if token is not None:
            request.headers[CSRF_HEADER] = token
        response = yield self._prepare(request)
        self._cookies.extract_cookies(response)
        if (
            response.status_code == 403
            and response.headers.get(CSRF_HEADER, "").lower() == "required"
        ):
            token = yield from self._fetch(root)
            if token is None:
                return
            request.headers[CSRF_HEADER] = token
            response = yield self._prepare(request)
            self._cookies.extract_cookies(response)
