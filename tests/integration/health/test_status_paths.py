"""Every path that moves a connection's status records one event per transition, with its reason:
health checks, calls through the circuit breaker, sync runs, reconnect and disconnect."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ironbridge.connections import disconnect
from ironbridge.errors import ConnectionDisconnected
from ironbridge.health import check_connection

from .conftest import Linked
from .test_reauth import reconnect

PING = {"method": "GET", "path": "/ping"}


def _reasons(linked: Linked) -> list[tuple[str, str, str]]:
    return [
        (e.data["previous_status"], e.data["status"], e.data["reason"])
        for e in linked.events("connection.status_changed")
    ]


def test_health_checks_move_the_status_once_each_way(linked: Linked) -> None:
    context = linked.container.worker.health_context
    linked.source.set("fail", "unavailable")
    check_connection(context, linked.id, force=True)
    check_connection(context, linked.id, force=True)
    assert linked.status() == "offline"
    linked.source.set("fail", None)
    check_connection(context, linked.id, force=True)
    check_connection(context, linked.id, force=True)
    assert linked.status() == "active"
    assert _reasons(linked) == [
        ("active", "offline", "unreachable"),
        ("offline", "active", "check_passed"),
    ]


def test_sync_runs_move_the_status_once_each_way(linked: Linked) -> None:
    linked.source.set("fail", "unavailable")
    linked.sync()
    linked.sync()
    assert linked.status() == "offline"
    linked.source.set("fail", None)
    linked.sync()
    linked.sync()
    assert linked.status() == "active"
    assert _reasons(linked) == [
        ("active", "offline", "unreachable"),
        ("offline", "active", "source_recovered"),
    ]


def test_calls_that_open_the_circuit_move_the_status_once(linked: Linked, api: TestClient) -> None:
    linked.source.set("fail", "upstream")
    for _ in range(5):
        api.post("/v1/passthrough", json=PING, headers=linked.headers)
    assert linked.container.breakers.is_open(linked.id)
    assert linked.status() == "offline"
    assert _reasons(linked) == [("active", "offline", "circuit_open")]


def test_a_reconnect_moves_the_status_once(linked: Linked) -> None:
    linked.source.set("fail", "reauth")
    linked.sync()
    linked.source.set("fail", None)
    reconnect(linked)
    reconnect(linked)  # an active connection reconnected again has nothing to announce
    assert linked.status() == "active"
    assert _reasons(linked) == [
        ("active", "auth_required", "credentials_rejected"),
        ("auth_required", "active", "reconnected"),
    ]
    assert len(linked.events("connection.auth_required")) == 1


def test_a_disconnect_is_announced_once_and_is_final(linked: Linked, api: TestClient) -> None:
    linked.source.set("fail", "reauth")
    linked.sync()
    container = linked.container
    with container.uow() as uow:
        disconnect(uow, linked.account.id, linked.id)
    with container.uow() as uow:
        disconnect(uow, linked.account.id, linked.id)
    assert linked.status() == "disconnected"
    (event,) = linked.events("connection.disconnected")
    assert event.data == {"previous_status": "auth_required", "status": "disconnected"}
    # Nothing that happens to the source afterwards moves it.
    linked.source.set("fail", None)
    check_connection(container.worker.health_context, linked.id, force=True)
    with pytest.raises(ConnectionDisconnected):
        linked.sync()
    assert linked.status() == "disconnected"
    assert _reasons(linked) == [("active", "auth_required", "credentials_rejected")]
    assert linked.row().disconnected_at is not None
