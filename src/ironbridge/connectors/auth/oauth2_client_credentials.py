"""`oauth2_client_credentials`: an OAuth 2.0 client's id and secret (RFC 6749 §4.4).

The client authenticates at the token endpoint with HTTP Basic (id and secret form-encoded
first, RFC 6749 §2.3.1) and asks for `grant_type=client_credentials` and, when given, a
scope. The Bearer token is kept until shortly before its `expires_in` on the session's clock,
and a request refused with 401 fetches a new one once. The token URL is the form's, or the
connector's default (`SignInContext.token_url`), and passes the SSRF guard like every URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final
from urllib.parse import quote

import httpx

from ironbridge import errors
from ironbridge.connectors.auth.method import AuthMethod, SignIn, SignInContext, required
from ironbridge.connectors.auth.token_endpoint import TokenEndpoint
from ironbridge.connectors.auth.tokens import CachedToken, TokenAuth
from ironbridge.connectors.base import AuthField

__all__ = ["OAUTH2_CLIENT_CREDENTIALS", "TOKEN_URL_FIELD", "token_url", "tokens_from"]


def token_url(values: Mapping[str, str], context: SignInContext) -> str:
    """The form's token URL, else the connector's default; `token_url` is named when neither."""
    given = values.get("token_url", "").strip()
    if given:
        return given
    if context.token_url is None:
        raise errors.ValidationFailed({"token_url": "This field is required."})
    return context.token_url


def tokens_from(endpoint: TokenEndpoint, context: SignInContext, method: str) -> SignIn:
    """A `SignIn` that sends `endpoint`'s tokens as Bearer and renews them once on 401."""
    source = CachedToken(endpoint.fetch, clock=context.options.clock, close=endpoint.close)
    tokens = TokenAuth(source)
    return SignIn(method, tokens, tokens)


def _build(values: Mapping[str, str], context: SignInContext) -> SignIn:
    client_id = required(values, "client_id")
    secret = required(values, "client_secret")
    scope = values.get("scope", "").strip()
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    endpoint = TokenEndpoint(
        token_url(values, context),
        lambda: form,
        options=context.options,
        auth=httpx.BasicAuth(quote(client_id, safe=""), quote(secret, safe="")),
        params=context.token_params,
        system=context.system,
        transport=context.transport,
    )
    return tokens_from(endpoint, context, "oauth2_client_credentials")


#: The token URL field, shared with the other OAuth 2.0 methods.
TOKEN_URL_FIELD: Final = AuthField(
    name="token_url",
    label="Token URL",
    help=(
        "Where your system issues OAuth tokens (its token endpoint), for example "
        "https://login.example.com/oauth2/token. Your administrator finds it with the "
        "integration's or OAuth client's settings."
    ),
    secret=False,
    kind="url",
)

OAUTH2_CLIENT_CREDENTIALS: Final = AuthMethod(
    name="oauth2_client_credentials",
    label="OAuth 2.0 client credentials",
    summary=(
        "an OAuth 2.0 client's id and secret (client credentials grant), a token URL unless "
        "the connector knows it, and optional scopes"
    ),
    fields=(
        AuthField(
            name="client_id",
            label="OAuth client ID",
            help="The id of the OAuth 2.0 client registered in your system for ironbridge.",
            secret=False,
        ),
        AuthField(
            name="client_secret",
            label="OAuth client secret",
            help="The client's secret, shown when the client was registered.",
            secret=True,
            kind="password",
        ),
        TOKEN_URL_FIELD,
        AuthField(
            name="scope",
            label="Scope",
            help=(
                "Optional. The OAuth scopes to ask for, separated by spaces; leave empty for "
                "the scopes the client is granted by default."
            ),
            secret=False,
            required=False,
        ),
    ),
    build=_build,
)
