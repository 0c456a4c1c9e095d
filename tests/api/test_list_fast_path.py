"""Plain list pages (`limit`, `cursor`) are served without routing; they must not differ in
any way a client or an operator can see from the pages the list route serves. Every test here
runs on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ironbridge.bootstrap import Container, bootstrap

from ..conftest import ConnectionFixture, make_settings, new_sandbox_connection
from .test_error_contract import assert_error


@pytest.fixture(params=["sqlite", "postgresql"])
def container(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    database = {}
    if request.param == "postgresql":
        database["database_url"] = request.getfixturevalue("postgres_url")
    container = bootstrap(make_settings(tmp_path, **database))
    yield container
    container.close()


#: Headers that differ between any two responses, whoever serves them.
_PER_RESPONSE = {"x-request-id", "ratelimit-remaining", "ratelimit-reset", "date"}


def _same_headers(a: dict[str, str], b: dict[str, str]) -> None:
    assert {k: v for k, v in a.items() if k not in _PER_RESPONSE} == {
        k: v for k, v in b.items() if k not in _PER_RESPONSE
    }


def test_a_plain_page_matches_the_routed_page_byte_for_byte(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    # `include_deleted=false` changes nothing in the answer but sends the request through the
    # route, so the two are the same page served both ways.
    first = client.get("/v1/purchase-orders?limit=7", headers=sandbox.headers)
    routed = client.get(
        "/v1/purchase-orders?limit=7&include_deleted=false", headers=sandbox.headers
    )
    assert first.status_code == routed.status_code == 200
    assert first.content == routed.content
    _same_headers(dict(first.headers), dict(routed.headers))
    cursor = first.json()["next_cursor"]
    plain = client.get(f"/v1/purchase-orders?cursor={cursor}&limit=7", headers=sandbox.headers)
    routed = client.get(
        f"/v1/purchase-orders?cursor={cursor}&limit=7&include_deleted=false",
        headers=sandbox.headers,
    )
    assert plain.content == routed.content and plain.json()["data"]
    assert (
        int(plain.headers["RateLimit-Remaining"]) == int(first.headers["RateLimit-Remaining"]) - 2
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=%2B5", "limit"),
        ("limit=5&limit=6", "limit"),
        ("cursor=not!a!cursor", "cursor"),
        ("cursor=", "cursor"),
        ("cursor=abc%0A", "cursor"),
        ("cursor=eyJ4IjoxfQ", "cursor"),
        ("limt=5", "limt"),
    ],
)
def test_a_request_the_shortcut_does_not_take_is_refused_as_the_route_refuses_it(
    client: TestClient, sandbox: ConnectionFixture, query: str, field: str
) -> None:
    response = client.get(f"/v1/purchase-orders?{query}", headers=sandbox.headers)
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert field in str(error["details"])


def test_a_plain_page_needs_a_live_connection_token(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    missing = client.get("/v1/purchase-orders?limit=5")
    assert_error(missing, 401, "AUTHENTICATION_FAILED", "authentication_error")
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    admin = client.get("/v1/purchase-orders?limit=5", headers=sandbox.account.headers)
    assert_error(admin, 401, "AUTHENTICATION_FAILED", "authentication_error")
    assert client.get("/v1/purchase-orders?limit=5", headers=sandbox.headers).status_code == 200
    client.post(f"/v1/connections/{sandbox.id}/disconnect", headers=sandbox.account.headers)
    # Refused on the very next request: nothing about the token is remembered between requests.
    revoked = client.get("/v1/purchase-orders?limit=5", headers=sandbox.headers)
    assert_error(revoked, 401, "AUTHENTICATION_FAILED", "authentication_error")


def test_plain_pages_are_counted_under_the_list_route(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    for _ in range(3):
        client.get("/v1/work-orders?limit=2", headers=sandbox.headers)
    client.get("/v1/work-orders?limit=2")
    text = client.get("/metrics").text
    ok = 'ironbridge_http_requests_total{method="GET",route="/v1/work-orders",status="200"} 3.0'
    refused = (
        'ironbridge_http_requests_total{method="GET",route="/v1/work-orders",status="401"} 1.0'
    )
    assert ok in text and refused in text


def test_following_plain_pages_lists_what_the_route_lists(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    def walk(extra: str) -> list[bytes]:
        pages, cursor = [], None
        while True:
            query = f"limit=9{extra}" + (f"&cursor={cursor}" if cursor else "")
            response = client.get(f"/v1/purchase-orders?{query}", headers=sandbox.headers)
            assert response.status_code == 200
            pages.append(response.content)
            cursor = response.json()["next_cursor"]
            if cursor is None:
                return pages

    plain = walk("")
    assert len(plain) > 2
    assert plain == walk("&include_deleted=false")


def test_a_plain_page_holds_only_its_own_connection(
    client: TestClient, container: Container, sandbox: ConnectionFixture
) -> None:
    other = new_sandbox_connection(container, sandbox.account, customer="cust-2")
    mine = client.get("/v1/purchase-orders?limit=500", headers=sandbox.headers).json()["data"]
    theirs = client.get("/v1/purchase-orders?limit=500", headers=other.headers).json()["data"]
    assert mine and theirs
    assert not {r["id"] for r in mine} & {r["id"] for r in theirs}


def test_a_plain_page_counts_against_the_rate_limit(
    client: TestClient, container: Container, sandbox: ConnectionFixture
) -> None:
    with container.uow() as uow:
        uow.accounts.set_rate_limit(sandbox.account.id, 1)
        uow.commit()
    assert client.get("/v1/purchase-orders?limit=3", headers=sandbox.headers).status_code == 200
    refused = client.get("/v1/purchase-orders?limit=3", headers=sandbox.headers)
    assert_error(refused, 429, "RATE_LIMIT_EXCEEDED", "rate_limit_error")


def test_a_cursor_that_does_not_decode_is_judged_after_the_token(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    # Well-formed for the shortcut, but no keyset: the token is still judged first.
    query = "/v1/purchase-orders?cursor=eyJ4IjoxfQ"
    unknown = {"Authorization": "Bearer ib_conn_notarealtokenatall"}
    assert_error(
        client.get(query, headers=unknown), 401, "AUTHENTICATION_FAILED", "authentication_error"
    )
    refused = client.get(query, headers=sandbox.headers)
    assert_error(refused, 400, "VALIDATION_FAILED", "invalid_request_error")
