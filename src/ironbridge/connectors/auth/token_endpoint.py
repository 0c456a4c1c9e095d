"""An OAuth 2.0 token endpoint (RFC 6749 §3.2, §5): one form POST through the guarded client.

`TokenEndpoint.fetch` posts a grant's form and reads the access token and its lifetime from
the answer. Errors are mapped in one place: a refused client (`invalid_client`,
`unauthorized_client`, `invalid_scope`, or 401) and a missing endpoint mean the customer's
details are wrong (`errors.ConnectionReauthRequired`); anything else is the server failing.
The request goes through `http.make_client`, so the token URL passes the same SSRF guard as
every other request, and no token, secret or assertion is ever put in a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

import httpx

from ironbridge import errors
from ironbridge.connectors.auth.tokens import Fetched
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.protocols import http

__all__ = ["REFUSED_CLIENT_ERRORS", "TokenEndpoint"]

#: OAuth error codes (RFC 6749 §5.2) that mean the customer's client setup is wrong: the
#: client is unknown, its secret (or key) is wrong or expired, it may not use this grant, or
#: the scope is not granted. Only a reconnect with corrected details helps.
REFUSED_CLIENT_ERRORS: Final = frozenset({"invalid_client", "unauthorized_client", "invalid_scope"})


@contextmanager
def _as_token_url() -> Iterator[None]:
    """Re-label the guard's `base_url` refusal as the token URL's, the field at fault."""
    try:
        yield
    except errors.ValidationFailed as exc:
        raise errors.ValidationFailed(
            {"token_url": exc.fields.get("base_url", exc.message)}
        ) from None


def _oauth_error(response: httpx.Response) -> str | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    code = payload.get("error") if isinstance(payload, dict) else None
    return code if isinstance(code, str) else None


def _lifetime(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class TokenEndpoint:
    """One client's token endpoint.

    Args:
        token_url: the endpoint's absolute URL.
        form: the grant's form fields, made anew per request (a signed assertion is single-use).
        options: the session's options (timeout, private addresses).
        auth: how the client authenticates at the endpoint (HTTP Basic), or None when the form
            carries it (a client assertion).
        params: query parameters for the token request (SAP's `sap-client`).
        system: the source's name in messages ("SAP"), None for a plain "The OAuth server".
        transport: the transport under the SSRF guard (tests pass a mock).

    Raises:
        errors.ValidationFailed: `{"token_url": ...}` for a URL the deployment may not call.
    """

    def __init__(
        self,
        token_url: str,
        form: Callable[[], Mapping[str, str]],
        *,
        options: SessionOptions,
        auth: httpx.Auth | None = None,
        params: Mapping[str, str] | None = None,
        system: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        with _as_token_url():
            self._http = http.make_client(
                token_url, auth=auth, options=options, transport=transport
            )
        self._token_url = token_url
        self._form = form
        self._params = dict(params or {})
        self._server = "The OAuth server" if system is None else f"{system}'s OAuth server"

    def close(self) -> None:
        """Close the endpoint's client."""
        self._http.close()

    def fetch(self) -> Fetched:
        """A new access token and its lifetime (`expires_in`; None when the server gave none)."""
        with http.map_transport_errors(self._token_url), _as_token_url():
            # The guard re-checks the resolved address on every request.
            response = self._http.post(
                self._token_url, data=dict(self._form()), params=self._params
            )
        payload = self._payload(response)
        token = payload.get("access_token")
        kind = payload.get("token_type")
        if not isinstance(token, str) or not token:
            raise errors.UpstreamError(f"{self._server} answered without an access token.")
        if not isinstance(kind, str) or kind.lower() != "bearer":
            raise errors.UpstreamError(f"{self._server} answered a token that is not Bearer.")
        return token, _lifetime(payload.get("expires_in"))

    def _payload(self, response: httpx.Response) -> dict[str, Any]:
        where = http.sanitize_url(self._token_url)
        if response.status_code in (400, 401):
            code = _oauth_error(response)
            if response.status_code == 401 or code in REFUSED_CLIENT_ERRORS:
                raise errors.ConnectionReauthRequired(
                    f"{self._server} ({where}) refused the client"
                    + (f" ({code})" if code else "")
                    + "; check the client id, its secret and the scope."
                )
            raise errors.UpstreamError(
                f"{self._server} ({where}) refused the token request"
                + (f" ({code})." if code else ".")
            )
        if response.status_code == 404:
            raise errors.ConnectionReauthRequired(
                f"No OAuth token endpoint answers at {where}; check the token URL."
            )
        http.raise_for_status(
            response, message=f"{self._server} ({where}) answered HTTP {response.status_code}."
        )
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise errors.UpstreamError(f"{self._server} ({where}) answered without JSON.")
        return payload
