"""NetSuite's two ways in, verified for real.

- Token-based authentication (OAuth 1.0a, `HMAC-SHA256`): the `Authorization: OAuth realm=…`
  header's signature is recomputed from the request (RFC 5849 §3.4, base string by authlib)
  with the consumer's and the token's secrets; the realm must be the account id, the
  timestamp within five minutes, the nonce unused.
- OAuth 2.0 machine to machine: `POST /services/rest/auth/oauth2/v1/token` with
  `grant_type=client_credentials` and a JWT client assertion (RFC 7523) signed PS256, RS256 or
  ES256 by the key of the certificate whose id is the JWT's `kid`; `iss` is the client id,
  `aud` the token URL, and the `scope` claim holds `rest_webservices`. The answer is a Bearer
  access token valid for 60 minutes, with no refresh token.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qsl, unquote

from authlib.oauth1.rfc5849.signature import construct_base_string, normalize_base_string_uri
from authlib.oauth1.rfc5849.util import escape
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey
from joserfc.jwt import JWTClaimsRegistry

__all__ = ["ASSERTION_TYPE", "TOKEN_PATH", "AuthError", "Credentials", "M2MClient", "TbaToken"]

TOKEN_PATH: Final = "/services/rest/auth/oauth2/v1/token"  # noqa: S105, a path
ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_LIFETIME: Final = 3600
_DRIFT: Final = 300
_PARAM: Final = re.compile(r'([A-Za-z_]+)="([^"]*)"')


class AuthError(Exception):
    """A request NetSuite does not let in (401 `INVALID_LOGIN`, or the token endpoint's
    `invalid_client` / `invalid_grant`)."""

    def __init__(self, message: str, code: str = "INVALID_LOGIN") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class TbaToken:
    """An integration's consumer and one user's access token."""

    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str


@dataclass(frozen=True)
class M2MClient:
    """An integration's client id and the public key of a certificate mapped to it."""

    client_id: str
    certificate_id: str
    public_key: RSAKey | ECKey


@dataclass
class Credentials:
    """Who may sign in to the account, and the access tokens issued."""

    account_id: str
    tba: list[TbaToken] = field(default_factory=list)
    m2m: list[M2MClient] = field(default_factory=list)
    clock: Callable[[], float] = time.time
    tokens: dict[str, float] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    expired: bool = False

    def check_oauth1(self, method: str, url: str, header: str, body_form: str | None) -> None:
        """Verify a TBA `Authorization` header for the request `method url`."""
        if not header.startswith("OAuth "):
            raise AuthError("Invalid login attempt.")
        given = {name: unquote(value) for name, value in _PARAM.findall(header)}
        if given.get("realm") != self.account_id:
            raise AuthError("Invalid login attempt: the realm is not this account.")
        if given.get("oauth_signature_method") != "HMAC-SHA256":
            raise AuthError("Invalid login attempt: use HMAC-SHA256.")
        token = next(
            (
                t
                for t in self.tba
                if t.consumer_key == given.get("oauth_consumer_key")
                and t.token_id == given.get("oauth_token")
            ),
            None,
        )
        if token is None or self.expired:
            raise AuthError("Invalid login attempt: unknown consumer or token.")
        if abs(self.clock() - int(given.get("oauth_timestamp", "0"))) > _DRIFT:
            raise AuthError("Invalid login attempt: the timestamp is stale.")
        nonce = given.get("oauth_nonce", "")
        if not nonce or nonce in self.nonces:
            raise AuthError("Invalid login attempt: the nonce was used before.")
        path, _, query = url.partition("?")
        params = parse_qsl(query, keep_blank_values=True)
        if body_form is not None:
            params += parse_qsl(body_form, keep_blank_values=True)
        params += [
            (k, v) for k, v in given.items() if k.startswith("oauth_") and k != "oauth_signature"
        ]
        text = construct_base_string(method, normalize_base_string_uri(path), params)
        key = f"{escape(token.consumer_secret)}&{escape(token.token_secret)}"
        expected = base64.b64encode(hmac.new(key.encode(), text.encode(), "sha256").digest())
        if not hmac.compare_digest(expected.decode(), given.get("oauth_signature", "")):
            raise AuthError("Invalid login attempt: the signature does not match.")
        self.nonces.add(nonce)

    def issue_token(self, form: dict[str, str], token_url: str) -> str:
        """An access token for a valid client assertion."""
        if form.get("grant_type") != "client_credentials":
            raise AuthError("grant_type must be client_credentials", "unsupported_grant_type")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise AuthError("a JWT client assertion is required", "invalid_request")
        assertion = form.get("client_assertion", "")
        header = _header(assertion)
        client = next((c for c in self.m2m if c.certificate_id == header.get("kid")), None)
        if client is None or self.expired:
            raise AuthError("no certificate with this kid", "invalid_client")
        try:
            token = jwt.decode(assertion, client.public_key, algorithms=["PS256", "RS256", "ES256"])
            JWTClaimsRegistry(
                now=lambda: int(self.clock()),
                iss={"essential": True, "value": client.client_id},
                aud={"essential": True, "value": token_url},
                exp={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise AuthError(f"the client assertion is not valid: {exc}", "invalid_client") from None
        scope = token.claims.get("scope")
        scopes = scope if isinstance(scope, list) else str(scope or "").split()
        if "rest_webservices" not in scopes:
            raise AuthError("the scope claim lacks rest_webservices", "invalid_scope")
        access = secrets.token_urlsafe(32)
        self.tokens[access] = self.clock() + TOKEN_LIFETIME
        return access

    def check_bearer(self, header: str) -> None:
        """Verify a Bearer access token."""
        token = header.removeprefix("Bearer ").strip()
        expires = self.tokens.get(token)
        if expires is None or expires <= self.clock() or self.expired:
            raise AuthError("Invalid login attempt: the access token is not valid.")


def _header(assertion: str) -> dict[str, str]:
    """The JWT's header, read before its signature to find the certificate (`kid`)."""
    try:
        part = assertion.split(".")[0]
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, IndexError):
        return {}
    return decoded if isinstance(decoded, dict) else {}
