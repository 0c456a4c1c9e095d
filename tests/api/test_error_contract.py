"""Every failure answers in the error contract: status, code, type, request id, headers."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ironbridge.accounts import revoke_admin_key
from ironbridge.bootstrap import Container

from ..conftest import AccountFixture, ConnectionFixture, new_account, new_sandbox_connection


def assert_error(response: Any, status: int, code: str, type_: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["type"] == type_
    assert error["message"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert error["request_id"]
    return error


def test_missing_token_is_401(client: TestClient) -> None:
    response = client.get("/v1/connections")
    assert_error(response, 401, "AUTHENTICATION_FAILED", "authentication_error")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_unknown_token_is_401(client: TestClient) -> None:
    headers = {"Authorization": "Bearer ib_admin_notarealkeyatall"}
    assert_error(
        client.get("/v1/connections", headers=headers),
        401,
        "AUTHENTICATION_FAILED",
        "authentication_error",
    )


def test_revoked_admin_key_is_401(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    assert client.get("/v1/connections", headers=account.headers).status_code == 200
    with container.uow() as uow:
        revoke_admin_key(uow, account.id, account.key_id)
    response = client.get("/v1/connections", headers=account.headers)
    assert_error(response, 401, "AUTHENTICATION_FAILED", "authentication_error")


def test_connection_token_cannot_use_the_management_api(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    response = client.get("/v1/connections", headers=sandbox.headers)
    assert_error(response, 401, "AUTHENTICATION_FAILED", "authentication_error")


def test_admin_key_of_another_account_gets_403(
    client: TestClient, container: Container, sandbox: ConnectionFixture
) -> None:
    other = new_account(container, "Other Co")
    response = client.get(f"/v1/connections/{sandbox.id}", headers=other.headers)
    error = assert_error(response, 403, "PERMISSION_DENIED", "permission_error")
    assert sandbox.id in error["message"]
    patch = client.patch(
        f"/v1/connections/{sandbox.id}", json={"metadata": {"a": "b"}}, headers=other.headers
    )
    assert_error(patch, 403, "PERMISSION_DENIED", "permission_error")
    listed = client.get("/v1/connections", headers=other.headers).json()
    assert listed["data"] == []


def test_unknown_connection_id_is_404(client: TestClient, account: AccountFixture) -> None:
    response = client.get("/v1/connections/conn_DOESNOTEXIST", headers=account.headers)
    assert_error(response, 404, "NOT_FOUND", "invalid_request_error")


def test_unknown_route_is_404_in_the_contract(client: TestClient) -> None:
    assert_error(client.get("/v1/nothing-here"), 404, "NOT_FOUND", "invalid_request_error")


def test_wrong_method_is_405_in_the_contract(client: TestClient) -> None:
    response = client.delete("/healthz")
    assert_error(response, 405, "METHOD_NOT_ALLOWED", "invalid_request_error")


def test_bad_body_is_400_with_field_details(client: TestClient, sandbox: ConnectionFixture) -> None:
    response = client.patch(
        f"/v1/connections/{sandbox.id}",
        json={"sync_schedule": "every tuesday", "entities": ["spaceships"], "color": "red"},
        headers=sandbox.account.headers,
    )
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    fields = error["details"]["fields"]
    assert "sync_schedule" in fields
    assert "entities.0" in fields
    assert "color" in fields


def test_malformed_json_is_400_invalid_request(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    response = client.patch(
        f"/v1/connections/{sandbox.id}",
        content=b"{not json",
        headers={**sandbox.account.headers, "Content-Type": "application/json"},
    )
    assert_error(response, 400, "INVALID_REQUEST", "invalid_request_error")


def test_bad_query_parameter_is_400_with_field_details(
    client: TestClient, account: AccountFixture
) -> None:
    response = client.get("/v1/connections?limit=9999&status=sleeping", headers=account.headers)
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert set(error["details"]["fields"]) == {"limit", "status"}


def test_oversized_body_is_413(client: TestClient, sandbox: ConnectionFixture) -> None:
    big = {"metadata": {"k": "x" * 2_000_000}}
    response = client.patch(
        f"/v1/connections/{sandbox.id}", json=big, headers=sandbox.account.headers
    )
    assert_error(response, 413, "REQUEST_TOO_LARGE", "invalid_request_error")


def test_streamed_oversized_body_is_413(client: TestClient, sandbox: ConnectionFixture) -> None:
    def chunks():  # no Content-Length: the limit must hold while reading
        for _ in range(40):
            yield b"x" * 65536

    response = client.patch(
        f"/v1/connections/{sandbox.id}",
        content=chunks(),
        headers={**sandbox.account.headers, "Content-Type": "application/json"},
    )
    assert_error(response, 413, "REQUEST_TOO_LARGE", "invalid_request_error")


def test_unhandled_exception_is_500_without_leaking(
    container: Container, account: AccountFixture, capsys: Any
) -> None:
    from ironbridge.api import create_app
    from ironbridge.logs import configure_logging

    configure_logging("INFO")
    app = create_app(container)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"X-Request-ID": "trace-123"})
    error = assert_error(response, 500, "INTERNAL_ERROR", "api_error")
    assert error["request_id"] == "trace-123"
    assert "hunter2" not in response.text and "RuntimeError" not in response.text
    logged = capsys.readouterr().err
    assert "Traceback" in logged and "RuntimeError" in logged and "trace-123" in logged


def test_callers_request_id_is_echoed_when_well_formed(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces\t"})
    assert generated.headers["X-Request-ID"].startswith("req_")


def test_rate_limit_gives_429_with_retry_after(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    with container.uow() as uow:
        uow.accounts.set_rate_limit(account.id, 3)
        uow.commit()
    for remaining in (2, 1, 0):
        ok = client.get("/v1/connections", headers=account.headers)
        assert ok.status_code == 200
        assert ok.headers["RateLimit-Limit"] == "3"
        assert ok.headers["RateLimit-Remaining"] == str(remaining)
    response = client.get("/v1/connections", headers=account.headers)
    error = assert_error(response, 429, "RATE_LIMIT_EXCEEDED", "rate_limit_error")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["RateLimit-Remaining"] == "0"
    assert error["details"]["limit_per_minute"] == 3


def test_rate_limits_are_per_credential(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    with container.uow() as uow:
        uow.accounts.set_rate_limit(account.id, 1)
        uow.commit()
    connection = new_sandbox_connection(container, account)
    assert client.get("/v1/connections", headers=account.headers).status_code == 200
    assert client.get("/v1/connections", headers=account.headers).status_code == 429
    assert client.get("/v1/connection", headers=connection.headers).status_code == 200
    assert client.get("/v1/connection", headers=connection.headers).status_code == 429


@pytest.mark.parametrize("shared", [False, True], ids=["memory", "redis"])
def test_failed_authentication_is_limited_per_client_address(tmp_path: Any, shared: bool) -> None:
    from ironbridge.api import create_app
    from ironbridge.bootstrap import bootstrap

    from ..conftest import REDIS_URL, make_settings

    redis = {"redis_url": REDIS_URL} if shared else {}
    container = bootstrap(make_settings(tmp_path, auth_failure_limit_per_minute=5, **redis))
    container.limiter.reset()  # the addresses' windows of an earlier run, on Redis
    account = new_account(container)
    unknown = {"Authorization": "Bearer ib_admin_notarealkeyatall"}
    app = create_app(container)
    try:
        with (
            TestClient(app, client=("203.0.113.7", 40000)) as guesser,
            TestClient(app, client=("203.0.113.8", 40000)) as neighbour,
        ):
            for _ in range(3):
                assert guesser.get("/v1/connections", headers=unknown).status_code == 401
            # Requests without any token fail authentication as well.
            for _ in range(2):
                assert guesser.get("/v1/connection").status_code == 401
            refused = guesser.get("/v1/connections", headers=unknown)
            error = assert_error(refused, 429, "RATE_LIMIT_EXCEEDED", "rate_limit_error")
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
            assert error["details"] == {"failed_authentications_per_minute": 5}
            # Until the window frees up the address is refused before its token is looked at,
            # so a correct guess is not told apart from a wrong one.
            assert guesser.get("/v1/connections", headers=account.headers).status_code == 429
            assert neighbour.get("/v1/connections", headers=unknown).status_code == 401
            assert neighbour.get("/v1/connections", headers=account.headers).status_code == 200
    finally:
        container.close()


def test_unknown_query_parameters_are_rejected_not_ignored(
    client: TestClient, account: AccountFixture
) -> None:
    response = client.get("/v1/connections?stauts=active", headers=account.headers)
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert error["details"]["fields"] == {"stauts": "unknown query parameter"}


def test_repeated_query_parameters_are_rejected_not_collapsed(
    client: TestClient, account: AccountFixture
) -> None:
    response = client.get(
        "/v1/connections?status=active&status=disconnected", headers=account.headers
    )
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert error["details"]["fields"] == {"status": "given more than once"}


def _forge(values: Any) -> str:
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


#: Cursors a client could send by hand: out-of-range or mistyped values, wrong shapes, junk.
FORGED_CURSORS = {
    "int64 overflow": _forge([9223372036854775808]),
    "boolean": _forge([True]),
    "negative position": _forge([-1]),
    "float": _forge([1.5]),
    "time without zone": _forge(["2026-01-01T00:00:00", "conn_01"]),
    "time not a time": _forge(["yesterday", "conn_01"]),
    "time as boolean": _forge([True, "conn_01"]),
    "id as number": _forge(["2026-01-01T00:00:00+00:00", 5]),
    "id empty": _forge(["2026-01-01T00:00:00+00:00", ""]),
    "one value too many": _forge(["2026-01-01T00:00:00+00:00", "conn_01", 1]),
    "object": _forge({"at": "2026-01-01T00:00:00+00:00"}),
    "not base64": "nonsense!!",
    "not json": base64.urlsafe_b64encode(b"\xff\xfe{").decode(),
}

#: Every list, as (path, the connection token or the admin key).
LISTS = [
    ("/v1/connections", "admin"),
    ("/v1/connections/{id}/sync-runs", "admin"),
    ("/v1/connections/{id}/errors", "admin"),
    ("/v1/events", "admin"),
    ("/v1/deliveries", "admin"),
    ("/v1/sync/runs", "connection"),
    ("/v1/purchase-orders", "connection"),
]


@pytest.mark.parametrize(("path", "who"), LISTS, ids=[p for p, _ in LISTS])
def test_forged_cursors_are_400_on_every_list(
    client: TestClient, sandbox: ConnectionFixture, path: str, who: str
) -> None:
    headers = sandbox.account.headers if who == "admin" else sandbox.headers
    url = path.replace("{id}", sandbox.id)
    for name, forged in FORGED_CURSORS.items():
        response = client.get(url, params={"cursor": forged}, headers=headers)
        assert response.status_code == 400, (name, response.text)
        error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
        assert set(error["details"]["fields"]) == {"cursor"}, name


@pytest.mark.parametrize("forged", list(FORGED_CURSORS.values()), ids=list(FORGED_CURSORS))
def test_forged_after_on_events_names_after(
    client: TestClient, account: AccountFixture, forged: str
) -> None:
    response = client.get("/v1/events", params={"after": forged}, headers=account.headers)
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert set(error["details"]["fields"]) == {"after"}


def test_events_refuse_both_cursor_and_after(client: TestClient, account: AccountFixture) -> None:
    cursor = client.get("/v1/events", headers=account.headers).json()["next_cursor"] or _forge([0])
    response = client.get(
        "/v1/events", params={"cursor": cursor, "after": cursor}, headers=account.headers
    )
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert set(error["details"]["fields"]) == {"cursor", "after"}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/healthz", "GET"),
        ("DELETE", "/v1/connections", "GET, POST"),
        ("PUT", "/v1/connections/conn_X", "GET, PATCH"),
        ("PUT", "/v1/purchase-orders/po_X", "DELETE, GET, PATCH"),
        ("DELETE", "/v1/sync", "GET, POST"),
        ("GET", "/v1/connections/conn_X/disconnect", "POST"),
    ],
)
def test_405_lists_the_methods_the_path_has(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    response = client.request(method, path)
    assert_error(response, 405, "METHOD_NOT_ALLOWED", "invalid_request_error")
    assert response.headers["Allow"] == allowed


def test_an_admin_key_on_the_unified_api_is_named_as_the_wrong_credential(
    client: TestClient, account: AccountFixture
) -> None:
    response = client.get("/v1/purchase-orders", headers=account.headers)
    error = assert_error(response, 401, "AUTHENTICATION_FAILED", "authentication_error")
    assert "admin key" in error["message"] and "connection token" in error["message"]
    assert "unknown or revoked" not in error["message"]
    assert error["details"] == {"given": "admin_key", "expected": "connection_token"}
    me = client.get("/v1/connection", headers=account.headers)
    assert (
        "admin key"
        in assert_error(me, 401, "AUTHENTICATION_FAILED", "authentication_error")["message"]
    )


def test_a_connection_token_on_the_management_api_is_named_as_the_wrong_credential(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    response = client.get("/v1/connections", headers=sandbox.headers)
    error = assert_error(response, 401, "AUTHENTICATION_FAILED", "authentication_error")
    assert "connection token" in error["message"] and "admin key" in error["message"]
    assert error["details"] == {"given": "connection_token", "expected": "admin_key"}


def test_unknown_tokens_still_get_the_same_message_whatever_they_are(
    client: TestClient,
) -> None:
    unknown = {"Authorization": "Bearer ib_conn_notarealtokenatall"}
    error = assert_error(
        client.get("/v1/purchase-orders", headers=unknown),
        401,
        "AUTHENTICATION_FAILED",
        "authentication_error",
    )
    assert "missing, unknown or revoked" in error["message"]
    assert error["details"] == {}


@pytest.mark.parametrize(
    ("path", "who"),
    [("/v1/connections", "admin"), ("/v1/events", "admin"), ("/v1/purchase-orders", "connection")],
)
def test_integer_query_parameters_accept_only_plain_digits(
    client: TestClient, sandbox: ConnectionFixture, path: str, who: str
) -> None:
    headers = sandbox.account.headers if who == "admin" else sandbox.headers
    for limit in ["5.0", " 5", "5 ", "+5", "1e1", "0x5", "5_0", "\uff15"]:
        response = client.get(path, params={"limit": limit}, headers=headers)
        assert response.status_code == 400, (limit, response.text)
        error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
        assert set(error["details"]["fields"]) == {"limit"}
    assert client.get(path, params={"limit": "05"}, headers=headers).status_code == 200
