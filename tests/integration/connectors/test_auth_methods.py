"""Sign-in methods against a real token and resource server on 127.0.0.1.

The server issues OAuth 2.0 tokens (client secret in HTTP Basic, or an RFC 7523 assertion it
verifies with the client's public key and refuses to see twice), signs users in for
`session_login`, checks OAuth 1.0a HMAC-SHA256 signatures with authlib's base string, and
answers 401 to anything it does not accept. Every request goes through `protocols.http`'s
guarded client, as a connector's would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
import pytest
from authlib.oauth1.rfc5849 import signature as reference
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from ironbridge import errors
from ironbridge.connectors.auth import SignIn, SignInContext, auth_method
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.protocols import http

LOCAL = SessionOptions(allow_private_urls=True, timeout=5.0)
CLIENT_ID, CLIENT_SECRET = "client-1", "s3cret/+&"
USER, PASSWORD = "ada", "pa55word"
CONSUMER = ("ck-1", "cs-1")
ACCESS = ("ti-1", "ts-1")
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE_PEM = _KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
PUBLIC_KEY = RSAKey.import_key(
    _KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


@dataclass
class AuthServer:
    """What the server issued and saw; tests change `lifetime`, `forced` and `refuse_all`."""

    base_url: str = ""
    lifetime: int | None = 3600
    #: (status, body) the token endpoint answers instead of issuing, when set.
    forced: tuple[int, Any] | None = None
    refuse_all: bool = False
    valid: set[str] = field(default_factory=set)
    token_forms: list[dict[str, str]] = field(default_factory=list)
    logins: int = 0
    seen: list[dict[str, Any]] = field(default_factory=list)
    jtis: set[str] = field(default_factory=set)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    def revoke(self) -> None:
        with self.lock:
            self.valid.clear()

    def data_requests(self) -> int:
        return sum(1 for item in self.seen if item["path"] == "/data")

    # -- endpoints ----------------------------------------------------------------------------

    def token(self, headers: dict[str, str], form: dict[str, str]) -> tuple[int, Any]:
        self.token_forms.append(form)
        if self.forced is not None:
            return self.forced
        if not self._client_ok(headers, form):
            return 401, {"error": "invalid_client"}
        issued = f"tok-{next(self.counter)}"
        self.valid.add(f"Bearer {issued}")
        body: dict[str, Any] = {"access_token": issued, "token_type": "Bearer"}
        if self.lifetime is not None:
            body["expires_in"] = self.lifetime
        return 200, body

    def _client_ok(self, headers: dict[str, str], form: dict[str, str]) -> bool:
        if form.get("grant_type") != "client_credentials":
            return False
        assertion = form.get("client_assertion")
        if assertion is None:
            # RFC 6749 §2.3.1: both are form-encoded inside Basic.
            given = headers.get("authorization", "").removeprefix("Basic ")
            user, _, secret = base64.b64decode(given or "Og==").decode().partition(":")
            return (unquote(user), unquote(secret)) == (CLIENT_ID, CLIENT_SECRET)
        try:
            token = jwt.decode(assertion, PUBLIC_KEY, algorithms=["PS256"])
        except JoseError:
            return False
        claims = token.claims
        fresh = claims.get("jti") not in self.jtis
        self.jtis.add(claims.get("jti"))
        return (
            fresh
            and form.get("client_assertion_type")
            == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            and token.header.get("kid") == "cert-1"
            and claims.get("iss") == claims.get("sub") == CLIENT_ID
            and claims.get("aud") == self.token_url
        )

    def login(self, body: dict[str, str]) -> tuple[int, Any]:
        self.logins += 1
        if (body.get("username"), body.get("password")) != (USER, PASSWORD):
            return 401, {"error": "wrong user name or password"}
        session = f"sess-{next(self.counter)}"
        self.valid.add(f"Session {session}")
        return 200, {"session": session}

    def oauth1_ok(self, method: str, path: str, headers: dict[str, str], body: str) -> bool:
        header = headers.get("authorization", "")
        if not header.startswith("OAuth "):
            return False
        pairs = (item.split("=", 1) for item in header.removeprefix("OAuth ").split(","))
        sent = {name.strip(): unquote(value.strip('"')) for name, value in pairs}
        params = parse_qsl(urlsplit(path).query, keep_blank_values=True)
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params += parse_qsl(body, keep_blank_values=True)
        params += [(k, v) for k, v in sent.items() if k not in ("realm", "oauth_signature")]
        text = reference.construct_base_string(method, f"{self.base_url}{path}", params)
        key = f"{CONSUMER[1]}&{ACCESS[1]}".encode()
        expected = base64.b64encode(hmac.new(key, text.encode(), hashlib.sha256).digest())
        return (
            sent.get("realm") == "1234567_SB1"
            and sent.get("oauth_consumer_key") == CONSUMER[0]
            and sent.get("oauth_token") == ACCESS[0]
            and sent.get("oauth_signature_method") == "HMAC-SHA256"
            and hmac.compare_digest(sent.get("oauth_signature", "").encode(), expected)
        )


def _handler(server: AuthServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: Any) -> None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            headers = {name.lower(): value for name, value in self.headers.items()}
            path = urlsplit(self.path).path
            with server.lock:
                server.seen.append({"path": path, "headers": headers, "query": self.path})
                if path == "/token":
                    answer = server.token(headers, dict(parse_qsl(body)))
                elif path == "/login":
                    answer = server.login(json.loads(body))
                elif path == "/echo":
                    answer = (200, {"headers": headers, "target": self.path})
                elif path == "/signed":
                    ok = server.oauth1_ok(method, self.path, headers, body)
                    answer = (200, {}) if ok else (401, {"error": "bad signature"})
                else:
                    ok = not server.refuse_all and headers.get("authorization") in server.valid
                    answer = (200, {"ok": True}) if ok else (401, {"error": "unauthorized"})
            self._answer(*answer)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler


@pytest.fixture
def server() -> Iterator[AuthServer]:
    state = AuthServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def client(server: AuthServer, signin: SignIn) -> httpx.Client:
    return http.make_client(server.base_url, auth=signin.around(), options=LOCAL)


def client_credentials(server: AuthServer, **context: Any) -> SignIn:
    values = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    return auth_method("oauth2_client_credentials").build(
        values,
        SignInContext(options=context.pop("options", LOCAL), token_url=server.token_url, **context),
    )


# --- oauth2_client_credentials -------------------------------------------------------------


def test_a_token_is_kept_until_shortly_before_it_expires_on_the_session_clock(
    server: AuthServer,
) -> None:
    server.lifetime = 600
    now = [1000.0]
    options = replace(LOCAL, clock=lambda: now[0])
    signin = client_credentials(server, options=options)
    with client(server, signin) as session:
        assert session.get("/data").status_code == 200
        now[0] += 569  # 31 s left: still kept
        assert session.get("/data").status_code == 200
        assert len(server.token_forms) == 1
        now[0] += 2  # 29 s left: renewed before it is sent
        assert session.get("/data").status_code == 200
    assert len(server.token_forms) == 2
    assert server.data_requests() == 3, "no request was refused on the way"
    signin.close()


def test_a_token_without_a_lifetime_is_kept_until_refused(server: AuthServer) -> None:
    server.lifetime = None
    now = [0.0]
    signin = client_credentials(server, options=replace(LOCAL, clock=lambda: now[0]))
    with client(server, signin) as session:
        session.get("/data")
        now[0] += 10 * 86400
        session.get("/data")
        assert len(server.token_forms) == 1
        server.revoke()
        assert session.get("/data").status_code == 200
    assert len(server.token_forms) == 2


def test_a_refused_token_is_renewed_once_and_the_request_resent(server: AuthServer) -> None:
    with client(server, client_credentials(server)) as session:
        session.get("/data")
        server.revoke()
        assert session.get("/data").status_code == 200
    assert len(server.token_forms) == 2
    assert server.data_requests() == 3


def test_a_second_401_stands_after_one_renewal(server: AuthServer) -> None:
    server.refuse_all = True
    with client(server, client_credentials(server)) as session:
        response = session.get("/data")
    assert response.status_code == 401
    assert len(server.token_forms) == 2, "one renewal, not two"
    assert server.data_requests() == 2


def test_the_form_asks_for_client_credentials_with_the_scope_and_token_parameters(
    server: AuthServer,
) -> None:
    values = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scope": "read write"}
    signin = auth_method("oauth2_client_credentials").build(
        values,
        SignInContext(
            options=LOCAL, token_url=server.token_url, token_params={"sap-client": "100"}
        ),
    )
    with client(server, signin) as session:
        session.get("/data")
    assert server.token_forms == [{"grant_type": "client_credentials", "scope": "read write"}]
    assert server.seen[0]["query"] == "/token?sap-client=100"


REFUSED = errors.ConnectionReauthRequired


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((400, {"error": "invalid_client"}), REFUSED),
        ((400, {"error": "unauthorized_client"}), REFUSED),
        ((400, {"error": "invalid_scope"}), REFUSED),
        ((401, {"error": "invalid_client"}), REFUSED),
        ((401, "no JSON at all"), REFUSED),
        ((404, {}), REFUSED),
        ((400, {"error": "invalid_request"}), errors.UpstreamError),
        ((500, {}), errors.UpstreamError),
        ((503, {}), errors.ConnectionUnavailable),
        ((429, {}), errors.RateLimitExceeded),
        ((200, "not JSON"), errors.UpstreamError),
        ((200, {"token_type": "Bearer"}), errors.UpstreamError),
        ((200, {"access_token": "t", "token_type": "mac"}), errors.UpstreamError),
    ],
    ids=[
        "invalid_client",
        "unauthorized_client",
        "invalid_scope",
        "401",
        "401 without JSON",
        "no endpoint",
        "invalid_request",
        "server error",
        "unavailable",
        "throttled",
        "not JSON",
        "no token",
        "not Bearer",
    ],
)
def test_token_endpoint_answers_map_to_the_taxonomy_without_secrets(
    server: AuthServer, answer: tuple[int, Any], expected: type[errors.IronbridgeError]
) -> None:
    server.forced = answer
    signin = client_credentials(server, system="Acme")
    with client(server, signin) as session, pytest.raises(expected) as caught:
        session.get("/data")
    assert type(caught.value) is expected
    assert CLIENT_SECRET not in caught.value.message
    assert server.data_requests() == 0, "no request went out without a token"


def test_a_refused_client_is_named_with_the_system(server: AuthServer) -> None:
    server.forced = (400, {"error": "invalid_client"})
    signin = client_credentials(server, system="Acme")
    with client(server, signin) as session, pytest.raises(REFUSED) as caught:
        session.get("/data")
    assert caught.value.message.startswith("Acme's OAuth server (http://127.0.0.1:")
    assert "(invalid_client)" in caught.value.message


def test_a_token_url_the_deployment_may_not_call_is_refused_as_the_token_url(
    server: AuthServer,
) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        client_credentials(server, options=SessionOptions())  # 127.0.0.1 is not public
    assert set(caught.value.fields) == {"token_url"}
    values = {"client_id": "c", "client_secret": "s", "token_url": "http://169.254.169.254/token"}
    with pytest.raises(errors.ValidationFailed) as metadata:
        auth_method("oauth2_client_credentials").build(values, SignInContext())
    assert set(metadata.value.fields) == {"token_url"}


# --- oauth2_jwt_bearer ---------------------------------------------------------------------


def test_a_signed_assertion_gets_a_token_and_a_renewal_signs_a_new_one(server: AuthServer) -> None:
    values = {"client_id": CLIENT_ID, "certificate_id": "cert-1", "private_key": PRIVATE_PEM}
    signin = auth_method("oauth2_jwt_bearer").build(
        values, SignInContext(options=LOCAL, token_url=server.token_url)
    )
    with client(server, signin) as session:
        assert session.get("/data").status_code == 200
        server.revoke()
        # The server refuses a replayed jti: the renewal only works with a fresh assertion.
        assert session.get("/data").status_code == 200
    assert len(server.token_forms) == 2
    assert all("client_secret" not in form for form in server.token_forms)


def test_an_assertion_for_another_certificate_requires_reauthorisation(server: AuthServer) -> None:
    values = {"client_id": CLIENT_ID, "certificate_id": "cert-2", "private_key": PRIVATE_PEM}
    signin = auth_method("oauth2_jwt_bearer").build(
        values, SignInContext(options=LOCAL, token_url=server.token_url)
    )
    with client(server, signin) as session, pytest.raises(REFUSED):
        session.get("/data")


# --- session_login -------------------------------------------------------------------------


def session_login(server: AuthServer, username: str = USER) -> SignIn:
    login_client = http.make_client(server.base_url, auth=None, options=LOCAL)

    def login(user: str, password: str) -> str:
        response = login_client.post("/login", json={"username": user, "password": password})
        if response.status_code == 401:
            raise errors.ConnectionReauthRequired("refused")
        return str(response.json()["session"])

    return auth_method("session_login").build(
        {"username": username, "password": PASSWORD},
        SignInContext(options=LOCAL, login=login, settings={"prefix": "Session "}),
    )


def test_a_session_is_signed_in_once_and_again_once_when_it_ends(server: AuthServer) -> None:
    with client(server, session_login(server)) as session:
        assert session.get("/data").status_code == 200
        assert session.get("/data").status_code == 200
        assert server.logins == 1
        server.revoke()
        assert session.get("/data").status_code == 200
        assert server.logins == 2
        server.refuse_all = True
        assert session.get("/data").status_code == 401
    assert server.logins == 3, "one sign-in more for the refused session, not two"


def test_a_refused_login_requires_reauthorisation(server: AuthServer) -> None:
    with client(server, session_login(server, username="eve")) as session, pytest.raises(REFUSED):
        session.get("/data")
    assert server.data_requests() == 0


# --- basic, bearer, api_key, oauth1_hmac_sha256 --------------------------------------------


def echoed(
    server: AuthServer, name: str, values: dict[str, str], **settings: str
) -> dict[str, Any]:
    signin = auth_method(name).build(values, SignInContext(options=LOCAL, settings=settings))
    assert not signin.renews
    with client(server, signin) as session:
        answer: dict[str, Any] = session.get("/echo", params={"q": "1"}).json()
    return answer


def test_basic_bearer_and_api_key_put_the_credential_where_the_system_expects_it(
    server: AuthServer,
) -> None:
    basic = echoed(server, "basic", {"username": USER, "password": PASSWORD})
    assert (
        basic["headers"]["authorization"]
        == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    )
    native = echoed(server, "basic", {"username": USER, "password": PASSWORD}, header="maxauth")
    assert native["headers"]["maxauth"] == base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert "authorization" not in native["headers"]
    bearer = echoed(server, "bearer", {"token": " abc.def "})
    assert bearer["headers"]["authorization"] == "Bearer abc.def"
    header = echoed(server, "api_key", {"api_key": "k-1"})
    assert header["headers"]["x-api-key"] == "k-1"
    named = echoed(server, "api_key", {"api_key": "k-1"}, header="apikey")
    assert named["headers"]["apikey"] == "k-1" and "x-api-key" not in named["headers"]
    query = echoed(server, "api_key", {"api_key": "k 1"}, query="api_key")
    assert query["target"] == "/echo?q=1&api_key=k+1"
    assert "k+1" not in http.sanitize_url(f"{server.base_url}{query['target']}")


def test_an_api_key_parameter_the_logs_would_show_is_refused() -> None:
    with pytest.raises(ValueError, match="not redacted"):
        auth_method("api_key").build({"api_key": "k"}, SignInContext(settings={"query": "q"}))


OAUTH1 = {
    "account_id": "1234567-sb1",
    "consumer_key": CONSUMER[0],
    "consumer_secret": CONSUMER[1],
    "token_id": ACCESS[0],
    "token_secret": ACCESS[1],
}


def test_oauth1_signatures_verify_on_the_server_for_queries_and_form_bodies(
    server: AuthServer,
) -> None:
    signin = auth_method("oauth1_hmac_sha256").build(OAUTH1, SignInContext(options=LOCAL))
    with client(server, signin) as session:
        assert session.get("/signed", params={"script": "12", "deploy": "1"}).status_code == 200
        form = session.post("/signed?script=12", data={"memo": "café & co", "n": "2"})
        assert form.status_code == 200
        assert session.post("/signed", json={"memo": "x"}).status_code == 200
    wrong = auth_method("oauth1_hmac_sha256").build(
        {**OAUTH1, "token_secret": "other"}, SignInContext(options=LOCAL)
    )
    with client(server, wrong) as session:
        assert session.get("/signed").status_code == 401
