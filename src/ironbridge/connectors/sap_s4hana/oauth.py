"""OAuth 2.0 client credentials (RFC 6749 §4.4) for SAP S/4HANA's OData services.

SAP S/4HANA's own authorization server (`/sap/bc/sec/oauth2/token`; in S/4HANA Cloud a
communication arrangement's OAuth 2.0 client, whose id is the communication user) hands out
Bearer tokens for a client id and secret. `ClientCredentials` fetches one with the id and
secret as HTTP Basic authentication and a form body, keeps it until shortly before its
`expires_in`, and fetches a new one when SAP refuses the one it has. `BearerAuth` puts the
token on every request; `RenewOnUnauthorized` resends a request refused with 401 once, with a
new token. The token request goes through the same SSRF-guarded client factory as every
other request, and no token or secret is ever put in a message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from typing import Any, Final
from urllib.parse import quote

import httpx

from ironbridge import errors
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.protocols import http

__all__ = [
    "REFUSED_CLIENT_ERRORS",
    "TOKEN_PATH",
    "BearerAuth",
    "ClientCredentials",
    "RenewOnUnauthorized",
]

#: Where SAP S/4HANA's own OAuth 2.0 server issues tokens, relative to the system's root.
TOKEN_PATH: Final = "sap/bc/sec/oauth2/token"  # noqa: S105, a path, not a secret

#: OAuth error codes (RFC 6749 §5.2) that mean the customer's client setup is wrong: the
#: client is unknown, its secret is wrong or expired, it may not use this grant, or the scope
#: is not granted. Only a reconnect with corrected details helps.
REFUSED_CLIENT_ERRORS: Final = frozenset({"invalid_client", "unauthorized_client", "invalid_scope"})

# A token is renewed this long before SAP says it expires (at most half its life), so a
# request never sets out with a token that expires on the way.
_RENEW_BEFORE: Final = 30.0


def _oauth_error(response: httpx.Response) -> str | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    code = payload.get("error") if isinstance(payload, dict) else None
    return code if isinstance(code, str) else None


class ClientCredentials:
    """A token source for one OAuth 2.0 client: fetches, caches and renews Bearer tokens.

    Args:
        token_url: the token endpoint's absolute URL.
        client_id: the OAuth client (in S/4HANA Cloud, the communication user).
        client_secret: its secret.
        scope: space-separated scopes to ask for; None asks for the client's default.
        options: the session's options (timeout, private addresses).
        params: query parameters for the token request (`sap-client`).
        transport: the transport under the SSRF guard (tests pass a mock).
        clock: monotonic seconds, for expiry.

    Raises:
        errors.ValidationFailed: `{"token_url": ...}` for a URL the deployment may not call.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        options: SessionOptions,
        params: dict[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # RFC 6749 §2.3.1: id and secret are form-encoded before they go into Basic.
        auth = httpx.BasicAuth(quote(client_id, safe=""), quote(client_secret, safe=""))
        try:
            self._http = http.make_client(
                token_url, auth=auth, options=options, transport=transport
            )
        except errors.ValidationFailed as exc:
            raise errors.ValidationFailed(
                {"token_url": exc.fields.get("base_url", exc.message)}
            ) from None
        self._token_url = token_url
        self._form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
        self._params = params or {}
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at: float | None = None

    def close(self) -> None:
        """Close the token endpoint's client and forget the token."""
        with self._lock:
            self._token = None
        self._http.close()

    def token(self) -> str:
        """A token valid for a while yet: the cached one, or a new one."""
        with self._lock:
            if self._token is not None and (
                self._renew_at is None or self._clock() < self._renew_at
            ):
                return self._token
            return self._fetch()

    def renew(self, refused: str) -> str:
        """A new token after SAP refused `refused`; one fetch however many threads ask."""
        with self._lock:
            if self._token is not None and self._token != refused:
                return self._token  # another request renewed it meanwhile
            return self._fetch()

    def _fetch(self) -> str:
        self._token = None
        with http.map_transport_errors(self._token_url):
            try:
                response = self._http.post(self._token_url, data=self._form, params=self._params)
            except errors.ValidationFailed as exc:
                # The guard re-checks the resolved address on every request.
                raise errors.ValidationFailed(
                    {"token_url": exc.fields.get("base_url", exc.message)}
                ) from None
        payload = self._payload(response)
        token = payload.get("access_token")
        kind = payload.get("token_type")
        if not isinstance(token, str) or not token:
            raise errors.UpstreamError("SAP's OAuth server answered without an access token.")
        if not isinstance(kind, str) or kind.lower() != "bearer":
            raise errors.UpstreamError("SAP's OAuth server answered a token that is not Bearer.")
        self._renew_at = self._renewal(payload.get("expires_in"))
        self._token = token
        return token

    def _renewal(self, lifetime: Any) -> float | None:
        """When to fetch anew, from `expires_in`; None (until refused) when SAP gave none."""
        try:
            seconds = float(lifetime)
        except (TypeError, ValueError):
            return None
        return self._clock() + seconds - min(_RENEW_BEFORE, seconds / 2)

    def _payload(self, response: httpx.Response) -> dict[str, Any]:
        where = http.sanitize_url(self._token_url)
        if response.status_code in (400, 401):
            code = _oauth_error(response)
            if response.status_code == 401 or code in REFUSED_CLIENT_ERRORS:
                raise errors.ConnectionReauthRequired(
                    f"SAP's OAuth server ({where}) refused the client"
                    + (f" ({code})" if code else "")
                    + "; check the client id, its secret and the scope."
                )
            raise errors.UpstreamError(
                f"SAP's OAuth server ({where}) refused the token request"
                + (f" ({code})." if code else ".")
            )
        if response.status_code == 404:
            raise errors.ConnectionReauthRequired(
                f"No OAuth token endpoint answers at {where}; check the token URL."
            )
        http.raise_for_status(
            response, message=f"SAP's OAuth server ({where}) answered HTTP {response.status_code}."
        )
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise errors.UpstreamError(f"SAP's OAuth server ({where}) answered without JSON.")
        return payload


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` from a `ClientCredentials` on every request."""

    def __init__(self, tokens: ClientCredentials) -> None:
        self._tokens = tokens

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the current token."""
        request.headers["Authorization"] = f"Bearer {self._tokens.token()}"
        yield request


class RenewOnUnauthorized(httpx.Auth):
    """Runs `inner`; when the answer is 401, renews the token and runs `inner` once more.

    It wraps the whole inner flow (the CSRF exchange included), so the resend carries a fresh
    token and, for writes, a CSRF token fetched under it. A second 401 is SAP's final word.
    """

    def __init__(self, inner: httpx.Auth, tokens: ClientCredentials) -> None:
        self._inner = inner
        self._tokens = tokens

    def _run(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, httpx.Response]:
        flow = self._inner.sync_auth_flow(request)
        outgoing = next(flow)
        while True:
            response = yield outgoing
            try:
                outgoing = flow.send(response)
            except StopIteration:
                return response

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send through `inner`; on 401, once more with a new token."""
        response = yield from self._run(request)
        if response.status_code != 401:
            return
        # The inner flow wrote the token it sent onto the request.
        refused = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self._tokens.renew(refused)
        yield from self._run(request)
