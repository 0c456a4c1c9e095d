"""The periodic health check: one event per transition, however many ticks see it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ironbridge.bootstrap import Container
from ironbridge.store.errorlog import ErrorLogRepository
from ironbridge.store.sync import SyncRepository

from ...conftest import new_account
from .conftest import FlakySource, Linked, flaky_container, link_flaky


@pytest.fixture(params=["sqlite", "postgresql"])
def checked(request: pytest.FixtureRequest, tmp_path: Path, flaky: FlakySource) -> Iterator[Linked]:
    """A connection whose source is checked on every tick, alone in its database."""
    extra: dict[str, object] = {}
    if request.param == "postgresql":
        extra["database_url"] = request.getfixturevalue("own_postgres")
    container: Container = flaky_container(tmp_path, flaky, health_check_seconds=0, **extra)
    account = new_account(container)
    yield link_flaky(container, account, tmp_path / "source.db", flaky)
    container.close()


def test_checks_move_the_status_once_per_transition_across_ticks(checked: Linked) -> None:
    tick = checked.container.worker.tick
    assert tick()["checks"] == 1
    health = checked.row().health
    assert [c["ok"] for c in health["checks"]] == [True, True, True]
    assert health["consecutive_failures"] == 0 and health["last_error"] is None

    checked.source.set("fail", "unavailable")
    tick()
    tick()
    assert checked.status() == "offline"
    health = checked.row().health
    assert health["consecutive_failures"] == 2
    assert health["last_error"]["code"] == "CONNECTION_UNAVAILABLE"
    assert health["last_error"]["details"]["stage"] == "reach"
    tick()  # the third failure in a row opens the circuit: checks count towards it
    assert checked.container.breakers.is_open(checked.id)
    probes = checked.reached("check")
    assert tick()["checks"] == 1
    assert checked.reached("check") == probes, "no check while the circuit is open"

    checked.source.set("fail", None)
    checked.breaker_clock.advance(seconds=1.1)
    tick()  # the first check after the reset time is the probe
    tick()
    assert checked.status() == "active"
    assert not checked.container.breakers.is_open(checked.id)
    assert checked.row().health["consecutive_failures"] == 0

    checked.source.set("fail", "reauth")
    for _ in range(4):
        tick()
    assert checked.status() == "auth_required"
    assert not checked.container.breakers.is_open(checked.id), "refused credentials are an answer"
    checked.source.set("fail", None)
    tick()
    tick()
    assert checked.status() == "active"

    assert checked.transitions() == [
        ("active", "offline"),
        ("offline", "active"),
        ("active", "auth_required"),
        ("auth_required", "active"),
    ]
    assert len(checked.events("connection.auth_required")) == 1
    with checked.container.uow(readonly=True) as uow:
        logged = ErrorLogRepository(uow.connection, checked.id).newest(before=None, limit=50)
    assert [e.code for e in reversed(logged)] == ["CONNECTION_UNAVAILABLE"] * 3 + [
        "CONNECTION_REAUTH_REQUIRED"
    ] * 4
    assert {e.operation for e in logged} == {"check"}


def test_an_auth_required_connection_syncs_nothing_until_it_is_healthy(checked: Linked) -> None:
    checked.source.set("fail", "reauth")
    checked.container.worker.tick()
    assert checked.status() == "auth_required"
    calls = checked.reached()
    (run_id,) = checked.sync()
    with checked.container.uow(readonly=True) as uow:
        run = SyncRepository(uow.connection, checked.id).run(run_id)
    assert run is not None and run.error["code"] == "CONNECTION_REAUTH_REQUIRED"
    assert checked.reached() == calls, "refused without asking the source"
    assert len(checked.events("connection.auth_required")) == 1


def test_a_check_overtaken_by_a_reconnect_declares_nothing(checked: Linked) -> None:
    container = checked.container
    checked.source.set("fail", "reauth")

    def reconnect_meanwhile(path: str) -> None:
        # Writes while the check talks to the source: this would wait on a transaction held
        # across the call (SQLite allows one writer), and it replaces the credentials.
        if path != checked.source.path:
            return
        with container.uow() as uow:
            row = uow.connections.get_for_token(checked.id)
            uow.connections.update(
                row.account_id,
                checked.id,
                credentials_ciphertext=container.cipher.encrypt({"path": "renewed"}),
            )
            uow.commit()

    checked.connector.on_check = reconnect_meanwhile
    container.worker.tick()
    assert checked.status() == "active"
    assert checked.transitions() == []
    assert checked.events("connection.auth_required") == []
