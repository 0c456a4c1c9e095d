"""Sign-in methods by name: what a connector offers, how the form asks, how requests are signed.

- `basic`: user name and password, sent as HTTP Basic.
- `api_key`: an API key, in a header or query parameter the connector names.
- `bearer`: a fixed access token, sent as `Authorization: Bearer`.
- `oauth2_client_credentials`: client id and secret, token URL, scope; a Bearer token, cached
  on the session's clock and renewed once on 401.
- `oauth2_jwt_bearer`: the same, asked for with a JWT signed by the client's private key
  (RFC 7523: client id, certificate id, private key).
- `oauth1_hmac_sha256`: OAuth 1.0a HMAC-SHA256 signatures (NetSuite token-based auth: account
  id, consumer key and secret, token id and secret).
- `session_login`: user name and password exchanged by the family's login call for a session
  token, signed in again once on 401.

`FetchedTokenAuth` (`fetched_token.py`) is no method of its own but a protocol a family or
system wraps a method in (`SignIn.around`): a CSRF token fetched per root before modifying
requests and fetched again once when refused (SAP Gateway's `X-CSRF-Token`).

A connector declares `SignInMethods((offer("basic", ...), offer("oauth2_client_credentials",
...)))` beside its spec, puts its `auth_fields` in the spec's form, and builds a session's
`SignIn` with `sign_in(credentials, SignInContext(...))`. Every request, token requests
included, goes through `protocols.http`'s guarded client.
"""

from ironbridge.connectors.auth.api_key import ApiKeyAuth
from ironbridge.connectors.auth.bearer import StaticBearer
from ironbridge.connectors.auth.fetched_token import FetchedTokenAuth, RootAfter
from ironbridge.connectors.auth.method import AuthMethod, Login, SignIn, SignInContext
from ironbridge.connectors.auth.oauth1_hmac_sha256 import OAuth1Signer
from ironbridge.connectors.auth.oauth2_jwt_bearer import ASSERTION_TYPE
from ironbridge.connectors.auth.registry import (
    AUTH_METHODS,
    FieldWording,
    Offer,
    SignInMethods,
    auth_method,
    offer,
    register_auth_method,
)
from ironbridge.connectors.auth.token_endpoint import REFUSED_CLIENT_ERRORS, TokenEndpoint
from ironbridge.connectors.auth.tokens import CachedToken, RenewOnUnauthorized, TokenAuth

__all__ = [
    "ASSERTION_TYPE",
    "AUTH_METHODS",
    "REFUSED_CLIENT_ERRORS",
    "ApiKeyAuth",
    "AuthMethod",
    "CachedToken",
    "FetchedTokenAuth",
    "FieldWording",
    "Login",
    "OAuth1Signer",
    "Offer",
    "RenewOnUnauthorized",
    "RootAfter",
    "SignIn",
    "SignInContext",
    "SignInMethods",
    "StaticBearer",
    "TokenAuth",
    "TokenEndpoint",
    "auth_method",
    "offer",
    "register_auth_method",
]
