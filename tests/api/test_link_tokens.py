"""Link tokens and the public-token exchange, over HTTP (the connect pages without a browser)."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from ironbridge.api import create_app
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.connect.routes import ATTEMPTS_PER_MINUTE
from ironbridge.connections import open_link_session
from ironbridge.connectors import CheckResult, CheckStage, ConnectorRegistry, SessionOptions
from ironbridge.connectors.sandbox import connector as sandbox_connector
from ironbridge.connectors.sandbox.connector import SandboxConnector, SandboxSession
from ironbridge.connectors.sandbox.spec import SPEC as SANDBOX_SPEC
from ironbridge.errors import AuthenticationFailed, UpstreamError
from ironbridge.store.events import EventQuery, EventRepository
from ironbridge.store.tables import credentials

from ..conftest import (
    AccountFixture,
    ConnectionFixture,
    make_settings,
    new_account,
    new_sandbox_connection,
)
from .test_error_contract import assert_error

NEW_LINK = {"end_customer_id": "cust-7", "end_customer_name": "Seven Plant Ltd"}


def create_link(client: TestClient, account: AccountFixture, **body: Any) -> dict[str, Any]:
    response = client.post("/v1/link-tokens", json={**NEW_LINK, **body}, headers=account.headers)
    assert response.status_code == 201, response.text
    payload: dict[str, Any] = response.json()
    return payload


def connect_without_js(client: TestClient, link_token: str, system: str = "sandbox", **fields: str):
    """Open the form, then post it as a browser without JavaScript would."""
    page = client.get(f"/connect/{system}", params={"token": link_token})
    assert page.status_code == 200, page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    data = {"token": link_token, "csrf": csrf.group(1)}
    data.update({f"c.{name}": value for name, value in fields.items()})
    return client.post(f"/connect/{system}", data=data)


def public_token_of(page_html: str) -> str:
    found = re.search(r'data-public-token="(ib_pub_[^"]+)"', page_html)
    assert found is not None, page_html
    return found.group(1)


def expire(container: Container, token: str) -> None:
    with container.uow() as uow:
        session = open_link_session(uow, token)
        uow.connection.execute(
            update(credentials)
            .where(credentials.c.id == session.link_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        uow.commit()


def test_a_link_token_comes_with_a_connect_url_and_expiry(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    before = datetime.now(UTC)
    created = create_link(client, account, systems=["sandbox"], metadata={"crm": "42"})
    assert created["link_token"].startswith("ib_link_")
    base = container.settings.base_url
    assert created["connect_url"] == f"{base}/connect/?token={created['link_token']}"
    expires_at = datetime.fromisoformat(created["expires_at"])
    assert before + timedelta(seconds=1790) < expires_at < before + timedelta(seconds=1810)


def test_expiry_is_bounded_to_seven_days(client: TestClient, account: AccountFixture) -> None:
    for expires_in in (59, 7 * 24 * 3600 + 1, -5):
        response = client.post(
            "/v1/link-tokens", json={**NEW_LINK, "expires_in": expires_in}, headers=account.headers
        )
        error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
        assert "expires_in" in error["details"]["fields"]
    longest = create_link(client, account, expires_in=7 * 24 * 3600)
    expires_at = datetime.fromisoformat(longest["expires_at"])
    assert expires_at > datetime.now(UTC) + timedelta(days=6, hours=23)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"end_customer_id": None}, "end_customer_id"),
        ({"end_customer_name": None}, "end_customer_name"),
        ({"systems": ["sandbox", "no_such_erp"]}, "systems"),
        ({"systems": []}, "systems"),
        ({"redirect_url": "javascript:alert(1)"}, "redirect_url"),
        ({"metadata": {"k" * 41: "v"}}, "metadata"),
    ],
)
def test_invalid_link_requests_name_the_field(
    client: TestClient, account: AccountFixture, body: dict[str, Any], field: str
) -> None:
    payload = {key: value for key, value in {**NEW_LINK, **body}.items() if value is not None}
    response = client.post("/v1/link-tokens", json=payload, headers=account.headers)
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert field in error["details"]["fields"]


def test_link_tokens_need_an_admin_key(client: TestClient, sandbox: ConnectionFixture) -> None:
    assert_error(
        client.post("/v1/link-tokens", json=NEW_LINK),
        401,
        "AUTHENTICATION_FAILED",
        "authentication_error",
    )
    assert_error(
        client.post("/v1/link-tokens", json=NEW_LINK, headers=sandbox.headers),
        401,
        "AUTHENTICATION_FAILED",
        "authentication_error",
    )


def test_reconnecting_another_accounts_connection_is_forbidden(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    other = new_account(container, "Other Integrator")
    theirs = new_sandbox_connection(container, other)
    response = client.post(
        "/v1/link-tokens", json={"connection_id": theirs.id}, headers=account.headers
    )
    assert_error(response, 403, "PERMISSION_DENIED", "permission_error")
    missing = client.post(
        "/v1/link-tokens", json={"connection_id": "conn_missing"}, headers=account.headers
    )
    assert_error(missing, 404, "NOT_FOUND", "invalid_request_error")


def test_a_disconnected_connection_cannot_be_reconnected(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    client.post(f"/v1/connections/{sandbox.id}/disconnect", headers=account.headers)
    response = client.post(
        "/v1/link-tokens", json={"connection_id": sandbox.id}, headers=account.headers
    )
    assert response.status_code == 410, response.text
    assert response.json()["error"]["code"] == "CONNECTION_DISCONNECTED"


def test_a_reconnect_must_keep_the_end_customer(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    response = client.post(
        "/v1/link-tokens",
        json={"connection_id": sandbox.id, "end_customer_id": "somebody-else"},
        headers=account.headers,
    )
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert "end_customer_id" in error["details"]["fields"]


def test_the_flow_connects_and_the_public_token_is_exchanged_once(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    link = create_link(client, account, metadata={"crm": "42"})
    done = connect_without_js(client, link["link_token"], tenant="Plant 7")
    assert done.status_code == 200, done.text
    assert "Connected" in done.text
    public_token = public_token_of(done.text)

    other = new_account(container, "Other Integrator")
    stolen = client.post(
        "/v1/link-tokens/exchange", json={"public_token": public_token}, headers=other.headers
    )
    assert_error(stolen, 401, "AUTHENTICATION_FAILED", "authentication_error")

    exchanged = client.post(
        "/v1/link-tokens/exchange", json={"public_token": public_token}, headers=account.headers
    )
    assert exchanged.status_code == 200, exchanged.text
    body = exchanged.json()
    assert body["connection_token"].startswith("ib_conn_")
    assert body["connection"]["id"] == body["connection_id"]
    assert body["connection"]["end_customer_id"] == NEW_LINK["end_customer_id"]
    assert body["connection"]["metadata"] == {"crm": "42"}
    assert body["connection"]["status"] in {"active", "syncing"}
    me = client.get(
        "/v1/connection", headers={"Authorization": f"Bearer {body['connection_token']}"}
    )
    assert me.status_code == 200 and me.json()["id"] == body["connection_id"]

    replay = client.post(
        "/v1/link-tokens/exchange", json={"public_token": public_token}, headers=account.headers
    )
    assert_error(replay, 401, "AUTHENTICATION_FAILED", "authentication_error")

    with container.uow(readonly=True) as uow:
        events = EventRepository(uow.connection, account.id).find(
            EventQuery(types=["connection.created"], connection_id=body["connection_id"])
        )
    assert [event.data["via"] for event in events] == ["connect_flow"]


def test_a_used_link_token_cannot_be_replayed(client: TestClient, account: AccountFixture) -> None:
    link = create_link(client, account)
    assert connect_without_js(client, link["link_token"]).status_code == 200
    page = client.get("/connect/", params={"token": link["link_token"]})
    assert page.status_code == 401
    assert "This link has already been used" in page.text
    replay = client.post(
        "/connect/sandbox", data={"token": link["link_token"], "csrf": "x", "c.tenant": "again"}
    )
    assert replay.status_code == 401
    assert "already been used" in replay.text


def test_an_expired_link_token_is_rejected(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    link = create_link(client, account)
    page = client.get(f"/connect/sandbox?token={link['link_token']}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    expire(container, link["link_token"])
    with container.uow(readonly=True) as uow, pytest.raises(AuthenticationFailed) as raised:
        open_link_session(uow, link["link_token"])
    assert raised.value.details["reason"] == "expired"
    opened = client.get("/connect/", params={"token": link["link_token"]})
    assert opened.status_code == 401
    assert "This link has expired" in opened.text
    assert "Traceback" not in opened.text
    posted = client.post(
        "/connect/sandbox",
        data={"token": link["link_token"], "csrf": csrf.group(1)},
        headers={"Accept": "text/event-stream"},
    )
    assert posted.status_code == 401
    assert "event: fatal" in posted.text and "has expired" in posted.text


def test_a_form_post_without_the_csrf_token_is_refused(
    client: TestClient, account: AccountFixture
) -> None:
    link = create_link(client, account)
    response = client.post("/connect/sandbox", data={"token": link["link_token"], "csrf": "0" * 64})
    assert response.status_code == 403
    assert "reload" in response.text.lower()
    # The refused post did not use the link up.
    assert connect_without_js(client, link["link_token"]).status_code == 200


def test_unknown_credential_fields_are_shown_on_the_form(
    client: TestClient, account: AccountFixture
) -> None:
    link = create_link(client, account)
    response = connect_without_js(client, link["link_token"], nonsense="1")
    assert response.status_code == 400
    assert "Not a field of this system" in response.text
    assert connect_without_js(client, link["link_token"]).status_code == 200


def test_reconnect_replaces_the_token_and_reactivates(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    with container.uow() as uow:
        uow.connections.update(account.id, sandbox.id, status="auth_required")
        uow.commit()
    # The old credentials' failures opened the circuit; new credentials must not inherit it.
    for _ in range(container.settings.breaker_fail_max):
        with contextlib.suppress(UpstreamError), container.breakers.guard(sandbox.id):
            raise UpstreamError("refused")
    assert container.breakers.is_open(sandbox.id)
    link = create_link(client, account, end_customer_id=None, connection_id=sandbox.id)
    # A reconnect offers only the connection's system, so the catalog goes straight to it.
    opened = client.get("/connect/", params={"token": link["link_token"]}, follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"].startswith("/connect/sandbox?")
    done = connect_without_js(client, link["link_token"], tenant="renewed")
    assert done.status_code == 200, done.text
    assert "has been renewed" in done.text
    old = client.get("/v1/connection", headers=sandbox.headers)
    assert_error(old, 401, "AUTHENTICATION_FAILED", "authentication_error")
    exchanged = client.post(
        "/v1/link-tokens/exchange",
        json={"public_token": public_token_of(done.text)},
        headers=account.headers,
    ).json()
    assert exchanged["connection_id"] == sandbox.id
    me = client.get(
        "/v1/connection", headers={"Authorization": f"Bearer {exchanged['connection_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["status"] == "active"
    assert not container.breakers.is_open(sandbox.id)
    assert container.breakers.failures(sandbox.id) == 0
    with container.uow(readonly=True) as uow:
        changes = EventRepository(uow.connection, account.id).find(
            EventQuery(types=["connection.status_changed"], connection_id=sandbox.id)
        )
    assert [(e.data["previous_status"], e.data["status"]) for e in changes] == [
        ("auth_required", "active")
    ]


def test_the_flow_refuses_a_bad_origin_and_frames_only_the_given_one(
    client: TestClient, account: AccountFixture
) -> None:
    link = create_link(client, account)
    bad = client.get(
        "/connect/sandbox", params={"token": link["link_token"], "origin": "https://x.test/path"}
    )
    assert bad.status_code == 400
    good = client.get(
        "/connect/sandbox",
        params={"token": link["link_token"], "origin": "HTTPS://App.Example.com:8443"},
    )
    assert good.status_code == 200
    policy = good.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'self' https://app.example.com:8443" in policy
    assert good.headers["referrer-policy"] == "no-referrer"
    assert 'data-origin="https://app.example.com:8443"' in good.text


def test_link_token_paths_are_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/link-tokens", "/v1/link-tokens/exchange"):
        responses = paths[path]["post"]["responses"]
        assert {"400", "401", "403", "404", "429", "500"} <= set(responses)
    assert not any(path.startswith("/connect") for path in paths)


def test_connect_attempts_per_link_are_limited(client: TestClient, account: AccountFixture) -> None:
    link = create_link(client, account)
    statuses = [
        connect_without_js(client, link["link_token"], nonsense="1").status_code
        for _ in range(ATTEMPTS_PER_MINUTE + 1)
    ]
    assert statuses == [400] * ATTEMPTS_PER_MINUTE + [429]
    limited = connect_without_js(client, link["link_token"])
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert "Please wait a moment" in limited.text
    assert 'id="connect-form"' in limited.text  # the form stays, ready for a later try


class _BrokenSession(SandboxSession):
    def check(self) -> Iterator[CheckResult]:
        yield CheckResult(CheckStage.REACH, True, "Reached.")
        raise RuntimeError("connector bug: secret internals")


class _BrokenConnector(SandboxConnector):
    spec = dataclasses.replace(SANDBOX_SPEC, id="broken", name="Broken ERP")

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> SandboxSession:
        return _BrokenSession(options)


def test_an_unexpected_failure_is_a_page_with_a_reference_not_a_trace(tmp_path: Path) -> None:
    registry = ConnectorRegistry([sandbox_connector, _BrokenConnector()])
    container = bootstrap(make_settings(tmp_path), registry=registry)
    try:
        account = new_account(container)
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            link = create_link(client, account, systems=["broken"])
            page = client.get("/connect/broken", params={"token": link["link_token"]})
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf is not None
            form = {"token": link["link_token"], "csrf": csrf.group(1)}
            streamed = client.post(
                "/connect/broken", data=form, headers={"Accept": "text/event-stream"}
            )
            assert "event: fatal" in streamed.text
            assert "Something went wrong on our side" in streamed.text
            assert "Reference: <code>req_" in streamed.text
            plain = client.post("/connect/broken", data=form)
            assert plain.status_code == 500
            assert "Something went wrong on our side" in plain.text
            for body in (streamed.text, plain.text):
                assert "Traceback" not in body and "secret internals" not in body
            # Nothing was connected, so the link still opens.
            assert client.get("/connect/broken", params={"token": link["link_token"]}).is_success
    finally:
        container.close()


def test_link_tokens_that_fail_are_limited_per_client_address(tmp_path: Path) -> None:
    container = bootstrap(make_settings(tmp_path, auth_failure_limit_per_minute=4))
    account = new_account(container)
    app = create_app(container)
    try:
        with (
            TestClient(app, client=("203.0.113.7", 40000)) as guesser,
            TestClient(app, client=("203.0.113.8", 40000)) as neighbour,
        ):
            link = create_link(neighbour, account)["link_token"]
            for guess in range(3):
                page = guesser.get("/connect/", params={"token": f"ib_link_guess{guess}"})
                assert page.status_code == 401
            posted = guesser.post("/connect/sandbox", data={"token": "ib_link_guess", "csrf": "x"})
            assert posted.status_code == 401
            refused = guesser.get("/connect/", params={"token": "ib_link_guess5"})
            assert refused.status_code == 429 and "Please wait a moment" in refused.text
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
            # Over its budget an address is refused before the token is looked at: a correct
            # guess looks like a wrong one. Another address is not held back.
            assert guesser.get("/connect/", params={"token": link}).status_code == 429
            assert neighbour.get("/connect/", params={"token": link}).status_code == 200
    finally:
        container.close()
