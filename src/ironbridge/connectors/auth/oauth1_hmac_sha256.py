"""`oauth1_hmac_sha256`: OAuth 1.0a request signing with HMAC-SHA256 (NetSuite token-based auth).

Every request is signed (RFC 5849 §3.4) with the consumer's key and secret and an access
token's id and secret, and carries the signature in an `Authorization: OAuth realm="…", …`
header; the realm is the account id as NetSuite writes it (`1234567_SB1` for the account
`1234567-sb1`). RFC 5849 names only HMAC-SHA1, RSA-SHA1 and PLAINTEXT, so the signature base
string is built here (authlib, our OAuth library, signs only those three) and hashed with
SHA-256 (NetSuite refuses HMAC-SHA1 since 2023). There is no token to renew: a 401 stands.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from typing import Final
from urllib.parse import parse_qsl, quote

import httpx

from ironbridge.connectors.auth.method import AuthMethod, SignIn, SignInContext, required
from ironbridge.connectors.base import AuthField

__all__ = [
    "OAUTH1_HMAC_SHA256",
    "SIGNATURE_METHOD",
    "OAuth1Signer",
    "base_string",
    "base_string_uri",
    "netsuite_realm",
    "normalized_parameters",
    "sign",
]

#: The `oauth_signature_method` value.
SIGNATURE_METHOD: Final = "HMAC-SHA256"
_FORM: Final = "application/x-www-form-urlencoded"
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def _encode(value: str) -> str:
    """RFC 5849 §3.6: UTF-8, then every byte but ALPHA, DIGIT, `-`, `.`, `_`, `~` as %XX."""
    return quote(value, safe="~")


def base_string_uri(url: httpx.URL) -> str:
    """RFC 5849 §3.4.1.2: scheme and host in lower case, a default port left out, no query."""
    scheme = url.scheme.lower()
    host = url.host.lower()
    port = url.port
    authority = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return f"{scheme}://{authority}{url.raw_path.split(b'?', 1)[0].decode('ascii') or '/'}"


def normalized_parameters(parameters: Iterable[tuple[str, str]]) -> str:
    """RFC 5849 §3.4.1.3.2: each name and value encoded, sorted, joined by `=` and `&`."""
    pairs = sorted((_encode(name), _encode(value)) for name, value in parameters)
    return "&".join(f"{name}={value}" for name, value in pairs)


def base_string(method: str, url: httpx.URL, parameters: Iterable[tuple[str, str]]) -> str:
    """RFC 5849 §3.4.1: the method, the base string URI and the normalized parameters."""
    return "&".join(
        (method.upper(), _encode(base_string_uri(url)), _encode(normalized_parameters(parameters)))
    )


def sign(text: str, consumer_secret: str, token_secret: str, *, digest: str = "sha256") -> str:
    """RFC 5849 §3.4.2: base64 of the HMAC of `text` keyed by both secrets, encoded.

    `digest` is SHA-256 for `HMAC-SHA256`; "sha1" gives RFC 5849's own `HMAC-SHA1`, which
    lets the published examples check the base string and the key.
    """
    key = f"{_encode(consumer_secret)}&{_encode(token_secret)}"
    mac = hmac.new(key.encode(), text.encode(), digest).digest()
    return base64.b64encode(mac).decode("ascii")


def _request_parameters(request: httpx.Request) -> list[tuple[str, str]]:
    """The query's parameters and, for a form body, the body's (RFC 5849 §3.4.1.3.1)."""
    parameters = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
    content_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if content_type == _FORM:
        parameters += parse_qsl(request.content.decode(), keep_blank_values=True)
    return parameters


class OAuth1Signer(httpx.Auth):
    """Signs each request for one consumer and access token, in the `Authorization` header.

    Args:
        consumer_key, consumer_secret: the integration record's.
        token_id, token_secret: the access token's.
        realm: the header's `realm` (NetSuite's account id).
        wall_clock: epoch seconds, for `oauth_timestamp`.
        nonce: a fresh `oauth_nonce` per request.
    """

    requires_request_body = True

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        token_id: str,
        token_secret: str,
        *,
        realm: str | None = None,
        wall_clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] = lambda: secrets.token_hex(16),
    ) -> None:
        self._consumer = (consumer_key, consumer_secret)
        self._token = (token_id, token_secret)
        self._realm = realm
        self._clock = wall_clock
        self._nonce = nonce

    def oauth_parameters(self, request: httpx.Request) -> dict[str, str]:
        """The `oauth_*` parameters for `request`, its signature included."""
        protocol = {
            "oauth_consumer_key": self._consumer[0],
            "oauth_token": self._token[0],
            "oauth_signature_method": SIGNATURE_METHOD,
            "oauth_timestamp": str(int(self._clock())),
            "oauth_nonce": self._nonce(),
            "oauth_version": "1.0",
        }
        text = base_string(
            request.method, request.url, [*_request_parameters(request), *protocol.items()]
        )
        protocol["oauth_signature"] = sign(text, self._consumer[1], self._token[1])
        return protocol

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign `request` (RFC 5849 §3.5.1: the parameters in the `Authorization` header)."""
        parameters = self.oauth_parameters(request)
        realm = [] if self._realm is None else [f'realm="{_encode(self._realm)}"']
        fields = [f'{name}="{_encode(value)}"' for name, value in parameters.items()]
        request.headers["Authorization"] = "OAuth " + ",".join([*realm, *fields])
        yield request


def netsuite_realm(account_id: str) -> str:
    """NetSuite's realm for an account id: upper case, `_` where its host name has `-`."""
    return account_id.strip().upper().replace("-", "_")


def _build(values: Mapping[str, str], context: SignInContext) -> SignIn:
    signer = OAuth1Signer(
        required(values, "consumer_key").strip(),
        required(values, "consumer_secret").strip(),
        required(values, "token_id").strip(),
        required(values, "token_secret").strip(),
        realm=netsuite_realm(required(values, "account_id")),
        wall_clock=context.wall_clock or time.time,
    )
    return SignIn("oauth1_hmac_sha256", signer)


def _secret(name: str, label: str, help_text: str) -> AuthField:
    return AuthField(name=name, label=label, help=help_text, secret=True, kind="password")


OAUTH1_HMAC_SHA256: Final = AuthMethod(
    name="oauth1_hmac_sha256",
    label="Token-based authentication",
    summary=(
        "OAuth 1.0a signing with HMAC-SHA256 (NetSuite token-based authentication): the "
        "account id, an integration's consumer key and secret, and an access token's id and "
        "secret"
    ),
    fields=(
        AuthField(
            name="account_id",
            label="Account ID",
            help=(
                "Your account's id, as in the address you sign in at (1234567 or, for a "
                "sandbox, 1234567_SB1); in NetSuite under Setup > Company > Company Information."
            ),
            secret=False,
            placeholder="1234567",
        ),
        _secret(
            "consumer_key",
            "Consumer key",
            "Shown once when the integration record for ironbridge was saved.",
        ),
        _secret("consumer_secret", "Consumer secret", "Shown beside the consumer key."),
        _secret(
            "token_id",
            "Token ID",
            "Shown once when the access token for ironbridge's integration, user and role "
            "was created (Setup > Users/Roles > Access Tokens).",
        ),
        _secret("token_secret", "Token secret", "Shown beside the token id."),
    ),
    build=_build,
)
