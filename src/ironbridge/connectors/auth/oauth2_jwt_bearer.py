"""`oauth2_jwt_bearer`: OAuth 2.0 client credentials with a signed JWT instead of a secret.

RFC 7523 §2.2 client authentication, as NetSuite's machine-to-machine integrations use it:
the client holds a private key whose certificate it uploaded to the system, and each token
request carries `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`
and a `client_assertion` signed with that key (PS256 unless the connector's offer names RS256
or ES256 in `settings["alg"]`), whose header's `kid` is the certificate's id and whose claims
are `iss` and `sub` = the client id, `aud` = the token URL, `iat`, `exp` (five minutes on) and
a single-use `jti`. Scopes go in the form's `scope`, or with `settings["scope"] = "assertion"`
in the assertion's `scope` claim as a list (NetSuite's `["rest_webservices"]`).

Tokens are then kept and renewed exactly as for `oauth2_client_credentials`. Signing is
authlib's (`private_key_jwt_sign`) over joserfc keys.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Final

from authlib.oauth2.rfc7523 import private_key_jwt_sign
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from ironbridge import errors
from ironbridge.connectors.auth.method import AuthMethod, SignIn, SignInContext, required
from ironbridge.connectors.auth.oauth2_client_credentials import (
    TOKEN_URL_FIELD,
    token_url,
    tokens_from,
)
from ironbridge.connectors.auth.token_endpoint import TokenEndpoint
from ironbridge.connectors.base import AuthField

__all__ = ["ASSERTION_LIFETIME", "ASSERTION_TYPE", "OAUTH2_JWT_BEARER", "SIGNING_KEYS"]

#: RFC 7523 §2.2's `client_assertion_type`.
ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: Seconds an assertion is valid: one token request's worth, well within NetSuite's hour.
ASSERTION_LIFETIME: Final = 300
#: The signing algorithms offered, and the kind of key each needs.
SIGNING_KEYS: Final[Mapping[str, type[RSAKey] | type[ECKey]]] = {
    "PS256": RSAKey,
    "RS256": RSAKey,
    "ES256": ECKey,
}


_PEM: Final = re.compile(r"-----BEGIN ([A-Z ]+)-----(.*?)-----END \1-----", re.S)


def _pem(text: str) -> str:
    """`text` as PEM with its line breaks, which a one-line form field takes out on paste."""
    found = _PEM.search(text)
    if found is None:
        return text
    label, body = found.group(1), re.sub(r"\s+", "", found.group(2))
    lines = [body[start : start + 64] for start in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


def _key(pem: str, alg: str) -> RSAKey | ECKey:
    kind = SIGNING_KEYS.get(alg)
    if kind is None:
        raise ValueError(f"signing algorithm {alg!r} is not one of {sorted(SIGNING_KEYS)}")
    try:
        key = kind.import_key(_pem(pem))
    except (JoseError, ValueError, TypeError):
        key = None
    if key is None or not key.is_private or (isinstance(key, ECKey) and key.curve_name != "P-256"):
        kind_name = "an EC (P-256)" if kind is ECKey else "an RSA"
        raise errors.ValidationFailed(
            {"private_key": f"Paste {kind_name} private key in PEM form (-----BEGIN ...)."}
        )
    return key


def _build(values: Mapping[str, str], context: SignInContext) -> SignIn:
    client_id = required(values, "client_id")
    certificate_id = required(values, "certificate_id").strip()
    alg = context.settings.get("alg", "PS256")
    key = _key(required(values, "private_key"), alg)
    url = token_url(values, context)
    scopes = [scope for scope in re.split(r"[\s,]+", values.get("scope", "")) if scope]
    in_assertion = context.settings.get("scope") == "assertion"
    wall_clock = context.wall_clock or time.time

    def form() -> dict[str, str]:
        issued_at = int(wall_clock())
        assertion = private_key_jwt_sign(
            key,
            client_id,
            url,
            alg=alg,
            claims={"scope": scopes} if scopes and in_assertion else None,
            header={"typ": "JWT", "kid": certificate_id},
            issued_at=issued_at,
            expires_at=issued_at + ASSERTION_LIFETIME,
        )
        return {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": str(assertion),
            **({"scope": " ".join(scopes)} if scopes and not in_assertion else {}),
        }

    endpoint = TokenEndpoint(
        url,
        form,
        options=context.options,
        params=context.token_params,
        system=context.system,
        transport=context.transport,
    )
    return tokens_from(endpoint, context, "oauth2_jwt_bearer")


OAUTH2_JWT_BEARER: Final = AuthMethod(
    name="oauth2_jwt_bearer",
    label="OAuth 2.0 with a certificate (machine to machine)",
    summary=(
        "an OAuth 2.0 client id, the id of the certificate uploaded for it, the matching "
        "private key (PEM), a token URL unless the connector knows it, and optional scopes; "
        "each token request is signed with the key (RFC 7523 client assertion)"
    ),
    fields=(
        AuthField(
            name="client_id",
            label="OAuth client ID",
            help=(
                "The id (consumer key) of the integration or OAuth 2.0 client registered in "
                "your system for ironbridge."
            ),
            secret=False,
        ),
        AuthField(
            name="certificate_id",
            label="Certificate ID",
            help=(
                "The id your system gave the certificate when it was uploaded for this client "
                "(in NetSuite: Setup > Integration > OAuth 2.0 Client Credentials (M2M) Setup)."
            ),
            secret=False,
        ),
        AuthField(
            name="private_key",
            label="Private key",
            help=(
                "The private key that belongs to that certificate, in PEM form: the whole text "
                "from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----. It never leaves "
                "ironbridge; only signatures made with it do."
            ),
            secret=True,
            kind="password",
        ),
        TOKEN_URL_FIELD,
        AuthField(
            name="scope",
            label="Scope",
            help=(
                "Optional. The scopes to ask for, separated by spaces (for NetSuite "
                "rest_webservices); leave empty for the client's default."
            ),
            secret=False,
            required=False,
        ),
    ),
    build=_build,
)
