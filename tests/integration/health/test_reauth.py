"""Credentials that expire at the source: `auth_required` and one event, fast failures for
everything that needs the source, reads from the store meanwhile, then a reconnect."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ironbridge.connections import (
    complete_link,
    create_link_token,
    exchange_public_token,
    run_link,
)
from ironbridge.store.sync import SyncRepository

from .conftest import Linked

PING = {"method": "GET", "path": "/ping"}


def reconnect(linked: Linked) -> str:
    """Run the connect flow's reconnect path for `linked`; returns the new connection token."""
    container = linked.container
    with container.uow() as uow:
        link, _url = create_link_token(
            uow,
            linked.account.id,
            registry=container.registry,
            base_url=container.settings.base_url,
            end_customer_id=None,
            end_customer_name=None,
            connection_id=linked.id,
        )
    completion = run_link(
        complete_link(
            container.uow,
            container.cipher,
            container.registry,
            container.session_options,
            link.token,
            "flakysource",
            {"path": linked.source.path},
        )
    )
    assert not completion.created
    with container.uow() as uow:
        _view, issued = exchange_public_token(uow, linked.account.id, completion.public_token)
    return issued.token


def test_expired_credentials_require_a_reconnect_which_replaces_the_token(
    linked: Linked, api: TestClient
) -> None:
    record_id = api.get("/v1/purchase-orders", headers=linked.headers).json()["data"][0]["id"]
    linked.source.set("fail", "reauth")
    (run_id,) = linked.sync()
    with linked.container.uow(readonly=True) as uow:
        run = SyncRepository(uow.connection, linked.id).run(run_id)
    assert run is not None and run.error["code"] == "CONNECTION_REAUTH_REQUIRED"
    assert linked.status() == "auth_required"

    calls = linked.reached()
    passthrough = api.post("/v1/passthrough", json=PING, headers=linked.headers)
    write = api.patch(
        f"/v1/purchase-orders/{record_id}", json={"payment_terms": "Net 30"}, headers=linked.headers
    )
    for refused in (passthrough, write):
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "CONNECTION_REAUTH_REQUIRED"
    trigger = api.post("/v1/sync", json={"entities": "all"}, headers=linked.headers)
    assert trigger.status_code == 409
    assert trigger.json()["error"]["code"] == "CONNECTION_REAUTH_REQUIRED"
    # A run that starts anyway (a schedule, the CLI) ends at once without asking the source.
    linked.container.worker.start_sync(linked.id, trigger="schedule")
    with linked.container.uow(readonly=True) as uow:
        newest = SyncRepository(uow.connection, linked.id).runs(limit=1)[0]
    assert newest.error["code"] == "CONNECTION_REAUTH_REQUIRED"
    assert linked.reached() == calls, "nothing reached the source"
    # Reads are served from the records store, which still holds the last synced data.
    listed = api.get("/v1/purchase-orders", headers=linked.headers)
    assert listed.status_code == 200 and len(listed.json()["data"]) == 5
    me = api.get("/v1/connection", headers=linked.headers).json()
    assert me["status"] == "auth_required"
    assert me["last_error"]["code"] == "CONNECTION_REAUTH_REQUIRED"
    assert len(linked.events("connection.auth_required")) == 1

    # The customer renews the password at the source, then reconnects through the flow.
    linked.source.set("fail", None)
    token = reconnect(linked)
    old = api.get("/v1/connection", headers=linked.headers)
    assert old.status_code == 401 and old.json()["error"]["code"] == "AUTHENTICATION_FAILED"
    headers = {"Authorization": f"Bearer {token}"}
    me = api.get("/v1/connection", headers=headers).json()
    assert me["status"] == "active"
    assert api.post("/v1/passthrough", json=PING, headers=headers).status_code == 200
    assert api.post("/v1/sync", json={"entities": "all"}, headers=headers).status_code == 202
    with linked.container.uow(readonly=True) as uow:
        assert SyncRepository(uow.connection, linked.id).runs(limit=1)[0].status == "succeeded"
    assert linked.transitions() == [("active", "auth_required"), ("auth_required", "active")]
    assert len(linked.events("connection.auth_required")) == 1


def test_a_write_refused_for_expired_credentials_moves_the_connection_once(
    linked: Linked, api: TestClient
) -> None:
    linked.source.set("fail", "reauth")
    first = api.post("/v1/passthrough", json=PING, headers=linked.headers)
    second = api.post("/v1/passthrough", json=PING, headers=linked.headers)
    assert first.status_code == second.status_code == 409
    assert linked.status() == "auth_required"
    assert linked.reached("passthrough") == 1, "the second one failed fast"
    assert linked.transitions() == [("active", "auth_required")]
    assert len(linked.events("connection.auth_required")) == 1
