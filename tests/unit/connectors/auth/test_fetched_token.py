"""`FetchedTokenAuth`: a token fetched per root before modifying requests (CSRF protection)."""

from __future__ import annotations

import threading

import httpx
import pytest

from ironbridge.connectors.auth import FetchedTokenAuth, RootAfter

HEADER = "X-Request-Token"


class Server:
    """Issues tokens on `GET` with `X-Request-Token: Ask`, each valid with its session cookie
    only, and refuses writes without the current one with 403 `X-Request-Token: Needed`."""

    def __init__(self) -> None:
        self.seen: list[httpx.Request] = []
        self.sent_tokens: list[str | None] = []
        self.issued = 0
        self.lock = threading.Lock()

    def expire(self) -> None:
        """The session ends: the token issued last is no longer accepted."""
        self.issued += 1

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.seen.append(request)
            token = request.headers.get(HEADER)
            if token == "Ask":
                self.issued += 1
                session = f"s{self.issued}"
                return httpx.Response(
                    200,
                    headers={HEADER: f"tok-{self.issued}", "set-cookie": f"session={session}"},
                )
            if request.method == "GET":
                return httpx.Response(200, json={})
            self.sent_tokens.append(token)
            cookie = request.headers.get("cookie", "")
            current = f"tok-{self.issued}"
            if token != current or f"session=s{self.issued}" not in cookie:
                return httpx.Response(403, headers={HEADER: "needed"})
            return httpx.Response(201, json={})


def _auth(inner: httpx.Auth | None = None, **settings: object) -> FetchedTokenAuth:
    return FetchedTokenAuth(
        inner, header=HEADER, fetch_value="Ask", required_value="Needed", **settings
    )


def _fetches(server: Server) -> list[httpx.Request]:
    return [r for r in server.seen if r.headers.get(HEADER) == "Ask"]


def _client(server: Server, auth: httpx.Auth) -> httpx.Client:
    return httpx.Client(base_url="https://h", transport=httpx.MockTransport(server), auth=auth)


def test_a_token_is_fetched_once_per_root_and_sent_with_the_cookies_of_its_fetch() -> None:
    server = Server()
    with _client(server, _auth(httpx.BasicAuth("u", "p"))) as client:
        assert client.post("/api/a/items", json={}).status_code == 201
        assert client.put("/api/a/other", json={}).status_code == 201
        assert client.patch("/api/b/items/1", json={}).status_code == 201  # another root
    roots = [r.url.path for r in _fetches(server)]
    assert roots == ["/api/a/", "/api/b/items/"]
    assert server.sent_tokens == ["tok-1", "tok-1", "tok-2"]
    assert all(r.headers["authorization"].startswith("Basic ") for r in server.seen)


def test_the_jar_of_the_fetch_decides_the_cookies_sent() -> None:
    server = Server()
    with _client(server, _auth()) as client:
        response = client.post("/api/items", json={}, headers={"Cookie": "session=forged"})
    assert response.status_code == 201
    (write,) = [r for r in server.seen if r.method == "POST"]
    assert write.headers["cookie"] == "session=s1"


def test_safe_methods_carry_no_token_and_fetch_none() -> None:
    server = Server()
    with _client(server, _auth()) as client:
        client.get("/api/items")
        client.head("/api/items")
        client.options("/api/items")
    assert _fetches(server) == []
    assert all(HEADER not in r.headers for r in server.seen)


def test_a_refused_token_is_fetched_again_once_and_the_request_resent() -> None:
    server = Server()
    with _client(server, _auth()) as client:
        client.post("/api/items", json={})
        server.expire()
        assert client.post("/api/items", json={}).status_code == 201
    assert len(_fetches(server)) == 2
    assert server.sent_tokens == ["tok-1", "tok-1", "tok-3"]  # the stale one, then anew


def test_a_second_refusal_stands() -> None:
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if request.headers.get(HEADER) == "Ask":
            return httpx.Response(200, headers={HEADER: "tok"})
        return httpx.Response(403, headers={HEADER: "NEEDED"})

    with httpx.Client(transport=httpx.MockTransport(refuse), auth=_auth()) as client:
        response = client.post("https://h/api/items", json={})
    assert response.status_code == 403
    assert [r.method for r in calls] == ["GET", "POST", "GET", "POST"]


def test_a_fetch_that_gives_no_token_sends_the_request_without_one() -> None:
    def no_token(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, headers={HEADER: "Needed"})
        return httpx.Response(201 if HEADER not in request.headers else 400)

    with httpx.Client(transport=httpx.MockTransport(no_token), auth=_auth()) as client:
        assert client.post("https://h/api/items", json={}).status_code == 201


def test_a_403_without_the_marker_is_not_retried() -> None:
    calls: list[str] = []

    def forbidden(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if request.method == "GET":
            return httpx.Response(200, headers={HEADER: "tok"})
        return httpx.Response(403)

    with httpx.Client(transport=httpx.MockTransport(forbidden), auth=_auth()) as client:
        assert client.delete("https://h/api/items/1").status_code == 403
    assert calls == ["GET", "DELETE"]


def test_threads_of_one_client_share_the_tokens() -> None:
    server = Server()
    auth = _auth()
    with _client(server, auth) as client:
        client.post("/api/items", json={})  # the first fetch
        barrier = threading.Barrier(8)
        statuses: list[int] = []

        def write() -> None:
            barrier.wait()
            statuses.append(client.post("/api/items", json={}).status_code)

        threads = [threading.Thread(target=write) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [201] * 8
    assert len(_fetches(server)) == 1


@pytest.mark.parametrize(
    ("url", "root", "expected"),
    [
        (
            "https://h/sap/opu/odata/sap/SRV/Set(1)/to_Items?sap-client=100&$top=5",
            RootAfter("odata", 2),
            "https://h/sap/opu/odata/sap/SRV/?sap-client=100",
        ),
        (
            "https://h/api/v1/items?$filter=x&lang=en",
            RootAfter("odata", 2),
            "https://h/api/v1/?lang=en",
        ),
        ("https://h/api/v1/items?$filter=x", RootAfter(drop=""), "https://h/api/v1/?%24filter=x"),
        ("https://h/svc/A/B/C", RootAfter("svc", 1), "https://h/svc/A/"),
    ],
)
def test_the_root_is_the_service_path_with_the_parameters_a_token_is_scoped_to(
    url: str, root: RootAfter, expected: str
) -> None:
    assert str(root(httpx.URL(url))) == expected
