"""JWT client assertions (RFC 7523): signed with the private key, verified with the public one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from ironbridge import errors
from ironbridge.connectors.auth import ASSERTION_TYPE, SignInContext, auth_method
from ironbridge.connectors.base import SessionOptions

# Token requests go to a mock transport: no DNS, so the guard is told the address is allowed.
LOCAL = SessionOptions(allow_private_urls=True)
TOKEN_URL = "https://1234567.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"
NOW = 1_760_000_000


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> tuple[str, str]:
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


RSA_PRIVATE, RSA_PUBLIC = pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
EC_PRIVATE, EC_PUBLIC = pem(ec.generate_private_key(ec.SECP256R1()))


class TokenRequests:
    """Captures the token requests a sign-in makes, answering each with a new token."""

    def __init__(self) -> None:
        self.forms: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.forms.append(dict(parse_qsl(request.content.decode())))
        return httpx.Response(
            200,
            json={
                "access_token": f"t{len(self.forms)}",
                "token_type": "Bearer",
                "expires_in": 3600,
            },
        )


def signed_in(
    values: Mapping[str, str], settings: Mapping[str, str] | None = None
) -> tuple[Callable[[], str], TokenRequests]:
    server = TokenRequests()
    context = SignInContext(
        options=LOCAL,
        token_url=TOKEN_URL,
        transport=httpx.MockTransport(server),
        wall_clock=lambda: NOW + 0.5,
        settings=settings or {},
    )
    signin = auth_method("oauth2_jwt_bearer").build(values, context)
    client = httpx.Client(
        auth=signin.auth,
        transport=httpx.MockTransport(
            lambda r: httpx.Response(200, text=r.headers["Authorization"])
        ),
    )

    def call() -> str:
        return client.get(
            "https://1234567.suitetalk.api.netsuite.com/services/rest/record/v1/vendor"
        ).text

    return call, server


VALUES = {"client_id": "client-1", "certificate_id": "cert-abc", "private_key": RSA_PRIVATE}


@pytest.mark.parametrize(
    ("alg", "private", "public", "kind"),
    [
        ("PS256", RSA_PRIVATE, RSA_PUBLIC, RSAKey),
        ("RS256", RSA_PRIVATE, RSA_PUBLIC, RSAKey),
        ("ES256", EC_PRIVATE, EC_PUBLIC, ECKey),
    ],
)
def test_the_token_request_carries_an_assertion_the_public_key_verifies(
    alg: str, private: str, public: str, kind: type[RSAKey] | type[ECKey]
) -> None:
    call, server = signed_in({**VALUES, "private_key": private}, {"alg": alg})
    assert call() == "Bearer t1"
    form = server.forms[0]
    assert form["grant_type"] == "client_credentials"
    assert (
        form["client_assertion_type"]
        == ASSERTION_TYPE
        == ("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    )
    token = jwt.decode(form["client_assertion"], kind.import_key(public), algorithms=[alg])
    assert token.header == {"typ": "JWT", "alg": alg, "kid": "cert-abc"}
    claims = token.claims
    assert claims["iss"] == claims["sub"] == "client-1"
    assert claims["aud"] == TOKEN_URL
    assert claims["iat"] == NOW and claims["exp"] == NOW + 300
    assert len(claims["jti"]) >= 16
    assert "scope" not in claims and "scope" not in form


def test_an_assertion_signed_with_another_key_does_not_verify() -> None:
    call, server = signed_in(VALUES)
    call()
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _, other_public = pem(other)
    with pytest.raises(Exception, match="signature"):
        jwt.decode(
            server.forms[0]["client_assertion"],
            RSAKey.import_key(other_public),
            algorithms=["PS256"],
        )


def test_scopes_go_in_the_form_or_as_netsuite_wants_in_the_assertion() -> None:
    call, server = signed_in({**VALUES, "scope": "restlets rest_webservices"})
    call()
    assert server.forms[0]["scope"] == "restlets rest_webservices"
    call, server = signed_in(
        {**VALUES, "scope": "restlets, rest_webservices"}, {"scope": "assertion"}
    )
    call()
    assert "scope" not in server.forms[0]
    claims = jwt.decode(
        server.forms[0]["client_assertion"], RSAKey.import_key(RSA_PUBLIC), algorithms=["PS256"]
    ).claims
    assert claims["scope"] == ["restlets", "rest_webservices"]


def test_a_key_pasted_into_a_one_line_field_still_signs() -> None:
    one_line = " ".join(RSA_PRIVATE.split("\n"))
    call, server = signed_in({**VALUES, "private_key": one_line})
    assert call() == "Bearer t1"
    jwt.decode(
        server.forms[0]["client_assertion"], RSAKey.import_key(RSA_PUBLIC), algorithms=["PS256"]
    )


@pytest.mark.parametrize(
    ("private_key", "settings"),
    [
        ("not a key", {}),
        (RSA_PUBLIC, {}),  # the certificate's public half, pasted by mistake
        (RSA_PRIVATE, {"alg": "ES256"}),  # an RSA key where the system wants EC
    ],
    ids=["garbage", "public key", "wrong key type"],
)
def test_an_unusable_private_key_is_named_before_anything_is_sent(
    private_key: str, settings: dict[str, str]
) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        signed_in({**VALUES, "private_key": private_key}, settings)
    assert set(caught.value.fields) == {"private_key"}
    assert "BEGIN" not in caught.value.fields["private_key"].replace("-----BEGIN ...", "")


def test_a_renewed_token_is_asked_for_with_a_new_assertion() -> None:
    # Servers refuse a replayed assertion (its jti), so each token request signs a new one.
    server = TokenRequests()
    context = SignInContext(
        options=LOCAL, token_url=TOKEN_URL, transport=httpx.MockTransport(server)
    )
    signin = auth_method("oauth2_jwt_bearer").build(VALUES, context)

    def resource(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401 if request.headers["Authorization"] == "Bearer t1" else 200)

    with httpx.Client(auth=signin.around(), transport=httpx.MockTransport(resource)) as client:
        assert client.get("https://example.com/record").status_code == 200
    first, second = (
        jwt.decode(
            form["client_assertion"], RSAKey.import_key(RSA_PUBLIC), algorithms=["PS256"]
        ).claims["jti"]
        for form in server.forms
    )
    assert first != second
